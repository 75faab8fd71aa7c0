package dev.pedigree.forensics;

import java.util.Arrays;

/**
 * The rank of a weight change ΔW = W_suspect − W_reference, estimated from its singular value spectrum against the
 * noise floor of the same spectrum.
 *
 * <p>Rule (Gavish and Donoho, "The optimal hard threshold for singular values is 4/√3", IEEE Trans. Inf. Theory 2014,
 * unknown-noise case): for an m × n change, p = min(m, n), β = p / max(m, n) and σ_med the median of its p singular
 * values, a singular value belongs to the signal when it exceeds τ = {@link #MARGIN}·ω(β)·σ_med, ω(β) ≈ 0.56β³ −
 * 0.95β² + 1.82β + 1.43 (ω(β)·σ_med lies just above the bulk edge of the Marchenko–Pastur law of the noise, whose
 * level is estimated from the median). The
 * estimated rank k is the number of singular values above τ. The change is called <em>low-rank</em> when 1 ≤ k ≤ p/2
 * and its top k directions carry at least {@link #LOW_RANK_ENERGY} of ‖ΔW‖²_F; otherwise it is full rank (dense
 * noise, quantisation error, ordinary fine-tuning). The median estimates the noise only while fewer than half of the
 * singular values are signal, hence k ≤ p/2.
 *
 * <p>Computed on the rows of ΔW that were read (at most {@link #MAX_SIDE} of them): the Gram matrix of the shorter side
 * in double precision, and its eigenvalues by cyclic Jacobi rotations.
 */
final class ChangeRank {
    /** Share of ‖ΔW‖²_F the top-k directions must carry for the change to be called low-rank. */
    static final double LOW_RANK_ENERGY = 0.8;
    /**
     * Factor on the Gavish–Donoho threshold. Their threshold is optimal for recovering the matrix, not a test of
     * rank: on the rounding noise of a float32 merge (noise whose variance follows the values' exponents, so not
     * identically distributed) the largest noise singular values reached 1.10 × ω(β)·σ_med, and extreme values of
     * the Marchenko–Pastur bulk edge fluctuate by a few percent at these sizes. With 1.5 no noise direction of
     * those cases is counted; a spike must stand 1.5 times above the estimated bulk edge to count.
     */
    static final double MARGIN = 1.5;
    /** At most this many rows enter the estimate (the Gram matrix is at most this square). */
    static final int MAX_SIDE = 128;

    private ChangeRank() {}

    /**
     * An estimate.
     *
     * @param rank k, the number of singular values above the noise edge (0 when none)
     * @param lowRank whether the change is low-rank by the rule above
     * @param energy share of ‖ΔW‖²_F in the top k directions (0 when k = 0)
     * @param side p = min(m, n) of the rows and columns the estimate saw (the largest rank it can see)
     */
    record Estimate(int rank, boolean lowRank, double energy, int side) {}

    /** The estimate for a row-major {@code rows × cols} change (only its first {@link #MAX_SIDE} rows are used). */
    static Estimate of(float[] delta, int rows, int cols) {
        int m = Math.min(rows, MAX_SIDE);
        int p = Math.min(m, cols);
        if (p == 0) {
            return new Estimate(0, false, 0, 0);
        }
        double[] g = gram(delta, m, cols, m <= cols);
        double[] lambda = eigenvalues(g, p);
        double total = 0;
        double[] sigma = new double[p];
        for (int i = 0; i < p; i++) {
            double l = Math.max(0, lambda[i]);
            total += l;
            sigma[i] = Math.sqrt(l);
        }
        if (total == 0) {
            return new Estimate(0, false, 0, p);
        }
        double[] sorted = sigma.clone();
        Arrays.sort(sorted);
        double median = p % 2 == 1 ? sorted[p / 2] : 0.5 * (sorted[p / 2 - 1] + sorted[p / 2]);
        double beta = p / (double) Math.max(m, cols);
        double omega = 0.56 * beta * beta * beta - 0.95 * beta * beta + 1.82 * beta + 1.43;
        double tau = MARGIN * omega * median;
        int k = 0;
        double captured = 0;
        for (int i = p - 1; i >= 0 && sorted[i] > tau; i--) {
            k++;
            captured += sorted[i] * sorted[i];
        }
        double energy = captured / total;
        boolean low = k >= 1 && k <= p / 2 && energy >= LOW_RANK_ENERGY;
        return new Estimate(k, low, energy, p);
    }

    /** ΔΔᵀ (m × m) when {@code rowsSide}, else ΔᵀΔ (cols × cols), of the first m rows, in double precision. */
    private static double[] gram(float[] d, int m, int cols, boolean rowsSide) {
        if (rowsSide) {
            double[] g = new double[m * m];
            for (int i = 0; i < m; i++) {
                for (int j = 0; j <= i; j++) {
                    double s = 0;
                    int a = i * cols;
                    int b = j * cols;
                    for (int c = 0; c < cols; c++) {
                        s += (double) d[a + c] * d[b + c];
                    }
                    g[i * m + j] = s;
                    g[j * m + i] = s;
                }
            }
            return g;
        }
        double[] g = new double[cols * cols];
        for (int r = 0; r < m; r++) {
            int a = r * cols;
            for (int i = 0; i < cols; i++) {
                double x = d[a + i];
                if (x == 0) {
                    continue;
                }
                int row = i * cols;
                for (int j = 0; j <= i; j++) {
                    g[row + j] += x * d[a + j];
                }
            }
        }
        for (int i = 0; i < cols; i++) {
            for (int j = 0; j < i; j++) {
                g[j * cols + i] = g[i * cols + j];
            }
        }
        return g;
    }

    /** Eigenvalues of a symmetric row-major n × n matrix (overwritten) by cyclic Jacobi sweeps. */
    static double[] eigenvalues(double[] a, int n) {
        for (int sweep = 0; sweep < 60; sweep++) {
            double off = 0;
            double diag = 0;
            for (int i = 0; i < n; i++) {
                diag += a[i * n + i] * a[i * n + i];
                for (int j = i + 1; j < n; j++) {
                    off += a[i * n + j] * a[i * n + j];
                }
            }
            if (off <= 1e-30 * diag || off == 0) {
                break;
            }
            for (int p = 0; p < n - 1; p++) {
                for (int q = p + 1; q < n; q++) {
                    double apq = a[p * n + q];
                    if (apq == 0) {
                        continue;
                    }
                    double app = a[p * n + p];
                    double aqq = a[q * n + q];
                    double theta = (aqq - app) / (2 * apq);
                    double t = Math.signum(theta) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
                    if (theta == 0) {
                        t = 1;
                    }
                    double c = 1 / Math.sqrt(t * t + 1);
                    double s = t * c;
                    for (int k = 0; k < n; k++) {
                        double akp = a[k * n + p];
                        double akq = a[k * n + q];
                        a[k * n + p] = c * akp - s * akq;
                        a[k * n + q] = s * akp + c * akq;
                    }
                    for (int k = 0; k < n; k++) {
                        double apk = a[p * n + k];
                        double aqk = a[q * n + k];
                        a[p * n + k] = c * apk - s * aqk;
                        a[q * n + k] = s * apk + c * aqk;
                    }
                }
            }
        }
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = a[i * n + i];
        }
        return out;
    }
}
