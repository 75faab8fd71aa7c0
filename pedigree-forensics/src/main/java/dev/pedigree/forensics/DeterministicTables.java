package dev.pedigree.forensics;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.naming.TensorNaming;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Tensors stored as parameters whose values follow from a formula or an index, not from training:
 * sinusoidal position tables (Whisper's encoder, Marian/FSMT, the original Transformer; interleaved
 * or concatenated sin/cos, any base, any offset, rotary cos/sin caches), {@code arange} and other
 * index buffers ({@code position_ids}), geometric sequences (ALiBi slopes, inverse rotary
 * frequencies), causal and band masks (GPT-2's {@code attn.bias}), boolean buffers. Independent
 * models hold the same table, so a table carries no lineage evidence: it is left out of exact reuse
 * and of every weight test, and listed in the result as "deterministic table, not evidence". The
 * check is by content, whatever the tensor's name (names already mark the usual buffers, see {@code
 * TensorName}).
 *
 * <p>Rules, on up to {@value #WINDOW} consecutive rows at the start of the tensor and {@value
 * #CONFIRM} at a third, two thirds and the end (a learned tensor fails on its first rows):
 *
 * <ul>
 *   <li><b>Three-term recurrence</b>: every sequence of the table (each column over positions, or
 *       each row over columns) satisfies {@code x[p+1] + x[p−1] = 2c·x[p]} with one constant c per
 *       sequence: a sinusoid sin(ωp + φ) (c = cos ω), an affine sequence (c = 1) and a geometric one
 *       (c = (r + 1/r)/2) all do. The residual of the least-squares c over all sequences must stay
 *       below {@value #MAX_RESIDUAL} of the sequences' variance, and below {@value
 *       #MAX_COLUMN_RESIDUAL} in each sequence that carries at least {@value #CARRYING} of the mean variance (bf16 storage of a sinusoid
 *       gives about 10⁻⁵; a learned or random tensor about 2). Rows that are all zero (a padding
 *       position) are skipped.
 *   <li><b>Structured mask</b>: at most {@value #MAX_MASK_VALUES} distinct values and Toeplitz
 *       (each value depends only on column − row: causal, band and identity masks), or for a
 *       vector a step function of at most three runs.
 *   <li><b>Buffers by type</b>: a boolean tensor; an integer vector whose values are indices into
 *       itself (0 ≤ v &lt; length).
 * </ul>
 *
 * Which tensors are checked: parameters of at least {@value #MIN_VALUES} values that are not
 * constant and whose role is not a learned matrix (position and token-type embeddings, class
 * embeddings and unknown roles; any role when the storage type is integer or boolean). A tensor of a
 * learned role (attention, MLP, token embedding, head, norm) is never a table. Stateless.
 */
public final class DeterministicTables {
    private DeterministicTables() {}

    /** Fewest values of a tensor for it to be checked. */
    static final int MIN_VALUES = 8;
    /** Rows read at the start of a tensor. */
    static final int WINDOW = 16;
    /** Rows read at each confirming position. */
    static final int CONFIRM = 8;
    /** Largest residual/variance ratio of the recurrence over the whole table. */
    static final double MAX_RESIDUAL = 1e-3;
    /** Largest residual/variance ratio of one sequence that carries variance. */
    static final double MAX_COLUMN_RESIDUAL = 1e-2;
    /** Most distinct values of a structured mask. */
    static final int MAX_MASK_VALUES = 4;
    /**
     * Share of the mean sequence variance from which a sequence must pass on its own (below, the
     * storage rounding of a nearly flat low-frequency column dominates; the table-wide ratio still counts it).
     */
    static final double CARRYING = 0.1;
    /** Fewest values in one sequence of the recurrence. */
    static final int MIN_SEQUENCE = 8;

    /** Roles that are checked whatever the storage type. */
    private static final Set<Role> CHECKED_ROLES =
            Set.of(Role.POSITION_EMBEDDING, Role.TOKEN_TYPE_EMBEDDING, Role.CLASS_EMBEDDING, Role.OTHER);

    /**
     * The deterministic tables of a whole model: logical tensor name → kind, in tensor order. For
     * callers that compare samples of a model (a fingerprint keeps sampled rows, in which a table's
     * formula no longer shows) and must leave its tables out all the same.
     */
    public static Map<String, String> of(ModelView view) throws IOException, ModelFormatException {
        Map<String, String> out = new LinkedHashMap<>();
        for (TensorRef t : TensorNaming.logicalTensors(view.tensors(), view.hints())) {
            String k = kind(t);
            if (k != null) {
                out.putIfAbsent(t.name(), k);
            }
        }
        return out;
    }

    /** Whether a tensor is a candidate (cheap: address, type and shape only). */
    static boolean candidate(TensorRef t) {
        if (!t.address().part().isParameter() || t.elementCount() < MIN_VALUES) {
            return false;
        }
        return CHECKED_ROLES.contains(t.address().role()) || isIntegerOrBool(t.dtype());
    }

    private static boolean isIntegerOrBool(DType d) {
        return switch (d) {
            case BOOL, U8, I8, U16, I16, U32, I32, U64, I64 -> true;
            default -> false;
        };
    }

    /**
     * What kind of deterministic table {@code t} is ("sinusoidal table", "index table (affine)",
     * "geometric table", "mask (Toeplitz, 2 values)", "boolean buffer", "integer index buffer"), or
     * null when it is not one (or not a candidate).
     */
    public static String kind(TensorRef t) throws IOException, ModelFormatException {
        if (!candidate(t)) {
            return null;
        }
        if (t.dtype() == DType.BOOL) {
            return "boolean buffer";
        }
        long rows = Math.max(1, t.shape().rows());
        long cols = t.shape().columns();
        if (cols > (1 << 20)) {
            return null;
        }
        int c = (int) cols;
        // The start first; the confirming windows only when the start looks like a table.
        List<float[]> windows = new ArrayList<>();
        windows.add(read(t, 0, (int) Math.min(rows, WINDOW), c));
        String first = classify(windows, rows, c, t.dtype());
        if (first == null || rows <= WINDOW) {
            return first;
        }
        long[] starts = {rows / 3, (2 * rows) / 3, rows - CONFIRM};
        long covered = WINDOW;
        for (long s : starts) {
            long from = Math.max(s, covered);
            int n = (int) Math.min(CONFIRM, rows - from);
            if (n <= 0) {
                continue;
            }
            windows.add(read(t, from, n, c));
            covered = from + n;
        }
        return classify(windows, rows, c, t.dtype());
    }

    private static float[] read(TensorRef t, long first, int n, int cols) throws IOException, ModelFormatException {
        float[] v = new float[n * cols];
        t.readRows(first, n, v, 0);
        return v;
    }

    /** The kind the windows (whole rows of {@code cols} values) show, or null. */
    private static String classify(List<float[]> windows, long rows, int cols, DType dtype) {
        for (float[] w : windows) {
            for (float x : w) {
                if (!Float.isFinite(x)) {
                    return null;
                }
            }
        }
        if (constant(windows)) {
            return null; // constant tensors are no evidence already; nothing to list
        }
        if (rows == 1 && isIntegerOrBool(dtype) && indexVector(windows.getFirst())) {
            return "integer index buffer";
        }
        String mask = mask(windows, rows, cols);
        if (mask != null) {
            return mask;
        }
        // Columns over positions (a position table [positions, width]) ...
        String down = rows >= 2L * MIN_SEQUENCE ? recurrence(windows, cols, true) : null;
        if (down != null) {
            return down;
        }
        // ... or rows over columns (a vector, a transposed table).
        return cols >= MIN_SEQUENCE ? recurrence(windows, cols, false) : null;
    }

    private static boolean constant(List<float[]> windows) {
        float v0 = windows.getFirst()[0];
        for (float[] w : windows) {
            for (float x : w) {
                if (Float.compare(x, v0) != 0) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean indexVector(float[] v) {
        for (float x : v) {
            if (x < 0 || x >= v.length || x != Math.rint(x)) {
                return false;
            }
        }
        return true;
    }

    /** A few-valued Toeplitz matrix (causal, band, identity mask) or a few-valued step vector. */
    private static String mask(List<float[]> windows, long rows, int cols) {
        Set<Float> values = new HashSet<>();
        for (float[] w : windows) {
            for (float x : w) {
                if (values.add(x + 0f) && values.size() > MAX_MASK_VALUES) {
                    return null;
                }
            }
        }
        if (rows == 1) {
            float[] v = windows.getFirst();
            int runs = 1;
            for (int i = 1; i < v.length; i++) {
                if (Float.compare(v[i], v[i - 1]) != 0) {
                    runs++;
                }
            }
            return runs <= 3 ? "mask (step vector, " + values.size() + " values)" : null;
        }
        if (cols < 2) {
            return null;
        }
        int pairs = 0;
        for (float[] w : windows) {
            int n = w.length / cols;
            for (int i = 0; i + 1 < n; i++) {
                for (int j = 0; j + 1 < cols; j++) {
                    if (Float.compare(w[(i + 1) * cols + j + 1], w[i * cols + j]) != 0) {
                        return null;
                    }
                }
                pairs++;
            }
        }
        return pairs >= 2 ? "mask (Toeplitz, " + values.size() + " values)" : null;
    }

    /**
     * The three-term recurrence along columns ({@code down}: each column over consecutive rows of a
     * window, all-zero rows skipped) or along rows (each row read over its columns); the kind of
     * table, or null.
     */
    private static String recurrence(List<float[]> windows, int cols, boolean down) {
        List<double[]> seqs = new ArrayList<>(); // per sequence: {Σxy, Σxx, Σyy, Σx, count}, y = x[p−1] + x[p+1]
        if (down) {
            for (int j = 0; j < cols; j++) {
                seqs.add(new double[5]);
            }
            for (float[] w : windows) {
                int n = w.length / cols;
                boolean[] zero = zeroRows(w, n, cols);
                for (int p = 1; p + 1 < n; p++) {
                    if (!zero[p - 1] && !zero[p] && !zero[p + 1]) {
                        for (int j = 0; j < cols; j++) {
                            add(seqs.get(j), w[p * cols + j], w[(p - 1) * cols + j] + (double) w[(p + 1) * cols + j]);
                        }
                    }
                }
            }
        } else {
            for (float[] w : windows) {
                for (int r = 0; r < w.length / cols; r++) {
                    double[] q = new double[5];
                    for (int p = 1; p + 1 < cols; p++) {
                        add(q, w[r * cols + p], w[r * cols + p - 1] + (double) w[r * cols + p + 1]);
                    }
                    seqs.add(q);
                }
            }
        }
        return judge(seqs);
    }

    private static void add(double[] q, double x, double y) {
        q[0] += x * y;
        q[1] += x * x;
        q[2] += y * y;
        q[3] += x;
        q[4]++;
    }

    /** The kind of table the sequences' recurrence fits show, or null (see the class comment). */
    private static String judge(List<double[]> seqs) {
        int n = seqs.size();
        double[] var = new double[n];
        double meanVar = 0;
        long triples = 0;
        for (int j = 0; j < n; j++) {
            double[] q = seqs.get(j);
            var[j] = q[4] == 0 ? 0 : Math.max(0, q[1] - q[3] * q[3] / q[4]);
            meanVar += var[j] / n;
            triples = Math.max(triples, (long) q[4]);
        }
        if (triples < MIN_SEQUENCE - 2 || !(meanVar > 0)) {
            return null;
        }
        double sumRes = 0;
        double sumVar = 0;
        int sinusoidal = 0;
        int geometric = 0;
        for (int j = 0; j < n; j++) {
            double[] q = seqs.get(j);
            double res = q[1] > 0 ? Math.max(0, q[2] - q[0] * q[0] / q[1]) : q[2];
            sumRes += res;
            sumVar += var[j];
            if (var[j] >= CARRYING * meanVar) {
                if (res > MAX_COLUMN_RESIDUAL * var[j]) {
                    return null;
                }
                double c = q[1] > 0 ? q[0] / (2 * q[1]) : 1;
                if (Math.abs(c - 1) >= 1e-4) {
                    if (Math.abs(c) < 1) {
                        sinusoidal++;
                    } else {
                        geometric++;
                    }
                }
            }
        }
        if (sumRes > MAX_RESIDUAL * sumVar) {
            return null;
        }
        // Low frequencies of a sinusoidal table look affine over the rows read: any oscillating sequence decides.
        if (sinusoidal > 0 && sinusoidal >= geometric) {
            return "sinusoidal table";
        }
        return geometric > 0 ? "geometric table" : "index table (affine)";
    }

    private static boolean[] zeroRows(float[] w, int n, int cols) {
        boolean[] z = new boolean[n];
        for (int p = 0; p < n; p++) {
            boolean all = true;
            for (int j = 0; j < cols && all; j++) {
                all = w[p * cols + j] == 0f;
            }
            z[p] = all;
        }
        return z;
    }
}
