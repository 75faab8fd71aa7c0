package dev.pedigree.stats.tests;

import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.NonFiniteCount;
import dev.pedigree.stats.TestResult;
import java.util.Locale;

/**
 * Norm gains, biases and other position-aligned vectors: Pearson correlation (= cosine of the centred vectors, i.e.
 * after projecting out the all-ones direction). Raw cosine of positive-mean vectors such as RMSNorm gains near 1 is
 * dominated by the shared mean (two independent N(1, 0.01²) vectors have raw cosine ≈ 0.9999) and is never evidence
 * (lineage-methods.md §5).
 *
 * <p><b>Null.</b> H0: element shuffle, i.e. the positions of {@code b} are exchangeable relative to {@code a}. The
 * permutation distribution of r is approximated by Student's t with n − 2 degrees of freedom for
 * {@code t = r√((n−2)/(1−r²))} (one-sided, positive association; exact when the entries are i.i.d. Gaussian and the
 * standard large-n approximation of the permutation law otherwise), floored at the exact bound {@code 1/n!} that
 * no permutation p-value can go below. <b>Weak evidence</b>: real gain vectors share smooth structure (depth trends,
 * outlier dimensions fixed by architecture), so exchangeability is optimistic; use only after alignment, and calibrate
 * against independent pairs before relying on it. Stateless, thread-safe.
 */
public final class CentredVectorTest {

    private CentredVectorTest() {}

    /**
     * Pearson test; {@code statistic} = t, {@code effectSize} = r, {@code n} = length. Not applicable for fewer
     * than 4 entries or a constant vector.
     *
     * @throws IllegalArgumentException if the lengths differ
     */
    public static TestResult test(String testId, float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("length mismatch " + a.length + " vs " + b.length);
        }
        NonFiniteCount bad = NonFiniteCount.of(a).plus(NonFiniteCount.of(b));
        String dropped = "";
        if (bad.any()) {
            // non-finite weights carry no evidence (NonFiniteCount): test the positions finite in both
            float[][] kept = finiteInBoth(a, b);
            dropped = "; " + (a.length - kept[0].length) + " position(s) with non-finite values (" + bad.describe()
                    + ") left out";
            a = kept[0];
            b = kept[1];
        }
        int n = a.length;
        if (n < 4) {
            return TestResult.notApplicable(testId, "need at least 4 entries, got " + n + dropped);
        }
        double r = Kernels.pearson(a, b);
        if (Double.isNaN(r)) {
            // the kernel sums in float, which overflows for values near Float.MAX_VALUE; recount in double
            r = Kernels.scalar().pearsonCorrelation(a, b);
        }
        if (Double.isNaN(r)) {
            return TestResult.notApplicable(testId, "a vector is constant: correlation undefined" + dropped);
        }
        double df = n - 2.0;
        double t = r * Math.sqrt(df / Math.max(1e-15, (1 - r) * (1 + r)));
        double l = Math.max(-LogP.log10Factorial(n), LogP.studentTUpper(t, df));
        String note = String.format(
                Locale.ROOT,
                "centred (Pearson) r=%.5f vs element-shuffle null (t, df=%d); raw cosine %.5f is not evidence;"
                        + " weak evidence",
                r,
                n - 2,
                rawCosine(a, b));
        return new TestResult(testId, t, l, r, n, note + dropped);
    }

    private static float[][] finiteInBoth(float[] a, float[] b) {
        int n = 0;
        for (int i = 0; i < a.length; i++) {
            if (Float.isFinite(a[i]) && Float.isFinite(b[i])) {
                n++;
            }
        }
        float[] x = new float[n];
        float[] y = new float[n];
        for (int i = 0, k = 0; i < a.length; i++) {
            if (Float.isFinite(a[i]) && Float.isFinite(b[i])) {
                x[k] = a[i];
                y[k++] = b[i];
            }
        }
        return new float[][] {x, y};
    }

    /** Raw (uncentred) cosine, for the report only, never evidence. */
    public static double rawCosine(float[] a, float[] b) {
        return Kernels.cosine(a, b);
    }
}
