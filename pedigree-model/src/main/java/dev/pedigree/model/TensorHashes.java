package dev.pedigree.model;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.Sha256;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Content hashes of tensors: SHA-256 of the stored bytes, and a canonical SHA-256 of the float32
 * values in canonical layout (little-endian, row-major, {@code [out, in]}), so that a re-sharded or
 * re-exported copy of the same weights hashes the same whatever its container. The canonical hash
 * also covers the shape, so a reshaped tensor does not collide.
 */
public final class TensorHashes {
    private static final int CHUNK_VALUES = 1 << 20;

    private TensorHashes() {}

    /** SHA-256 (hex) of the stored bytes. */
    public static String storedSha256(TensorRef t) throws IOException, ModelFormatException {
        MessageDigest md = Sha256.digest();
        MemorySegment seg = t.storedBytes();
        long n = seg.byteSize();
        byte[] buf = new byte[(int) Math.min(n, 1 << 20)];
        for (long off = 0; off < n; off += buf.length) {
            int k = (int) Math.min(buf.length, n - off);
            MemorySegment.copy(seg, java.lang.foreign.ValueLayout.JAVA_BYTE, off, buf, 0, k);
            md.update(buf, 0, k);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * SHA-256 (hex) over the canonical shape (as int64 LE, preceded by the rank) and then the float32
     * values. Reads a bounded number of rows at a time.
     */
    public static String canonicalSha256(TensorRef t) throws IOException, ModelFormatException {
        MessageDigest md = Sha256.digest();
        Shape s = t.shape();
        ByteBuffer hdr = ByteBuffer.allocate(8 + 8 * s.rank()).order(ByteOrder.LITTLE_ENDIAN);
        hdr.putLong(s.rank());
        for (long d : s.dims()) {
            hdr.putLong(d);
        }
        md.update(hdr.array());
        long rows = s.rows();
        long cols = s.columns();
        if (s.elementCount() == 0) {
            return HexFormat.of().formatHex(md.digest());
        }
        if (cols > Integer.MAX_VALUE / 8) {
            throw new IllegalStateException("row of " + cols + " values is too long to hash in one piece");
        }
        int chunkRows = (int) Math.max(1, Math.min(rows, CHUNK_VALUES / cols));
        float[] vals = new float[(int) (chunkRows * cols)];
        ByteBuffer bytes = ByteBuffer.allocate(vals.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = 0; r < rows; r += chunkRows) {
            int k = (int) Math.min(chunkRows, rows - r);
            t.readRows(r, k, vals, 0);
            bytes.clear();
            int n = (int) (k * cols);
            for (int i = 0; i < n; i++) {
                // Normalise -0.0 and NaN payloads so equal values hash equal.
                float v = vals[i];
                int bits = Float.isNaN(v) ? 0x7FC00000 : (v == 0f ? 0 : Float.floatToRawIntBits(v));
                bytes.putInt(bits);
            }
            md.update(bytes.array(), 0, n * 4);
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
