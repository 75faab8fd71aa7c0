package dev.pedigree.format.pytorch;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.AbstractTensorRef;
import dev.pedigree.model.DType;
import dev.pedigree.model.ElementDecoder;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A tensor of a PyTorch checkpoint: a strided view ({@code size}, {@code stride},
 * {@code storageOffset}, all in elements) into a storage record that is a zero-copy slice of the
 * mapped file. Several tensors may share one storage. Non-contiguous views (transposes, slices)
 * are gathered into canonical row-major rows on read.
 *
 * <p>Immutable and thread-safe; it borrows the mapping of the view that created it.
 */
public final class PytorchTensor extends AbstractTensorRef {
    private final String name;
    private final DType dtype;
    private final Shape shape;
    private final long[] stride;
    private final long storageOffset;
    private final MemorySegment storage;
    private final ByteOrder order;
    private final TensorAddress address;
    private final String source;
    private final boolean contiguous;

    private PytorchTensor(
            String name,
            DType dtype,
            Shape shape,
            long[] stride,
            long storageOffset,
            MemorySegment storage,
            ByteOrder order,
            TensorAddress address,
            String source) {
        this.name = name;
        this.dtype = dtype;
        this.shape = shape;
        this.stride = stride.clone();
        this.storageOffset = storageOffset;
        this.storage = storage;
        this.order = order;
        this.address = address;
        this.source = source;
        this.contiguous = isContiguous(shape.dims(), stride);
    }

    /**
     * Creates a tensor after checking that every element it can address lies inside {@code storage}.
     *
     * @param storage the whole storage record (shared by every tensor that views it)
     * @param at file offset reported if the view does not fit (the storage record's offset)
     * @throws CorruptModelException if a stride is negative or the view reaches past the storage
     */
    public static PytorchTensor of(
            String name,
            DType dtype,
            long[] size,
            long[] stride,
            long storageOffset,
            MemorySegment storage,
            ByteOrder order,
            TensorAddress address,
            String source,
            long at)
            throws ModelFormatException {
        Objects.requireNonNull(name);
        Objects.requireNonNull(dtype);
        Objects.requireNonNull(address);
        if (size.length != stride.length) {
            throw new CorruptModelException(
                    source,
                    at,
                    "tensor " + name + ": size " + Arrays.toString(size) + " and stride " + Arrays.toString(stride)
                            + " differ in rank");
        }
        if (size.length > Shape.MAX_RANK) {
            throw new UnsupportedModelException(source, at, "tensor " + name + " has rank " + size.length);
        }
        int es = dtype.blockBytes();
        if (es <= 0 || dtype.blockElements() != 1) {
            throw new UnsupportedModelException(
                    source, at, "tensor " + name + " has dtype " + dtype + " without a fixed element size");
        }
        Shape shape;
        try {
            shape = new Shape(size);
            if (storageOffset < 0) {
                throw new CorruptModelException(
                        source, at, "tensor " + name + " has negative storage offset " + storageOffset);
            }
            if (shape.elementCount() > 0) {
                long last = storageOffset;
                for (int i = 0; i < size.length; i++) {
                    if (stride[i] < 0) {
                        throw new CorruptModelException(
                                source, at, "tensor " + name + " has negative stride " + Arrays.toString(stride));
                    }
                    last = Math.addExact(last, Math.multiplyExact(size[i] - 1, stride[i]));
                }
                long endByte = Math.multiplyExact(Math.addExact(last, 1), (long) es);
                if (endByte > storage.byteSize()) {
                    throw new CorruptModelException(
                            source,
                            at,
                            "tensor " + name + " (size " + Arrays.toString(size) + ", stride " + Arrays.toString(stride)
                                    + ", offset " + storageOffset + ") reaches byte " + endByte + " of a storage of "
                                    + storage.byteSize() + " bytes");
                }
            }
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new CorruptModelException(
                    source, at, "tensor " + name + " has an implausible size or stride: " + e.getMessage());
        }
        return new PytorchTensor(name, dtype, shape, stride, storageOffset, storage, order, address, source);
    }

    private static boolean isContiguous(long[] size, long[] stride) {
        long expected = 1;
        for (int i = size.length - 1; i >= 0; i--) {
            if (size[i] != 1 && stride[i] != expected) {
                return false;
            }
            expected *= size[i];
        }
        return true;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public DType dtype() {
        return dtype;
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
        return source;
    }

    /** Strides in elements, as pickled. */
    public long[] stride() {
        return stride.clone();
    }

    /** Offset into the storage in elements. */
    public long storageOffset() {
        return storageOffset;
    }

    /** Whether the view is row-major contiguous (then {@link #storedBytes()} is exactly its bytes). */
    public boolean contiguous() {
        return contiguous;
    }

    /** Byte order of the stored elements (the archive's {@code byteorder} record). */
    public ByteOrder byteOrder() {
        return order;
    }

    /**
     * The tensor's own bytes when it is contiguous; otherwise the whole storage it views (as the
     * {@link TensorRef} contract allows for views).
     */
    @Override
    public MemorySegment storedBytes() {
        if (contiguous) {
            long es = dtype.blockBytes();
            return storage.asSlice(storageOffset * es, shape.elementCount() * es);
        }
        return storage;
    }

    @Override
    protected void decodeRows(long firstRow, int rowCount, float[] dst, int dstOffset) throws ModelFormatException {
        long cols = shape.columns();
        long n = (long) rowCount * cols;
        if (!ElementDecoder.handles(dtype)) {
            throw new UnsupportedModelException(
                    source, "tensor " + name + " has dtype " + dtype + ", which Pedigree cannot decode to float32");
        }
        if (n == 0) {
            return;
        }
        long es = dtype.blockBytes();
        if (contiguous) {
            long start = Math.addExact(storageOffset, firstRow * cols);
            ElementDecoder.decode(dtype, storage, start * es, dst, dstOffset, (int) n, order);
            return;
        }
        int rank = shape.rank();
        long lastStride = rank == 0 ? 1 : stride[rank - 1];
        long[] dims = shape.dims();
        for (int k = 0; k < rowCount; k++) {
            long row = firstRow + k;
            long base = storageOffset;
            long rem = row;
            for (int i = rank - 2; i >= 0; i--) {
                long idx = rem % dims[i];
                rem /= dims[i];
                base += idx * stride[i];
            }
            int out = dstOffset + (int) (k * cols);
            if (lastStride == 1 || cols == 1) {
                ElementDecoder.decode(dtype, storage, base * es, dst, out, (int) cols, order);
            } else {
                for (long j = 0; j < cols; j++) {
                    ElementDecoder.decode(dtype, storage, (base + j * lastStride) * es, dst, out + (int) j, 1, order);
                }
            }
        }
    }

    @Override
    public String toString() {
        return "PytorchTensor[" + name + " " + dtype + " " + shape + " stride " + Arrays.toString(stride) + " offset "
                + storageOffset + "]";
    }
}
