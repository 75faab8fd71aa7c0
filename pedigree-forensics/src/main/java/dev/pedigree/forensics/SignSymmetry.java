package dev.pedigree.forensics;

import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import java.util.Arrays;
import java.util.Locale;

/**
 * The value path's head-dimension sign symmetry (issue 14 §3, docs/same-data-null.md "σ×8 under obfuscation"):
 * flipping the sign of value row i and of the output columns i of every query head of its key/value group leaves
 * a model's function unchanged, and a symmetric initialisation with a sign-equivariant optimiser leaves the law
 * of its weights unchanged, whatever the training data. When the residual alignment and the head matching saw
 * only token rows, q and k (never v or o), each term x_i = cos(suspect's [v row i; o columns i], the matched
 * reference's) therefore flips sign independently under H0 (A independent of B given the data), and S = Σ x_i is
 * a Rademacher sum given |x|, same data or not. Its p-value P(Σ ε_i |x_i| ≥ S | |x|) (ε_i independent fair signs)
 * is computed exactly on an integer grid ({@link #exactLog10p}), and never reported above Hoeffding's bound
 * exp(−S² / (2 Σ x_i²)). Where the test decides, the exact tail is 100 times smaller or more (issue 14 §3, calibrate's
 * σ×8 copies: −9.0 against −6.7 in log10): Hoeffding's bound lacks the normal tail's 1/(t√(2π)) factor, and a copy's
 * mostly positive terms sit where a bounded sum's tail falls faster than a normal one.
 *
 * <p>Accumulates the terms of the blocks it is given; blocks whose weights are tied (equal value matrices on one
 * side) must be given once, since their terms flip together.
 */
final class SignSymmetry {
    private double sum;
    private double squares;
    private int terms;
    private double[] xs = new double[64];

    /** Adds the cosines of the rows of {@code s} with the rows of {@code r} at the same index (equal shapes). */
    void add(Matrix s, Matrix r) {
        int w = s.cols();
        float[] a = s.data();
        float[] b = r.data();
        for (int i = 0; i < s.rows(); i++) {
            double ab = 0;
            double aa = 0;
            double bb = 0;
            for (int j = i * w; j < (i + 1) * w; j++) {
                ab += (double) a[j] * b[j];
                aa += (double) a[j] * a[j];
                bb += (double) b[j] * b[j];
            }
            if (aa > 0 && bb > 0) {
                double x = ab / Math.sqrt(aa * bb);
                sum += x;
                squares += x * x;
                if (terms == xs.length) {
                    xs = Arrays.copyOf(xs, 2 * terms);
                }
                xs[terms++] = x;
            }
        }
    }

    int terms() {
        return terms;
    }

    /** The one-sided Hoeffding bound of the Rademacher sum, log10 p = −S² / (2 Σ x²) / ln 10 for S > 0, else 0. */
    static double log10p(double sum, double squares) {
        return sum <= 0 || squares <= 0 ? 0 : -sum * sum / (2 * squares) / Math.log(10);
    }

    /** Most grid steps of {@link #exactLog10p}'s integer sum (its array has twice as many cells). */
    static final int GRID = 100_000;
    /** Most cell updates of {@link #exactLog10p} (terms × cells); fewer grid steps for more terms. */
    static final long GRID_WORK = 40_000_000L;

    /**
     * An upper bound of log10 P(Σ ε_i |x_i| ≥ Σ x_i) over independent fair signs ε_i, exact up to the grid: each |x_i|
     * is rounded to the nearest multiple u_i of a step δ, T = Σ ε_i u_i has an exact distribution (convolution,
     * one term at a time), and Σ ε_i |x_i| ≤ δ (T + Σ |r_i|) with r_i the rounding errors, so the event implies T ≥
     * Σ x_i / δ − Σ |r_i|. The step makes the integer sum at most {@link #GRID} and at most {@link #GRID_WORK}
     * updates; never above Hoeffding's bound ({@link #log10p(double, double)}): each is a valid bound, so is the
     * smaller.
     */
    static double exactLog10p(double[] x, int n) {
        double sum = 0;
        double squares = 0;
        double abs = 0;
        for (int i = 0; i < n; i++) {
            sum += x[i];
            squares += x[i] * x[i];
            abs += Math.abs(x[i]);
        }
        double hoeffding = log10p(sum, squares);
        if (sum <= 0 || n == 0) {
            return hoeffding;
        }
        int grid = (int) Math.max(1, Math.min(GRID, GRID_WORK / (2L * n)));
        double step = abs / grid;
        int[] u = new int[n];
        double slack = 0;
        int total = 0;
        for (int i = 0; i < n; i++) {
            double q = Math.abs(x[i]) / step;
            u[i] = (int) Math.round(q);
            slack += Math.abs(q - u[i]);
            total += u[i];
        }
        // Conservative against the rounding of the threshold itself.
        double threshold = sum / step - slack - 1e-9 * (grid + total + 1.0);
        long from = (long) Math.ceil(threshold);
        if (from > total) {
            // Not reached (Σ x_i ≤ δ (total + Σ |r_i|)); the grid would say 0, which log10 p never is.
            return hoeffding;
        }
        double[] p = new double[2 * total + 1];
        double[] next = new double[p.length];
        p[total] = 1;
        int reach = 0;
        for (int i = 0; i < n; i++) {
            int d = u[i];
            if (d == 0) {
                continue;
            }
            Arrays.fill(next, total - reach - d, total + reach + d + 1, 0);
            for (int t = total - reach; t <= total + reach; t++) {
                double h = 0.5 * p[t];
                if (h != 0) {
                    next[t - d] += h;
                    next[t + d] += h;
                }
            }
            reach += d;
            double[] swap = p;
            p = next;
            next = swap;
        }
        double tail = 0;
        for (long t = Math.max(from, -total); t <= total; t++) {
            tail += p[(int) (t + total)];
        }
        // Relative rounding of the sums above is far below 1e-9.
        tail *= 1 + 1e-9;
        return tail > 0 ? Math.min(hoeffding, Math.min(0, Math.log10(tail))) : hoeffding;
    }

    /** The test of the terms added so far. */
    TestResult result(String id, String note) {
        if (terms < BatteryContext.MIN_FEATURES) {
            return TestResult.notApplicable(id, "too few head dimensions: " + terms);
        }
        double l = exactLog10p(xs, terms);
        double h = log10p(sum, squares);
        return new TestResult(
                id,
                sum,
                l,
                sum / terms,
                terms,
                String.format(
                        Locale.ROOT,
                        "v/o head-dimension sign symmetry, %d head dimensions: S = %.3f, Σx² = %.3f, exact tail of"
                                + " the fair-sign sum log10 P(Σ ε|x| ≥ S) <= %.4g (Hoeffding -S²/(2Σx²)/ln10 = %.4g;"
                                + " exact under any training data); mean cos %.3f; %s",
                        terms,
                        sum,
                        squares,
                        l,
                        h,
                        sum / terms,
                        note));
    }
}
