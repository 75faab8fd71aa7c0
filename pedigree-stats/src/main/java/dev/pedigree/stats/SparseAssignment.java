package dev.pedigree.stats;

import java.util.Arrays;

/**
 * Rectangular assignment (maximisation) on a sparse set of candidate edges, for matchings too wide for a dense
 * score matrix: each row lists its own candidate columns (typically its top-k scores), and the memory is
 * O(rows · k + cols) instead of O(rows · cols).
 *
 * <p>Solved by Bertsekas's forward auction, in one phase from zero prices with ε = 10⁻⁴ × the largest score (no
 * ε-scaling: with more columns than rows, a column nobody bids on must keep price 0 for the result to be optimal).
 * The result is optimal for the candidate edges to within {@code rows · ε} of the total score. Edges of score 0
 * are ignored: rows that share nothing but such candidates would bid each other up ε at a time (a 9,216-row
 * problem with 100 such rows took 16 s before), and they lose nothing by taking their fallback. Every row also has
 * a private fallback, worth less than any real edge can be (−(2·max + 1)), so a row whose candidates all go to
 * others is left unassigned (−1) rather than making the problem infeasible, and no row prefers it to a candidate
 * it can have. Deterministic: rows bid in index order. On 9,216 × 9,216 with 32 candidates per row it takes under
 * a second for random scores and 0.1 s for a planted matching (which it finds exactly).
 *
 * <p>Stateless and thread-safe; the arrays are only read.
 */
public final class SparseAssignment {
    private static final double EPSILON = 1e-4;

    private SparseAssignment() {}

    /**
     * Maximises the total score over injective partial assignments of rows to columns along the candidate edges.
     *
     * @param rows number of rows
     * @param cols number of columns
     * @param start row {@code i}'s candidates are {@code column[start[i] .. start[i+1])} with scores
     *     {@code score[…]} (length {@code rows + 1}); a column may appear once per row
     * @return for each row its column, or −1 when none of its candidates was left to it
     * @throws IllegalArgumentException if the arrays are inconsistent or a score is negative or not finite
     */
    public static int[] maximise(int rows, int cols, int[] start, int[] column, float[] score) {
        if (start.length != rows + 1
                || start[0] != 0
                || start[rows] != column.length
                || column.length != score.length) {
            throw new IllegalArgumentException("inconsistent candidate lists for " + rows + " rows");
        }
        double top = 0;
        for (int e = 0; e < score.length; e++) {
            if (!(score[e] >= 0) || !Float.isFinite(score[e])) {
                throw new IllegalArgumentException(
                        "score " + score[e] + " of edge " + e + " is negative or not finite");
            }
            if (column[e] < 0 || column[e] >= cols) {
                throw new IllegalArgumentException("column " + column[e] + " out of range 0.." + (cols - 1));
            }
            top = Math.max(top, score[e]);
        }
        int[] assigned = new int[rows];
        Arrays.fill(assigned, -1);
        if (top == 0) {
            return assigned;
        }
        double[] price = new double[cols];
        int[] owner = new int[cols];
        Arrays.fill(owner, -1);
        // One phase from zero prices, no ε-scaling: with more columns than rows a column nobody bids on keeps
        // price 0, which (with ε-complementary slackness) makes the result optimal to within rows · ε.
        phase(rows, start, column, score, price, owner, assigned, top * EPSILON, -(2 * top + 1));
        return assigned;
    }

    /** One auction phase at {@code eps}: every row bids until each holds a column or its fallback. */
    private static void phase(
            int rows,
            int[] start,
            int[] column,
            float[] score,
            double[] price,
            int[] owner,
            int[] assigned,
            double eps,
            double fallback) {
        int[] queue = new int[rows]; // a ring: each row is queued at most once at a time
        int size = rows;
        for (int i = 0; i < rows; i++) {
            queue[i] = i;
        }
        int head = 0;
        while (size > 0) {
            int i = queue[head];
            head = (head + 1) % rows;
            size--;
            double best = fallback; // net values, the private fallback's included
            double second = fallback;
            int bestEdge = -1;
            for (int e = start[i]; e < start[i + 1]; e++) {
                if (score[e] == 0) {
                    continue; // worth nothing: rows with nothing else would only bid each other up by ε
                }
                double v = score[e] - price[column[e]];
                if (v > best) {
                    second = best;
                    best = v;
                    bestEdge = e;
                } else if (v > second) {
                    second = v;
                }
            }
            if (bestEdge < 0) {
                continue; // takes its fallback: every candidate was bid far above its worth to this row
            }
            int j = column[bestEdge];
            price[j] += best - second + eps;
            int previous = owner[j];
            owner[j] = i;
            assigned[i] = j;
            if (previous >= 0) {
                assigned[previous] = -1;
                queue[(head + size) % rows] = previous;
                size++;
            }
        }
    }
}
