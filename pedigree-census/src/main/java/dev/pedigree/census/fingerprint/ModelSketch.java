package dev.pedigree.census.fingerprint;

import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * One channel of a model's weight sketch: values at model-independent keys (a token's bytes and a
 * column, or a role, layer position and row/column pair), for ranking candidate pairs by Pearson
 * correlation over the keys both sketches hold. Ranking only, never evidence. Immutable.
 */
public final class ModelSketch {
    /** Fewest shared keys for a correlation. */
    public static final int MIN_SHARED = 16;

    private final long[] keys;
    private final float[] values;

    private ModelSketch(long[] keys, float[] values) {
        this.keys = keys;
        this.values = values;
    }

    /** The sketch of key → value pairs (keys distinct). */
    public static ModelSketch of(Map<Long, Float> entries) {
        TreeMap<Long, Float> sorted = new TreeMap<>(entries);
        long[] k = new long[sorted.size()];
        float[] v = new float[sorted.size()];
        int i = 0;
        for (Map.Entry<Long, Float> e : sorted.entrySet()) {
            k[i] = e.getKey();
            v[i++] = e.getValue();
        }
        return new ModelSketch(k, v);
    }

    /** Keys held. */
    public int size() {
        return keys.length;
    }

    /** Pearson correlation over the shared keys, or NaN when fewer than {@link #MIN_SHARED} are shared or one side is constant. */
    public double correlation(ModelSketch o) {
        int i = 0;
        int j = 0;
        int n = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double syy = 0;
        double sxy = 0;
        while (i < keys.length && j < o.keys.length) {
            long a = keys[i];
            long b = o.keys[j];
            if (a < b) {
                i++;
            } else if (a > b) {
                j++;
            } else {
                double x = values[i++];
                double y = o.values[j++];
                n++;
                sx += x;
                sy += y;
                sxx += x * x;
                syy += y * y;
                sxy += x * y;
            }
        }
        if (n < MIN_SHARED) {
            return Double.NaN;
        }
        double vx = sxx - sx * sx / n;
        double vy = syy - sy * sy / n;
        if (vx <= 0 || vy <= 0) {
            return Double.NaN;
        }
        return (sxy - sx * sy / n) / Math.sqrt(vx * vy);
    }

    /** {@code int n | long keys[n] | float values[n]}, big-endian. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(4 + 12 * keys.length);
        b.putInt(keys.length);
        for (long k : keys) {
            b.putLong(k);
        }
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** Reads {@link #toBytes()}. */
    public static ModelSketch fromBytes(ByteBuffer b) {
        int n = b.getInt();
        if (n < 0 || (long) n * 12 > b.remaining()) {
            throw new IllegalArgumentException("corrupt sketch: " + n + " keys in " + b.remaining() + " bytes");
        }
        long[] k = new long[n];
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            k[i] = b.getLong();
        }
        for (int i = 0; i < n; i++) {
            v[i] = b.getFloat();
        }
        for (int i = 1; i < n; i++) {
            if (k[i] <= k[i - 1]) {
                throw new IllegalArgumentException("corrupt sketch: keys not ascending");
            }
        }
        return new ModelSketch(k, v);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ModelSketch s && Arrays.equals(keys, s.keys) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(keys) * 31 + Arrays.hashCode(values);
    }
}
