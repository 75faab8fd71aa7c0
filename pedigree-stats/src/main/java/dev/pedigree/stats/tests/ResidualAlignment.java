package dev.pedigree.stats.tests;

import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.stats.LinearAssignment;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.SparseAssignment;
import java.util.Objects;

/**
 * AWM-style residual alignment: a signed permutation of residual dimensions fitted from the embedding rows of
 * shared tokens (lineage-methods.md §6). It undoes a residual permutation, sign flips (the RMSNorm gauge) and width
 * pruning. The fit itself is <b>not</b> evidence: a LAP over d columns also aligns independent models somewhat, so
 * tests must run on tensors disjoint from the embeddings it was fitted on. Stateless, thread-safe.
 */
public final class ResidualAlignment {

    /** Largest dense |correlation| matrix (entries): 4,096 × 4,096, 64 MB of floats. */
    static final long DENSE_MAX_ENTRIES = 4096L * 4096L;

    /** Candidate partners kept per dimension above {@link #DENSE_MAX_ENTRIES}. */
    static final int CANDIDATES = 32;

    /** Entries of one band of the |correlation| matrix computed at a time above {@link #DENSE_MAX_ENTRIES}. */
    private static final int BAND_ENTRIES = 1 << 21;

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
     * {@link Matrix#multiplyTransposed}, and a LAP maximises Σ|C| (rectangular when the widths differ; above
     * 4,096 × 4,096, an auction on each dimension's 32 best candidates, see {@link #sparse}); the sign is that of
     * the matched correlation.
     *
     * @throws IllegalArgumentException if the token counts differ or fewer than 2 tokens are given
     */
    public static SignedPermutation fit(Matrix embA, Matrix embB) {
        return fit(embA, embB, DENSE_MAX_ENTRIES);
    }

    /** {@link #fit(Matrix, Matrix)} with the dense solver's size limit given (tests force the sparse path). */
    static SignedPermutation fit(Matrix embA, Matrix embB, long denseMaxEntries) {
        Objects.requireNonNull(embA, "embA");
        if (embA.rows() != embB.rows()) {
            throw new IllegalArgumentException("token count mismatch " + embA.rows() + " vs " + embB.rows());
        }
        if (embA.rows() < 2) {
            throw new IllegalArgumentException("need at least 2 shared tokens");
        }
        return fitColumns(embA.transpose(), embB.transpose(), denseMaxEntries);
    }

    /**
     * {@link #fit(Matrix, Matrix)} given the two matrices transposed (residual dimensions × tokens), which it
     * centres and normalises in place ({@link Matrix#centreAndNormaliseRowsInPlace}): the same alignment as {@code
     * fit(colsA.transpose(), colsB.transpose())}, bit for bit, without a copy of either side. For callers that build
     * the transposed matrices themselves (a held-out fit stacks tens of MB of rows); their contents are consumed.
     *
     * @throws IllegalArgumentException if the token counts differ or fewer than 2 tokens are given
     */
    public static SignedPermutation fitColumns(Matrix colsA, Matrix colsB) {
        Objects.requireNonNull(colsA, "colsA");
        if (colsA.cols() != colsB.cols()) {
            throw new IllegalArgumentException("token count mismatch " + colsA.cols() + " vs " + colsB.cols());
        }
        if (colsA.cols() < 2) {
            throw new IllegalArgumentException("need at least 2 shared tokens");
        }
        return fitColumns(colsA, colsB, DENSE_MAX_ENTRIES);
    }

    private static SignedPermutation fitColumns(Matrix rawA, Matrix rawB, long denseMaxEntries) {
        int dA = rawA.rows();
        int dB = rawB.rows();
        Matrix colsA = rawA.centreAndNormaliseRowsInPlace();
        Matrix colsB = rawB.centreAndNormaliseRowsInPlace();
        boolean bRows = dB <= dA;
        Matrix rowSide = bRows ? colsB : colsA;
        Matrix colSide = bRows ? colsA : colsB;
        int[] asg = (long) rowSide.rows() * colSide.rows() <= denseMaxEntries
                ? dense(rowSide, colSide)
                : sparse(rowSide, colSide);
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

    /**
     * One width × width matrix of |correlations| (the largest allocation of a compare at these widths), matched
     * exactly by {@link LinearAssignment}; the signs of the assigned pairs are recomputed afterwards.
     */
    private static int[] dense(Matrix rowSide, Matrix colSide) {
        float[] abs = rowSide.multiplyTransposed(colSide).data();
        for (int i = 0; i < abs.length; i++) {
            abs[i] = Math.abs(abs[i]);
        }
        return LinearAssignment.maximise(abs, rowSide.rows(), colSide.rows());
    }

    /**
     * Widths whose dense matrix would not fit the launcher's heap (an 8,192-wide model's is 268 MB, a 16,384-wide
     * one's 1 GB): each row keeps its {@link #CANDIDATES} largest |correlations|, computed a band of rows at a
     * time, and {@link SparseAssignment} matches along those edges. A dimension whose true partner is among its
     * candidates (any related pair) is matched as the dense solver would; one whose candidates all went to others
     * takes a free column, which only weakens the alignment, never a test's validity (tests run on other tensors).
     */
    private static int[] sparse(Matrix rowSide, Matrix colSide) {
        int n = rowSide.rows();
        int m = colSide.rows();
        int k = Math.min(m, CANDIDATES);
        int[] start = new int[n + 1];
        int[] column = new int[n * k];
        float[] score = new float[n * k];
        int band = Math.max(1, BAND_ENTRIES / m);
        for (int r0 = 0; r0 < n; r0 += band) {
            int r1 = Math.min(n, r0 + band);
            int[] rows = new int[r1 - r0];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = r0 + i;
            }
            float[] c = rowSide.rowsSubset(rows).multiplyTransposed(colSide).data();
            for (int i = 0; i < rows.length; i++) {
                topK(c, i * m, m, k, column, score, (r0 + i) * k);
            }
        }
        for (int i = 0; i <= n; i++) {
            start[i] = i * k;
        }
        int[] asg = SparseAssignment.maximise(n, m, start, column, score);
        // Dimensions left without a candidate (|correlations| near 0 in any case) take the free columns in order,
        // so that every dimension of the narrower side has a partner, as with the dense solver.
        boolean[] taken = new boolean[m];
        for (int j : asg) {
            if (j >= 0) {
                taken[j] = true;
            }
        }
        int free = 0;
        for (int i = 0; i < n; i++) {
            if (asg[i] < 0) {
                while (taken[free]) {
                    free++;
                }
                asg[i] = free;
                taken[free] = true;
            }
        }
        return asg;
    }

    /** The {@code k} largest |values| of {@code c[off .. off+m)} with their columns, into {@code column}/{@code score} at {@code at}. */
    static void topK(float[] c, int off, int m, int k, int[] column, float[] score, int at) {
        // A min-heap on score of the k best so far, kept in place in the output slots.
        int size = 0;
        for (int j = 0; j < m; j++) {
            float v = Math.abs(c[off + j]);
            if (size < k) {
                int x = size++;
                while (x > 0 && score[at + (x - 1) / 2] > v) {
                    score[at + x] = score[at + (x - 1) / 2];
                    column[at + x] = column[at + (x - 1) / 2];
                    x = (x - 1) / 2;
                }
                score[at + x] = v;
                column[at + x] = j;
            } else if (v > score[at]) {
                int x = 0;
                while (true) {
                    int l = 2 * x + 1;
                    if (l >= k) {
                        break;
                    }
                    int s = l + 1 < k && score[at + l + 1] < score[at + l] ? l + 1 : l;
                    if (score[at + s] >= v) {
                        break;
                    }
                    score[at + x] = score[at + s];
                    column[at + x] = column[at + s];
                    x = s;
                }
                score[at + x] = v;
                column[at + x] = j;
            }
        }
    }
}
