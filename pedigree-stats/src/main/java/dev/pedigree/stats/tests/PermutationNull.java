package dev.pedigree.stats.tests;

import dev.pedigree.stats.LogP;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.SeededSample;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

/**
 * Shared machinery for tests whose null is a uniformly random relabelling of rows (and, for n×n matrices,
 * simultaneously of columns): the quadratic-assignment cross term, exact Monte-Carlo p-values and the split
 * "diagonal wins" count whose tail bound is sound at any level. The seeded permutations themselves are
 * {@link SeededSample}'s.
 */
final class PermutationNull {

    private PermutationNull() {}

    /**
     * {@code Σ_{i,j} a[i·n+j] · b[perm[i]·n + perm[j]]} in double (the quadratic-assignment / Mantel cross term),
     * parallel over i. Identity when {@code perm} is null.
     */
    static double cross(float[] a, float[] b, int n, int[] perm) {
        return IntStream.range(0, n)
                .parallel()
                .mapToDouble(i -> {
                    int ai = i * n;
                    double s = 0;
                    if (perm == null) {
                        for (int j = 0; j < n; j++) {
                            s += (double) a[ai + j] * b[ai + j];
                        }
                    } else {
                        int bi = perm[i] * n;
                        for (int j = 0; j < n; j++) {
                            s += (double) a[ai + j] * b[bi + perm[j]];
                        }
                    }
                    return s;
                })
                .sum();
    }

    /**
     * log10 of the exact Monte-Carlo permutation p-value {@code (1 + #{null ≥ obs})/(T + 1)} of an upper-tail test
     * (valid at every level; never below {@code 1/(T+1)}).
     */
    static double log10p(double observed, double[] nullStats) {
        int ge = 0;
        for (double v : nullStats) {
            if (v >= observed) {
                ge++;
            }
        }
        return Math.log10((1.0 + ge) / (nullStats.length + 1.0));
    }

    /** Outcome of {@link #splitWins}: M wins among s test rows, with the sound bound log10 P(M ≥ m) ≤ −log10 m!. */
    record SplitWins(int wins, int testRows, int referenceRows, double log10p) {}

    /**
     * Exact-tailed companion of a quadratic-assignment statistic on n×n matrices A, B indexed by the same units
     * (a Gram or an invariant), under H0: B is distributed like {@code B[π(i), π(j)]} for a uniform permutation π
     * independent of A.
     *
     * <p>The units are split at random (seeded) into a reference set R (at most 512, about half) and a test set S.
     * Unit i ∈ S is described by its similarities to the reference units, {@code f_i = (A[i,R], A[R,i])} in A and
     * {@code g_j = (B[j,R], B[R,j])} in B. i "wins" when {@code corr(f_i, g_i) > corr(f_i, g_j)} for every other
     * j ∈ S. Conditionally on π restricted to R, π restricted to S is a uniform bijection onto the remaining units,
     * the {@code f_i} are fixed and the {@code g_j} are a uniform relabelling, so any m given units all win with
     * probability at most {@code 1/(s)_m} and, by the union bound over m-subsets,
     * {@code P(M ≥ m) ≤ C(s,m)/(s)_m = 1/m!}. This bound holds in the far tail, unlike a normal extrapolation of the
     * Monte-Carlo sample.
     */
    static SplitWins splitWins(float[] a, float[] b, int n, SplittableRandom rng) {
        int r = Math.min(512, n / 2);
        int[] perm = SeededSample.permutation(rng, n);
        int[] ref = java.util.Arrays.copyOf(perm, r);
        int[] test = java.util.Arrays.copyOfRange(perm, r, n);
        int s = test.length;
        Matrix f = features(a, n, test, ref).centreAndNormaliseRows();
        Matrix g = features(b, n, test, ref).centreAndNormaliseRows();
        float[] c = f.multiplyTransposed(g).data();
        int wins = 0;
        for (int i = 0; i < s; i++) {
            float d = c[i * s + i];
            boolean win = true;
            for (int j = 0; j < s && win; j++) {
                if (j != i && c[i * s + j] >= d) {
                    win = false;
                }
            }
            if (win) {
                wins++;
            }
        }
        return new SplitWins(wins, s, r, -LogP.log10Factorial(wins));
    }

    private static Matrix features(float[] m, int n, int[] rows, int[] ref) {
        int r = ref.length;
        float[] out = new float[rows.length * 2 * r];
        for (int k = 0; k < rows.length; k++) {
            int i = rows[k];
            int o = k * 2 * r;
            for (int t = 0; t < r; t++) {
                out[o + t] = m[i * n + ref[t]];
                out[o + r + t] = m[ref[t] * n + i];
            }
        }
        return Matrix.of(rows.length, 2 * r, out);
    }

    /** z of {@code observed} against the null sample (for reporting). */
    static double zScore(double observed, double[] nullStats) {
        double mean = 0;
        for (double v : nullStats) {
            mean += v;
        }
        mean /= nullStats.length;
        double ss = 0;
        for (double v : nullStats) {
            ss += (v - mean) * (v - mean);
        }
        double sd = Math.sqrt(ss / Math.max(1, nullStats.length - 1));
        return sd > 0 ? (observed - mean) / sd : Double.NaN;
    }
}
