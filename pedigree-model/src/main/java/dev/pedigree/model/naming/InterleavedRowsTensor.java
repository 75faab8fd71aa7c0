package dev.pedigree.model.naming;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.RowViewTensor;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.io.IOException;

/**
 * A logical tensor made of a run of units taken from each of several equal blocks of a parent
 * tensor: the q, k or v rows of a fused projection that interleaves them per head or per KV group
 * (GPT-NeoX, BLOOM, Falcon), where a {@link dev.pedigree.model.RowSliceTensor} cannot express the
 * selection.
 *
 * <p>A unit is a canonical row when the parent has rank 2 or more, and a single element when the
 * parent is a vector (a fused bias), so the same pattern splits a weight and its bias. The part
 * takes units {@code [b * blockStride + offsetInBlock, b * blockStride + offsetInBlock +
 * unitsPerBlock)} for {@code b = 0 .. blockCount - 1}, in that order; with one block it is a plain
 * contiguous slice (used for vector slices).
 *
 * <p>Immutable and thread-safe; reads go to the parent and nothing is copied up front. The stored
 * bytes are the parent's, as for every view.
 */
public final class InterleavedRowsTensor extends RowViewTensor {
    private final long blockCount;
    private final long blockStride;
    private final long offsetInBlock;
    private final long unitsPerBlock;
    private final boolean vector;

    /**
     * @param parent the fused tensor, of rank 1 (units are elements) or more (units are rows)
     * @param name name of the part, e.g. {@code gpt_neox.layers.0.attention.query_key_value.weight[k]}
     * @param blockCount number of blocks taken from
     * @param blockStride units per block of the parent
     * @param offsetInBlock first unit taken inside each block
     * @param unitsPerBlock units taken from each block
     * @param address canonical address of the part
     * @throws IllegalArgumentException if the selection does not fit in the parent
     */
    public InterleavedRowsTensor(
            TensorRef parent,
            String name,
            long blockCount,
            long blockStride,
            long offsetInBlock,
            long unitsPerBlock,
            TensorAddress address) {
        Shape ps = parent.shape();
        if (ps.rank() == 0) {
            throw new IllegalArgumentException("cannot slice scalar " + parent.name());
        }
        boolean vector = ps.rank() == 1;
        long parentUnits = vector ? ps.dim(0) : ps.rows();
        if (blockCount < 0
                || blockStride < 0
                || offsetInBlock < 0
                || unitsPerBlock < 0
                || offsetInBlock + unitsPerBlock > blockStride
                || Math.multiplyExact(blockCount, blockStride) > parentUnits) {
            throw new IllegalArgumentException("slice " + name + " (" + blockCount + " blocks of " + blockStride
                    + ", taking " + unitsPerBlock + " at " + offsetInBlock + ") out of range of parent " + ps);
        }
        long units = Math.multiplyExact(blockCount, unitsPerBlock);
        this.vector = vector;
        super(parent, name, vector ? Shape.of(units) : Shape.of(units, ps.columns()), address);
        this.blockCount = blockCount;
        this.blockStride = blockStride;
        this.offsetInBlock = offsetInBlock;
        this.unitsPerBlock = unitsPerBlock;
    }

    /** Parent unit holding unit {@code u} of this part. */
    private long parentUnit(long u) {
        return (u / unitsPerBlock) * blockStride + offsetInBlock + u % unitsPerBlock;
    }

    @Override
    protected long parentRow(long row) {
        return vector ? -1 : parentUnit(row);
    }

    @Override
    protected void decodeRows(long first, int rowCount, float[] dst, int dstOffset)
            throws IOException, ModelFormatException {
        if (rowCount == 0) {
            return;
        }
        if (vector) {
            readVector(dst, dstOffset);
            return;
        }
        long cols = shape().columns();
        long u = first;
        long end = first + rowCount;
        int out = dstOffset;
        while (u < end) {
            // one parent read per contiguous run inside a block
            long run = Math.min(end - u, unitsPerBlock - u % unitsPerBlock);
            parent().readRows(parentUnit(u), (int) run, dst, out);
            out += (int) (run * cols);
            u += run;
        }
    }

    private void readVector(float[] dst, int dstOffset) throws IOException, ModelFormatException {
        float[] whole = new float[Math.toIntExact(parent().shape().dim(0))];
        parent().readRows(0, 1, whole, 0);
        for (long b = 0; b < blockCount; b++) {
            System.arraycopy(
                    whole, (int) (b * blockStride + offsetInBlock), dst, (int) (dstOffset + b * unitsPerBlock), (int)
                            unitsPerBlock);
        }
    }
}
