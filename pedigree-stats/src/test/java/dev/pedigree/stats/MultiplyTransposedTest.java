package dev.pedigree.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.kernels.VectorSupport;
import dev.pedigree.kernels.numeric.Kernels;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Matrix#multiplyTransposed} and both {@link Kernels} twins of it against a double-precision reference, on
 * seeded Gaussian matrices of awkward shapes (rows not multiples of the micro-tile, widths across the 256-column
 * float runs, column groups of the packed operand).
 *
 * <p><b>Tolerance.</b> Entry {@code (i, j)} is a double sum of float fma chains of at most 256 products, rounded once
 * to float. A chain of {@code c} products errs by at most about {@code c·u·Σ|a_k b_k|} ({@code u = 2⁻²⁴}) in the
 * worst case and, for products of random sign, by about {@code √c·u} of that scale; the final rounding adds at most
 * {@code u·|C_ij| ≤ u·Σ|a_k b_k|}. So on this data the error relative to {@code Σ|a_k b_k|} is ~1e-7 and must stay
 * below {@link #TOLERANCE} = 1e-6 for any width (checked up to 16384); the worst observed ratio is printed.
 */
class MultiplyTransposedTest {

    /** Bound on |C − C_ref| / Σ|a_k b_k| (see the class comment). */
    private static final double TOLERANCE = 1e-6;

    private static final int[][] SHAPES = { // m, n, k
        {1, 1, 1},
        {1, 1, 7},
        {1, 1, 8},
        {1, 1, 9},
        {1, 1, 4097},
        {3, 5, 1},
        {3, 5, 7},
        {3, 5, 8},
        {3, 5, 9},
        {3, 5, 4097},
        {7, 13, 7},
        {7, 13, 8},
        {7, 13, 9},
        {7, 13, 255},
        {7, 13, 256},
        {7, 13, 257},
        {7, 13, 4097},
        {33, 1000, 9},
        {33, 1000, 300},
        {257, 129, 4097},
        {1000, 2049, 9},
        {97, 49, 513},
        {8, 48, 64},
        {9, 49, 65},
    };

    @Test
    void matchesDoubleReferenceOnAwkwardShapes() {
        SplittableRandom rng = new SplittableRandom(20_240_601);
        double worst = 0;
        for (int[] s : SHAPES) {
            Matrix a = Synth.gaussian(rng, s[0], s[2], 0, 1);
            Matrix b = Synth.gaussian(rng, s[1], s[2], 0, 1);
            worst = Math.max(worst, checkAgainstReference(a, b, a.multiplyTransposed(b)));
        }
        System.out.printf(
                Locale.ROOT,
                "multiplyTransposed: %d shapes (%s), worst |C-ref|/Σ|ab| = %.2e%n",
                SHAPES.length,
                VectorSupport.numeric().name(),
                worst);
    }

    @Test
    void staysAccurateForWideRowsAndSeveralPackedColumnGroups() {
        // 600 × 600 rows at width 16384: the packed operand exceeds one group (8 Mi floats), so the group loop runs
        // at least twice; rows at both ends (first and last group, edge tiles) are checked against the reference.
        SplittableRandom rng = new SplittableRandom(77);
        Matrix a = Synth.gaussian(rng, 600, 16_384, 0, 1);
        Matrix b = Synth.gaussian(rng, 600, 16_384, 0, 1);
        int[] sample = {0, 1, 299, 595, 596, 597, 598, 599};
        Matrix want = a.multiplyTransposed(b, Kernels.scalar(), true);
        double worst = checkAgainstReference(a, b, want, sample);
        if (Kernels.vectorAvailable()) {
            assertThat(a.multiplyTransposed(b, Kernels.vector(), true).data()).isEqualTo(want.data());
        }
        // Positive-mean rows: no cancellation between chunks, the float runs carry the whole magnitude.
        Matrix p = Synth.gaussian(rng, 7, 16_384, 1, 0.01);
        Matrix q = Synth.gaussian(rng, 11, 16_384, 1, 0.01);
        worst = Math.max(worst, checkAgainstReference(p, q, p.multiplyTransposed(q)));
        System.out.printf(Locale.ROOT, "multiplyTransposed k=16384: worst |C-ref|/Σ|ab| = %.2e%n", worst);
    }

    @Test
    void vectorAndScalarTwinsAgreeBitForBitSequentialAndParallel() {
        SplittableRandom rng = new SplittableRandom(5);
        List<Kernels> twins = twins();
        int cases = 0;
        for (int[] s : new int[][] {{1, 1, 9}, {7, 13, 4097}, {33, 1000, 300}, {257, 129, 513}, {100, 97, 2049}}) {
            Matrix a = Synth.gaussian(rng, s[0], s[2], 0, 1);
            Matrix b = Synth.gaussian(rng, s[1], s[2], 0, 1);
            Matrix want = a.multiplyTransposed(b, Kernels.scalar(), false);
            for (Kernels k : twins) {
                for (boolean parallel : new boolean[] {false, true}) {
                    assertThat(a.multiplyTransposed(b, k, parallel).data())
                            .as("%s parallel=%s shape %dx%dx%d", k.name(), parallel, s[0], s[1], s[2])
                            .isEqualTo(want.data());
                    cases++;
                }
            }
        }
        System.out.println("multiplyTransposed: " + twins.size() + " twins agree bit for bit on " + cases + " cases");
    }

    @Test
    void selfProductIsExactlySymmetricAndEqualsProductWithACopy() {
        SplittableRandom rng = new SplittableRandom(8);
        for (int[] s : new int[][] {{1, 3}, {13, 257}, {130, 1000}}) {
            Matrix a = Synth.gaussian(rng, s[0], s[1], 0, 1);
            Matrix copy = Matrix.of(a.rows(), a.cols(), a.data().clone());
            Matrix c = a.multiplyTransposed(a);
            assertThat(c).isEqualTo(a.multiplyTransposed(copy));
            assertThat(c).isEqualTo(c.transpose());
            checkAgainstReference(a, copy, c);
        }
    }

    @Test
    void emptyOperandsGiveEmptyOrZeroProducts() {
        for (Kernels k : twins()) {
            for (boolean parallel : new boolean[] {false, true}) {
                Matrix c =
                        Matrix.of(0, 5, new float[0]).multiplyTransposed(Matrix.of(3, 5, new float[15]), k, parallel);
                assertThat(c.rows()).isZero();
                assertThat(c.cols()).isEqualTo(3);
                c = Matrix.of(4, 5, new float[20]).multiplyTransposed(Matrix.of(0, 5, new float[0]), k, parallel);
                assertThat(c.rows()).isEqualTo(4);
                assertThat(c.cols()).isZero();
                c = Matrix.of(4, 0, new float[0]).multiplyTransposed(Matrix.of(3, 0, new float[0]), k, parallel);
                assertThat(c).isEqualTo(Matrix.of(4, 3, new float[12]));
                c = Matrix.of(0, 0, new float[0]).multiplyTransposed(Matrix.of(0, 0, new float[0]), k, parallel);
                assertThat(c.data()).isEmpty();
            }
        }
    }

    @Test
    void nonFiniteValuesStayInTheirRowAndColumn() {
        SplittableRandom rng = new SplittableRandom(3);
        Matrix a = Synth.gaussian(rng, 10, 20, 0, 1);
        Matrix b = Synth.gaussian(rng, 11, 20, 0, 1);
        a.data()[9 * 20 + 4] = Float.NaN;
        b.data()[10 * 20 + 19] = Float.POSITIVE_INFINITY;
        for (Kernels k : twins()) {
            Matrix c = a.multiplyTransposed(b, k, true);
            for (int i = 0; i < 10; i++) {
                for (int j = 0; j < 11; j++) {
                    boolean poisoned = i == 9 || j == 10;
                    assertThat(Float.isFinite(c.get(i, j)))
                            .as("%s (%d, %d)", k.name(), i, j)
                            .isEqualTo(!poisoned);
                }
            }
        }
    }

    @Test
    void rejectsColumnMismatch() {
        Matrix a = Matrix.of(2, 3, new float[6]);
        Matrix b = Matrix.of(2, 4, new float[8]);
        assertThatThrownBy(() -> a.multiplyTransposed(b))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("2x3")
                .hasMessageContaining("2x4");
    }

    /** Asserts every entry against the double reference; returns the worst |C − ref| / Σ|a_k b_k|. */
    private static double checkAgainstReference(Matrix a, Matrix b, Matrix c) {
        return checkAgainstReference(
                a, b, c, java.util.stream.IntStream.range(0, a.rows()).toArray());
    }

    /** As {@link #checkAgainstReference(Matrix, Matrix, Matrix)} for the given rows of the product only. */
    private static double checkAgainstReference(Matrix a, Matrix b, Matrix c, int[] rows) {
        int m = a.rows();
        int n = b.rows();
        int k = a.cols();
        assertThat(c.rows()).isEqualTo(m);
        assertThat(c.cols()).isEqualTo(n);
        float[] x = a.data();
        float[] y = b.data();
        double worst = 0;
        for (int i : rows) {
            for (int j = 0; j < n; j++) {
                double ref = 0;
                double scale = 0;
                for (int t = 0; t < k; t++) {
                    double p = (double) x[i * k + t] * y[j * k + t];
                    ref += p;
                    scale += Math.abs(p);
                }
                double err = Math.abs(c.get(i, j) - ref);
                double rel = scale == 0 ? err : err / scale;
                if (!(rel <= TOLERANCE)) {
                    assertThat(rel)
                            .as("(%d, %d) of %dx%d·(%dx%d)ᵀ: got %s, want %s", i, j, m, k, n, k, c.get(i, j), ref)
                            .isLessThanOrEqualTo(TOLERANCE);
                }
                worst = Math.max(worst, rel);
            }
        }
        return worst;
    }

    private static List<Kernels> twins() {
        List<Kernels> twins = new ArrayList<>(List.of(Kernels.scalar()));
        if (Kernels.vectorAvailable()) {
            twins.add(Kernels.vector());
        }
        return twins;
    }
}
