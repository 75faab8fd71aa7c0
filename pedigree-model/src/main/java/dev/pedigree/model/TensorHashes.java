package dev.pedigree.model;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.Sha256;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.security.MessageDigest;
import java.util.HexFormat;

/**
 * Content hashes of tensors: SHA-256 of the stored bytes, and a canonical SHA-256 of the float32
 * values in canonical layout (little-endian, row-major, {@code [out, in]}), so that a re-sharded or
 * re-exported copy of the same weights hashes the same whatever its container. The canonical hash
 * also covers the shape, so a reshaped tensor does not collide.
 */
public final class TensorHashes {
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
     * values, −0.0 and NaN payloads normalised ({@link TensorScan.CanonicalSha256} defines it). Reads
     * a bounded number of rows at a time.
     */
    public static String canonicalSha256(TensorRef t) throws IOException, ModelFormatException {
        TensorScan.CanonicalSha256 hash = new TensorScan.CanonicalSha256();
        TensorScan.scan(t, hash);
        return hash.hex();
    }
}
