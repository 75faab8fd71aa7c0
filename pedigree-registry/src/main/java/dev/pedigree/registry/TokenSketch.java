package dev.pedigree.registry;

import dev.pedigree.fingerprint.AnchorTokens;
import dev.pedigree.stats.SeededSample;
import java.util.Collection;

/**
 * Architecture-independent sketches of a tokenizer for the registry's pre-filter: a MinHash
 * signature over the regular tokens' keys, each hashed with {@link AnchorTokens#keyHash}
 * (estimates the Jaccard similarity of two vocabularies), and its locality-sensitive band keys.
 * Stateless and thread-safe.
 */
public final class TokenSketch {
    /** Hash functions in a signature. */
    public static final int SIGNATURE_SIZE = 64;
    /** Bands of the LSH index; {@link #SIGNATURE_SIZE} / BANDS rows per band (threshold ≈ 0.5 Jaccard). */
    public static final int BANDS = 16;

    private static final int ROWS_PER_BAND = SIGNATURE_SIZE / BANDS;

    private TokenSketch() {}

    /** MinHash signature over the keys; all {@code Long.MAX_VALUE} for an empty set. */
    public static long[] minHash(Collection<String> keys) {
        long[] sig = new long[SIGNATURE_SIZE];
        java.util.Arrays.fill(sig, Long.MAX_VALUE);
        for (String k : keys) {
            long h = AnchorTokens.keyHash(k);
            for (int i = 0; i < SIGNATURE_SIZE; i++) {
                long v = SeededSample.mix64(h ^ (0x9E3779B97F4A7C15L * (i + 1)));
                if (v < sig[i]) {
                    sig[i] = v;
                }
            }
        }
        return sig;
    }

    /** Estimated Jaccard similarity of two signatures (fraction of equal positions); 0 if either is empty. */
    public static double jaccard(long[] a, long[] b) {
        if (a.length != b.length || isEmpty(a) || isEmpty(b)) {
            return 0;
        }
        int eq = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                eq++;
            }
        }
        return eq / (double) a.length;
    }

    /** Whether the signature is that of an empty set. */
    public static boolean isEmpty(long[] sig) {
        for (long v : sig) {
            if (v != Long.MAX_VALUE) {
                return false;
            }
        }
        return true;
    }

    /** The {@link #BANDS} band keys of a signature (each a hash of its rows); empty for an empty set. */
    public static long[] bands(long[] sig) {
        if (isEmpty(sig)) {
            return new long[0];
        }
        long[] out = new long[BANDS];
        for (int b = 0; b < BANDS; b++) {
            long h = 0x84222325cbf29ce4L ^ b;
            for (int r = 0; r < ROWS_PER_BAND; r++) {
                h = SeededSample.mix64(h ^ sig[b * ROWS_PER_BAND + r]);
            }
            out[b] = h;
        }
        return out;
    }

    /** Signature as 8·n little-endian bytes (the registry's column). */
    public static byte[] toBytes(long[] sig) {
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.allocate(sig.length * 8).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (long v : sig) {
            bb.putLong(v);
        }
        return bb.array();
    }

    /** Inverse of {@link #toBytes}; a wrong length gives an empty signature. */
    public static long[] fromBytes(byte[] b) {
        if (b == null || b.length != SIGNATURE_SIZE * 8) {
            long[] e = new long[SIGNATURE_SIZE];
            java.util.Arrays.fill(e, Long.MAX_VALUE);
            return e;
        }
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(b).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        long[] s = new long[SIGNATURE_SIZE];
        for (int i = 0; i < s.length; i++) {
            s[i] = bb.getLong();
        }
        return s;
    }
}
