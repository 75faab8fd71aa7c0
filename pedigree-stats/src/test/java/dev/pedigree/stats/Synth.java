package dev.pedigree.stats;

import java.util.SplittableRandom;

/** Seeded synthetic matrices for calibration and detection tests. */
public final class Synth {
    private Synth() {}

    /** Families of independent random matrices used for calibration. */
    public enum Family {
        GAUSSIAN,
        HEAVY_TAILED,
        LOW_RANK,
        POSITIVE_MEAN
    }

    public static Matrix random(Family f, SplittableRandom rng, int rows, int cols) {
        return switch (f) {
            case GAUSSIAN -> gaussian(rng, rows, cols, 0, 1);
            case HEAVY_TAILED -> heavy(rng, rows, cols);
            case LOW_RANK -> lowRank(rng, rows, cols, 4);
            case POSITIVE_MEAN -> gaussian(rng, rows, cols, 1, 0.01);
        };
    }

    public static double gauss(SplittableRandom rng) {
        // Box-Muller
        double u = 1 - rng.nextDouble();
        double v = rng.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    }

    public static Matrix gaussian(SplittableRandom rng, int rows, int cols, double mean, double sd) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) (mean + sd * gauss(rng));
        }
        return Matrix.of(rows, cols, d);
    }

    /** Student t with 3 degrees of freedom entries. */
    public static Matrix heavy(SplittableRandom rng, int rows, int cols) {
        float[] d = new float[rows * cols];
        for (int i = 0; i < d.length; i++) {
            double chi = 0;
            for (int k = 0; k < 3; k++) {
                double g = gauss(rng);
                chi += g * g;
            }
            d[i] = (float) (gauss(rng) / Math.sqrt(chi / 3));
        }
        return Matrix.of(rows, cols, d);
    }

    /** U·V of rank k plus 10% noise. */
    public static Matrix lowRank(SplittableRandom rng, int rows, int cols, int k) {
        Matrix u = gaussian(rng, rows, k, 0, 1);
        Matrix v = gaussian(rng, cols, k, 0, 1);
        Matrix p = u.multiplyTransposed(v);
        float[] d = p.data();
        for (int i = 0; i < d.length; i++) {
            d[i] += (float) (0.1 * Math.sqrt(k) * gauss(rng));
        }
        return p;
    }

    public static float[] vector(SplittableRandom rng, int n, double mean, double sd) {
        return gaussian(rng, 1, n, mean, sd).data();
    }

    /** Entry standard deviation (centred). */
    public static double sd(float[] d) {
        double s = 0;
        for (float v : d) {
            s += v;
        }
        double m = s / d.length;
        double ss = 0;
        for (float v : d) {
            ss += (v - m) * (v - m);
        }
        return Math.sqrt(ss / d.length);
    }

    /** a + noise with entry sd = rel × sd(a). */
    public static Matrix noisy(Matrix a, double rel, SplittableRandom rng) {
        return Matrix.of(a.rows(), a.cols(), noisy(a.data(), rel, rng));
    }

    public static float[] noisy(float[] a, double rel, SplittableRandom rng) {
        double s = rel * sd(a);
        float[] d = a.clone();
        for (int i = 0; i < d.length; i++) {
            d[i] += (float) (s * gauss(rng));
        }
        return d;
    }

    /** Columns signed-permuted: out[:, j] = sign_j · a[:, perm[j]]. */
    public static Matrix signedPermuteCols(Matrix a, int[] perm, float[] sign) {
        Matrix c = a.colsSubset(perm);
        float[] d = c.data();
        for (int r = 0; r < c.rows(); r++) {
            for (int j = 0; j < c.cols(); j++) {
                d[r * c.cols() + j] *= sign[j];
            }
        }
        return c;
    }

    public static float[] signs(SplittableRandom rng, int n) {
        float[] s = new float[n];
        for (int i = 0; i < n; i++) {
            s[i] = rng.nextBoolean() ? 1f : -1f;
        }
        return s;
    }

    /** m · R where R = product of three random Householder reflections (a dense orthogonal map of the columns). */
    public static Matrix rotateCols(Matrix m, SplittableRandom rng) {
        int d = m.cols();
        float[] out = m.data().clone();
        for (int k = 0; k < 3; k++) {
            double[] v = new double[d];
            double nn = 0;
            for (int i = 0; i < d; i++) {
                v[i] = gauss(rng);
                nn += v[i] * v[i];
            }
            double inv = 1 / Math.sqrt(nn);
            for (int i = 0; i < d; i++) {
                v[i] *= inv;
            }
            for (int r = 0; r < m.rows(); r++) {
                double dot = 0;
                for (int i = 0; i < d; i++) {
                    dot += out[r * d + i] * v[i];
                }
                for (int i = 0; i < d; i++) {
                    out[r * d + i] -= (float) (2 * dot * v[i]);
                }
            }
        }
        return Matrix.of(m.rows(), d, out);
    }
}
