package dev.pedigree.kernels.numeric;

/**
 * Plain loops with double accumulation: the reference twin of {@link VectorKernelOps}. {@link #multiplyTransposed}
 * uses a 4 × 4 register tile (eight loads per sixteen fused multiply-adds) over runs of
 * {@link KernelOps#GEMM_CHUNK} indices, in the same summation order as the vector twin, so the two agree bit for bit.
 */
final class ScalarKernelOps implements KernelOps {
    static final ScalarKernelOps INSTANCE = new ScalarKernelOps();

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public double dot(float[] a, int aOff, float[] b, int bOff, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += (double) a[aOff + i] * b[bOff + i];
        }
        return s;
    }

    /** Rows of {@code a} per parallel task. */
    private static final int ROWS_PER_TASK = 32;

    @Override
    public void multiplyTransposed(float[] a, float[] b, float[] out, int m, int n, int k, boolean parallel) {
        KernelOps.forEachTask(Math.ceilDiv(m, ROWS_PER_TASK), parallel, task -> {
            int i0 = task * ROWS_PER_TASK;
            int i1 = Math.min(m, i0 + ROWS_PER_TASK);
            int i = i0;
            for (; i + 4 <= i1; i += 4) {
                int j = 0;
                for (; j + 4 <= n; j += 4) {
                    tile4x4(a, b, out, n, k, i, j);
                }
                for (; j < n; j++) {
                    for (int r = i; r < i + 4; r++) {
                        out[r * n + j] = (float) dotChunked(a, r * k, b, j * k, k);
                    }
                }
            }
            for (; i < i1; i++) {
                for (int j = 0; j < n; j++) {
                    out[i * n + j] = (float) dotChunked(a, i * k, b, j * k, k);
                }
            }
        });
    }

    /** One entry of the product in the shared chunked order. */
    private static double dotChunked(float[] a, int aOff, float[] b, int bOff, int k) {
        double d = 0;
        for (int pc = 0; pc < k; pc += GEMM_CHUNK) {
            int end = Math.min(k, pc + GEMM_CHUNK);
            float s = 0f;
            for (int t = pc; t < end; t++) {
                s = Math.fma(a[aOff + t], b[bOff + t], s);
            }
            d += s;
        }
        return d;
    }

    /** Entries {@code (i..i+3, j..j+3)}: sixteen float chains per chunk, four rows of each operand per step. */
    private static void tile4x4(float[] a, float[] b, float[] out, int n, int k, int i, int j) {
        int a0 = i * k;
        int a1 = a0 + k;
        int a2 = a1 + k;
        int a3 = a2 + k;
        int b0 = j * k;
        int b1 = b0 + k;
        int b2 = b1 + k;
        int b3 = b2 + k;
        double d00 = 0, d01 = 0, d02 = 0, d03 = 0;
        double d10 = 0, d11 = 0, d12 = 0, d13 = 0;
        double d20 = 0, d21 = 0, d22 = 0, d23 = 0;
        double d30 = 0, d31 = 0, d32 = 0, d33 = 0;
        for (int pc = 0; pc < k; pc += GEMM_CHUNK) {
            int end = Math.min(k, pc + GEMM_CHUNK);
            float s00 = 0f, s01 = 0f, s02 = 0f, s03 = 0f;
            float s10 = 0f, s11 = 0f, s12 = 0f, s13 = 0f;
            float s20 = 0f, s21 = 0f, s22 = 0f, s23 = 0f;
            float s30 = 0f, s31 = 0f, s32 = 0f, s33 = 0f;
            for (int t = pc; t < end; t++) {
                float x0 = a[a0 + t];
                float x1 = a[a1 + t];
                float x2 = a[a2 + t];
                float x3 = a[a3 + t];
                float y0 = b[b0 + t];
                float y1 = b[b1 + t];
                float y2 = b[b2 + t];
                float y3 = b[b3 + t];
                s00 = Math.fma(x0, y0, s00);
                s01 = Math.fma(x0, y1, s01);
                s02 = Math.fma(x0, y2, s02);
                s03 = Math.fma(x0, y3, s03);
                s10 = Math.fma(x1, y0, s10);
                s11 = Math.fma(x1, y1, s11);
                s12 = Math.fma(x1, y2, s12);
                s13 = Math.fma(x1, y3, s13);
                s20 = Math.fma(x2, y0, s20);
                s21 = Math.fma(x2, y1, s21);
                s22 = Math.fma(x2, y2, s22);
                s23 = Math.fma(x2, y3, s23);
                s30 = Math.fma(x3, y0, s30);
                s31 = Math.fma(x3, y1, s31);
                s32 = Math.fma(x3, y2, s32);
                s33 = Math.fma(x3, y3, s33);
            }
            d00 += s00;
            d01 += s01;
            d02 += s02;
            d03 += s03;
            d10 += s10;
            d11 += s11;
            d12 += s12;
            d13 += s13;
            d20 += s20;
            d21 += s21;
            d22 += s22;
            d23 += s23;
            d30 += s30;
            d31 += s31;
            d32 += s32;
            d33 += s33;
        }
        int o0 = i * n + j;
        int o1 = o0 + n;
        int o2 = o1 + n;
        int o3 = o2 + n;
        out[o0] = (float) d00;
        out[o0 + 1] = (float) d01;
        out[o0 + 2] = (float) d02;
        out[o0 + 3] = (float) d03;
        out[o1] = (float) d10;
        out[o1 + 1] = (float) d11;
        out[o1 + 2] = (float) d12;
        out[o1 + 3] = (float) d13;
        out[o2] = (float) d20;
        out[o2 + 1] = (float) d21;
        out[o2 + 2] = (float) d22;
        out[o2 + 3] = (float) d23;
        out[o3] = (float) d30;
        out[o3 + 1] = (float) d31;
        out[o3 + 2] = (float) d32;
        out[o3 + 3] = (float) d33;
    }

    @Override
    public void multiplyAdd(
            float[] acc, int accOff, float[] x, int xOff, float[] y, int yOff, int n, int rows, int stride) {
        checkStrided(acc, accOff, x, xOff, y, yOff, n, rows, stride);
        for (int i = 0; i < n; i++) {
            float s = 0;
            for (int r = 0; r < rows; r++) {
                s = Math.fma(x[xOff + r * stride + i], y[yOff + r * stride + i], s);
            }
            acc[accOff + i] += s;
        }
    }

    /** Bounds of a strided multiply-add (shared by both twins). */
    static void checkStrided(
            float[] acc, int accOff, float[] x, int xOff, float[] y, int yOff, int n, int rows, int stride) {
        java.util.Objects.checkFromIndexSize(accOff, n, acc.length);
        if (n == 0 || rows == 0) {
            return;
        }
        long last = (long) (rows - 1) * stride;
        java.util.Objects.checkFromIndexSize(xOff, n, x.length);
        java.util.Objects.checkFromIndexSize(yOff, n, y.length);
        java.util.Objects.checkFromIndexSize(Math.toIntExact(xOff + last), n, x.length);
        java.util.Objects.checkFromIndexSize(Math.toIntExact(yOff + last), n, y.length);
    }

    @Override
    public double sumSquares(float[] a, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            double v = a[off + i];
            s += v * v;
        }
        return s;
    }

    @Override
    public double sum(float[] a, int off, int n) {
        double s = 0;
        for (int i = 0; i < n; i++) {
            s += a[off + i];
        }
        return s;
    }

    @Override
    public void centredMoments(float[] a, float[] b, int n, float ma, float mb, double[] out) {
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            double x = a[i] - ma;
            double y = b[i] - mb;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
        out[0] = sab;
        out[1] = saa;
        out[2] = sbb;
    }
}
