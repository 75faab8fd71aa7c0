package dev.pedigree.model;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A logical tensor made of a contiguous range of canonical rows of another tensor: the Q, K or V
 * part of a fused QKV projection, the gate or up half of a fused gate_up, one expert of a stacked
 * expert tensor. Reads go straight to the parent; nothing is copied.
 */
public final class RowSliceTensor implements TensorRef {
    private final TensorRef parent;
    private final String name;
    private final long firstRow;
    private final Shape shape;
    private final TensorAddress address;

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
        this.parent = parent;
        this.name = name;
        this.firstRow = firstRow;
        this.shape = shape;
        this.address = address;
    }

    public TensorRef parent() {
        return parent;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DType dtype() {
        return parent.dtype();
    }

    @Override
    public Shape shape() {
        return shape;
    }

    @Override
    public TensorAddress address() {
        return address;
    }

    @Override
    public String source() {
        return parent.source();
    }

    @Override
    public MemorySegment storedBytes() throws IOException, ModelFormatException {
        return parent.storedBytes();
    }

    @Override
    public void readRows(long first, int rowCount, float[] dst, int dstOffset)
            throws IOException, ModelFormatException {
        if (first < 0 || rowCount < 0 || first + rowCount > shape.rows()) {
            throw new IndexOutOfBoundsException("rows " + first + "+" + rowCount + " of " + shape);
        }
        parent.readRows(firstRow + first, rowCount, dst, dstOffset);
    }

    @Override
    public void prefetchRows(int[] rows) {
        int[] mapped = new int[rows.length];
        int n = 0;
        for (int r : rows) {
            if (r >= 0 && r < shape.rows() && firstRow + r <= Integer.MAX_VALUE) {
                mapped[n++] = (int) (firstRow + r);
            }
        }
        parent.prefetchRows(java.util.Arrays.copyOf(mapped, n));
    }
}
