package dev.pedigree.model;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.Sha256;
import java.io.IOException;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Objects;

/**
 * The one pass over every value of a tensor in canonical layout: reads whole canonical rows in
 * chunks and hands each chunk to a set of {@link Listener}s, so that a tensor's canonical hash
 * ({@link CanonicalSha256}), its moments, a row sample ({@link RowSample}) and row norms
 * ({@link RowNorms}) come from one read. {@link TensorHashes#canonicalSha256}, the registry's
 * fingerprints and attestation's checkpoint samples all scan through here.
 *
 * <p>The chunking is part of the contract, because accumulators that sum chunk by chunk (the
 * checkpoint moments of attestation sidecars) depend on it bit for bit: a chunk holds
 * {@code max(1, min(rows, }{@value #CHUNK_VALUES}{@code  / columns))} rows (the last one fewer),
 * in row order. Changing it changes recorded values and needs a format version.
 *
 * <p>Stateless and thread-safe; a listener serves one scan of one tensor and is not thread-safe.
 */
public final class TensorScan {
    /** Values per chunk (the rows of a chunk hold at most this many, and at least one row). */
    public static final int CHUNK_VALUES = 1 << 20;

    /** The bit pattern every NaN hashes as (the canonical quiet NaN). */
    public static final int CANONICAL_NAN_BITS = 0x7FC00000;

    private static final VarHandle INT_LE = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

    private TensorScan() {}

    /**
     * Receives the values of one tensor, chunk by chunk. Listeners compute; they never read.
     */
    public interface Listener {
        /** Called once before the first chunk, also for a tensor without values. */
        default void begin(Shape shape) {}

        /**
         * One chunk: canonical rows {@code firstRow .. firstRow + rowCount − 1}, each of
         * {@code columns} values, row-major in {@code values[0 .. rowCount·columns)}. The array is
         * the scan's scratch, overwritten by the next chunk: copy what you keep, never write to it.
         */
        void rows(long firstRow, int rowCount, int columns, float[] values);
    }

    /**
     * Reads every value of {@code t} once, in chunks (see the class comment), and hands each chunk
     * to every listener in the order given. Memory: one chunk of scratch.
     *
     * @throws IOException if reading fails
     * @throws ModelFormatException if the tensor's bytes are corrupt or cannot be decoded
     * @throws IllegalStateException if a single row is too long to hold in one chunk array
     */
    public static void scan(TensorRef t, Listener... listeners) throws IOException, ModelFormatException {
        Shape s = t.shape();
        for (Listener l : listeners) {
            Objects.requireNonNull(l, "listener").begin(s);
        }
        if (s.elementCount() == 0) {
            return;
        }
        long rows = s.rows();
        long cols = s.columns();
        if (cols > Integer.MAX_VALUE / 8) {
            throw new IllegalStateException("row of " + cols + " values is too long to hash in one piece");
        }
        int chunkRows = (int) Math.max(1, Math.min(rows, CHUNK_VALUES / cols));
        float[] vals = new float[(int) (chunkRows * cols)];
        for (long r = 0; r < rows; r += chunkRows) {
            int k = (int) Math.min(chunkRows, rows - r);
            t.readRows(r, k, vals, 0);
            for (Listener l : listeners) {
                l.rows(r, k, (int) cols, vals);
            }
        }
    }

    /**
     * The bits a value is hashed as: its float32 bits, except that −0.0 hashes as +0.0 and every
     * NaN (any sign or payload) as {@link #CANONICAL_NAN_BITS}, so values that compare equal (and
     * NaNs, which only differ in how a converter happened to write them) hash equal.
     */
    public static int canonicalBits(float v) {
        return Float.isNaN(v) ? CANONICAL_NAN_BITS : (v == 0f ? 0 : Float.floatToRawIntBits(v));
    }

    /**
     * The canonical SHA-256 of a tensor: over the rank and the dimensions of its canonical shape
     * (int64 little-endian each), then every value's {@link #canonicalBits} as int32 little-endian
     * in canonical row-major order. A re-sharded or re-exported copy of the same weights hashes the
     * same whatever its container and stored type; a reshaped one does not.
     */
    public static final class CanonicalSha256 implements Listener {
        private final MessageDigest md = Sha256.digest();
        private byte[] bytes = new byte[0];
        private String hex;

        @Override
        public void begin(Shape shape) {
            byte[] hdr = new byte[8 + 8 * shape.rank()];
            putLongLe(hdr, 0, shape.rank());
            long[] dims = shape.dims();
            for (int i = 0; i < dims.length; i++) {
                putLongLe(hdr, 8 + 8 * i, dims[i]);
            }
            md.update(hdr);
        }

        @Override
        public void rows(long firstRow, int rowCount, int columns, float[] values) {
            int n = rowCount * columns;
            if (bytes.length < 4 * n) {
                bytes = new byte[4 * n];
            }
            for (int i = 0; i < n; i++) {
                INT_LE.set(bytes, 4 * i, canonicalBits(values[i]));
            }
            md.update(bytes, 0, 4 * n);
        }

        /** The digest as 64 lowercase hex digits; ends the hash (call after the scan). */
        public String hex() {
            if (hex == null) {
                hex = HexFormat.of().formatHex(md.digest());
            }
            return hex;
        }

        private static void putLongLe(byte[] b, int at, long v) {
            for (int i = 0; i < 8; i++) {
                b[at + i] = (byte) (v >>> (8 * i));
            }
        }
    }

    /**
     * The values at given rows and columns of the canonical matrix, kept as the scan passes them.
     */
    public static final class RowSample implements Listener {
        private final int[] rows;
        private final int[] cols;
        private final float[] values;
        private int next;

        /**
         * @param rows canonical row indices to keep, ascending
         * @param cols column indices to keep (in the order the sample lists them)
         * @throws IllegalArgumentException if {@code rows} is not ascending
         */
        public RowSample(int[] rows, int[] cols) {
            this.rows = rows.clone();
            this.cols = cols.clone();
            for (int i = 1; i < this.rows.length; i++) {
                if (this.rows[i] < this.rows[i - 1]) {
                    throw new IllegalArgumentException("sampled rows are not ascending at " + i);
                }
            }
            this.values = new float[Math.multiplyExact(this.rows.length, this.cols.length)];
        }

        @Override
        public void rows(long firstRow, int rowCount, int columns, float[] chunk) {
            while (next < rows.length && rows[next] < firstRow + rowCount) {
                int base = (int) (rows[next] - firstRow) * columns;
                int dst = next * cols.length;
                for (int j = 0; j < cols.length; j++) {
                    values[dst + j] = chunk[base + cols[j]];
                }
                next++;
            }
        }

        /** The kept values, row-major {@code rows × cols} (a copy; complete after the scan). */
        public float[] values() {
            return values.clone();
        }
    }

    /** The L2 norm of every canonical row (summed in double, stored as float). */
    public static final class RowNorms implements Listener {
        private final float[] norms;

        /**
         * @param rows the tensor's canonical row count
         * @throws IllegalArgumentException if it exceeds {@link Integer#MAX_VALUE}
         */
        public RowNorms(long rows) {
            if (rows < 0 || rows > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("cannot keep " + rows + " row norms");
            }
            this.norms = new float[(int) rows];
        }

        @Override
        public void rows(long firstRow, int rowCount, int columns, float[] values) {
            for (int i = 0; i < rowCount; i++) {
                double sq = 0;
                for (int j = i * columns, e = j + columns; j < e; j++) {
                    sq += (double) values[j] * values[j];
                }
                norms[(int) (firstRow + i)] = (float) Math.sqrt(sq);
            }
        }

        /** One norm per row (a copy; complete after the scan). */
        public float[] norms() {
            return norms.clone();
        }
    }
}
