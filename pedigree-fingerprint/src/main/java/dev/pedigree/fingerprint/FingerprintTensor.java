package dev.pedigree.fingerprint;

import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.util.Objects;

/**
 * What a {@link Fingerprint} keeps of one logical tensor: where it sits, its full shape, its
 * content hashes and statistics, and the sampled rows and columns. Immutable.
 *
 * @param name the tensor's name in the model (fused parts carry their suffix, e.g. {@code [q]})
 * @param dtype the stored type's name ({@link dev.pedigree.model.DType#name()})
 * @param shape the full canonical shape
 * @param rawSha256 hex SHA-256 of the stored bytes (for a part of a fused tensor: of the whole
 *     fused tensor); null when not hashed
 * @param canonicalSha256 hex canonical SHA-256 ({@link dev.pedigree.model.TensorHashes#canonicalSha256});
 *     null when not hashed or not decodable
 * @param stats statistics of all values; null when not read
 * @param sample the kept values; null for tensors that are not parameters or could not be decoded
 */
public record FingerprintTensor(
        String name,
        TensorAddress address,
        String dtype,
        Shape shape,
        String rawSha256,
        String canonicalSha256,
        TensorStats stats,
        Sample sample) {

    public FingerprintTensor {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
    }

    /** Where the kept rows of a matrix come from. */
    public enum RowSource {
        /** {@link DimensionSample} of the first dimension (or all rows). */
        DIMENSION,
        /** The fingerprint's anchor tokens, in anchor order (token embedding and head rows). */
        ANCHORS
    }

    /**
     * The kept values of a tensor seen as {@code [dim0, rest]}.
     *
     * @param rows kept row indices of the full tensor, ascending ({@link RowSource#DIMENSION}); for
     *     {@link RowSource#ANCHORS} the token ids of the anchors in the reference model
     * @param cols kept column indices, ascending
     * @param values {@code rows.length × cols.length} values, row-major
     * @param rowNorms null, or one value per kept row: the L2 norm of the <em>whole</em> row (every
     *     column, not only the kept ones) with the gain of the norm that feeds the tensor folded in
     *     (row ⊙ γ). Kept for hidden-unit rows (MLP gate and up), whose norms a residual rotation or
     *     permutation leaves unchanged ({@link UnitNormTest}); file format 2 ({@link FingerprintCodec})
     */
    public record Sample(RowSource rowSource, int[] rows, int[] cols, float[] values, float[] rowNorms) {
        public Sample {
            Objects.requireNonNull(rowSource, "rowSource");
            rows = rows.clone();
            cols = cols.clone();
            values = values.clone();
            rowNorms = rowNorms == null ? null : rowNorms.clone();
            if ((long) rows.length * cols.length != values.length) {
                throw new IllegalArgumentException(
                        rows.length + "×" + cols.length + " sample with " + values.length + " values");
            }
            if (rowNorms != null && rowNorms.length != rows.length) {
                throw new IllegalArgumentException(rowNorms.length + " row norms for " + rows.length + " rows");
            }
        }

        /** A sample without row norms. */
        public Sample(RowSource rowSource, int[] rows, int[] cols, float[] values) {
            this(rowSource, rows, cols, values, null);
        }

        /** The whole-row norms (see the record's description), or null when not kept. */
        @Override
        public float[] rowNorms() {
            return rowNorms == null ? null : rowNorms.clone();
        }

        float[] rowNormsNoCopy() {
            return rowNorms;
        }

        @Override
        public int[] rows() {
            return rows.clone();
        }

        @Override
        public int[] cols() {
            return cols.clone();
        }

        @Override
        public float[] values() {
            return values.clone();
        }

        /** Number of kept values. */
        public int size() {
            return values.length;
        }

        float[] valuesNoCopy() {
            return values;
        }

        int[] rowsNoCopy() {
            return rows;
        }

        int[] colsNoCopy() {
            return cols;
        }
    }
}
