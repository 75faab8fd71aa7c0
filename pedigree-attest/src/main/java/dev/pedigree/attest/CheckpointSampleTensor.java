package dev.pedigree.attest;

import dev.pedigree.model.TensorAddress;
import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor of a {@link CheckpointSample}: its canonical address, shape and hash, statistics over all
 * of its values, and a seeded sample of its canonical matrix (the rows {@link CheckpointSampler#indices} picks
 * for {@code shape.rows()}, restricted to the columns it picks for {@code shape.columns()}).
 * Immutable; arrays are copied in and out.
 *
 * @param name tensor name as stored (informative; addresses identify tensors)
 * @param dtype storage type name
 * @param shape canonical shape
 * @param canonicalSha256 {@link dev.pedigree.model.TensorHashes#canonicalSha256} of the tensor
 * @param sampledRows rows in {@code values} ({@code 1} for a vector)
 * @param sampledColumns columns in {@code values}
 * @param values the sample, row-major {@code sampledRows × sampledColumns}
 * @param rowNorms L2 norm of every canonical row for token-indexed tensors (embeddings, heads);
 *     null otherwise
 */
public record CheckpointSampleTensor(
        String name,
        TensorAddress address,
        String dtype,
        long[] shape,
        String canonicalSha256,
        CheckpointMoments stats,
        int sampledRows,
        int sampledColumns,
        float[] values,
        float[] rowNorms) {

    public CheckpointSampleTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(canonicalSha256, "canonicalSha256");
        Objects.requireNonNull(stats, "stats");
        shape = shape.clone();
        values = values.clone();
        rowNorms = rowNorms == null ? null : rowNorms.clone();
        if (sampledRows < 0 || sampledColumns < 0 || (long) sampledRows * sampledColumns != values.length) {
            throw new IllegalArgumentException(
                    name + ": " + values.length + " sampled values for " + sampledRows + " × " + sampledColumns);
        }
    }

    @Override
    public long[] shape() {
        return shape.clone();
    }

    @Override
    public float[] values() {
        return values.clone();
    }

    @Override
    public float[] rowNorms() {
        return rowNorms == null ? null : rowNorms.clone();
    }

    /** Canonical rows (product of all but the last dimension; 1 for vectors). */
    public long rows() {
        long n = 1;
        for (int i = 0; i < shape.length - 1; i++) {
            n *= shape[i];
        }
        return n;
    }

    /** Canonical columns (the last dimension). */
    public long columns() {
        return shape.length == 0 ? 1 : shape[shape.length - 1];
    }

    /** True for tensors of rank 2 or more. */
    public boolean matrix() {
        return shape.length >= 2;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof CheckpointSampleTensor t
                && name.equals(t.name)
                && address.equals(t.address)
                && dtype.equals(t.dtype)
                && Arrays.equals(shape, t.shape)
                && canonicalSha256.equals(t.canonicalSha256)
                && stats.equals(t.stats)
                && sampledRows == t.sampledRows
                && sampledColumns == t.sampledColumns
                && Arrays.equals(values, t.values)
                && Arrays.equals(rowNorms, t.rowNorms);
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, address, canonicalSha256);
    }

    @Override
    public String toString() {
        return "CheckpointSampleTensor[" + address + " " + Arrays.toString(shape) + " sample " + sampledRows + "×"
                + sampledColumns + "]";
    }
}
