package dev.pedigree.forensics;

import dev.pedigree.forensics.result.NonFiniteTensor;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.model.ForwardingTensorRef;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
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
    /** Rows of one tensor with non-finite values whose counts are kept; beyond, a tensor's counts stop growing. */
    private static final int MAX_NON_FINITE_ROWS = 1 << 16;

    private final AtomicLong bytesRead;
    private final AtomicLong weightBytes;
    /** Per model label and tensor name: row → {NaN, +Inf, -Inf} of that row (each row counted once). */
    private final Map<String, Map<Long, long[]>> nonFinite;

    private final String model;

    ReadAccounting() {
        this(new AtomicLong(), new AtomicLong(), new ConcurrentHashMap<>(), "model");
    }

    private ReadAccounting(
            AtomicLong bytesRead, AtomicLong weightBytes, Map<String, Map<Long, long[]>> nonFinite, String model) {
        this.bytesRead = bytesRead;
        this.weightBytes = weightBytes;
        this.nonFinite = nonFinite;
        this.model = model;
    }

    /** The same counters, for the tensors of the model called {@code label} (suspect, reference). */
    ReadAccounting model(String label) {
        return new ReadAccounting(bytesRead, weightBytes, nonFinite, label);
    }

    /**
     * The tensors in which the rows read held non-finite values (NaN, ±Inf), by model and tensor name in name order;
     * a row read twice counts once. Such values are a property of the input: the statistics leave them out.
     */
    List<NonFiniteTensor> nonFinite() {
        List<NonFiniteTensor> out = new ArrayList<>();
        for (var e : new TreeMap<>(nonFinite).entrySet()) {
            long nan = 0;
            long pos = 0;
            long neg = 0;
            int rows;
            synchronized (e.getValue()) {
                for (long[] c : e.getValue().values()) {
                    nan += c[0];
                    pos += c[1];
                    neg += c[2];
                }
                rows = e.getValue().size();
            }
            String key = e.getKey();
            int sep = key.indexOf('\u0000');
            out.add(new NonFiniteTensor(key.substring(0, sep), key.substring(sep + 1), rows, nan, pos, neg));
        }
        return out;
    }

    private void countNonFinite(String tensor, long firstRow, int rowCount, float[] dst, int off, int cols) {
        // Almost every read is finite: one vectorised look at all its values, rows counted only when one is not.
        if (!Kernels.anyNonFinite(dst, off, Math.multiplyExact(rowCount, cols))) {
            return;
        }
        Map<Long, long[]> rows = null;
        for (int r = 0; r < rowCount; r++) {
            int base = off + r * cols;
            long nan = 0;
            long pos = 0;
            long neg = 0;
            for (int i = base; i < base + cols; i++) {
                float x = dst[i];
                if ((Float.floatToRawIntBits(x) & 0x7f800000) == 0x7f800000) {
                    if (x != x) {
                        nan++;
                    } else if (x > 0) {
                        pos++;
                    } else {
                        neg++;
                    }
                }
            }
            if (nan + pos + neg > 0) {
                if (rows == null) {
                    rows = nonFinite.computeIfAbsent(model + '\u0000' + tensor, k -> new HashMap<>());
                }
                synchronized (rows) {
                    if (rows.size() < MAX_NON_FINITE_ROWS) {
                        rows.put(firstRow + r, new long[] {nan, pos, neg});
                    }
                }
            }
        }
    }

    /** Stored bytes decoded so far. */
    long bytesRead() {
        return bytesRead.get();
    }

    /** Stored bytes of every wrapped tensor. */
    long weightBytes() {
        return weightBytes.get();
    }

    /** A view of {@code t} that counts its reads here; its stored size is added to {@link #weightBytes}. */
    TensorRef wrap(TensorRef t) {
        long rb = ForwardingTensorRef.storedRowBytes(t);
        Shape s = t.shape();
        long rows = s.rank() == 0 ? 1 : s.rows();
        weightBytes.addAndGet(rows * rb);
        return new Counted(t, rb);
    }

    private final class Counted extends ForwardingTensorRef {
        private final long rowBytes;

        Counted(TensorRef t, long rowBytes) {
            super(t);
            this.rowBytes = rowBytes;
        }

        @Override
        public void readRows(long firstRow, int rowCount, float[] dst, int dstOffset)
                throws IOException, ModelFormatException {
            delegate.readRows(firstRow, rowCount, dst, dstOffset);
            bytesRead.addAndGet(rowCount * rowBytes);
            long cols = delegate.shape().rank() == 0 ? 1 : delegate.shape().columns();
            countNonFinite(delegate.name(), firstRow, rowCount, dst, dstOffset, (int) cols);
        }
    }
}
