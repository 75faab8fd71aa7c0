package dev.pedigree.model;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;

/**
 * A logical tensor made of a contiguous range of canonical rows of another tensor: the Q, K or V
 * part of a fused QKV projection, the gate or up half of a fused gate_up, one expert of a stacked
 * expert tensor. Reads go straight to the parent; nothing is copied.
 */
public final class RowSliceTensor extends RowViewTensor {
    private final long firstRow;

    /**
     * @param parent the fused tensor
     * @param name name of the logical part, e.g. {@code model.layers.0.self_attn.qkv_proj.weight[q]}
     * @param firstRow first canonical row of the parent included
     * @param shape canonical shape of the part; its columns must equal the parent's
     * @param address canonical address of the part
     */
    public RowSliceTensor(TensorRef parent, String name, long firstRow, Shape shape, TensorAddress address) {
        if (shape.columns() != parent.shape().columns()) {
            throw new IllegalArgumentException(
                    "slice " + name + " has " + shape.columns() + " columns, parent " + parent.shape());
        }
        if (firstRow < 0 || firstRow + shape.rows() > parent.shape().rows()) {
            throw new IllegalArgumentException("slice " + name + " rows out of range of parent " + parent.shape());
        }
        super(parent, name, shape, address);
        this.firstRow = firstRow;
    }

    @Override
    protected long parentRow(long row) {
        return firstRow + row;
    }

    @Override
    protected void decodeRows(long first, int rowCount, float[] dst, int dstOffset)
            throws IOException, ModelFormatException {
        parent().readRows(firstRow + first, rowCount, dst, dstOffset);
    }
}
