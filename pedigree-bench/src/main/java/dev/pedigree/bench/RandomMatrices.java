package dev.pedigree.bench;

import dev.pedigree.stats.Matrix;
import java.util.SplittableRandom;

/** Seeded Gaussian matrices for the timing harnesses (the values do not matter, only that they are not zero). */
final class RandomMatrices {
    private RandomMatrices() {}

    static Matrix gaussian(SplittableRandom rng, int rows, int cols, double mean, double sd) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            // Box-Muller, one draw per pair of uniforms: enough for a benchmark input
            double u = 1.0 - rng.nextDouble();
            double v = rng.nextDouble();
            d[i] = (float) (mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
        }
        return Matrix.of(rows, cols, d);
    }
}
