package dev.pedigree.stats.tests;

import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.stats.LinearAssignment;
import dev.pedigree.stats.Matrix;
import java.util.Objects;

/**
 * AWM-style residual alignment: a signed permutation of residual dimensions fitted from the embedding rows of
 * shared tokens (lineage-methods.md §6). It undoes a residual permutation, sign flips (the RMSNorm gauge) and width
 * pruning. The fit itself is <b>not</b> evidence: a LAP over d columns also aligns independent models somewhat, so
 * tests must run on tensors disjoint from the embeddings it was fitted on. Stateless, thread-safe.
 */
public final class ResidualAlignment {

    private ResidualAlignment() {}

    /**
     * A signed partial permutation mapping model A's residual basis to model B's: B's dimension j corresponds to
     * {@code sign[j] ×} A's dimension {@code index[j]}; {@code index[j] == -1} (with sign 0) marks a B dimension
     * with no partner (when B is wider than A). Immutable (defensive copies).
     *
     * @param index for each B dimension, the A dimension, or −1
     * @param sign ±1 (0 for unmatched)
     * @param meanAbsCos mean |correlation| over the matched pairs (goodness of fit, not evidence)
     */
    public record SignedPermutation(int[] index, float[] sign, double meanAbsCos) {
        /** Validates lengths; copies the arrays. */
        public SignedPermutation {
            if (index.length != sign.length) {
                throw new IllegalArgumentException("index/sign length mismatch");
            }
            index = index.clone();
            sign = sign.clone();
        }

        @Override
        public int[] index() {
            return index.clone();
        }

        @Override
        public float[] sign() {
            return sign.clone();
        }

        /**
         * Re-expresses a matrix whose columns are in A's residual basis (e.g. A's Wq, out × d_A) in B's basis:
         * {@code out[r][j] = sign[j] · m[r][index[j]]} (0 for unmatched j); the result has {@code index.length}
         * columns.
         *
         * @throws IllegalArgumentException if an index is out of range for {@code m}
         */
        public Matrix applyToColumns(Matrix m) {
            int dOut = index.length;
            for (int j = 0; j < dOut; j++) {
                if (index[j] >= m.cols()) {
                    throw new IllegalArgumentException("index " + index[j] + " out of range for " + m);
                }
            }
            float[] src = m.data();
            float[] out = new float[Math.multiplyExact(m.rows(), dOut)];
            int c = m.cols();
            for (int r = 0; r < m.rows(); r++) {
                int so = r * c;
                int oo = r * dOut;
                for (int j = 0; j < dOut; j++) {
                    if (index[j] >= 0) {
                        out[oo + j] = sign[j] * src[so + index[j]];
                    }
                }
            }
            return Matrix.of(m.rows(), dOut, out);
        }
    }

    /**
     * Fits the signed permutation: columns are residual dimensions and rows the shared tokens (same order in both).
     * Each column is centred over tokens and normalised, the d_B × d_A matrix of correlations C is formed by
     * {@link Matrix#multiplyTransposed}, and a LAP maximises Σ|C| (rectangular when the widths differ); the sign is
     * that of the matched correlation.
     *
     * @throws IllegalArgumentException if the token counts differ or fewer than 2 tokens are given
     */
    public static SignedPermutation fit(Matrix embA, Matrix embB) {
        Objects.requireNonNull(embA, "embA");
        if (embA.rows() != embB.rows()) {
            throw new IllegalArgumentException("token count mismatch " + embA.rows() + " vs " + embB.rows());
        }
        if (embA.rows() < 2) {
            throw new IllegalArgumentException("need at least 2 shared tokens");
        }
        int dA = embA.cols();
        int dB = embB.cols();
        Matrix colsA = embA.transpose().centreAndNormaliseRows();
        Matrix colsB = embB.transpose().centreAndNormaliseRows();
        // One width × width matrix only (the largest allocation of a compare): |cosines| in place,
        // oriented so that the narrower side is matched into the wider one; the signs of the
        // assigned pairs are recomputed afterwards from the columns.
        boolean bRows = dB <= dA;
        float[] abs = bRows
                ? colsB.multiplyTransposed(colsA).data()
                : colsA.multiplyTransposed(colsB).data();
        for (int i = 0; i < abs.length; i++) {
            abs[i] = Math.abs(abs[i]);
        }
        int[] asg = bRows ? LinearAssignment.maximise(abs, dB, dA) : LinearAssignment.maximise(abs, dA, dB);
        abs = null;
        int[] index = new int[dB];
        float[] sign = new float[dB];
        java.util.Arrays.fill(index, -1);
        double sumAbs = 0;
        int matched = 0;
        int n = colsA.cols();
        for (int x = 0; x < asg.length; x++) {
            int j = bRows ? x : asg[x];
            int i = bRows ? asg[x] : x;
            index[j] = i;
            double v = Kernels.dot(colsB.data(), j * n, colsA.data(), i * n, n);
            sign[j] = v < 0 ? -1f : 1f;
            sumAbs += Math.abs(v);
            matched++;
        }
        return new SignedPermutation(index, sign, matched == 0 ? 0 : sumAbs / matched);
    }
}
