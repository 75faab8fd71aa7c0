package dev.pedigree.model;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;

/**
 * A tensor that hands every call to another one, for views that watch reads (accounting, progress) and override
 * only the calls they watch.
 */
public abstract class ForwardingTensorRef implements TensorRef {
    protected final TensorRef delegate;

    protected ForwardingTensorRef(TensorRef delegate) {
        this.delegate = delegate;
    }

    /** Stored bytes of one canonical row of {@code t} (0 for types of unknown size). */
    public static long storedRowBytes(TensorRef t) {
        DType d = t.dtype();
        long cols = t.shape().rank() == 0 ? 1 : t.shape().columns();
        return (cols + d.blockElements() - 1) / d.blockElements() * d.blockBytes();
    }

    @Override
    public String name() {
        return delegate.name();
    }

    @Override
    public DType dtype() {
        return delegate.dtype();
    }

    @Override
    public Shape shape() {
        return delegate.shape();
    }

    @Override
    public TensorAddress address() {
        return delegate.address();
    }

    @Override
    public String source() {
        return delegate.source();
    }

    @Override
    public MemorySegment storedBytes() throws IOException, ModelFormatException {
        return delegate.storedBytes();
    }

    @Override
    public void readRows(long firstRow, int rowCount, float[] dst, int dstOffset)
            throws IOException, ModelFormatException {
        delegate.readRows(firstRow, rowCount, dst, dstOffset);
    }

    @Override
    public void prefetchRows(int[] rows) {
        delegate.prefetchRows(rows);
    }

    @Override
    public String toString() {
        return delegate.toString();
    }
}
