package dev.pedigree.kernels.numeric;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.pedigree.kernels.VectorSupport;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class KernelsTest {

    /** A standard normal deviate (Box-Muller), so the data are reproducible from the seed alone. */
    private static double gauss(SplittableRandom rng) {
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    private static float[] data(SplittableRandom rng, int n, double mean) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (mean + gauss(rng));
        }
        return a;
    }

    private static void close(double v, double s, double scale, String what) {
        assertThat(Math.abs(v - s))
                .as(what + " vector=" + v + " scalar=" + s)
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
    void multiplyAddTwinsAgreeBitForBit() {
        assumeTrue(Kernels.vectorAvailable(), "vector twin not available");
        SplittableRandom rng = new SplittableRandom(17);
        for (int n : new int[] {0, 1, 7, 15, 16, 17, 63, 128, 1000}) {
            for (int rows : new int[] {1, 3, 64}) {
                int stride = n + 11;
                float[] x = data(rng, rows * stride + 5, 0);
                float[] y = data(rng, rows * stride + 9, 0.5);
                float[] acc = data(rng, n + 3, 1);
                float[] v = acc.clone();
                float[] sc = acc.clone();
                Kernels.vector().multiplyAddInto(v, 3, x, 5, y, 2, n, rows, stride);
                Kernels.scalar().multiplyAddInto(sc, 3, x, 5, y, 2, n, rows, stride);
                assertThat(v).as("n=" + n + " rows=" + rows).containsExactly(sc);
                for (int i = 0; i < n; i++) {
                    float s = 0;
                    for (int r = 0; r < rows; r++) {
                        s = Math.fma(x[5 + r * stride + i], y[2 + r * stride + i], s);
                    }
                    assertThat(sc[3 + i]).isEqualTo(acc[3 + i] + s);
                }
            }
        }
    }

    @Test
    void crossGroupsTwinsAgreeBitForBitAndMatchThePerPairDefinition() {
        assumeTrue(Kernels.vectorAvailable(), "vector twin not available");
        SplittableRandom rng = new SplittableRandom(23);
        // p positions of k groups, n existing columns (the last position may be partial), odd strides and offsets.
        int[][] shapes = {
            {8, 128, 1024},
            {8, 64, 512},
            {9, 113, 1020},
            {15, 68, 1020},
            {4, 16, 64},
            {5, 17, 70},
            {8, 3, 24},
            {2, 40, 41},
            {1, 5, 5}
        };
        for (int[] sh : shapes) {
            int p = sh[0];
            int k = sh[1];
            int n = sh[2];
            for (int rows : new int[] {1, 7, 64}) {
                int stride = n + 13;
                float[] x = data(rng, rows * stride + 8, 0);
                float[] y = data(rng, rows * stride + 8, 0.3);
                float[] acc = data(rng, p * p * k, 1);
                float[] v = acc.clone();
                float[] sc = acc.clone();
                Kernels.vector().crossGroupsInto(v, x, 5, y, 3, p, k, n, rows, stride);
                Kernels.scalar().crossGroupsInto(sc, x, 5, y, 3, p, k, n, rows, stride);
                String what = "p=" + p + " k=" + k + " n=" + n + " rows=" + rows;
                assertThat(v).as(what).containsExactly(sc);
                for (int u = 0; u < p; u++) {
                    for (int w = 0; w < p; w++) {
                        for (int t = 0; t < k; t++) {
                            int i = (u * p + w) * k + t;
                            if (t >= n - Math.max(u, w) * k) {
                                assertThat(sc[i]).as(what + " untouched").isEqualTo(acc[i]);
                                continue;
                            }
                            float s = 0;
                            for (int r = 0; r < rows; r++) {
                                s = Math.fma(x[5 + r * stride + u * k + t], y[3 + r * stride + w * k + t], s);
                            }
                            assertThat(sc[i]).as(what).isEqualTo(acc[i] + s);
                        }
                    }
                }
            }
        }
    }

    @Test
    void shiftMomentsTwinsAgreeBitForBit() {
        assumeTrue(Kernels.vectorAvailable(), "vector twin not available");
        SplittableRandom rng = new SplittableRandom(31);
        for (int n : new int[] {0, 1, 15, 16, 17, 100, 1024, 1031}) {
            float[] x = data(rng, n + 9, 0.4);
            float[] shift = data(rng, n + 4, 0.3);
            float[] s1 = data(rng, n, 0);
            float[] s2 = data(rng, n, 2);
            float[] xv = x.clone();
            float[] s1v = s1.clone();
            float[] s2v = s2.clone();
            Kernels.vector().shiftMomentsInto(xv, 9, shift, 4, s1v, s2v, n);
            Kernels.scalar().shiftMomentsInto(x, 9, shift, 4, s1, s2, n);
            assertThat(xv).as("x n=" + n).containsExactly(x);
            assertThat(s1v).as("s1 n=" + n).containsExactly(s1);
            assertThat(s2v).as("s2 n=" + n).containsExactly(s2);
        }
    }

    /**
     * The vector dot product's exact arithmetic, emulated in scalar Java: per chunk of 32 steps, one float
     * fused multiply-add accumulator per lane, then the lanes added in lane order in double. Called often enough
     * for the JIT to compile the kernel, it must match every time: a lane reduction whose order depends on the JIT
     * tier (as {@code reduceLanes} does) would make compare output differ from run to run.
     */
    @Test
    void vectorDotFollowsOneSummationOrderInEveryJitTier() {
        assumeTrue(Kernels.vectorAvailable(), "vector twin not available");
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        SplittableRandom rng = new SplittableRandom(37);
        float[] a = data(rng, 5000, 0.2);
        float[] b = data(rng, 5000, -0.1);
        for (int call = 0; call < 20_000; call++) {
            int n = 1 + (call * 7919) % 4990;
            int off = call % 7;
            double expect = laneOrderDot(a, off, b, 0, n, lanes);
            double got = Kernels.vector().dotProduct(a, off, b, 0, n);
            if (got != expect) {
                assertThat(got).as("call " + call + ", n=" + n).isEqualTo(expect);
            }
        }
    }

    /**
     * The vector twin's documented order for one pair of rows: per lane, float fma chains of at most 32 steps, each
     * chunk's lanes added into a double from 0 in lane order, chunks in order, then the tail in double.
     */
    private static double laneOrderDot(float[] a, int ao, float[] b, int bo, int n, int lanes) {
        double total = 0;
        int upper = n - n % lanes;
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + 32 * lanes);
            float[] acc = new float[lanes];
            for (; i < end; i += lanes) {
                for (int l = 0; l < lanes; l++) {
                    acc[l] = Math.fma(a[ao + i + l], b[bo + i + l], acc[l]);
                }
            }
            double s = 0;
            for (float x : acc) {
                s += x;
            }
            total += s;
        }
        for (; i < n; i++) {
            total += (double) a[ao + i] * b[bo + i];
        }
        return total;
    }

    /** {@link #laneOrderDot}'s order for one row's sum (float adds) and sum of squares (float fmas). */
    private static double[] laneOrderSumAndSquares(float[] a, int off, int n, int lanes) {
        double sum = 0;
        double squares = 0;
        int upper = n - n % lanes;
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + 32 * lanes);
            float[] s1 = new float[lanes];
            float[] s2 = new float[lanes];
            for (; i < end; i += lanes) {
                for (int l = 0; l < lanes; l++) {
                    float x = a[off + i + l];
                    s1[l] += x;
                    s2[l] = Math.fma(x, x, s2[l]);
                }
            }
            double t1 = 0;
            double t2 = 0;
            for (int l = 0; l < lanes; l++) {
                t1 += s1[l];
                t2 += s2[l];
            }
            sum += t1;
            squares += t2;
        }
        for (; i < n; i++) {
            double v = a[off + i];
            sum += a[off + i];
            squares += v * v;
        }
        return new double[] {sum, squares};
    }

    private static void sameBits(double got, double expect, String what) {
        if (Double.doubleToLongBits(got) != Double.doubleToLongBits(expect)) {
            assertThat(got).as(what).isEqualTo(expect);
        }
    }

    /**
     * Values that make lane sums differ if their order or start changes: NaN, infinities (and float accumulators
     * that overflow to them), signed zeros (a lane sum of -0.0s is +0.0), subnormals, and magnitudes far apart.
     */
    private static float[] awkward(SplittableRandom rng, int n, int kind) {
        float[] special = {
            Float.NaN,
            Float.POSITIVE_INFINITY,
            Float.NEGATIVE_INFINITY,
            -0f,
            0f,
            Float.MIN_VALUE,
            -Float.MIN_NORMAL,
            Float.MAX_VALUE,
            -Float.MAX_VALUE,
            1e20f,
            -1e-20f,
            3e38f
        };
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = switch (kind) {
                case 0 -> -0f;
                case 1 -> (float) (gauss(rng) * Math.pow(10, rng.nextInt(-30, 30)));
                case 2 -> rng.nextInt(16) == 0 ? special[rng.nextInt(special.length)] : (float) gauss(rng);
                default -> rng.nextInt(3) == 0 ? 3e38f : -1e38f;
            };
        }
        return a;
    }

    @Test
    void multiRowKernelsAddLanesInTheDocumentedOrderForAwkwardValuesAndLengths() {
        SplittableRandom rng = new SplittableRandom(53);
        int lanes = Kernels.vectorAvailable() ? jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length() : 1;
        for (Kernels k : twins()) {
            boolean vector = k == Kernels.vector();
            for (int kind = 0; kind < 4; kind++) {
                for (int n : new int[] {0, 1, 5, 15, 16, 17, 31, 33, 511, 512, 513, 1023, 1024, 1040, 2048, 2063}) {
                    for (int g : new int[] {1, 4, 5, 8}) {
                        int stride = n + 3;
                        float[] a = awkward(rng, 2 + g * stride, kind);
                        float[] b = awkward(rng, 1 + g * stride, kind);
                        double[] cross = new double[g * g];
                        k.crossRowsInto(a, 2, stride, b, 1, stride, g, n, cross);
                        double[] sums = new double[2 * g];
                        k.totalAndSquaresRows(a, 2, stride, g, n, sums);
                        for (int u = 0; u < g; u++) {
                            String what = k.name() + " kind=" + kind + " n=" + n + " g=" + g + " row " + u;
                            double[] one = new double[2];
                            k.totalAndSquares(a, 2 + u * stride, n, one);
                            sameBits(sums[2 * u], one[0], what + " sum");
                            sameBits(sums[2 * u + 1], one[1], what + " squares");
                            if (vector) {
                                double[] model = laneOrderSumAndSquares(a, 2 + u * stride, n, lanes);
                                sameBits(sums[2 * u], model[0], what + " sum (model)");
                                sameBits(sums[2 * u + 1], model[1], what + " squares (model)");
                            }
                            for (int w = 0; w < g; w++) {
                                double dot = k.dotProduct(a, 2 + u * stride, b, 1 + w * stride, n);
                                sameBits(cross[u * g + w], dot, what + " x " + w);
                                if (vector) {
                                    sameBits(
                                            cross[u * g + w],
                                            laneOrderDot(a, 2 + u * stride, b, 1 + w * stride, n, lanes),
                                            what + " x " + w + " (model)");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void multiRowKernelsFollowOneSummationOrderInEveryJitTier() {
        assumeTrue(Kernels.vectorAvailable(), "vector twin not available");
        int lanes = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
        SplittableRandom rng = new SplittableRandom(59);
        int stride = 2100;
        // Magnitudes from 1e-30 to 1e30: sums of three or more lanes then depend on the order they are added in.
        float[] a = awkward(rng, 4 * stride + 8, 1);
        float[] b = data(rng, 4 * stride + 8, -0.2);
        double[] cross = new double[16];
        double[] sums = new double[8];
        for (int call = 0; call < 12_000; call++) {
            int n = (call * 7919) % 2090;
            int off = call % 5;
            Kernels.vector().crossRowsInto(a, off, stride, b, 3, stride, 4, n, cross);
            Kernels.vector().totalAndSquaresRows(a, off, stride, 4, n, sums);
            if (call % 7 != 0) {
                continue;
            }
            for (int u = 0; u < 4; u++) {
                double[] model = laneOrderSumAndSquares(a, off + u * stride, n, lanes);
                sameBits(sums[2 * u], model[0], "call " + call + " n=" + n + " sum " + u);
                sameBits(sums[2 * u + 1], model[1], "call " + call + " n=" + n + " squares " + u);
                for (int w = 0; w < 4; w++) {
                    sameBits(
                            cross[u * 4 + w],
                            laneOrderDot(a, off + u * stride, b, 3 + w * stride, n, lanes),
                            "call " + call + " n=" + n + " (" + u + "," + w + ")");
                }
            }
        }
    }

    @Test
    void crossRowsTwinsAgreeWithDotProducts() {
        assumeTrue(Kernels.vectorAvailable(), "vector twin not available");
        SplittableRandom rng = new SplittableRandom(29);
        for (int g : new int[] {1, 3, 4, 8, 9, 15}) {
            for (int n : new int[] {0, 1, 15, 16, 17, 511, 512, 513, 2048, 5000}) {
                int stride = n + 7;
                float[] a = data(rng, g * stride + 4, 0.1);
                float[] b = data(rng, g * stride + 6, -0.2);
                double[] v = new double[g * g + 2];
                double[] sc = new double[g * g + 2];
                Kernels.vector().crossRowsInto(a, 4, stride, b, 6, stride, g, n, v);
                Kernels.scalar().crossRowsInto(a, 4, stride, b, 6, stride, g, n, sc);
                for (int u = 0; u < g; u++) {
                    for (int w = 0; w < g; w++) {
                        double scale = Math.sqrt(Kernels.scalar().sumOfSquares(a, 4 + u * stride, n)
                                * Kernels.scalar().sumOfSquares(b, 6 + w * stride, n));
                        close(v[u * g + w], sc[u * g + w], scale, "g=" + g + " n=" + n + " (" + u + "," + w + ")");
                        // Same summation order as dot, lanes included: bit for bit.
                        assertThat(v[u * g + w])
                                .as("vs dot")
                                .isEqualTo(Kernels.vector().dotProduct(a, 4 + u * stride, b, 6 + w * stride, n));
                    }
                }
                assertThat(v[g * g]).isZero();
            }
        }
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
        float[] a = new float[100_000];
        for (int i = 0; i < a.length; i++) {
            a[i] = (float) (1 + 0.01 * gauss(rng));
        }
        float[] b = a.clone();
        for (Kernels k : kernels()) {
            assertThat(k.pearsonCorrelation(a, b)).isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
        }
    }

    @Test
    void sumAndSquaresIsSumAndSumSquaresBitForBitInBothTwins() {
        SplittableRandom rng = new SplittableRandom(23);
        for (Kernels k : twins()) {
            for (int n : new int[] {0, 1, 7, 16, 17, 511, 512, 513, 2048, 5632, 20000}) {
                float[] a = data(rng, n + 7, 0.3);
                double[] out = new double[2];
                k.totalAndSquares(a, 5, n, out);
                assertThat(out[0]).as(k.name() + " sum n=" + n).isEqualTo(k.total(a, 5, n));
                assertThat(out[1]).as(k.name() + " squares n=" + n).isEqualTo(k.sumOfSquares(a, 5, n));
            }
        }
    }

    @Test
    void sumAndSquaresRowsIsEachRowsOwnCallBitForBitInBothTwins() {
        SplittableRandom rng = new SplittableRandom(31);
        for (Kernels k : twins()) {
            for (int n : new int[] {0, 1, 7, 16, 17, 511, 512, 513, 2048, 2055}) {
                for (int rows : new int[] {0, 1, 3, 4, 5, 8, 9}) {
                    int stride = n + 3;
                    float[] a = data(rng, 5 + rows * stride + 2, 0.7);
                    double[] out = new double[2 * rows + 1];
                    out[2 * rows] = 42;
                    k.totalAndSquaresRows(a, 5, stride, rows, n, out);
                    double[] one = new double[2];
                    for (int r = 0; r < rows; r++) {
                        k.totalAndSquares(a, 5 + r * stride, n, one);
                        String what = k.name() + " n=" + n + " rows=" + rows + " row " + r;
                        assertThat(out[2 * r]).as(what + " sum").isEqualTo(one[0]);
                        assertThat(out[2 * r + 1]).as(what + " squares").isEqualTo(one[1]);
                    }
                    assertThat(out[2 * rows]).as("untouched past the rows").isEqualTo(42);
                }
            }
        }
    }

    @Test
    void anyNonFiniteFindsEveryNanAndInfinityAndNothingElse() {
        float[] finite = {0f, -0f, Float.MAX_VALUE, -Float.MAX_VALUE, Float.MIN_VALUE, Float.MIN_NORMAL, 1e30f, -3f};
        float[] bad = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Float.intBitsToFloat(0xffc00001)};
        SplittableRandom rng = new SplittableRandom(29);
        for (Kernels k : twins()) {
            for (int n : new int[] {1, 15, 16, 17, 100, 2048}) {
                float[] a = data(rng, n + 6, 0);
                for (int i = 0; i < n; i++) {
                    a[3 + i] = i < finite.length ? finite[i] : a[3 + i];
                }
                a[1] = Float.NaN; // outside the range
                a[3 + n + 1] = Float.POSITIVE_INFINITY;
                assertThat(k.hasNonFinite(a, 3, n))
                        .as(k.name() + " finite n=" + n)
                        .isFalse();
                for (float x : bad) {
                    for (int at : new int[] {0, n / 2, n - 1}) {
                        float[] b = a.clone();
                        b[3 + at] = x;
                        assertThat(k.hasNonFinite(b, 3, n))
                                .as(k.name() + " " + x + " at " + at + " of " + n)
                                .isTrue();
                    }
                }
            }
            assertThat(k.hasNonFinite(new float[4], 2, 0)).isFalse();
        }
    }

    /** The scalar twin, and the vector twin where it runs. */
    private static java.util.List<Kernels> twins() {
        return Kernels.vectorAvailable()
                ? java.util.List.of(Kernels.scalar(), Kernels.vector())
                : java.util.List.of(Kernels.scalar());
    }

    @Test
    void activeTwinIsVectorWhenAvailable() {
        System.out.println("kernels active: " + VectorSupport.numeric().name());
        if (Kernels.vectorAvailable()) {
            assertThat(VectorSupport.numeric()).isSameAs(Kernels.vector());
        }
    }

    private static java.util.List<Kernels> kernels() {
        return Kernels.vectorAvailable()
                ? java.util.List.of(Kernels.scalar(), Kernels.vector())
                : java.util.List.of(Kernels.scalar());
    }
}
