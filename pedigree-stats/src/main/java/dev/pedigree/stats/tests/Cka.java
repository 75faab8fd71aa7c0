package dev.pedigree.stats.tests;

import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.SeededSample;
import dev.pedigree.stats.TestResult;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Linear centred kernel alignment with the unbiased HSIC estimator (Song et al. 2012), as used by AWM on
 * {@code Wqᵀ Wq}-type Grams after residual alignment (lineage-methods.md §6). Stateless, thread-safe.
 */
public final class Cka {

    /** Default number of Monte-Carlo permutations of {@link #test}. */
    public static final int DEFAULT_PERMUTATIONS = 199;

    private Cka() {}

    /**
     * Unbiased linear CKA {@code HSIC₁(K,L)/√(HSIC₁(K,K)·HSIC₁(L,L))} on n×n symmetric Grams, where
     * {@code HSIC₁(K,L) = [tr(K̃L̃) + (1ᵀK̃1)(1ᵀL̃1)/((n−1)(n−2)) − (2/(n−2))·1ᵀK̃L̃1] / (n(n−3))} and K̃, L̃ are
     * the Grams with zeroed diagonals. All sums in double. NaN when a self-HSIC is not positive (degenerate Gram).
     *
     * @throws IllegalArgumentException if the Grams are not square, of equal size, with n ≥ 4
     */
    public static double unbiasedLinear(Matrix gramK, Matrix gramL) {
        Parts p = Parts.of(gramK, gramL);
        return p.cka(p.crossTrace(null), p.linear(null));
    }

    /**
     * Tests CKA between the Grams {@code K = a·aᵀ} and {@code L = b·bᵀ}: rows of {@code a} and {@code b} are the same
     * n units (e.g. residual dimensions after {@link ResidualAlignment}, so a is {@code Wqᵀ}: d × heads·hd); the
     * columns may differ in number and basis (CKA is invariant to orthogonal maps and scaling of the columns, e.g.
     * head-space gauges).
     *
     * <p><b>Null.</b> H0: independent initialisation with a Π-invariant law over the row units, so under H0 the
     * rows of {@code b} are exchangeable relative to {@code a} and {@code L} is distributed like {@code P L Pᵀ} for a
     * uniform permutation P. Two parts, combined by Bonferroni ({@code log10p = log10 2 + min}):
     * <ol>
     *   <li>the exact Monte-Carlo permutation p-value {@code (1 + #{CKA_π ≥ CKA})/(T+1)} over T seeded permutations
     *       (default {@value #DEFAULT_PERMUTATIONS}); never below {@code 1/(T+1)};</li>
     *   <li>for the far tail, the split "diagonal wins" count on the two Grams (see
     *       {@code PermutationNull.splitWins}): units split into reference and test sets, each test unit described
     *       by its Gram similarities to the reference units; M units whose own profile in B matches best give
     *       {@code P(M ≥ m) ≤ 1/m!}, a sound bound at any level.</li>
     * </ol>
     * A normal extrapolation of the permutation sample is deliberately not used: on structured (low-rank) Grams it
     * was anti-conservative in calibration (claims of 1e-5 at a 1% rate under H0). Alignment fitted on the same data
     * as tested breaks exchangeability (false positives): fit on disjoint tensors.
     *
     * <p>{@code statistic} = CKA, {@code effectSize} = z against the permutation sample (descriptive), {@code n} =
     * rows.
     *
     * @throws IllegalArgumentException if the row counts differ
     */
    public static TestResult test(String testId, Matrix a, Matrix b, long seed) {
        return test(testId, a, b, seed, DEFAULT_PERMUTATIONS);
    }

    /** {@link #test(String, Matrix, Matrix, long)} with a chosen number of permutations. */
    public static TestResult test(String testId, Matrix a, Matrix b, long seed, int permutations) {
        if (a.rows() != b.rows()) {
            throw new IllegalArgumentException("row mismatch " + a.rows() + " vs " + b.rows());
        }
        if (permutations < 1) {
            throw new IllegalArgumentException("permutations must be positive: " + permutations);
        }
        int n = a.rows();
        if (n < 4) {
            return TestResult.notApplicable(testId, "CKA needs at least 4 rows, got " + n);
        }
        Parts p = Parts.of(a.multiplyTransposed(a), b.multiplyTransposed(b));
        double obs = p.cka(p.crossTrace(null), p.linear(null));
        if (Double.isNaN(obs)) {
            return TestResult.notApplicable(testId, "degenerate Gram (self-HSIC not positive)");
        }
        SplittableRandom rng = new SplittableRandom(seed);
        double[] nulls = new double[permutations];
        for (int t = 0; t < permutations; t++) {
            int[] perm = SeededSample.permutation(rng, n);
            nulls[t] = p.cka(p.crossTrace(perm), p.linear(perm));
        }
        double mc = PermutationNull.log10p(obs, nulls);
        PermutationNull.SplitWins w = PermutationNull.splitWins(p.k(), p.l(), n, rng);
        double l = Math.min(0, Math.log10(2) + Math.min(mc, w.log10p()));
        double z = PermutationNull.zScore(obs, nulls);
        String note = String.format(
                Locale.ROOT,
                "unbiased linear CKA=%.5f, n=%d; row-permutation null: Monte-Carlo %d permutations (seed %d)"
                        + " log10p=%.3g, z=%.2f; split wins %d/%d (ref %d) log10p<=%.4g; Bonferroni x2",
                obs,
                n,
                permutations,
                seed,
                mc,
                z,
                w.wins(),
                w.testRows(),
                w.referenceRows(),
                w.log10p());
        return new TestResult(testId, obs, l, Double.isNaN(z) ? 0 : z, n, note);
    }

    /** Precomputed pieces of unbiased HSIC for K and a row/column permutation of L. */
    private record Parts(
            int n,
            float[] k,
            float[] l,
            double[] kCol,
            double[] lRow,
            double sumK,
            double sumL,
            double hsicKK,
            double hsicLL) {

        static Parts of(Matrix gramK, Matrix gramL) {
            int n = gramK.rows();
            if (gramK.cols() != n || gramL.rows() != n || gramL.cols() != n) {
                throw new IllegalArgumentException("Grams must be square and equal: " + gramK + ", " + gramL);
            }
            if (n < 4) {
                throw new IllegalArgumentException("unbiased HSIC needs n >= 4, got " + n);
            }
            float[] k = zeroDiagonal(gramK);
            float[] l = zeroDiagonal(gramL);
            double[] kCol = new double[n];
            double[] kRow = new double[n];
            double[] lRow = new double[n];
            double[] lCol = new double[n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    kRow[i] += k[i * n + j];
                    kCol[j] += k[i * n + j];
                    lRow[i] += l[i * n + j];
                    lCol[j] += l[i * n + j];
                }
            }
            double sumK = sum(kRow);
            double sumL = sum(lRow);
            double hkk = hsic(n, transposedCross(k, k, n), sumK, sumK, dot(kCol, kRow));
            double hll = hsic(n, transposedCross(l, l, n), sumL, sumL, dot(lCol, lRow));
            return new Parts(n, k, l, kCol, lRow, sumK, sumL, hkk, hll);
        }

        /** tr(K̃ L̃_π) for symmetric Grams = Σ_ij K̃_ij L̃_π(i)π(j). */
        double crossTrace(int[] perm) {
            return PermutationNull.cross(k, l, n, perm);
        }

        /** 1ᵀ K̃ L̃_π 1 = Σ_m (colsum K̃)_m (rowsum L̃)_π(m). */
        double linear(int[] perm) {
            double s = 0;
            for (int m = 0; m < n; m++) {
                s += kCol[m] * lRow[perm == null ? m : perm[m]];
            }
            return s;
        }

        double cka(double trace, double lin) {
            double hkl = hsic(n, trace, sumK, sumL, lin);
            double den = hsicKK * hsicLL;
            return den > 0 ? hkl / Math.sqrt(den) : Double.NaN;
        }

        private static double hsic(int n, double trace, double sk, double sl, double lin) {
            double nn = n;
            return (trace + sk * sl / ((nn - 1) * (nn - 2)) - 2 * lin / (nn - 2)) / (nn * (nn - 3));
        }

        private static double transposedCross(float[] a, float[] b, int n) {
            double s = 0;
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    s += (double) a[i * n + j] * b[j * n + i];
                }
            }
            return s;
        }

        private static float[] zeroDiagonal(Matrix g) {
            float[] d = g.data().clone();
            int n = g.rows();
            for (int i = 0; i < n; i++) {
                d[i * n + i] = 0;
            }
            return d;
        }

        private static double sum(double[] v) {
            double s = 0;
            for (double x : v) {
                s += x;
            }
            return s;
        }

        private static double dot(double[] x, double[] y) {
            double s = 0;
            for (int i = 0; i < x.length; i++) {
                s += x[i] * y[i];
            }
            return s;
        }
    }
}
