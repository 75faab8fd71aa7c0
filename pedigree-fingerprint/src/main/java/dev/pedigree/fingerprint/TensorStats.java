package dev.pedigree.fingerprint;

import dev.pedigree.model.TensorScan;

/**
 * Summary statistics of all values of one tensor (float32, canonical layout; non-finite values
 * are counted in {@code nonFinite} and left out of the moments).
 *
 * @param mean mean of the finite values
 * @param std population standard deviation of the finite values
 * @param rms root mean square (Frobenius norm / √n)
 * @param min smallest finite value (0 when none)
 * @param max largest finite value (0 when none)
 * @param nonFinite number of NaN or infinite values
 * @param constant every value equal (all zeros, all ones, ...): such a tensor says nothing about
 *     lineage when its hash matches
 */
public record TensorStats(
        double mean, double std, double rms, double min, double max, long nonFinite, boolean constant) {

    /**
     * Accumulates the statistics during a {@link TensorScan}: plain sums of the finite values in
     * scan order (the values of every fingerprint file depend on this order and grouping), and
     * "constant" by the values' canonical hash bits, so −0.0 equals +0.0 and NaNs equal each other.
     * One tensor per instance; not thread-safe.
     */
    static final class Accumulator implements TensorScan.Listener {
        private double sum;
        private double sumSq;
        private long finite;
        private long nonFinite;
        private double min = Double.POSITIVE_INFINITY;
        private double max = Double.NEGATIVE_INFINITY;
        private boolean constant = true;
        private int firstBits;
        private boolean first = true;

        @Override
        public void rows(long firstRow, int rowCount, int columns, float[] values) {
            int n = rowCount * columns;
            for (int i = 0; i < n; i++) {
                float v = values[i];
                int bits = TensorScan.canonicalBits(v);
                if (first) {
                    firstBits = bits;
                    first = false;
                } else if (bits != firstBits) {
                    constant = false;
                }
                if (Float.isFinite(v)) {
                    finite++;
                    sum += v;
                    sumSq += (double) v * v;
                    min = Math.min(min, v);
                    max = Math.max(max, v);
                } else {
                    nonFinite++;
                }
            }
        }

        TensorStats finish() {
            double mean = finite == 0 ? 0 : sum / finite;
            double var = finite == 0 ? 0 : Math.max(0, sumSq / finite - mean * mean);
            return new TensorStats(
                    mean,
                    Math.sqrt(var),
                    finite == 0 ? 0 : Math.sqrt(sumSq / finite),
                    finite == 0 ? 0 : min,
                    finite == 0 ? 0 : max,
                    nonFinite,
                    constant);
        }
    }
}
