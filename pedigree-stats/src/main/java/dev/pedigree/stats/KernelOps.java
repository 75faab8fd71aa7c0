package dev.pedigree.stats;

/** The primitive kernels behind {@link Kernels}; one scalar and one Vector API implementation. */
interface KernelOps {
    String name();

    double dot(float[] a, int aOff, float[] b, int bOff, int n);

    /**
     * Four dot products sharing {@code b}: out[r] = Σ a[aOff_r + i]·b[bOff + i], each summed in the same order as
     * {@link #dot} of the same arguments.
     */
    default void dot4(float[] a, int aOff0, int aOff1, int aOff2, int aOff3, float[] b, int bOff, int n, double[] out) {
        out[0] = dot(a, aOff0, b, bOff, n);
        out[1] = dot(a, aOff1, b, bOff, n);
        out[2] = dot(a, aOff2, b, bOff, n);
        out[3] = dot(a, aOff3, b, bOff, n);
    }

    double sumSquares(float[] a, int off, int n);

    double sum(float[] a, int off, int n);

    /** Σ (a_i − ma)(b_i − mb), Σ (a_i − ma)², Σ (b_i − mb)² written to out[0..2]. */
    void centredMoments(float[] a, float[] b, int n, float ma, float mb, double[] out);
}
