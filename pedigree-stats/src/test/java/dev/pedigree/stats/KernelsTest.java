package dev.pedigree.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KernelsTest {

    private static float[] data(SplittableRandom rng, int n, double mean) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (mean + Synth.gauss(rng));
        }
        return a;
    }

    private static void close(double v, double s, double scale, String what) {
        assertThat(Math.abs(v - s)).as(what + " vector=" + v + " scalar=" + s)
                .isLessThanOrEqualTo(1e-5 * scale + 1e-12);
    }

    private static void agree(Kernels v, Kernels s, float[] a, float[] b, int off, int n) {
        double absDot = 0;
        double absSum = 0;
        for (int i = 0; i < n; i++) {
            absDot += Math.abs((double) a[off + i] * b[off + i]);
            absSum += Math.abs(a[off + i]);
        }
        close(v.dotProduct(a, off, b, off, n), s.dotProduct(a, off, b, off, n), absDot, "dot n=" + n);
        close(v.sumOfSquares(a, off, n), s.sumOfSquares(a, off, n), s.sumOfSquares(a, off, n), "ss n=" + n);
        close(v.total(a, off, n), s.total(a, off, n), absSum, "sum n=" + n);
    }

    @Test
    void vectorAgreesWithScalarForEveryLengthUpTo300AndLargeOnes() {
        assumeTrue(Kernels.vectorAvailable(), "Vector API not available");
        Kernels v = Kernels.vector();
        Kernels s = Kernels.scalar();
        SplittableRandom rng = new SplittableRandom(42);
        int checked = 0;
        for (int n = 0; n <= 300; n++) {
            for (double mean : new double[] {0, 1}) {
                float[] a = data(rng, n + 5, mean);
                float[] b = data(rng, n + 5, mean);
                agree(v, s, a, b, 0, n);
                agree(v, s, a, b, 3, n);
                float[] x = java.util.Arrays.copyOf(a, n);
                float[] y = java.util.Arrays.copyOf(b, n);
                if (n >= 2) {
                    close(v.pearsonCorrelation(x, y), s.pearsonCorrelation(x, y), 1, "pearson n=" + n);
                }
                close(v.cosineSimilarity(x, y), s.cosineSimilarity(x, y), 1, "cosine n=" + n);
                checked++;
            }
        }
        for (int n : new int[] {1023, 4096, 65_537, 1_000_003}) {
            float[] a = data(rng, n, 0);
            float[] b = data(rng, n, 0);
            agree(v, s, a, b, 0, n);
            close(v.pearsonCorrelation(a, b), s.pearsonCorrelation(a, b), 1, "pearson n=" + n);
            close(v.cosineSimilarity(a, b), s.cosineSimilarity(a, b), 1, "cosine n=" + n);
            checked++;
        }
        System.out.println("kernels: " + v.name() + " vs scalar agree on " + checked + " cases");
    }

    @Test
    void pearsonOfPositiveMeanVectorsIsAccurate() {
        // Gains ~ N(1, 0.01²): the shared mean must not destroy the centred correlation (two-pass algorithm).
        SplittableRandom rng = new SplittableRandom(7);
        float[] a = Synth.vector(rng, 100_000, 1, 0.01);
        float[] b = a.clone();
        for (Kernels k : kernels()) {
            assertThat(k.pearsonCorrelation(a, b)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void multiplyTransposedMatchesNaiveProduct() {
        SplittableRandom rng = new SplittableRandom(3);
        Matrix a = Synth.gaussian(rng, 37, 300, 0, 1);
        Matrix b = Synth.gaussian(rng, 301, 300, 0, 1);
        Matrix c = a.multiplyTransposed(b);
        assertThat(c.rows()).isEqualTo(37);
        assertThat(c.cols()).isEqualTo(301);
        for (int i = 0; i < 37; i++) {
            for (int j = 0; j < 301; j++) {
                double s = 0;
                for (int k = 0; k < 300; k++) {
                    s += (double) a.get(i, k) * b.get(j, k);
                }
                assertThat((double) c.get(i, j)).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-3));
            }
        }
        assertThat(a.transpose().transpose()).isEqualTo(a);
        assertThat(a.transpose().get(5, 7)).isEqualTo(a.get(7, 5));
        assertThat(a.rowsSubset(new int[] {4, 1}).get(1, 9)).isEqualTo(a.get(1, 9));
        assertThat(a.colsSubset(new int[] {4, 1}).get(3, 1)).isEqualTo(a.get(3, 1));
    }

    @Test
    void activeTwinIsVectorWhenAvailable() {
        System.out.println("kernels active: " + Kernels.active().name());
        if (Kernels.vectorAvailable()) {
            assertThat(Kernels.active()).isSameAs(Kernels.vector());
        }
    }

    private static java.util.List<Kernels> kernels() {
        return Kernels.vectorAvailable() ? java.util.List.of(Kernels.scalar(), Kernels.vector())
                : java.util.List.of(Kernels.scalar());
    }
}
