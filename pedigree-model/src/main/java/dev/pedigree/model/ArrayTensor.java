package dev.pedigree.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A float32 tensor held in memory: for generated models in tests and simulations, and for small
 * derived tensors. Immutable (the values are copied in).
 */
public final class ArrayTensor extends AbstractTensorRef {
    private final String name;
    private final Shape shape;
    private final TensorAddress address;
    private final float[] values;

    public ArrayTensor(String name, Shape shape, TensorAddress address, float[] values) {
        if (shape.elementCount() != values.length) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape " + shape);
        }
        this.name = name;
        this.shape = shape;
        this.address = address;
        this.values = values.clone();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DType dtype() {
        return DType.F32;
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
        return "memory";
    }

    @Override
    public MemorySegment storedBytes() {
        MemorySegment seg = MemorySegment.ofArray(new byte[values.length * 4]);
        MemorySegment.copy(
                values, 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, values.length);
        return seg;
    }

    @Override
    protected void decodeRows(long firstRow, int rowCount, float[] dst, int dstOffset) {
        long cols = shape.columns();
        System.arraycopy(values, (int) (firstRow * cols), dst, dstOffset, (int) (rowCount * cols));
    }

    @Override
    public float[] readAll() {
        return values.clone();
    }
}
