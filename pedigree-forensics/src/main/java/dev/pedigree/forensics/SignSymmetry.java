package dev.pedigree.forensics;

import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import java.util.Locale;

/**
 * The value path's head-dimension sign symmetry (issue 14 §3, docs/same-data-null.md "σ×8 under obfuscation"):
 * flipping the sign of value row i and of the output columns i of every query head of its key/value group leaves
 * a model's function unchanged, and a symmetric initialisation with a sign-equivariant optimiser leaves the law
 * of its weights unchanged, whatever the training data. When the residual alignment and the head matching saw
 * only token rows, q and k (never v or o), each term x_i = cos(suspect's [v row i; o columns i], the matched
 * reference's) therefore flips sign independently under H0 (A independent of B given the data), and S = Σ x_i is
 * a Rademacher sum given |x|: P(S ≥ s) ≤ exp(−s² / (2 Σ x_i²)) (Hoeffding), exactly, same data or not.
 *
 * <p>Accumulates the terms of the blocks it is given; blocks whose weights are tied (equal value matrices on one
 * side) must be given once, since their terms flip together.
 */
final class SignSymmetry {
    private double sum;
    private double squares;
    private int terms;

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
                terms++;
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

    /** The test of the terms added so far. */
    TestResult result(String id, String note) {
        if (terms < BatteryContext.MIN_FEATURES) {
            return TestResult.notApplicable(id, "too few head dimensions: " + terms);
        }
        double l = log10p(sum, squares);
        return new TestResult(
                id,
                sum,
                l,
                sum / terms,
                terms,
                String.format(
                        Locale.ROOT,
                        "v/o head-dimension sign symmetry, %d head dimensions: S = %.3f, Σx² = %.3f, Hoeffding"
                                + " log10p <= -S²/(2Σx²)/ln10 = %.4g (exact under any training data); mean cos %.3f; %s",
                        terms,
                        sum,
                        squares,
                        l,
                        sum / terms,
                        note));
    }
}
