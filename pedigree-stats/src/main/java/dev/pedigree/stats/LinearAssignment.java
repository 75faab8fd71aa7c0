package dev.pedigree.stats;

import java.util.Arrays;

/**
 * Dense rectangular linear assignment (maximisation) by shortest augmenting paths with dual potentials
 * (Jonker–Volgenant / Kuhn–Munkres with Dijkstra-style augmentation): rows are inserted one at a time and each is
 * connected by a shortest alternating path in reduced costs, so the run time is O(rows² · cols) worst case and the
 * memory O(cols) beyond the score matrix. Everything is in primitive arrays; no per-edge objects.
 *
 * <p>Stateless and thread-safe; the score array is only read.
 */
public final class LinearAssignment {

    private LinearAssignment() {}

    /**
     * Maximises {@code Σ_i score[i·cols + assignment[i]]} over injective assignments of rows to columns.
     *
     * @param score row-major {@code rows × cols} scores, all finite (callers neutralise non-finite inputs first,
     *     see {@link NonFiniteCount})
     * @return for each row the column assigned to it (distinct columns)
     * @throws IllegalArgumentException if {@code rows > cols}, the array length is wrong, or a score is not finite
     *     (the message names its row and column)
     */
    public static int[] maximise(double[] score, int rows, int cols) {
        checkShape(score.length, rows, cols);
        for (int i = 0; i < score.length; i++) {
            if (!Double.isFinite(score[i])) {
                throw nonFinite(score[i], i, cols);
            }
        }
        return solve(i -> score[i], rows, cols);
    }

    /**
     * Float-score twin of {@link #maximise(double[], int, int)}, for large cosine matrices where a double copy would
     * double the memory (an h×h float matrix for h = 11008 is 485 MB). Potentials are still kept in double.
     */
    public static int[] maximise(float[] score, int rows, int cols) {
        checkShape(score.length, rows, cols);
        for (int i = 0; i < score.length; i++) {
            if (!Float.isFinite(score[i])) {
                throw nonFinite(score[i], i, cols);
            }
        }
        return solve(i -> score[i], rows, cols);
    }

    /**
     * A caller bug: non-finite weights are a property of the input and are neutralised before any matching
     * ({@link NonFiniteCount}), so a non-finite score here means a caller skipped that.
     */
    private static IllegalArgumentException nonFinite(double v, int index, int cols) {
        return new IllegalArgumentException("non-finite score " + v + " at row " + index / cols + ", column "
                + index % cols + " (callers neutralise non-finite inputs before matching; see NonFiniteCount)");
    }

    /** Scores by flat row-major index; two implementations keep the inner loop's call bimorphic. */
    private interface Scores {
        double at(int index);
    }

    /** Shortest augmenting path (Jonker–Volgenant style) on {@code -score}, potentials in double. */
    private static int[] solve(Scores score, int rows, int cols) {
        int n = rows;
        int m = cols;
        double[] u = new double[n + 1];
        double[] v = new double[m + 1];
        int[] p = new int[m + 1];
        int[] way = new int[m + 1];
        double[] minv = new double[m + 1];
        boolean[] used = new boolean[m + 1];
        for (int i = 1; i <= n; i++) {
            p[0] = i;
            int j0 = 0;
            Arrays.fill(minv, Double.POSITIVE_INFINITY);
            Arrays.fill(used, false);
            do {
                used[j0] = true;
                int i0 = p[j0];
                double ui0 = u[i0];
                int base = (i0 - 1) * m - 1;
                double delta = Double.POSITIVE_INFINITY;
                int j1 = 0;
                for (int j = 1; j <= m; j++) {
                    if (!used[j]) {
                        double cur = -score.at(base + j) - ui0 - v[j];
                        if (cur < minv[j]) {
                            minv[j] = cur;
                            way[j] = j0;
                        }
                        if (minv[j] < delta) {
                            delta = minv[j];
                            j1 = j;
                        }
                    }
                }
                for (int j = 0; j <= m; j++) {
                    if (used[j]) {
                        u[p[j]] += delta;
                        v[j] -= delta;
                    } else {
                        minv[j] -= delta;
                    }
                }
                j0 = j1;
            } while (p[j0] != 0);
            do {
                int j1 = way[j0];
                p[j0] = p[j1];
                j0 = j1;
            } while (j0 != 0);
        }
        return extract(p, n, m);
    }

    /** Total score of an assignment, in double. */
    public static double total(double[] score, int cols, int[] assignment) {
        double s = 0;
        for (int i = 0; i < assignment.length; i++) {
            s += score[i * cols + assignment[i]];
        }
        return s;
    }

    private static int[] extract(int[] p, int n, int m) {
        int[] assignment = new int[n];
        Arrays.fill(assignment, -1);
        for (int j = 1; j <= m; j++) {
            if (p[j] != 0) {
                assignment[p[j] - 1] = j - 1;
            }
        }
        return assignment;
    }

    private static void checkShape(int length, int rows, int cols) {
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
        }
        if (rows > cols) {
            throw new IllegalArgumentException("rows " + rows + " > cols " + cols + ": transpose the problem");
        }
        if ((long) rows * cols != length) {
            throw new IllegalArgumentException("score length " + length + " != " + rows + "x" + cols);
        }
        if ((long) rows * cols > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("score matrix too large");
        }
    }
}
