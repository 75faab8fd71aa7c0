package dev.pedigree.attest;

import dev.pedigree.model.TensorScan;

/**
 * Moments and extremes of every value of one tensor of a {@link CheckpointSample}, computed in the
 * full pass that also hashes it (not from the sample).
 *
 * @param count values
 * @param mean arithmetic mean
 * @param std population standard deviation
 * @param kurtosis fourth standardised moment (3 for a normal, 1.8 for a uniform); NaN when {@code
 *     std == 0}
 * @param min smallest finite value
 * @param max largest finite value
 * @param zeros values exactly 0
 * @param nonFinite NaN or infinite values (excluded from the moments)
 */
public record CheckpointMoments(
        long count, double mean, double std, double kurtosis, double min, double max, long zeros, long nonFinite) {
    public CheckpointMoments {
        if (count < 0 || zeros < 0 || nonFinite < 0) {
            throw new IllegalArgumentException("negative count in tensor statistics");
        }
    }

    /** Largest distance of a value from the mean, in standard deviations; NaN when std is 0. */
    public double maxAbsZ() {
        if (!(std > 0)) {
            return Double.NaN;
        }
        return Math.max(max - mean, mean - min) / std;
    }

    /** True when every value is the same finite number. */
    public boolean constant() {
        return count > 0 && nonFinite == 0 && min == max;
    }

    /**
     * Accumulates moments around a shift (the first value) to keep the cancellation small, fed by a
     * {@link TensorScan}. Sums are taken chunk by chunk (each chunk's partial sums, then their
     * total), so the recorded values depend on the scan's chunking. One tensor per instance; not
     * thread-safe.
     */
    static final class Accumulator implements TensorScan.Listener {
        @Override
        public void rows(long firstRow, int rowCount, int columns, float[] values) {
            add(values, 0, rowCount * columns);
        }

        private long n;
        private double shift = Double.NaN;
        private double s1;
        private double s2;
        private double s3;
        private double s4;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;
        private long zeros;
        private long nonFinite;

        void add(float[] v, int from, int to) {
            double sh = shift;
            double a1 = 0;
            double a2 = 0;
            double a3 = 0;
            double a4 = 0;
            double lo = min;
            double hi = max;
            long z = 0;
            long bad = 0;
            int counted = 0;
            for (int i = from; i < to; i++) {
                float x = v[i];
                if (!Float.isFinite(x)) {
                    bad++;
                    continue;
                }
                if (sh != sh) {
                    sh = x;
                }
                if (x == 0f) {
                    z++;
                }
                lo = Math.min(lo, x);
                hi = Math.max(hi, x);
                double d = x - sh;
                double d2 = d * d;
                a1 += d;
                a2 += d2;
                a3 += d2 * d;
                a4 += d2 * d2;
                counted++;
            }
            shift = sh;
            s1 += a1;
            s2 += a2;
            s3 += a3;
            s4 += a4;
            min = lo;
            max = hi;
            zeros += z;
            nonFinite += bad;
            n += counted;
        }

        CheckpointMoments finish() {
            if (n == 0) {
                return new CheckpointMoments(
                        0, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, zeros, nonFinite);
            }
            double m1 = s1 / n;
            double e2 = s2 / n;
            double e3 = s3 / n;
            double e4 = s4 / n;
            double var = Math.max(0, e2 - m1 * m1);
            double c4 = e4 - 4 * m1 * e3 + 6 * m1 * m1 * e2 - 3 * m1 * m1 * m1 * m1;
            double std = Math.sqrt(var);
            double kurt = var > 0 ? Math.max(0, c4) / (var * var) : Double.NaN;
            return new CheckpointMoments(n, shift + m1, std, kurt, min, max, zeros, nonFinite);
        }
    }
}
