package dev.pedigree.stats;

import dev.pedigree.kernels.VectorSupport;
import dev.pedigree.kernels.numeric.Kernels;
import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Dense row-major {@code float} matrix: entry {@code (r, c)} lives at {@code data[r * cols + c]}.
 *
 * <p><b>Ownership and immutability.</b> The record does not copy {@code data}: the caller hands the array over at
 * construction and must not modify it afterwards. Every method of this class treats the array as read-only and
 * returns new matrices backed by fresh arrays, so a {@code Matrix} is effectively immutable and safe to share
 * between threads once constructed. {@link #data()} exposes the backing array for zero-copy kernels; callers must
 * not write to it.
 *
 * @param rows number of rows, {@code >= 0}
 * @param cols number of columns, {@code >= 0}
 * @param data backing array of exactly {@code rows * cols} entries
 */
public record Matrix(int rows, int cols, float[] data) {

    /** Validates the shape against the array length (no copy). */
    public Matrix {
        Objects.requireNonNull(data, "data");
        if (rows < 0 || cols < 0) {
            throw new IllegalArgumentException("negative shape " + rows + "x" + cols);
        }
        if ((long) rows * cols != data.length) {
            throw new IllegalArgumentException(
                    "data length " + data.length + " does not match shape " + rows + "x" + cols);
        }
    }

    /**
     * Wraps {@code data} (not copied; ownership passes to the matrix).
     *
     * @throws IllegalArgumentException if {@code data.length != rows * cols}
     */
    public static Matrix of(int rows, int cols, float[] data) {
        return new Matrix(rows, cols, data);
    }

    /** Entry at row {@code r}, column {@code c}. */
    public float get(int r, int c) {
        Objects.checkIndex(r, rows);
        Objects.checkIndex(c, cols);
        return data[r * cols + c];
    }

    /** A copy of row {@code r}. */
    public float[] row(int r) {
        Objects.checkIndex(r, rows);
        float[] out = new float[cols];
        System.arraycopy(data, r * cols, out, 0, cols);
        return out;
    }

    /**
     * A new matrix holding the transpose: copied in 16 × 16 tiles, each written as contiguous runs of the output.
     * Small tiles matter when the row length is a power of two: 64 × 64 tiles map their rows onto the same few cache
     * sets (measured: 2048 × 5632 in 206 ms against 22 ms).
     */
    public Matrix transpose() {
        float[] out = new float[data.length];
        final int tile = 16;
        for (int c0 = 0; c0 < cols; c0 += tile) {
            int c1 = Math.min(cols, c0 + tile);
            for (int r0 = 0; r0 < rows; r0 += tile) {
                int r1 = Math.min(rows, r0 + tile);
                for (int c = c0; c < c1; c++) {
                    int o = c * rows;
                    for (int r = r0; r < r1; r++) {
                        out[o + r] = data[r * cols + c];
                    }
                }
            }
        }
        return new Matrix(cols, rows, out);
    }

    /** A new matrix made of the given rows, in the given order (repeats allowed). */
    public Matrix rowsSubset(int[] rowIdx) {
        float[] out = new float[Math.multiplyExact(rowIdx.length, cols)];
        for (int k = 0; k < rowIdx.length; k++) {
            int r = Objects.checkIndex(rowIdx[k], rows);
            System.arraycopy(data, r * cols, out, k * cols, cols);
        }
        return new Matrix(rowIdx.length, cols, out);
    }

    /** A new matrix made of the given columns, in the given order (repeats allowed). */
    public Matrix colsSubset(int[] colIdx) {
        for (int c : colIdx) {
            Objects.checkIndex(c, cols);
        }
        int m = colIdx.length;
        float[] out = new float[Math.multiplyExact(rows, m)];
        for (int r = 0; r < rows; r++) {
            int src = r * cols;
            int dst = r * m;
            for (int k = 0; k < m; k++) {
                out[dst + k] = data[src + colIdx[k]];
            }
        }
        return new Matrix(rows, m, out);
    }

    /** The non-finite values of this matrix (see {@link NonFiniteCount} for how they are treated). */
    public NonFiniteCount nonFinite() {
        return NonFiniteCount.of(data);
    }

    /** How many rows hold at least one non-finite value (they normalise to zero rows). */
    public int nonFiniteRows() {
        int n = 0;
        for (int r = 0; r < rows; r++) {
            for (int c = r * cols, end = c + cols; c < end; c++) {
                if (!Float.isFinite(data[c])) {
                    n++;
                    break;
                }
            }
        }
        return n;
    }

    /**
     * A new matrix whose rows are this matrix's rows scaled to unit Euclidean norm (norms accumulated in double).
     * All-zero rows stay zero, so their cosine with anything is 0; so do rows holding a non-finite value
     * ({@link NonFiniteCount}: such a row carries no signal, and a NaN must never reach a cosine or a matching).
     */
    public Matrix normaliseRows() {
        float[] out = new float[data.length];
        IntStream.range(0, rows).parallel().forEach(r -> {
            int off = r * cols;
            double ss = Kernels.sumSquares(data, off, cols);
            if (!Double.isFinite(ss)) {
                // the vector kernel squares in float, which overflows above about 1.8e19: recount in double,
                // which stays finite for every finite float row and non-finite only with a non-finite value
                ss = Kernels.scalar().sumOfSquares(data, off, cols);
            }
            if (ss > 0 && Double.isFinite(ss)) {
                double inv = 1.0 / Math.sqrt(ss);
                for (int c = 0; c < cols; c++) {
                    out[off + c] = (float) (data[off + c] * inv);
                }
            }
        });
        return new Matrix(rows, cols, out);
    }

    /**
     * A new matrix whose rows are centred (row mean subtracted, in double) and then scaled to unit norm, so that
     * {@code centredRows(a).multiplyTransposed(centredRows(b))} is the matrix of Pearson correlations of rows.
     * Constant rows become zero, and so do rows holding a non-finite value ({@link NonFiniteCount}).
     */
    public Matrix centreAndNormaliseRows() {
        float[] out = new float[data.length];
        centreAndNormaliseRows(out);
        return new Matrix(rows, cols, out);
    }

    /**
     * {@link #centreAndNormaliseRows()} written over this matrix's own array (same values, bit for bit), for a matrix
     * made only to be normalised: a large one (a held-out fit's stacked columns) then needs no second copy.
     * Returns this matrix.
     */
    public Matrix centreAndNormaliseRowsInPlace() {
        centreAndNormaliseRows(data);
        return this;
    }

    /** The rows centred and normalised into {@code out} (which may be {@link #data}: each entry is read before it is written). */
    private void centreAndNormaliseRows(float[] out) {
        IntStream.range(0, rows).parallel().forEach(r -> {
            int off = r * cols;
            double sum = Kernels.sum(data, off, cols);
            if (!Double.isFinite(sum)) {
                sum = Kernels.scalar().total(data, off, cols); // float lanes overflow above about 3.4e38 in all
            }
            double mean = cols == 0 ? 0 : sum / cols;
            double ss = 0;
            for (int c = 0; c < cols; c++) {
                double v = data[off + c] - mean;
                ss += v * v;
            }
            if (ss > 0 && Double.isFinite(ss)) {
                double inv = 1.0 / Math.sqrt(ss);
                for (int c = 0; c < cols; c++) {
                    out[off + c] = (float) ((data[off + c] - mean) * inv);
                }
            } else if (out == data) {
                Arrays.fill(out, off, off + cols, 0f);
            }
        });
    }

    /**
     * {@code this · otherᵀ}: a {@code rows × other.rows} matrix of row dot products. Each entry accumulates its
     * products in float over runs of 256 consecutive columns, adds the runs in double and is rounded to float once,
     * so it is within about 1e-6 of {@code Σ|a_k b_k|} of the exact value for any width. Computed by the active
     * {@link Kernels} twin with a register-blocked, cache-blocked kernel, parallel over blocks of rows (common
     * ForkJoin pool). {@code other} may be {@code this}.
     *
     * @throws IllegalArgumentException if the column counts differ
     */
    public Matrix multiplyTransposed(Matrix other) {
        return multiplyTransposed(other, VectorSupport.numeric(), true);
    }

    /**
     * {@link #multiplyTransposed(Matrix)} computed by a given twin of the kernels, for agreement tests and benchmarks;
     * the twins agree bit for bit.
     *
     * @param parallel whether to spread row blocks over the common ForkJoin pool
     * @throws IllegalArgumentException if the column counts differ
     */
    public Matrix multiplyTransposed(Matrix other, Kernels twin, boolean parallel) {
        if (cols != other.cols) {
            throw new IllegalArgumentException(
                    "column mismatch: " + rows + "x" + cols + " · (" + other.rows + "x" + other.cols + ")ᵀ");
        }
        return new Matrix(
                rows, other.rows, twin.multiplyTransposed(data, rows, other.data, other.rows, cols, parallel));
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Matrix m && m.rows == rows && m.cols == cols && java.util.Arrays.equals(m.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * rows + cols) + java.util.Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "Matrix[" + rows + "x" + cols + "]";
    }
}
