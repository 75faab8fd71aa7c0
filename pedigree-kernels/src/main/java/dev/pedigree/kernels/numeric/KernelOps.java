package dev.pedigree.kernels.numeric;

import java.util.function.IntConsumer;
import java.util.stream.IntStream;

/** The primitive kernels behind {@link Kernels}; one scalar and one Vector API implementation. */
interface KernelOps {
    /**
     * Products per output element that {@link #multiplyTransposed} accumulates in float (by fused multiply-add, in
     * increasing index order) before adding the chunk's sum into a double accumulator. Both twins use this same
     * order, so their products agree bit for bit.
     */
    int GEMM_CHUNK = 256;

    String name();

    /**
     * {@code out = a · bᵀ} for row-major {@code a} ({@code m × k}) and {@code b} ({@code n × k}); {@code out} is
     * {@code m × n} and fully overwritten. Entry {@code (i, j)} is the double sum of the float chunk sums
     * {@code fma}-accumulated over consecutive runs of {@link #GEMM_CHUNK} indices, rounded to float once at the
     * end. {@code a} and {@code b} may be the same array; {@code out} must not alias either.
     *
     * @param parallel whether to spread row blocks over the common ForkJoin pool
     */
    void multiplyTransposed(float[] a, float[] b, float[] out, int m, int n, int k, boolean parallel);

    /** Runs {@code task} for {@code 0 .. count-1}, on the common ForkJoin pool when {@code parallel}. */
    static void forEachTask(int count, boolean parallel, IntConsumer task) {
        if (parallel && count > 1) {
            IntStream.range(0, count).parallel().forEach(task);
        } else {
            for (int t = 0; t < count; t++) {
                task.accept(t);
            }
        }
    }

    double dot(float[] a, int aOff, float[] b, int bOff, int n);

    /**
     * {@code acc[accOff + i] += Σ_{r < rows} x[xOff + r·stride + i] · y[yOff + r·stride + i]} for i &lt; n: float
     * fused multiply-adds in increasing r, then one add into {@code acc} (both twins in this order).
     */
    void multiplyAdd(float[] acc, int accOff, float[] x, int xOff, float[] y, int yOff, int n, int rows, int stride);

    /**
     * The g×g cross products of g rows of {@code a} with g rows of {@code b}: {@code out[u·g + v] = Σ_{i<n}
     * a[aOff + u·aStride + i] · b[bOff + v·bStride + i]}, each summed as {@link #dot} sums; overwrites
     * {@code out[0 .. g·g)}.
     */
    default void crossRows(
            float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int g, int n, double[] out) {
        for (int u = 0; u < g; u++) {
            for (int v = 0; v < g; v++) {
                out[u * g + v] = dot(a, aOff + u * aStride, b, bOff + v * bStride, n);
            }
        }
    }

    /**
     * Within-group products of {@code rows} feature rows whose columns are p positions of k groups each (column
     * {@code u·k + t} is group t's unit at position u; columns from n on do not exist): for u, v &lt; p and
     * t &lt; min(k, n − max(u, v)·k), {@code acc[(u·p + v)·k + t] += Σ_{r<rows} x[xOff + r·stride + u·k + t] ·
     * y[yOff + r·stride + v·k + t]}, each sum as {@link #multiplyAdd} forms it (float fused multiply-adds in
     * increasing r, then one add), so both twins agree bit for bit.
     */
    default void crossGroups(
            float[] acc, float[] x, int xOff, float[] y, int yOff, int p, int k, int n, int rows, int stride) {
        for (int u = 0; u < p; u++) {
            for (int v = 0; v < p; v++) {
                int lim = Math.min(k, n - Math.max(u, v) * k);
                if (lim > 0) {
                    multiplyAdd(acc, (u * p + v) * k, x, xOff + u * k, y, yOff + v * k, lim, rows, stride);
                }
            }
        }
    }

    /**
     * Shifts a run in place and accumulates its moments elementwise: for j &lt; n, {@code x[xOff + j] -=
     * shift[shiftOff + j]}, then {@code s1[j] += x}, {@code s2[j] += x·x} (product rounded, then added: both twins
     * alike, bit for bit).
     */
    default void shiftMoments(float[] x, int xOff, float[] shift, int shiftOff, float[] s1, float[] s2, int n) {
        for (int j = 0; j < n; j++) {
            float v = x[xOff + j] - shift[shiftOff + j];
            x[xOff + j] = v;
            s1[j] += v;
            s2[j] += v * v;
        }
    }

    double sumSquares(float[] a, int off, int n);

    double sum(float[] a, int off, int n);

    /**
     * {@link #sum} into {@code out[0]} and {@link #sumSquares} into {@code out[1]}, each bit for bit as its own call
     * gives it (a twin may compute both in one pass).
     */
    default void sumAndSquares(float[] a, int off, int n, double[] out) {
        out[0] = sum(a, off, n);
        out[1] = sumSquares(a, off, n);
    }

    /**
     * {@link #sumAndSquares} of {@code rows} rows of {@code n} values, row r starting at {@code off + r·stride}, into
     * {@code out[2r]} and {@code out[2r+1]}: each row bit for bit as its own call gives it (a twin may run several
     * rows' independent sums side by side).
     */
    default void sumAndSquaresRows(float[] a, int off, int stride, int rows, int n, double[] out) {
        double[] m = new double[2];
        for (int r = 0; r < rows; r++) {
            sumAndSquares(a, off + r * stride, n, m);
            out[2 * r] = m[0];
            out[2 * r + 1] = m[1];
        }
    }

    /** Whether {@code a[off .. off+n)} holds a NaN or an infinity (a value whose exponent bits are all set). */
    default boolean anyNonFinite(float[] a, int off, int n) {
        int m = 0;
        for (int i = off; i < off + n; i++) {
            m = Math.max(m, Float.floatToRawIntBits(a[i]) & EXPONENT_BITS);
        }
        return m == EXPONENT_BITS;
    }

    /** The exponent bits of a float: all set in NaN and ±Inf only. */
    int EXPONENT_BITS = 0x7f800000;

    /** Σ (a_i − ma)(b_i − mb), Σ (a_i − ma)², Σ (b_i − mb)² written to out[0..2]. */
    void centredMoments(float[] a, float[] b, int n, float ma, float mb, double[] out);
}
