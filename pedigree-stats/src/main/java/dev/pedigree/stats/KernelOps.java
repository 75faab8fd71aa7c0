package dev.pedigree.stats;

/** The primitive kernels behind {@link Kernels}; one scalar and one Vector API implementation. */
interface KernelOps {
    String name();

    double dot(float[] a, int aOff, float[] b, int bOff, int n);

    double sumSquares(float[] a, int off, int n);

    double sum(float[] a, int off, int n);

    /** Σ (a_i − ma)(b_i − mb), Σ (a_i − ma)², Σ (b_i − mb)² written to out[0..2]. */
    void centredMoments(float[] a, float[] b, int n, float ma, float mb, double[] out);
}
