package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.CustomisationSummary.ComponentRank;
import dev.pedigree.forensics.result.CustomisationSummary.LayerChange;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.model.Component;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Issue 14 §4: the rank of a low-rank change is estimated from its spectrum, not probed at a fixed rank. */
class ChangeRankTest {
    /** Wide enough that a rank-32 change is low-rank (every probed side is 128). */
    static final SyntheticTransformer.Config WIDE =
            new SyntheticTransformer.Config(Component.TEXT_DECODER, 256, 128, 4, 4, 256, 2, true, false, false);

    private static final SimModel BASE = SyntheticTransformer.random("wide", WIDE, 41);

    private static ComparisonResult compare(SimModel s, SimModel r) throws Exception {
        return LineageComparator.compare(s.toView(), r.toView(), CompareOptions.DEFAULT);
    }

    @Test
    void eigenvaluesOfAKnownMatrix() {
        // [[2,1,0],[1,2,0],[0,0,5]]: eigenvalues 1, 3, 5, by both solvers
        for (boolean jacobi : new boolean[] {false, true}) {
            double[] a = {2, 1, 0, 1, 2, 0, 0, 0, 5};
            double[] e = jacobi ? ChangeRank.jacobiEigenvalues(a, 3) : ChangeRank.eigenvalues(a, 3);
            Arrays.sort(e);
            assertThat(e[0]).isCloseTo(1, within(1e-12));
            assertThat(e[1]).isCloseTo(3, within(1e-12));
            assertThat(e[2]).isCloseTo(5, within(1e-12));
        }
    }

    /** Householder + QL reads the spectrum Q·diag(λ)·Qᵀ was built from (Q from random reflections). */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 5, 64, 128})
    void eigenvaluesOfARotatedDiagonal(int n) {
        SplittableRandom rnd = new SplittableRandom(n);
        double[] lambda = new double[n];
        for (int i = 0; i < n; i++) {
            lambda[i] = i % 7 == 0 ? 0 : Math.scalb(rnd.nextDouble() + 0.5, -20 + rnd.nextInt(30));
        }
        double[] a = new double[n * n];
        for (int i = 0; i < n; i++) {
            a[i * n + i] = lambda[i];
        }
        for (int h = 0; h < 3; h++) { // a ← H·a·H, H = I − 2vvᵀ/vᵀv
            double[] v = new double[n];
            double vv = 0;
            for (int i = 0; i < n; i++) {
                v[i] = gauss(rnd);
                vv += v[i] * v[i];
            }
            double[] b = new double[n * n];
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    b[i * n + j] = (i == j ? 1 : 0) - 2 * v[i] * v[j] / vv;
                }
            }
            a = times(b, times(a, b, n), n);
        }
        double max = Arrays.stream(lambda).max().orElse(0);
        double[] jac = ChangeRank.jacobiEigenvalues(a.clone(), n);
        double[] ql = ChangeRank.eigenvalues(a, n);
        Arrays.sort(lambda);
        Arrays.sort(jac);
        Arrays.sort(ql);
        for (int i = 0; i < n; i++) {
            assertThat(ql[i]).isCloseTo(lambda[i], within(1e-12 * max));
            assertThat(ql[i]).isCloseTo(jac[i], within(1e-12 * max));
        }
    }

    private static double[] times(double[] x, double[] y, int n) {
        double[] z = new double[n * n];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                for (int j = 0; j < n; j++) {
                    z[i * n + j] += x[i * n + k] * y[k * n + j];
                }
            }
        }
        return z;
    }

    /** The blocked Gram matrix is ΔΔᵀ, whatever m (4 × 4 tiles and the rows left over). */
    @Test
    void gramOfRows() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (int m : new int[] {1, 3, 4, 7, 13}) {
            int n = 11;
            float[] x = new float[m * n];
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) gauss(rnd);
            }
            double[] g = ChangeRank.rowGram(x, m, n);
            for (int i = 0; i < m; i++) {
                for (int j = 0; j < m; j++) {
                    double s = 0;
                    for (int c = 0; c < n; c++) {
                        s += (double) x[i * n + c] * x[j * n + c];
                    }
                    assertThat(g[i * m + j]).as(m + ": " + i + "," + j).isCloseTo(s, within(1e-12));
                }
            }
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {1, 4, 16, 32})
    void aLowRankMatrixPlusSmallNoiseReadsItsRank(int r) {
        int m = 128;
        int n = 200;
        SplittableRandom rnd = new SplittableRandom(r);
        float[] d = lowRank(rnd, m, n, r, x -> (float) (x + 0.05 * gauss(rnd)));
        ChangeRank.Estimate e = ChangeRank.of(d, m, n);
        assertThat(e.rank()).isEqualTo(r);
        assertThat(e.lowRank()).isTrue();
        assertThat(e.side()).isEqualTo(m);
    }

    /**
     * With the float Gram matrix of the probe (as Customisation forms it) the estimate is the double path's: low-rank
     * changes with dense noise, dense noise alone, a float32 merge whose only noise is rounding (which the float
     * matrix cannot resolve, so it falls back). Dense noise alone (the derived benchmark's change) is decided from the float
     * matrix.
     */
    @Test
    void floatGramDecidesAsTheDoublePath() {
        int decided = 0;
        for (int[] shape : new int[][] {{128, 200}, {128, 2048}, {64, 256}, {128, 128}, {100, 300}}) {
            for (int rank : new int[] {0, 1, 4, 16, 32, 60, 100}) {
                for (int kind = 0; kind < 3; kind++) {
                    int m = shape[0];
                    int n = shape[1];
                    SplittableRandom rnd = new SplittableRandom(rank * 31L + kind + n);
                    int noise = kind;
                    float[] d = lowRank(rnd, m, n, rank, x -> {
                        double v = 0.01 * x;
                        double w = 0.05 * gauss(rnd);
                        return switch (noise) {
                            case 0 -> (float) (w + v) - (float) w; // float32 merge: rounding noise only
                            case 1 -> (float) (v + 1e-4 * gauss(rnd));
                            default -> (float) (v + 0.003 * gauss(rnd));
                        };
                    });
                    dev.pedigree.stats.Matrix x = dev.pedigree.stats.Matrix.of(m, n, d);
                    float[] gram = x.multiplyTransposed(x).data();
                    ChangeRank.Estimate fast = ChangeRank.fromFloatGram(gram, m, n);
                    ChangeRank.Estimate exact = ChangeRank.of(d, m, n);
                    String what = m + "x" + n + " rank " + rank + " kind " + kind;
                    assertThat(ChangeRank.of(d, m, n, gram)).as(what).isEqualTo(fast == null ? exact : fast);
                    if (kind == 0 && rank > 0 && rank <= m / 4) {
                        assertThat(fast).as(what + ": rounding noise only").isNull();
                    }
                    if (rank == 0 && kind > 0) {
                        assertThat(fast)
                                .as(what + ": dense noise is decided from the float matrix")
                                .isNotNull();
                    }
                    if (fast != null) {
                        assertThat(fast.rank()).as(what).isEqualTo(exact.rank());
                        assertThat(fast.lowRank()).as(what).isEqualTo(exact.lowRank());
                        assertThat(fast.energy()).as(what).isCloseTo(exact.energy(), within(1e-3));
                        decided++;
                    }
                }
            }
        }
        assertThat(decided).isGreaterThanOrEqualTo(10);
    }

    @Test
    void denseNoiseIsFullRank() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int[] shape : new int[][] {{128, 200}, {128, 128}, {64, 256}, {200, 64}}) {
            float[] d = new float[shape[0] * shape[1]];
            for (int i = 0; i < d.length; i++) {
                d[i] = (float) gauss(rnd);
            }
            ChangeRank.Estimate e = ChangeRank.of(d, shape[0], shape[1]);
            assertThat(e.lowRank()).as(Arrays.toString(shape)).isFalse();
            assertThat(e.rank()).as(Arrays.toString(shape)).isLessThanOrEqualTo(2);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {4, 16, 32})
    void aMergedLoraReadsItsRankWithinTwentyPercent(int rank) throws Exception {
        ComparisonResult r = compare(DerivationSimulator.lowRank(BASE, rank, 0.5, 8 + rank), BASE);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        CustomisationSummary c = r.customisation();
        assertThat(c.layers()).isNotEmpty();
        for (LayerChange l : c.layers()) {
            assertThat(l.lowRank()).as(l.suspect() + " " + l.role()).isTrue();
            assertThat((double) l.estimatedRank())
                    .as(l.suspect() + " " + l.role())
                    .isBetween(0.8 * rank, 1.2 * rank);
        }
        ComponentRank cr = c.componentRanks().getFirst();
        assertThat(cr.medianRank()).isNotNull();
        assertThat((double) cr.medianRank()).isBetween(0.8 * rank, 1.2 * rank);
        assertThat(cr.describe()).startsWith("low-rank, rank \u2248 ");
    }

    @Test
    void fullRankNoiseIsNotLowRank() throws Exception {
        ComparisonResult r = compare(DerivationSimulator.noise(BASE, 0.5, 9), BASE);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        for (LayerChange l : r.customisation().layers()) {
            assertThat(l.lowRank()).as(l.suspect() + " " + l.role()).isFalse();
        }
        ComponentRank cr = r.customisation().componentRanks().getFirst();
        assertThat(cr.medianRank()).isNull();
        assertThat(cr.describe()).isEqualTo("full rank (not low-rank)");
    }

    @Test
    void int8QuantisationErrorIsNotLowRank() throws Exception {
        ComparisonResult r = compare(DerivationSimulator.int8RoundTrip(BASE), BASE);
        assertThat(r.customisation().componentRanks().getFirst().medianRank()).isNull();
    }

    /** An m × n product of Gaussian m × r and r × n factors, each entry passed through {@code entry}. */
    private static float[] lowRank(SplittableRandom rnd, int m, int n, int r, DoubleToFloat entry) {
        double[][] a = new double[m][r];
        double[][] b = new double[r][n];
        for (double[] row : a) {
            for (int k = 0; k < r; k++) {
                row[k] = gauss(rnd);
            }
        }
        for (double[] row : b) {
            for (int j = 0; j < n; j++) {
                row[j] = gauss(rnd);
            }
        }
        float[] d = new float[m * n];
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = 0;
                for (int k = 0; k < r; k++) {
                    s += a[i][k] * b[k][j];
                }
                d[i * n + j] = entry.apply(s);
            }
        }
        return d;
    }

    @FunctionalInterface
    private interface DoubleToFloat {
        float apply(double x);
    }

    private static double gauss(SplittableRandom rnd) {
        double u = rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }
}
