package dev.pedigree.stats.tests;

import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.SeededSample;
import dev.pedigree.stats.TestResult;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * HuRef-style invariants with the norm-gain fix (lineage-methods.md §2): with anchors X (embedding rows of shared
 * tokens, same order in both models) and {@code X̃ = rmsnorm_rows(X)·diag(γ)}, the n×n matrices
 * {@code X̃·Wqᵀ·Wk·X̃ᵀ} and {@code X̃·Wvᵀ·Woᵀ·X̃ᵀ} are unchanged by residual permutations/rotations applied
 * consistently to E, the weights and the gains, by head-space maps (B, B^{−T}) and by rescaling of the norm, so they
 * can be compared entry by entry between models. Stateless, thread-safe.
 */
public final class InvariantTest {

    /** Default number of Monte-Carlo permutations of {@link #test}. */
    public static final int DEFAULT_PERMUTATIONS = 199;
    /** RMSNorm epsilon used by the overloads without one. */
    public static final float DEFAULT_EPS = 1e-6f;

    private InvariantTest() {}

    /**
     * Compares two invariant matrices over the same anchors: statistic = Pearson correlation of the off-diagonal
     * entries (HuRef's ICS/100 after z-scoring).
     *
     * <p><b>Null.</b> H0: the anchor correspondence carries no information, i.e. relabelling the anchors of
     * {@code invariantB} by a uniform permutation π (rows and columns together, a Mantel / quadratic-assignment
     * null) leaves its law unchanged. As for {@link Cka#test}, two parts combined by Bonferroni: the exact
     * Monte-Carlo p-value over T = {@value #DEFAULT_PERMUTATIONS} seeded permutations (seed 0 by default, for
     * reproducibility) and the split "diagonal wins" count with its sound bound {@code P(M ≥ m) ≤ 1/m!} (each test
     * anchor described by its row and column entries towards a reference set of anchors). Caveat: independently trained
     * models on the same tokens can converge to similar token geometry, which this null does not remove (it is the
     * null of "no association", not of "independent initialisation"); compare the effect size against independent
     * pairs before reading it as lineage.
     *
     * <p>{@code statistic} = Pearson r of off-diagonal entries, {@code effectSize} = z against the permutation sample
     * (descriptive),
     * {@code n} = number of anchors.
     *
     * @throws IllegalArgumentException if the matrices are not square of the same size
     */
    public static TestResult test(String testId, Matrix invariantA, Matrix invariantB) {
        return test(testId, invariantA, invariantB, 0L, DEFAULT_PERMUTATIONS);
    }

    /** {@link #test(String, Matrix, Matrix)} with an explicit seed and number of permutations. */
    public static TestResult test(String testId, Matrix invariantA, Matrix invariantB, long seed, int permutations) {
        int n = invariantA.rows();
        if (invariantA.cols() != n || invariantB.rows() != n || invariantB.cols() != n) {
            throw new IllegalArgumentException(
                    "invariants must be square and equal: " + invariantA + ", " + invariantB);
        }
        if (permutations < 1) {
            throw new IllegalArgumentException("permutations must be positive: " + permutations);
        }
        if (n < 4) {
            return TestResult.notApplicable(testId, "need at least 4 anchors, got " + n);
        }
        float[] a = standardisedOffDiagonal(invariantA);
        float[] b = standardisedOffDiagonal(invariantB);
        if (a == null || b == null) {
            return TestResult.notApplicable(testId, "an invariant is constant off the diagonal");
        }
        double offCount = (double) n * (n - 1);
        double obs = PermutationNull.cross(a, b, n, null) / offCount;
        SplittableRandom rng = new SplittableRandom(seed);
        double[] nulls = new double[permutations];
        for (int t = 0; t < permutations; t++) {
            nulls[t] = PermutationNull.cross(a, b, n, SeededSample.permutation(rng, n)) / offCount;
        }
        double mc = PermutationNull.log10p(obs, nulls);
        PermutationNull.SplitWins w = PermutationNull.splitWins(a, b, n, rng);
        double l = Math.min(0, Math.log10(2) + Math.min(mc, w.log10p()));
        double z = PermutationNull.zScore(obs, nulls);
        String note = String.format(
                Locale.ROOT,
                "off-diagonal Pearson r=%.5f (ICS %.2f), n=%d anchors; Mantel null: Monte-Carlo %d seeded anchor"
                        + " permutations log10p=%.3g, z=%.2f; split wins %d/%d (ref %d) log10p<=%.4g; Bonferroni x2",
                obs,
                100 * obs,
                n,
                permutations,
                mc,
                z,
                w.wins(),
                w.testRows(),
                w.referenceRows(),
                w.log10p());
        return new TestResult(testId, obs, l, Double.isNaN(z) ? 0 : z, n, note);
    }

    /**
     * {@code X̃·Wqᵀ·Wk·X̃ᵀ} for multi-head attention ({@code wq} and {@code wk} of equal shape).
     *
     * @param anchors n×d anchor rows (embeddings of shared tokens)
     * @param gamma the block's input-norm gain, length d
     * @param wq (heads·hd)×d
     * @param wk (heads·hd)×d
     * @throws IllegalArgumentException on shape mismatch (use the {@code headDim} overload for GQA)
     */
    public static Matrix attentionInvariant(Matrix anchors, float[] gamma, Matrix wq, Matrix wk) {
        if (wq.rows() != wk.rows()) {
            throw new IllegalArgumentException("wq has " + wq.rows() + " rows, wk " + wk.rows()
                    + ": grouped-query attention needs the headDim overload");
        }
        return attentionInvariant(anchors, gamma, wq, wk, wq.rows(), DEFAULT_EPS);
    }

    /**
     * {@code X̃·Wqᵀ·Wk_repᵀ·X̃ᵀ} for grouped-query attention: key heads are repeated to the query width (query head h
     * uses key head {@code h / (heads/kvHeads)}, as HF's {@code repeat_kv}). Computed without materialising the
     * repeat: query heads of one group are summed first.
     *
     * @param headDim hd; {@code wq.rows()} and {@code wk.rows()} must be multiples of it and heads a multiple of
     *     kvHeads
     */
    public static Matrix attentionInvariant(Matrix anchors, float[] gamma, Matrix wq, Matrix wk, int headDim) {
        return attentionInvariant(anchors, gamma, wq, wk, headDim, DEFAULT_EPS);
    }

    /** As {@link #attentionInvariant(Matrix, float[], Matrix, Matrix, int)} with an explicit RMSNorm epsilon. */
    public static Matrix attentionInvariant(
            Matrix anchors, float[] gamma, Matrix wq, Matrix wk, int headDim, float eps) {
        Matrix x = normalisedAnchors(anchors, gamma, eps);
        requireCols(wq, x.cols(), "wq");
        requireCols(wk, x.cols(), "wk");
        return attentionInvariantFromProjections(x.multiplyTransposed(wq), x.multiplyTransposed(wk), headDim);
    }

    /**
     * The attention invariant from the projected anchors {@code X̃·Wqᵀ} (n × heads·hd) and {@code X̃·Wkᵀ}
     * (n × kvHeads·hd), for callers that stream the weight matrices (X̃ from {@link #normalisedAnchors}).
     */
    public static Matrix attentionInvariantFromProjections(Matrix xWq, Matrix xWk, int headDim) {
        if (xWq.rows() != xWk.rows()) {
            throw new IllegalArgumentException("projections of " + xWq.rows() + " and " + xWk.rows() + " anchors");
        }
        int group = groupSize(xWq.cols(), xWk.cols(), headDim, "wq", "wk");
        Matrix q = collapseGroups(xWq, headDim, group); // n × kv·hd
        return q.multiplyTransposed(xWk);
    }

    /**
     * {@code X̃·Wv_repᵀ·Woᵀ·X̃ᵀ} (value/output invariant), with value heads repeated for GQA.
     *
     * @param wv (kvHeads·hd)×d
     * @param wo d×(heads·hd) (HF layout: out = d)
     */
    public static Matrix valueOutputInvariant(
            Matrix anchors, float[] gamma, Matrix wv, Matrix wo, int headDim, float eps) {
        Matrix x = normalisedAnchors(anchors, gamma, eps);
        requireCols(wv, x.cols(), "wv");
        if (wo.rows() != x.cols()) {
            throw new IllegalArgumentException("wo must have d=" + x.cols() + " rows, has " + wo.rows());
        }
        int group = groupSize(wo.cols(), wv.rows(), headDim, "wo", "wv");
        Matrix woCollapsed = collapseGroups(wo, headDim, group); // d × kv·hd
        Matrix v = x.multiplyTransposed(wv); // n × kv·hd
        Matrix y = v.multiplyTransposed(woCollapsed); // n × d
        return y.multiplyTransposed(x);
    }

    /** {@code rmsnorm_rows(anchors)·diag(γ)}: each row divided by √(mean square + eps), then scaled by γ. */
    public static Matrix normalisedAnchors(Matrix anchors, float[] gamma, float eps) {
        int d = anchors.cols();
        if (gamma.length != d) {
            throw new IllegalArgumentException("gamma length " + gamma.length + " != d " + d);
        }
        float[] src = anchors.data();
        float[] out = new float[src.length];
        IntStream.range(0, anchors.rows()).parallel().forEach(r -> {
            int off = r * d;
            double inv = 1.0 / Math.sqrt(Kernels.sumSquares(src, off, d) / d + eps);
            for (int c = 0; c < d; c++) {
                out[off + c] = (float) (src[off + c] * inv * gamma[c]);
            }
        });
        return Matrix.of(anchors.rows(), d, out);
    }

    private static int groupSize(int qWidth, int kvWidth, int headDim, String qName, String kvName) {
        if (headDim <= 0 || qWidth % headDim != 0 || kvWidth % headDim != 0) {
            throw new IllegalArgumentException("widths " + qName + "=" + qWidth + ", " + kvName + "=" + kvWidth
                    + " are not multiples of headDim " + headDim);
        }
        int heads = qWidth / headDim;
        int kv = kvWidth / headDim;
        if (kv == 0 || heads % kv != 0) {
            throw new IllegalArgumentException(heads + " query heads are not a multiple of " + kv + " kv heads");
        }
        return heads / kv;
    }

    /** Sums the columns of each group of {@code group} consecutive heads: (rows × heads·hd) → (rows × kv·hd). */
    private static Matrix collapseGroups(Matrix m, int headDim, int group) {
        if (group == 1) {
            return m;
        }
        int width = m.cols();
        int kvWidth = width / group;
        float[] src = m.data();
        float[] out = new float[m.rows() * kvWidth];
        for (int r = 0; r < m.rows(); r++) {
            int so = r * width;
            int oo = r * kvWidth;
            for (int h = 0; h < width / headDim; h++) {
                int g = h / group;
                for (int t = 0; t < headDim; t++) {
                    out[oo + g * headDim + t] += src[so + h * headDim + t];
                }
            }
        }
        return Matrix.of(m.rows(), kvWidth, out);
    }

    private static void requireCols(Matrix w, int d, String name) {
        if (w.cols() != d) {
            throw new IllegalArgumentException(name + " must have d=" + d + " columns, has " + w.cols());
        }
    }

    /** Off-diagonal entries z-scored (diagonal set to 0), or null if constant. */
    private static float[] standardisedOffDiagonal(Matrix m) {
        int n = m.rows();
        float[] d = m.data();
        double s = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    s += d[i * n + j];
                }
            }
        }
        double cnt = (double) n * (n - 1);
        double mean = s / cnt;
        double ss = 0;
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    double v = d[i * n + j] - mean;
                    ss += v * v;
                }
            }
        }
        double sd = Math.sqrt(ss / cnt);
        if (!(sd > 0)) {
            return null;
        }
        float[] out = new float[d.length];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                if (i != j) {
                    out[i * n + j] = (float) ((d[i * n + j] - mean) / sd);
                }
            }
        }
        return out;
    }
}
