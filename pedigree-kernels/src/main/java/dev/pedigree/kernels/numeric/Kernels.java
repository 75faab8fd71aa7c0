package dev.pedigree.kernels.numeric;

import dev.pedigree.kernels.VectorSupport;
import dev.pedigree.kernels.VectorTwin;
import java.util.Objects;

/**
 * Numeric kernels on float arrays with double accumulation, in two twins: a Vector API implementation
 * ({@code jdk.incubator.vector}, {@code FloatVector.SPECIES_PREFERRED}) and a plain scalar one. The static methods
 * use the twin that {@link VectorSupport#numeric()} chose once at start-up. {@link #scalar()} and {@link #vector()}
 * expose both twins as instances for agreement tests and benchmarks.
 *
 * <p>Stateless and thread-safe. Results of the two twins agree to about 1e-6 relative to {@code Σ|a_i b_i|}
 * (the vector twin accumulates at most 32 products per float lane before adding into a double).
 */
public final class Kernels {

    private static final Kernels SCALAR = new Kernels(ScalarKernelOps.INSTANCE);

    /** Built on first use, so that a JVM without the incubator module never loads {@link VectorKernelOps}. */
    private static final class Vector {
        static final VectorTwin<Kernels> TWIN = VectorTwin.build(() -> new Kernels(new VectorKernelOps()));
    }

    private final KernelOps ops;

    private Kernels(KernelOps ops) {
        this.ops = ops;
    }

    /** The scalar twin. */
    public static Kernels scalar() {
        return SCALAR;
    }

    /**
     * The Vector API twin.
     *
     * @throws UnsupportedOperationException naming the reason, if the Vector API twin cannot run in this JVM (see
     *     {@link #vectorAvailable()})
     */
    public static Kernels vector() {
        return Vector.TWIN.require();
    }

    /** Whether {@link #vector()} is usable. */
    public static boolean vectorAvailable() {
        return Vector.TWIN.twin().isPresent();
    }

    /** The Vector API twin or the reason it cannot run here, for {@link VectorSupport}'s one decision. */
    public static VectorTwin<Kernels> vectorTwin() {
        return Vector.TWIN;
    }

    /** Human-readable name of this twin, e.g. {@code vector(Species[float, 8, S_256_BIT])}. */
    public String name() {
        return ops.name();
    }

    // ---- static API (active twin) ----

    /** Σ a[aOff+i]·b[bOff+i] for i &lt; n, accumulated in double. */
    public static double dot(float[] a, int aOff, float[] b, int bOff, int n) {
        return VectorSupport.numeric().dotProduct(a, aOff, b, bOff, n);
    }

    /**
     * {@code acc[accOff + i] += Σ_{r < rows} x[xOff + r·stride + i] · y[yOff + r·stride + i]} for i &lt; n (float
     * fused multiply-adds over r, then one add): the same columns of {@code rows} rows of two row-major arrays.
     */
    public static void multiplyAdd(
            float[] acc, int accOff, float[] x, int xOff, float[] y, int yOff, int n, int rows, int stride) {
        VectorSupport.numeric().ops.multiplyAdd(acc, accOff, x, xOff, y, yOff, n, rows, stride);
    }

    /**
     * The g×g cross products of g rows of {@code a} (at {@code aOff + u·aStride}) with g rows of {@code b}: {@code
     * out[u·g + v] = Σ_{i<n} a[aOff + u·aStride + i]·b[bOff + v·bStride + i]}, each summed like {@link #dot};
     * overwrites {@code out[0 .. g·g)}.
     */
    public static void crossRows(
            float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int g, int n, double[] out) {
        VectorSupport.numeric().crossRowsInto(a, aOff, aStride, b, bOff, bStride, g, n, out);
    }

    /** Instance twin of {@link #crossRows}. */
    public void crossRowsInto(
            float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int g, int n, double[] out) {
        if (g < 0 || n < 0) {
            throw new IllegalArgumentException("negative size g=" + g + " n=" + n);
        }
        ops.crossRows(a, aOff, aStride, b, bOff, bStride, g, n, out);
    }

    /**
     * Within-group products of {@code rows} feature rows whose columns are p positions of k groups (column {@code
     * u·k + t} is group t's unit at position u; columns from n on do not exist): {@code acc[(u·p + v)·k + t] +=
     * Σ_r x[xOff + r·stride + u·k + t]·y[yOff + r·stride + v·k + t]} for t &lt; min(k, n − max(u, v)·k), each
     * summed as {@link #multiplyAdd} sums it (the twins agree bit for bit).
     */
    public static void crossGroups(
            float[] acc, float[] x, int xOff, float[] y, int yOff, int p, int k, int n, int rows, int stride) {
        VectorSupport.numeric().crossGroupsInto(acc, x, xOff, y, yOff, p, k, n, rows, stride);
    }

    /** Instance twin of {@link #crossGroups}. */
    public void crossGroupsInto(
            float[] acc, float[] x, int xOff, float[] y, int yOff, int p, int k, int n, int rows, int stride) {
        if (p < 0 || k < 0 || rows < 0 || stride < 0) {
            throw new IllegalArgumentException(
                    "negative size p=" + p + " k=" + k + " rows=" + rows + " stride=" + stride);
        }
        ops.crossGroups(acc, x, xOff, y, yOff, p, k, n, rows, stride);
    }

    /**
     * Shifts {@code x[xOff .. xOff+n)} in place by {@code shift[shiftOff ..]} and adds each shifted value and its
     * square to {@code s1[j]} and {@code s2[j]} (elementwise; the twins agree bit for bit).
     */
    public static void shiftMoments(float[] x, int xOff, float[] shift, int shiftOff, float[] s1, float[] s2, int n) {
        VectorSupport.numeric().shiftMomentsInto(x, xOff, shift, shiftOff, s1, s2, n);
    }

    /** Instance twin of {@link #shiftMoments}. */
    public void shiftMomentsInto(float[] x, int xOff, float[] shift, int shiftOff, float[] s1, float[] s2, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative length " + n);
        }
        ops.shiftMoments(x, xOff, shift, shiftOff, s1, s2, n);
    }

    /** Σ a[off+i]² for i &lt; n. */
    public static double sumSquares(float[] a, int off, int n) {
        return VectorSupport.numeric().sumOfSquares(a, off, n);
    }

    /** Σ a[off+i] for i &lt; n. */
    public static double sum(float[] a, int off, int n) {
        return VectorSupport.numeric().total(a, off, n);
    }

    /**
     * {@link #sum} into {@code out[0]} and {@link #sumSquares} into {@code out[1]} in one pass over the values, each
     * bit for bit what its own call returns.
     */
    public static void sumAndSquares(float[] a, int off, int n, double[] out) {
        VectorSupport.numeric().totalAndSquares(a, off, n, out);
    }

    /**
     * {@link #sumAndSquares} of {@code rows} rows of {@code n} values (row r from {@code off + r·stride}) into
     * {@code out[2r]} (sum) and {@code out[2r+1]} (sum of squares), each row bit for bit what its own call returns.
     */
    public static void sumAndSquaresRows(float[] a, int off, int stride, int rows, int n, double[] out) {
        VectorSupport.numeric().totalAndSquaresRows(a, off, stride, rows, n, out);
    }

    /** Whether {@code a[off .. off+n)} holds a NaN or an infinity. */
    public static boolean anyNonFinite(float[] a, int off, int n) {
        return VectorSupport.numeric().hasNonFinite(a, off, n);
    }

    /** Pearson correlation (two-pass, centred, double accumulation); NaN when n &lt; 2 or a vector is constant. */
    public static double pearson(float[] a, float[] b) {
        return VectorSupport.numeric().pearsonCorrelation(a, b);
    }

    /** Cosine of the raw (uncentred) vectors; 0 when either is all zeros. */
    public static double cosine(float[] a, float[] b) {
        return VectorSupport.numeric().cosineSimilarity(a, b);
    }

    // ---- instance twins ----

    /** Instance twin of {@link #multiplyAdd}. */
    public void multiplyAddInto(
            float[] acc, int accOff, float[] x, int xOff, float[] y, int yOff, int n, int rows, int stride) {
        ops.multiplyAdd(acc, accOff, x, xOff, y, yOff, n, rows, stride);
    }

    /** Instance twin of {@link #dot}. */
    public double dotProduct(float[] a, int aOff, float[] b, int bOff, int n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative length " + n);
        }
        Objects.checkFromIndexSize(aOff, n, a.length);
        Objects.checkFromIndexSize(bOff, n, b.length);
        return ops.dot(a, aOff, b, bOff, n);
    }

    /**
     * {@code a · bᵀ} for row-major {@code a} ({@code aRows × cols}) and {@code b} ({@code bRows × cols}): the
     * {@code aRows × bRows} row-major array of row dot products. Each entry sums its products by fused multiply-add in
     * float over runs of 256 consecutive columns, adds the runs in double and rounds once to float; the vector and
     * scalar twins use the same order and agree bit for bit. {@code a} and {@code b} may be the same array.
     *
     * @param parallel whether to spread row blocks over the common ForkJoin pool
     * @throws IllegalArgumentException if a size is negative or an array does not hold its rows
     */
    public float[] multiplyTransposed(float[] a, int aRows, float[] b, int bRows, int cols, boolean parallel) {
        if (aRows < 0 || bRows < 0 || cols < 0) {
            throw new IllegalArgumentException(
                    "negative size " + aRows + "x" + cols + " · (" + bRows + "x" + cols + ")ᵀ");
        }
        if (a.length != (long) aRows * cols || b.length != (long) bRows * cols) {
            throw new IllegalArgumentException("arrays of " + a.length + " and " + b.length + " values for " + aRows
                    + "x" + cols + " · (" + bRows + "x" + cols + ")ᵀ");
        }
        float[] out = new float[Math.multiplyExact(aRows, bRows)];
        ops.multiplyTransposed(a, b, out, aRows, bRows, cols, parallel);
        return out;
    }

    /** Instance twin of {@link #sumSquares}. */
    public double sumOfSquares(float[] a, int off, int n) {
        Objects.checkFromIndexSize(off, n, a.length);
        return ops.sumSquares(a, off, n);
    }

    /** Instance twin of {@link #sum}. */
    public double total(float[] a, int off, int n) {
        Objects.checkFromIndexSize(off, n, a.length);
        return ops.sum(a, off, n);
    }

    /** Instance twin of {@link #sumAndSquares}. */
    public void totalAndSquares(float[] a, int off, int n, double[] out) {
        Objects.checkFromIndexSize(off, n, a.length);
        Objects.checkIndex(1, out.length);
        ops.sumAndSquares(a, off, n, out);
    }

    /** Instance twin of {@link #sumAndSquaresRows}. */
    public void totalAndSquaresRows(float[] a, int off, int stride, int rows, int n, double[] out) {
        if (rows < 0 || n < 0 || stride < 0) {
            throw new IllegalArgumentException("negative size rows=" + rows + " n=" + n + " stride=" + stride);
        }
        Objects.checkFromIndexSize(0, 2 * rows, out.length);
        if (rows > 0) {
            Objects.checkFromIndexSize(off, n, a.length);
            Objects.checkFromIndexSize(off + (long) (rows - 1) * stride, n, a.length);
        }
        ops.sumAndSquaresRows(a, off, stride, rows, n, out);
    }

    /** Instance twin of {@link #anyNonFinite}. */
    public boolean hasNonFinite(float[] a, int off, int n) {
        Objects.checkFromIndexSize(off, n, a.length);
        return ops.anyNonFinite(a, off, n);
    }

    /** Instance twin of {@link #pearson}. */
    public double pearsonCorrelation(float[] a, float[] b) {
        int n = requireSameLength(a, b);
        if (n < 2) {
            return Double.NaN;
        }
        float ma = (float) (ops.sum(a, 0, n) / n);
        float mb = (float) (ops.sum(b, 0, n) / n);
        double[] m = new double[3];
        ops.centredMoments(a, b, n, ma, mb, m);
        if (!(m[1] > 0) || !(m[2] > 0)) {
            return Double.NaN;
        }
        return clampUnit(m[0] / Math.sqrt(m[1] * m[2]));
    }

    /** Instance twin of {@link #cosine}. */
    public double cosineSimilarity(float[] a, float[] b) {
        int n = requireSameLength(a, b);
        double aa = ops.sumSquares(a, 0, n);
        double bb = ops.sumSquares(b, 0, n);
        if (!(aa > 0) || !(bb > 0)) {
            return 0;
        }
        return clampUnit(ops.dot(a, 0, b, 0, n) / Math.sqrt(aa * bb));
    }

    private static double clampUnit(double r) {
        return Math.max(-1, Math.min(1, r));
    }

    private static int requireSameLength(float[] a, float[] b) {
        if (a.length != b.length) {
            throw new IllegalArgumentException("length mismatch " + a.length + " vs " + b.length);
        }
        return a.length;
    }

    @Override
    public String toString() {
        return "Kernels[" + name() + "]";
    }
}
