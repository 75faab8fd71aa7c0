package dev.pedigree.registry;

import dev.pedigree.fingerprint.AnchorTokens;
import dev.pedigree.fingerprint.DimensionSample;
import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintTensor;
import dev.pedigree.fingerprint.FingerprintTensor.RowSource;
import dev.pedigree.fingerprint.FingerprintTensor.Sample;
import dev.pedigree.fingerprint.RestrictedTensor;
import dev.pedigree.model.Role;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * A few hundred weight values at fixed, model-independent positions, for ranking pre-filter
 * candidates that tie on tokenizer and width (hundreds of models share the Llama tokenizer and a
 * 4096-wide residual stream): token embedding values of up to {@value #TOKENS} anchor tokens (keyed
 * by token bytes) at the {@value #POSITIONS} {@link DimensionSample} columns, and the
 * {@value #POSITIONS}×{@value #POSITIONS} sample of the first block's query and up projections.
 * The score is the Pearson correlation over the positions both sketches hold; a derivative keeps it
 * near 1, independent models near 0 (±0.05 at 384 positions). Ranking only: never evidence.
 * Immutable.
 */
public final class WeightSketch {
    /** Anchor tokens sketched. */
    public static final int TOKENS = 32;
    /** Indices per dimension sketched (the K = 8 {@link DimensionSample}, nested in every larger one). */
    public static final int POSITIONS = 8;

    private static final Role[] ROLES = {Role.ATTN_Q, Role.MLP_UP};

    private final int[] keys;
    private final float[] values;

    private WeightSketch(int[] keys, float[] values) {
        this.keys = keys;
        this.values = values;
    }

    /** The sketch of a fingerprint (any units ≥ {@value #POSITIONS} with the same seed), with {@value #TOKENS} anchor tokens. */
    public static WeightSketch of(Fingerprint fp) {
        return of(fp, TOKENS);
    }

    /** The sketch with up to {@code tokens} anchor tokens (a suspect keeps more, so it covers any candidate's first {@value #TOKENS}). */
    public static WeightSketch of(Fingerprint fp, int tokens) {
        Map<Integer, Float> m = new HashMap<>();
        int[] anchors = fp.anchors();
        for (FingerprintTensor t : fp.tensors()) {
            Sample s = t.sample();
            if (s == null || t.shape().rank() != 2) {
                continue;
            }
            long[] rc = RestrictedTensor.matrixShape(t.shape());
            int[] sampledCols = s.cols();
            int[] colPos = positions(sampledCols, DimensionSample.indices(rc[1], POSITIONS, fp.seed()), rc[1]);
            if (colPos == null) {
                continue;
            }
            int cols = sampledCols.length;
            if (t.address().role() == Role.EMBEDDING
                    && t.address().layer() == null
                    && s.rowSource() == RowSource.ANCHORS) {
                float[] v = s.values();
                // Anchors are in key-hash order: the first ones are the bottom of the sketch.
                for (int a = 0; a < Math.min(tokens, anchors.length); a++) {
                    long kh = AnchorTokens.keyHash(fp.regularKeys().get(anchors[a]));
                    for (int c = 0; c < colPos.length; c++) {
                        m.put(key(kh, 0, c, rc[1]), v[a * cols + colPos[c]]);
                    }
                }
            }
        }
        for (Role role : ROLES) {
            FingerprintTensor first = null;
            for (FingerprintTensor t : fp.tensors()) {
                if (t.address().role() == role
                        && t.address().layer() != null
                        && t.address().expert() == null
                        && t.sample() != null
                        && t.shape().rank() == 2
                        && t.address().part() == dev.pedigree.model.Part.WEIGHT
                        && (first == null
                                || t.address().layer() < first.address().layer())) {
                    first = t;
                }
            }
            if (first == null) {
                continue;
            }
            Sample s = first.sample();
            long[] rc = RestrictedTensor.matrixShape(first.shape());
            int[] sampledCols = s.cols();
            int[] rowPos = positions(s.rows(), DimensionSample.indices(rc[0], POSITIONS, fp.seed()), rc[0]);
            int[] colPos = positions(sampledCols, DimensionSample.indices(rc[1], POSITIONS, fp.seed()), rc[1]);
            if (rowPos == null || colPos == null) {
                continue;
            }
            int cols = sampledCols.length;
            float[] v = s.values();
            for (int r = 0; r < rowPos.length; r++) {
                for (int c = 0; c < colPos.length; c++) {
                    m.put(key(role.ordinal() * 1_000_003L + rc[0], r, c, rc[1]), v[rowPos[r] * cols + colPos[c]]);
                }
            }
        }
        int[] k = m.keySet().stream().mapToInt(Integer::intValue).sorted().toArray();
        float[] v = new float[k.length];
        for (int i = 0; i < k.length; i++) {
            v[i] = m.get(k[i]);
        }
        return new WeightSketch(k, v);
    }

    private static int key(long a, int r, int c, long n) {
        long h = a * 0x9E3779B97F4A7C15L + r * 0xC2B2AE3D27D4EB4FL + c * 0x165667B19E3779F9L + n;
        h ^= h >>> 29;
        h *= 0xBF58476D1CE4E5B9L;
        return (int) (h ^ (h >>> 32));
    }

    /** Positions within {@code have} (sorted) of {@code want} (sorted; null = all of [0, n)); null if any is missing. */
    private static int[] positions(int[] have, int[] want, long n) {
        int[] w = want;
        if (w == null) {
            w = new int[(int) n];
            for (int i = 0; i < n; i++) {
                w[i] = i;
            }
        }
        int[] out = new int[w.length];
        for (int i = 0; i < w.length; i++) {
            int p = Arrays.binarySearch(have, w[i]);
            if (p < 0) {
                return null;
            }
            out[i] = p;
        }
        return out;
    }

    /** Pearson correlation over the shared positions; null when fewer than 16 are shared. */
    public Double correlation(WeightSketch o) {
        int i = 0;
        int j = 0;
        int n = 0;
        double sx = 0;
        double sy = 0;
        double sxx = 0;
        double syy = 0;
        double sxy = 0;
        while (i < keys.length && j < o.keys.length) {
            if (keys[i] < o.keys[j]) {
                i++;
            } else if (keys[i] > o.keys[j]) {
                j++;
            } else {
                double x = values[i++];
                double y = o.values[j++];
                if (Double.isFinite(x) && Double.isFinite(y)) {
                    n++;
                    sx += x;
                    sy += y;
                    sxx += x * x;
                    syy += y * y;
                    sxy += x * y;
                }
            }
        }
        if (n < 16) {
            return null;
        }
        double vx = sxx - sx * sx / n;
        double vy = syy - sy * sy / n;
        if (vx <= 0 || vy <= 0) {
            return null;
        }
        return (sxy - sx * sy / n) / Math.sqrt(vx * vy);
    }

    /** Number of positions. */
    public int size() {
        return keys.length;
    }

    /** Serialised form (the registry's column): count, then (int key, float value) pairs, little-endian. */
    public byte[] toBytes() {
        ByteBuffer b = ByteBuffer.allocate(4 + 8 * keys.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(keys.length);
        for (int i = 0; i < keys.length; i++) {
            b.putInt(keys[i]).putFloat(values[i]);
        }
        return b.array();
    }

    /** Inverse of {@link #toBytes}; malformed input gives an empty sketch (ranking only). */
    public static WeightSketch fromBytes(byte[] bytes) {
        if (bytes == null || bytes.length < 4) {
            return new WeightSketch(new int[0], new float[0]);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        int n = b.getInt();
        if (n < 0 || (long) n * 8 != bytes.length - 4) {
            return new WeightSketch(new int[0], new float[0]);
        }
        int[] k = new int[n];
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            k[i] = b.getInt();
            v[i] = b.getFloat();
            if (i > 0 && k[i] <= k[i - 1]) {
                return new WeightSketch(new int[0], new float[0]);
            }
        }
        return new WeightSketch(k, v);
    }
}
