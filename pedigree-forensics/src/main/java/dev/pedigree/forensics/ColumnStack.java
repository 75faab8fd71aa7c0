package dev.pedigree.forensics;

import dev.pedigree.stats.Matrix;
import java.util.Arrays;

/**
 * Matrices of one width stacked by rows and transposed (width × stacked rows), written one matrix at a time into
 * one array sized from an upper bound on the rows: the values of {@code stackRows(ms).transpose()} without either the
 * list of matrices or the stacked copy alive beside it. A held-out fit over every block of a stack at {@link
 * HeldOutMatching#MAX_FLOATS} held four copies of the blocks' weights at once (sections, stacked, transposed,
 * normalised) and ran a 384-wide 9-block pair out of the launcher's 512 MB heap; with this it holds the stacked
 * columns only, normalised in place ({@link dev.pedigree.stats.tests.ResidualAlignment#fitColumns}).
 */
final class ColumnStack {
    private final int width;
    private final int capacity;
    private final float[] data;
    private int used;
    private boolean mismatch;

    /** Room for {@code capacity} stacked rows of {@code width} columns. */
    ColumnStack(int width, long capacity) {
        this.width = width;
        this.capacity = Math.toIntExact(capacity);
        this.data = new float[Math.multiplyExact(width, this.capacity)];
    }

    /** Appends {@code m}'s rows (its columns must number {@link #width}; otherwise the stack is void). */
    void add(Matrix m) {
        if (m.cols() != width || used + m.rows() > capacity) {
            mismatch = true;
            return;
        }
        float[] d = m.data();
        int h = m.rows();
        final int tile = 16;
        for (int c0 = 0; c0 < width; c0 += tile) {
            int c1 = Math.min(width, c0 + tile);
            for (int r0 = 0; r0 < h; r0 += tile) {
                int r1 = Math.min(h, r0 + tile);
                for (int c = c0; c < c1; c++) {
                    int o = c * capacity + used;
                    for (int r = r0; r < r1; r++) {
                        data[o + r] = d[r * width + c];
                    }
                }
            }
        }
        used += h;
    }

    /** Rows stacked so far. */
    int rows() {
        return used;
    }

    /**
     * Width × stacked rows; null when nothing was added or a matrix had another width. The stack's own array when
     * it was filled to its capacity (the usual case), else a compacted copy.
     */
    Matrix columns() {
        if (mismatch || used == 0) {
            return null;
        }
        if (used == capacity) {
            return Matrix.of(width, used, data);
        }
        for (int c = 1; c < width; c++) {
            System.arraycopy(data, c * capacity, data, c * used, used);
        }
        return Matrix.of(width, used, Arrays.copyOf(data, width * used));
    }
}
