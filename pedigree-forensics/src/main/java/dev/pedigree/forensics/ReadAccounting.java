package dev.pedigree.forensics;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Counts the stored bytes a comparison touches. Every tensor the engine reads is wrapped by {@link
 * #wrap}; each {@link TensorRef#readRows} call adds {@code rowCount ×} the stored size of one
 * canonical row (the dtype's block arithmetic: {@code ceil(columns / blockElements) ×
 * blockBytes}), and {@link #weightBytes} is the same arithmetic over every row of every wrapped
 * tensor. A row read twice counts twice: the figure is what was decoded, not a set of distinct
 * bytes (the engine caches reads so that it rarely reads a row twice). For a format that stores a
 * matrix transposed (ONNX {@code MatMul} initialisers), a canonical row is a strided column of the
 * stored bytes: the count is the number of stored bytes decoded, not the pages touched.
 *
 * <p>Thread-safe (atomic counter); owned by one comparison.
 */
final class ReadAccounting {
    private final AtomicLong bytesRead = new AtomicLong();
    private final AtomicLong weightBytes = new AtomicLong();

    /** Stored bytes decoded so far. */
    long bytesRead() {
        return bytesRead.get();
    }

    /** Stored bytes of every wrapped tensor. */
    long weightBytes() {
        return weightBytes.get();
    }

    /** Stored bytes of one canonical row of {@code t} (0 for types of unknown size). */
    static long rowBytes(TensorRef t) {
        DType d = t.dtype();
        long cols = t.shape().rank() == 0 ? 1 : t.shape().columns();
        long blocks = (cols + d.blockElements() - 1) / d.blockElements();
        return blocks * d.blockBytes();
    }

    /** A view of {@code t} that counts its reads here; its stored size is added to {@link #weightBytes}. */
    TensorRef wrap(TensorRef t) {
        long rb = rowBytes(t);
        Shape s = t.shape();
        long rows = s.rank() == 0 ? 1 : s.rows();
        weightBytes.addAndGet(rows * rb);
        return new Counted(t, rb);
    }

    private final class Counted implements TensorRef {
        private final TensorRef t;
        private final long rowBytes;

        Counted(TensorRef t, long rowBytes) {
            this.t = t;
            this.rowBytes = rowBytes;
        }

        @Override
        public String name() {
            return t.name();
        }

        @Override
        public DType dtype() {
            return t.dtype();
        }

        @Override
        public Shape shape() {
            return t.shape();
        }

        @Override
        public TensorAddress address() {
            return t.address();
        }

        @Override
        public String source() {
            return t.source();
        }

        @Override
        public MemorySegment storedBytes() throws IOException, ModelFormatException {
            return t.storedBytes();
        }

        @Override
        public void readRows(long firstRow, int rowCount, float[] dst, int dstOffset)
                throws IOException, ModelFormatException {
            t.readRows(firstRow, rowCount, dst, dstOffset);
            bytesRead.addAndGet(rowCount * rowBytes);
        }

        @Override
        public void prefetchRows(int[] rows) {
            t.prefetchRows(rows);
        }

        @Override
        public String toString() {
            return t.toString();
        }
    }
}
