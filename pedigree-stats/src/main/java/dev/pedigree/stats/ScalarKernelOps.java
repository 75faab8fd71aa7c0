package dev.pedigree.stats;

/** Plain loops with double accumulation: the reference twin of {@link VectorKernelOps}. */
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
