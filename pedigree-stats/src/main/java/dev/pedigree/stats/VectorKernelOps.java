package dev.pedigree.stats;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels on {@link FloatVector#SPECIES_PREFERRED}. Products are accumulated in float lanes for at most
 * {@link #CHUNK_LANES} steps per lane, then reduced into a double, so the error stays within about 1e-6 of
 * {@code Σ|a_i b_i|} for any length. Only loaded when the incubator module is present.
 */
final class VectorKernelOps implements KernelOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();
    private static final int CHUNK_LANES = 32;
    private static final int CHUNK = L * CHUNK_LANES;

    VectorKernelOps() {
        // Touch the species so a missing or broken module fails here, at selection time.
        FloatVector.zero(S).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public String name() {
        return "vector(" + S + ")";
    }

    @Override
    public double dot(float[] a, int aOff, float[] b, int bOff, int n) {
        java.util.Objects.checkFromIndexSize(aOff, n, a.length);
        java.util.Objects.checkFromIndexSize(bOff, n, b.length);
        int upper = S.loopBound(n);
        double acc = 0;
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector s0 = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, aOff + i);
                FloatVector y = FloatVector.fromArray(S, b, bOff + i);
                s0 = x.fma(y, s0);
            }
            acc += s0.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            acc += (double) a[aOff + i] * b[bOff + i];
        }
        return acc;
    }

    @Override
    public void dot4(float[] a, int aOff0, int aOff1, int aOff2, int aOff3, float[] b, int bOff, int n, double[] out) {
        java.util.Objects.checkFromIndexSize(aOff0, n, a.length);
        java.util.Objects.checkFromIndexSize(aOff1, n, a.length);
        java.util.Objects.checkFromIndexSize(aOff2, n, a.length);
        java.util.Objects.checkFromIndexSize(aOff3, n, a.length);
        java.util.Objects.checkFromIndexSize(bOff, n, b.length);
        int upper = S.loopBound(n);
        double acc0 = 0;
        double acc1 = 0;
        double acc2 = 0;
        double acc3 = 0;
        int i = 0;
        // Same chunking and lane order as dot() (lane reductions may still differ by JIT tier).
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector s0 = FloatVector.zero(S);
            FloatVector s1 = FloatVector.zero(S);
            FloatVector s2 = FloatVector.zero(S);
            FloatVector s3 = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector y = FloatVector.fromArray(S, b, bOff + i);
                s0 = FloatVector.fromArray(S, a, aOff0 + i).fma(y, s0);
                s1 = FloatVector.fromArray(S, a, aOff1 + i).fma(y, s1);
                s2 = FloatVector.fromArray(S, a, aOff2 + i).fma(y, s2);
                s3 = FloatVector.fromArray(S, a, aOff3 + i).fma(y, s3);
            }
            acc0 += s0.reduceLanes(VectorOperators.ADD);
            acc1 += s1.reduceLanes(VectorOperators.ADD);
            acc2 += s2.reduceLanes(VectorOperators.ADD);
            acc3 += s3.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            double y = b[bOff + i];
            acc0 += a[aOff0 + i] * y;
            acc1 += a[aOff1 + i] * y;
            acc2 += a[aOff2 + i] * y;
            acc3 += a[aOff3 + i] * y;
        }
        out[0] = acc0;
        out[1] = acc1;
        out[2] = acc2;
        out[3] = acc3;
    }

    @Override
    public double sumSquares(float[] a, int off, int n) {
        java.util.Objects.checkFromIndexSize(off, n, a.length);
        int upper = S.loopBound(n);
        double acc = 0;
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector s0 = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, off + i);
                s0 = x.fma(x, s0);
            }
            acc += s0.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            double v = a[off + i];
            acc += v * v;
        }
        return acc;
    }

    @Override
    public double sum(float[] a, int off, int n) {
        java.util.Objects.checkFromIndexSize(off, n, a.length);
        int upper = S.loopBound(n);
        double acc = 0;
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector s0 = FloatVector.zero(S);
            for (; i < end; i += L) {
                s0 = s0.add(FloatVector.fromArray(S, a, off + i));
            }
            acc += s0.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            acc += a[off + i];
        }
        return acc;
    }

    @Override
    public void centredMoments(float[] a, float[] b, int n, float ma, float mb, double[] out) {
        int upper = S.loopBound(n);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        int i = 0;
        FloatVector vma = FloatVector.broadcast(S, ma);
        FloatVector vmb = FloatVector.broadcast(S, mb);
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector ab = FloatVector.zero(S);
            FloatVector aa = FloatVector.zero(S);
            FloatVector bb = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, i).sub(vma);
                FloatVector y = FloatVector.fromArray(S, b, i).sub(vmb);
                ab = x.fma(y, ab);
                aa = x.fma(x, aa);
                bb = y.fma(y, bb);
            }
            sab += ab.reduceLanes(VectorOperators.ADD);
            saa += aa.reduceLanes(VectorOperators.ADD);
            sbb += bb.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
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
