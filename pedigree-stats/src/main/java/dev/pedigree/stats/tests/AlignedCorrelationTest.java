package dev.pedigree.stats.tests;

import dev.pedigree.stats.LogP;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * Are two same-shaped matrices associated position by position (row i of {@code a} with row i of {@code b})? For
 * tensors already in a common basis: e.g. the same role in two models after alignment, or the up-projection of a
 * suspect compared at fixed hidden indices.
 *
 * <p>The entries are <b>not</b> treated as independent: within a row they share scale and structure, so an
 * entry-level correlation test would be wildly anti-conservative. The unit of exchangeability is the row.
 *
 * <p><b>Null.</b> H0: the rows of {@code b} are exchangeable relative to {@code a} (independent initialisation with a
 * Π-invariant law over hidden units, lineage-methods.md §1). Let {@code c_ij} be the Pearson correlation of row i of
 * {@code a} with row j of {@code b} (rows centred, so a shared positive mean cannot dominate). Two statistics:
 * <ol>
 *   <li><b>Sum of diagonal correlations</b> {@code S = Σ_i c_ii}. Under a uniformly random row permutation,
 *       Hoeffding's combinatorial central limit theorem gives {@code E S = (1/h) Σ_ij c_ij} and
 *       {@code Var S = (1/(h−1)) Σ_ij d_ij²} with {@code d_ij = c_ij − c̄_i· − c̄_·j + c̄}; z = (S − E S)/√Var S and the
 *       one-sided normal tail is used. A CLT is not trustworthy in the far tail, so this part is floored at
 *       {@code log10p = −6}.</li>
 *   <li><b>Diagonal-wins count</b> {@code M = #{i : c_ii > c_ij for all j ≠ i}}. Under the permutation null, for
 *       any m rows the probability that all of them win is at most {@code 1/(h)_m}, so by the union bound
 *       {@code P(M ≥ m) ≤ C(h,m)/(h)_m = 1/m!}: a sound bound for arbitrarily small p (e.g. M = 1000 gives
 *       log10p ≤ −2567).</li>
 * </ol>
 * The reported {@code log10p = log10 2 + min(part 1, part 2)} (Bonferroni), valid (conservative by up to 2× at
 * moderate levels). {@code statistic} = z, {@code effectSize} = mean diagonal correlation minus mean correlation over
 * all pairs, {@code n} = h; the note gives M. A row permutation by the suspect makes this test lose power (it is
 * position-bound), it never causes false positives.
 *
 * <p><b>Grouped form for large matrices.</b> The h² correlations cost h²·w multiply-adds, which dominates a
 * whole-model compare (2048 rows × 2048 columns: 8.6 G per tensor). Above {@value #FULL_COST_LIMIT} multiply-adds
 * the rows are partitioned into k fixed groups of {@value #GROUP} to 2·{@value #GROUP}−1 rows (strided within
 * blocks of consecutive rows; see {@link GroupedCorrelation}, which also computes it from streamed pieces) and only
 * correlations within a group are computed (h·|G|·w). The null is the same: if the rows of {@code b} are
 * exchangeable, then conditionally on which rows of {@code b} fall into each group's positions, the arrangement
 * inside each group is a uniform bijection, independently across groups. So
 * <ol>
 *   <li>S = Σ_G S_G is a sum of k independent permutation statistics; E S = Σ_G E S_G and Var S = Σ_G Var S_G, each
 *       from Hoeffding's formulas on the group's |G|×|G| matrix, and the CLT part is as above (floored);</li>
 *   <li>a row wins when its diagonal correlation beats every other row of its group. For a set of m rows with m_G in
 *       group G, all win with probability at most Π_G 1/(|G|)_{m_G}; summing over all m-sets,
 *       {@code P(M ≥ m) ≤ Σ Π_G 1/m_G! = k^m/m!} (multinomial theorem), a sound bound at any level (2048 rows in 256
 *       groups, all winning: log10p ≤ −963).</li>
 * </ol>
 * The note says which form ran. Power is close to the full form's where it matters: a weak association (small
 * diagonal correlations) gives a null variance of S of the same order (h × the per-pair variance), and a derived row
 * still beats its few group mates.
 *
 * <p>Cost: h² row correlations (streamed in blocks, memory ≤ 64 MB besides the inputs), or h·|G| in the grouped form.
 * Stateless, thread-safe.
 */
public final class AlignedCorrelationTest {

    static final double CLT_FLOOR = -6;
    private static final int BLOCK_FLOATS = 16 << 20;
    /** Largest h²·w (multiply-adds) computed in the full form; above it the grouped form runs. */
    static final long FULL_COST_LIMIT = 1L << 24;
    /** Smallest group size of the grouped form. */
    static final int GROUP = 8;

    private AlignedCorrelationTest() {}

    /**
     * Hoeffding's variance of {@code Σ_i c_{i,π(i)}} under a uniform permutation π of an n×n matrix c, from its total,
     * its sum of squares and the sums of its squared row and column means: {@code (1/(n−1)) Σ_ij d_ij²} with
     * {@code d_ij = c_ij − c̄_i· − c̄_·j + c̄} (never negative; 0 for n &lt; 2).
     */
    static double permutationVariance(double total, double sumSq, double rowMeanSq, double colMeanSq, int n) {
        if (n < 2) {
            return 0;
        }
        double grand = total / ((double) n * n);
        double dSq = sumSq - n * rowMeanSq - n * colMeanSq + (double) n * n * grand * grand;
        return Math.max(0, dSq) / (n - 1);
    }

    /** Whether {@link #test} runs the grouped form for h rows of w columns. */
    public static boolean usesGroupedForm(int h, int w) {
        return (long) h * h * w > FULL_COST_LIMIT && h >= 2 * GROUP;
    }

    /**
     * Runs the test.
     *
     * @throws IllegalArgumentException if the shapes differ
     */
    public static TestResult test(String testId, Matrix a, Matrix b) {
        HiddenUnitMatchTest.requireSameShape(a, b);
        int h = a.rows();
        if (h < 3 || a.cols() < 2) {
            return TestResult.notApplicable(testId, "need at least 3 rows and 2 columns, got " + h + "x" + a.cols());
        }
        if (usesGroupedForm(h, a.cols())) {
            return grouped(testId, a, b);
        }
        Matrix an = a.centreAndNormaliseRows();
        Matrix bn = b.centreAndNormaliseRows();
        double[] rowSum = new double[h];
        double[] colSum = new double[h];
        double[] diag = new double[h];
        double[] rowSq = new double[h];
        boolean[] wins = new boolean[h];
        int block = Math.max(1, Math.min(h, BLOCK_FLOATS / h));
        for (int r0 = 0; r0 < h; r0 += block) {
            int r1 = Math.min(h, r0 + block);
            int[] idx = IntStream.range(r0, r1).toArray();
            Matrix c = an.rowsSubset(idx).multiplyTransposed(bn);
            float[] cd = c.data();
            final int base = r0;
            IntStream.range(0, r1 - r0).parallel().forEach(k -> {
                int i = base + k;
                int off = k * h;
                double s = 0;
                double ss = 0;
                float d = cd[off + i];
                boolean win = true;
                for (int j = 0; j < h; j++) {
                    float v = cd[off + j];
                    s += v;
                    ss += (double) v * v;
                    if (j != i && v >= d) {
                        win = false;
                    }
                }
                rowSum[i] = s;
                rowSq[i] = ss;
                diag[i] = d;
                wins[i] = win;
            });
            for (int k = 0; k < r1 - r0; k++) {
                int off = k * h;
                for (int j = 0; j < h; j++) {
                    colSum[j] += cd[off + j];
                }
            }
        }
        double total = 0;
        double sumSq = 0;
        double sDiag = 0;
        double rowMeanSq = 0;
        double colMeanSq = 0;
        int m = 0;
        for (int i = 0; i < h; i++) {
            total += rowSum[i];
            sumSq += rowSq[i];
            sDiag += diag[i];
            rowMeanSq += (rowSum[i] / h) * (rowSum[i] / h);
            colMeanSq += (colSum[i] / h) * (colSum[i] / h);
            if (wins[i]) {
                m++;
            }
        }
        double grand = total / ((double) h * h);
        double mean = total / h;
        double var = permutationVariance(total, sumSq, rowMeanSq, colMeanSq, h);
        double z = var > 0 ? (sDiag - mean) / Math.sqrt(var) : 0;
        double lClt = var > 0 ? Math.max(CLT_FLOOR, LogP.normalUpper(z)) : 0;
        double lCount = -LogP.log10Factorial(m);
        double l = Math.min(0, Math.log10(2) + Math.min(lClt, lCount));
        double effect = sDiag / h - grand;
        String note = String.format(
                Locale.ROOT,
                "row-permutation null, h=%d: Hoeffding CLT z=%.3f (log10p %.3g, floored at %.0f); diagonal wins"
                        + " M=%d (log10p <= -log10 M! = %.4g); Bonferroni x2",
                h,
                z,
                lClt,
                CLT_FLOOR,
                m,
                lCount);
        return new TestResult(testId, z, l, effect, h, note);
    }

    /** The grouped form through {@link GroupedCorrelation}, block by block (the matrices are read in place). */
    private static TestResult grouped(String testId, Matrix a, Matrix b) {
        int w = a.cols();
        GroupedCorrelation g = new GroupedCorrelation(a.rows());
        for (int k = 0; k < g.blocks(); k++) {
            int from = g.blockStart(k) * w;
            g.addUnitRows(k, a.data(), from, b.data(), from, w);
        }
        return g.result(testId);
    }
}
