package dev.pedigree.bench;

import dev.pedigree.kernels.VectorSupport;
import dev.pedigree.stats.Matrix;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Timing harness (not a test) for {@link Matrix#multiplyTransposed}: GFLOP/s = 2·m·n·k / seconds, best of 5 after
 * two warm-up runs, for each shape {@code m×k · (n×k)ᵀ}. Single-threaded figures come from pinning the JVM to one
 * core ({@code taskset -c 0}), which leaves the common pool with one thread besides the caller on that core. Run with
 * {@code ./bench main GemmBenchmark [m,n,k ...]} (prefix {@code taskset -c 0} for one core) (default shapes 1024,1024,2048 and 2048,2048,2048).
 */
public final class GemmBenchmark {
    private GemmBenchmark() {}

    public static void main(String[] args) {
        String[] shapes = args.length == 0 ? new String[] {"1024,1024,2048", "2048,2048,2048"} : args;
        SplittableRandom rng = new SplittableRandom(11);
        System.out.printf(
                Locale.ROOT,
                "kernels=%s cpus=%d%n",
                VectorSupport.numeric().name(),
                Runtime.getRuntime().availableProcessors());
        for (String s : shapes) {
            String[] p = s.split(",");
            int m = Integer.parseInt(p[0]);
            int n = Integer.parseInt(p[1]);
            int k = Integer.parseInt(p[2]);
            Matrix a = RandomMatrices.gaussian(rng, m, k, 0, 1);
            Matrix b = RandomMatrices.gaussian(rng, n, k, 0, 1);
            double flops = 2.0 * m * n * k;
            double best = Double.MAX_VALUE;
            for (int rep = 0; rep < 7; rep++) {
                long t0 = System.nanoTime();
                Matrix c = a.multiplyTransposed(b);
                double sec = (System.nanoTime() - t0) / 1e9;
                if (c.rows() != m) {
                    throw new AssertionError();
                }
                if (rep >= 2) {
                    best = Math.min(best, sec);
                }
            }
            System.out.printf(
                    Locale.ROOT,
                    "%dx%d · (%dx%d)^T: best %.1f ms, %.2f GFLOP/s%n",
                    m,
                    k,
                    n,
                    k,
                    best * 1e3,
                    flops / best / 1e9);
        }
    }
}
