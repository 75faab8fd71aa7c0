package dev.pedigree.stats;

import java.util.Arrays;

/**
 * Spearman rank correlation and its test. Stateless and thread-safe.
 */
public final class RankStats {

    private RankStats() {}

    /** What {@link #ranks(double[], NaNs)} does with a NaN. */
    public enum NaNs {
        /** A NaN is the caller's error: {@link IllegalArgumentException}. */
        REJECT,
        /**
         * A NaN ranks above every number, each NaN its own rank in index order (the order of
         * {@link Double#compare}; NaNs are never tied), for callers whose data may hold NaN and who
         * must still get an answer.
         */
        RANK_HIGHEST
    }

    /**
     * Spearman correlation between a permutation and the identity: {@code r = 1 − 6Σ(π(i) − i)²/(n(n² − 1))}.
     *
     * @param permutation a permutation of {@code 0..n−1}, {@code n >= 2}
     * @throws IllegalArgumentException if it is not a permutation or {@code n < 2}
     */
    public static double spearmanWithIdentity(int[] permutation) {
        int n = permutation.length;
        if (n < 2) {
            throw new IllegalArgumentException("need n >= 2, got " + n);
        }
        boolean[] seen = new boolean[n];
        double ss = 0;
        for (int i = 0; i < n; i++) {
            int p = permutation[i];
            if (p < 0 || p >= n || seen[p]) {
                throw new IllegalArgumentException("not a permutation at index " + i + ": " + p);
            }
            seen[p] = true;
            double d = p - i;
            ss += d * d;
        }
        double nn = n;
        return 1 - 6 * ss / (nn * (nn * nn - 1));
    }

    /**
     * One-sided test of a Spearman correlation {@code r} between n pairs against H0: the pairing is a uniformly random
     * permutation (for a LAP matching this holds under hidden-unit exchangeability, Zhu et al.). Uses Zhu et al.'s
     * statistic {@code t = r√((n−2)/(1−r²))} and {@code log10 P(T_{n−2} > t)}.
     *
     * <p>Extreme tail: under H0 every arrangement has probability {@code 1/n!}, so the exact permutation p-value of
     * any attained r is at least {@code 1/n!}; the t value is floored at that bound. For {@code r == 1} (only the
     * identity attains it) the exact p-value {@code 1/n!} is returned ({@code log10p = −log10 n!}, finite), and the
     * reported statistic uses {@code 1 − r²} floored at {@code 1e−15} so that it stays finite.
     *
     * @return {@code statistic} = t, {@code effectSize} = r; not applicable when {@code n < 3} or r is NaN
     */
    public static TestResult spearmanTest(String testId, double r, int n) {
        if (n < 3) {
            return TestResult.notApplicable(testId, "Spearman test needs n >= 3, got " + n);
        }
        if (Double.isNaN(r)) {
            return TestResult.notApplicable(testId, "Spearman r is NaN");
        }
        r = Math.max(-1, Math.min(1, r));
        double df = n - 2.0;
        double oneMinusR2 = Math.max(1e-15, (1 - r) * (1 + r));
        double t = r * Math.sqrt(df / oneMinusR2);
        double exactFloor = -LogP.log10Factorial(n);
        double log10p = r >= 1 ? exactFloor : Math.max(exactFloor, LogP.studentTUpper(t, df));
        return new TestResult(
                testId,
                t,
                log10p,
                r,
                n,
                "one-sided Spearman t-test vs uniform random permutation, df=" + (n - 2)
                        + (r >= 1 ? "; r=1: exact p = 1/n!" : ""));
    }

    /**
     * Spearman correlation of two samples (average ranks for ties; Pearson on ranks in double). NaN when
     * {@code n < 2} or a sample is constant.
     */
    public static double spearman(double[] x, double[] y) {
        if (x.length != y.length) {
            throw new IllegalArgumentException("length mismatch " + x.length + " vs " + y.length);
        }
        int n = x.length;
        if (n < 2) {
            return Double.NaN;
        }
        return pearson(ranks(x), ranks(y));
    }

    /** Average ranks (1-based) with ties sharing their mean rank. NaN is rejected. */
    public static double[] ranks(double[] x) {
        return ranks(x, NaNs.REJECT);
    }

    /**
     * Average ranks (1-based) with ties sharing their mean rank; NaN as {@code nans} says. The ranks
     * sum to {@code n(n+1)/2} exactly, so their mean is exact and a Pearson correlation of ranks does
     * not depend on where the ranks start.
     */
    public static double[] ranks(double[] x, NaNs nans) {
        int n = x.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (nans == NaNs.REJECT && Double.isNaN(x[i])) {
                throw new IllegalArgumentException("NaN at index " + i);
            }
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(x[a], x[b]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    /** Pearson correlation of doubles (two-pass); NaN if a sample is constant. */
    public static double pearson(double[] x, double[] y) {
        int n = x.length;
        double mx = 0;
        double my = 0;
        for (int i = 0; i < n; i++) {
            mx += x[i];
            my += y[i];
        }
        mx /= n;
        my /= n;
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < n; i++) {
            double a = x[i] - mx;
            double b = y[i] - my;
            sxy += a * b;
            sxx += a * a;
            syy += b * b;
        }
        if (!(sxx > 0) || !(syy > 0)) {
            return Double.NaN;
        }
        return Math.max(-1, Math.min(1, sxy / Math.sqrt(sxx * syy)));
    }
}
