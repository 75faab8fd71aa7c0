package dev.pedigree.bench;

import dev.pedigree.stats.LinearAssignment;
import dev.pedigree.stats.Matrix;
import java.util.SplittableRandom;

/**
 * Micro benchmark (not a test): times {@link LinearAssignment#maximise} on random dense instances, both on uniform
 * scores and on cosine matrices of random Gaussian rows (the φ_U workload). Run with
 * {@code ./bench main LapBenchmark [n...]}.
 */
public final class LapBenchmark {
    private LapBenchmark() {}

    public static void main(String[] args) {
        int[] sizes = args.length == 0
                ? new int[] {500, 1000, 2000}
                : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        SplittableRandom rng = new SplittableRandom(1);
        // warm-up
        LinearAssignment.maximise(uniform(rng, 300), 300, 300);
        for (int n : sizes) {
            double[] u = uniform(rng, n);
            long t0 = System.nanoTime();
            LinearAssignment.maximise(u, n, n);
            long t1 = System.nanoTime();
            Matrix a = RandomMatrices.gaussian(rng, n, 256, 0, 1).normaliseRows();
            Matrix b = RandomMatrices.gaussian(rng, n, 256, 0, 1).normaliseRows();
            long t2 = System.nanoTime();
            Matrix c = a.multiplyTransposed(b);
            long t3 = System.nanoTime();
            LinearAssignment.maximise(c.data(), n, n);
            long t4 = System.nanoTime();
            System.out.printf(
                    java.util.Locale.ROOT,
                    "n=%5d  LAP uniform double: %8.1f ms | cosine %dx256 matmul: %7.1f ms, LAP float cosine: %8.1f ms%n",
                    n,
                    (t1 - t0) / 1e6,
                    n,
                    (t3 - t2) / 1e6,
                    (t4 - t3) / 1e6);
        }
    }

    private static double[] uniform(SplittableRandom rng, int n) {
        double[] s = new double[n * n];
        for (int i = 0; i < s.length; i++) {
            s[i] = rng.nextDouble();
        }
        return s;
    }
}
