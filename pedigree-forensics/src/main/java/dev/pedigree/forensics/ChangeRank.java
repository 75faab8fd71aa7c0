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
 * in double precision, and its eigenvalues by Householder tridiagonalisation and implicit QL (a few milliseconds for a
 * 128 × 128 Gram matrix, where the cyclic Jacobi sweeps this replaced took most of a derived compare's customisation
 * summary).
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
        return of(delta, rows, cols, null);
    }

    /**
     * Bound on the relative error of an entry of a float Gram matrix from {@code Matrix.multiplyTransposed}: float
     * fused multiply-adds over chunks of 256 indices, the chunk sums added in double, the sum rounded to float, so
     * |error| ≤ (256 + 1)·2⁻²⁴·Σ|x||y|; taken twice as large.
     */
    static final double FLOAT_GRAM_ERROR = 0x1p-15;

    /**
     * The estimate, first from {@code floatGram} when given: the rows × rows Gram matrix ΔΔᵀ that {@code
     * Matrix.multiplyTransposed} formed (in float chunks, so its entries carry relative errors up to {@link
     * #FLOAT_GRAM_ERROR}). Its eigenvalues are used only when every decision the rule takes from them (each singular
     * value above or below the threshold, the 80% energy share) holds for every spectrum within the error bound
     * (Weyl: each sorted eigenvalue moves by at most ‖E‖₂ ≤ ‖E‖_F ≤ γ·trace, plus the reduction's rounding); otherwise
     * the double-precision Gram matrix is formed and decides, as without it. The result is the one the double path
     * gives; only the time differs.
     */
    static Estimate of(float[] delta, int rows, int cols, float[] floatGram) {
        int m = Math.min(rows, MAX_SIDE);
        int p = Math.min(m, cols);
        if (p == 0) {
            return new Estimate(0, false, 0, 0);
        }
        if (floatGram != null && m == rows && m <= cols && floatGram.length == m * m) {
            Estimate e = fromFloatGram(floatGram, m, cols);
            if (e != null) {
                return e;
            }
        }
        double[] g = gram(delta, m, cols, m <= cols);
        return decide(spectrum(g, p), p, m, cols, 0);
    }

    /**
     * The estimate from the float Gram matrix of all m (≤ cols) rows, or null when its rounding could change a
     * decision.
     */
    static Estimate fromFloatGram(float[] floatGram, int m, int cols) {
        double[] g = new double[m * m];
        for (int i = 0; i < g.length; i++) {
            g[i] = floatGram[i];
        }
        double trace = 0;
        for (int i = 0; i < m; i++) {
            trace += Math.abs(g[i * m + i]);
        }
        trace *= 1 + FLOAT_GRAM_ERROR;
        double[] lambda = eigenvalues(g, m);
        double max = 0;
        for (double l : lambda) {
            max = Math.max(max, Math.abs(l));
        }
        return decide(lambda, m, m, cols, FLOAT_GRAM_ERROR * trace + 1e-12 * max);
    }

    /**
     * The rule applied to the eigenvalues {@code lambda} of the Gram matrix; null when {@code bound} &gt; 0 and some
     * decision could go the other way for a spectrum whose sorted eigenvalues each lie within {@code bound} of these.
     */
    private static Estimate decide(double[] lambda, int p, int m, int cols, double bound) {
        double[] sorted = new double[p];
        double total = 0;
        for (int i = 0; i < p; i++) {
            double l = Math.max(0, lambda[i]);
            total += l;
            sorted[i] = l;
        }
        Arrays.sort(sorted);
        if (total == 0 || total <= p * bound) {
            return bound > 0 ? null : new Estimate(0, false, 0, p);
        }
        double beta = p / (double) Math.max(m, cols);
        double omega = 0.56 * beta * beta * beta - 0.95 * beta * beta + 1.82 * beta + 1.43;
        double tau = MARGIN * omega * medianRoot(sorted, 0);
        int k = 0;
        double captured = 0;
        for (int i = p - 1; i >= 0 && Math.sqrt(sorted[i]) > tau; i--) {
            k++;
            captured += Math.sqrt(sorted[i]) * Math.sqrt(sorted[i]);
        }
        double energy = captured / total;
        boolean inRange = k >= 1 && k <= p / 2;
        boolean low = inRange && energy >= LOW_RANK_ENERGY;
        if (bound > 0) {
            double tauLo = MARGIN * omega * medianRoot(sorted, -bound);
            double tauHi = MARGIN * omega * medianRoot(sorted, bound);
            for (int i = 0; i < p; i++) {
                boolean surelyAbove = Math.sqrt(Math.max(0, sorted[i] - bound)) > tauHi;
                boolean surelyBelow = Math.sqrt(sorted[i] + bound) <= tauLo;
                if (surelyAbove == surelyBelow) {
                    return null;
                }
            }
            if (inRange) {
                double lo = (captured - k * bound) / (total + p * bound);
                double hi = (captured + k * bound) / (total - p * bound);
                if ((lo >= LOW_RANK_ENERGY) != (hi >= LOW_RANK_ENERGY)) {
                    return null;
                }
            }
        }
        return new Estimate(k, low, energy, p);
    }

    /** The median singular value of the ascending eigenvalues {@code sorted}, each moved by {@code shift}. */
    private static double medianRoot(double[] sorted, double shift) {
        int p = sorted.length;
        double a = Math.sqrt(Math.max(0, sorted[p / 2] + shift));
        if (p % 2 == 1) {
            return a;
        }
        return 0.5 * (Math.sqrt(Math.max(0, sorted[p / 2 - 1] + shift)) + a);
    }

    /**
     * ΔΔᵀ (m × m) when {@code rowsSide}, else ΔᵀΔ (cols × cols), of the first m rows, in double precision (products of
     * floats are exact in double; the sums are formed four by four entries at a time, 4 × 4 tiles of the Gram matrix
     * sharing their loads).
     */
    private static double[] gram(float[] d, int m, int cols, boolean rowsSide) {
        if (rowsSide) {
            return rowGram(d, m, cols);
        }
        float[] t = new float[m * cols];
        for (int r = 0; r < m; r++) {
            for (int c = 0; c < cols; c++) {
                t[c * m + r] = d[r * cols + c];
            }
        }
        return rowGram(t, cols, m);
    }

    /** The m × m Gram matrix of the first m rows (of length n) of {@code x}: Σ_c x[i·n + c]·x[j·n + c] in double. */
    static double[] rowGram(float[] x, int m, int n) {
        double[] g = new double[m * m];
        for (int i0 = 0; i0 < m; i0 += 4) {
            for (int j0 = 0; j0 <= i0; j0 += 4) {
                if (i0 + 4 <= m) {
                    tile(x, n, i0, j0, g, m);
                } else {
                    for (int i = i0; i < m; i++) {
                        for (int j = j0; j < Math.min(j0 + 4, i + 1); j++) {
                            g[i * m + j] = dot(x, i * n, j * n, n);
                        }
                    }
                }
            }
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < i; j++) {
                g[j * m + i] = g[i * m + j];
            }
        }
        return g;
    }

    private static double dot(float[] x, int a, int b, int n) {
        double s0 = 0;
        double s1 = 0;
        int c = 0;
        for (; c + 1 < n; c += 2) {
            s0 += (double) x[a + c] * x[b + c];
            s1 += (double) x[a + c + 1] * x[b + c + 1];
        }
        if (c < n) {
            s0 += (double) x[a + c] * x[b + c];
        }
        return s0 + s1;
    }

    /** Rows i0 … i0+3 against rows j0 … j0+3 (j0 ≤ i0, both within range) into the lower triangle of g. */
    private static void tile(float[] x, int n, int i0, int j0, double[] g, int m) {
        int a0 = i0 * n;
        int a1 = a0 + n;
        int a2 = a1 + n;
        int a3 = a2 + n;
        int b0 = j0 * n;
        int b1 = b0 + n;
        int b2 = b1 + n;
        int b3 = b2 + n;
        double s00 = 0, s01 = 0, s02 = 0, s03 = 0;
        double s10 = 0, s11 = 0, s12 = 0, s13 = 0;
        double s20 = 0, s21 = 0, s22 = 0, s23 = 0;
        double s30 = 0, s31 = 0, s32 = 0, s33 = 0;
        for (int c = 0; c < n; c++) {
            double x0 = x[a0 + c];
            double x1 = x[a1 + c];
            double x2 = x[a2 + c];
            double x3 = x[a3 + c];
            double y0 = x[b0 + c];
            double y1 = x[b1 + c];
            double y2 = x[b2 + c];
            double y3 = x[b3 + c];
            s00 += x0 * y0;
            s01 += x0 * y1;
            s02 += x0 * y2;
            s03 += x0 * y3;
            s10 += x1 * y0;
            s11 += x1 * y1;
            s12 += x1 * y2;
            s13 += x1 * y3;
            s20 += x2 * y0;
            s21 += x2 * y1;
            s22 += x2 * y2;
            s23 += x2 * y3;
            s30 += x3 * y0;
            s31 += x3 * y1;
            s32 += x3 * y2;
            s33 += x3 * y3;
        }
        double[] s = {s00, s01, s02, s03, s10, s11, s12, s13, s20, s21, s22, s23, s30, s31, s32, s33};
        for (int u = 0; u < 4; u++) {
            for (int v = 0; v < 4; v++) {
                if (j0 + v <= i0 + u) {
                    g[(i0 + u) * m + j0 + v] = s[u * 4 + v];
                }
            }
        }
    }

    /**
     * Below this ratio of the median eigenvalue of the Gram matrix to its largest, the bulk of the spectrum lies within
     * a few thousand times the rounding error of the tridiagonal reduction (about n·ε·λ_max), and the eigenvalues are
     * taken from Jacobi rotations instead, whose errors stay relative to the entries they rotate once the large
     * eigenvalues have separated (a float32 merge of an exact low-rank change: the "noise" is its rounding, about
     * 10⁻¹⁶ of λ_max). Every change with real noise (bf16 storage, fine-tuning, quantisation) takes the fast path.
     */
    static final double FAST_PATH_MIN_BULK = 1e-9;

    /**
     * The eigenvalues of the Gram matrix {@code g} (overwritten): by {@link #eigenvalues} (Householder + QL, a few
     * milliseconds at n = 128), or by {@link #jacobiEigenvalues} when the bulk is too close to round-off for them.
     */
    static double[] spectrum(double[] g, int n) {
        double[] copy = g.clone();
        double[] lambda = eigenvalues(g, n);
        double[] sorted = lambda.clone();
        Arrays.sort(sorted);
        double max = sorted[n - 1];
        double median = sorted[(n - 1) / 2];
        if (max > 0 && median < FAST_PATH_MIN_BULK * max) {
            return jacobiEigenvalues(copy, n);
        }
        return lambda;
    }

    /**
     * Eigenvalues of a symmetric row-major n × n matrix (overwritten), unordered: Householder reduction to tridiagonal
     * form (about n³ multiply-adds, on contiguous rows), then implicitly shifted QL iterations on the tridiagonal
     * matrix (O(n²)). The matrix is scaled by a power of two first (exact), so no intermediate overflows or
     * underflows whatever the scale of the change.
     */
    static double[] eigenvalues(double[] a, int n) {
        double max = 0;
        for (double v : a) {
            max = Math.max(max, Math.abs(v));
        }
        if (max == 0 || n == 0) {
            return new double[n];
        }
        int shift = Math.getExponent(max);
        double down = Math.scalb(1.0, -shift);
        for (int i = 0; i < a.length; i++) {
            a[i] *= down;
        }
        double[] d = new double[n];
        double[] e = new double[n];
        tridiagonalise(a, n, d, e);
        tridiagonalEigenvalues(d, e, n);
        for (int i = 0; i < n; i++) {
            d[i] = Math.scalb(d[i], shift);
        }
        return d;
    }

    /**
     * Householder reduction of the symmetric row-major {@code a} (overwritten) to a tridiagonal matrix with diagonal
     * {@code d} and subdiagonal {@code e} (e[i] couples i and i + 1; e[n−1] = 0).
     */
    private static void tridiagonalise(double[] a, int n, double[] d, double[] e) {
        double[] v = new double[n];
        double[] p = new double[n];
        for (int k = 0; k < n - 2; k++) {
            int lo = k + 1;
            double norm2 = 0;
            for (int i = lo; i < n; i++) {
                double x = a[i * n + k];
                norm2 += x * x;
            }
            d[k] = a[k * n + k];
            double x0 = a[lo * n + k];
            if (norm2 == 0) {
                e[k] = 0;
                continue;
            }
            double alpha = x0 > 0 ? -Math.sqrt(norm2) : Math.sqrt(norm2);
            e[k] = alpha;
            for (int i = lo; i < n; i++) {
                v[i] = a[i * n + k];
            }
            v[lo] -= alpha;
            double vv = norm2 - 2 * x0 * alpha + alpha * alpha; // ‖x − αe₁‖²
            if (vv == 0) {
                continue;
            }
            double beta = 2 / vv;
            // p = β·S·v over the trailing block S = a[lo.., lo..]
            double vp = 0;
            for (int i = lo; i < n; i++) {
                p[i] = beta * rowTimes(a, i * n, v, lo, n);
                vp += v[i] * p[i];
            }
            double kk = 0.5 * beta * vp;
            for (int i = lo; i < n; i++) {
                p[i] -= kk * v[i]; // q = p − K·v
            }
            // S ← S − v·qᵀ − q·vᵀ
            for (int i = lo; i < n; i++) {
                rankTwoRow(a, i * n, v[i], p[i], p, v, lo, n);
            }
        }
        if (n >= 2) {
            d[n - 2] = a[(n - 2) * n + n - 2];
            e[n - 2] = a[(n - 1) * n + n - 2];
        }
        d[n - 1] = a[(n - 1) * n + n - 1];
        e[n - 1] = 0;
    }

    /*
     * The inner loops of the reduction are methods of their own: called n times per column, they are compiled after a
     * few hundred calls, where the same loops inlined in tridiagonalise (called once per tensor) ran interpreted until
     * an on-stack replacement was compiled, which on a loaded machine took seconds of a derived compare (a JFR profile
     * showed tridiagonalise interpreted in 72 of its 86 samples). The arithmetic, and its order, are unchanged.
     */

    /** Σ a[row + j]·v[j] over j = lo … n−1, added in that order. */
    private static double rowTimes(double[] a, int row, double[] v, int lo, int n) {
        double s = 0;
        for (int j = lo; j < n; j++) {
            s += a[row + j] * v[j];
        }
        return s;
    }

    /** a[row + j] −= vi·q[j] + qi·v[j] for j = lo … n−1 (one row of S ← S − v·qᵀ − q·vᵀ). */
    private static void rankTwoRow(double[] a, int row, double vi, double qi, double[] q, double[] v, int lo, int n) {
        for (int j = lo; j < n; j++) {
            a[row + j] -= vi * q[j] + qi * v[j];
        }
    }

    /**
     * Eigenvalues of the symmetric tridiagonal matrix (diagonal {@code d}, subdiagonal {@code e}, both overwritten; the
     * values are left in d) by the QL algorithm with implicit Wilkinson shifts (Numerical Recipes' tqli, values only).
     */
    private static void tridiagonalEigenvalues(double[] d, double[] e, int n) {
        for (int l = 0; l < n; l++) {
            settle(d, e, n, l);
        }
    }

    /**
     * QL iterations until e[l] vanishes (at most 64), which settles d[l]. A method of its own, called n times per
     * matrix, so that it is compiled after a few calls instead of running interpreted until an on-stack replacement
     * of the whole loop is ready; the arithmetic is unchanged.
     */
    private static void settle(double[] d, double[] e, int n, int l) {
        int iter = 0;
        int m;
        do {
            for (m = l; m < n - 1; m++) {
                double dd = Math.abs(d[m]) + Math.abs(d[m + 1]);
                if (Math.abs(e[m]) <= 0x1p-53 * dd) {
                    break;
                }
            }
            if (m != l) {
                if (iter++ == 64) {
                    break; // not converged: leave the current approximation
                }
                double g = (d[l + 1] - d[l]) / (2 * e[l]);
                double r = Math.hypot(g, 1);
                g = d[m] - d[l] + e[l] / (g + Math.copySign(r, g));
                double s = 1;
                double c = 1;
                double p = 0;
                int i;
                boolean underflow = false;
                for (i = m - 1; i >= l; i--) {
                    double f = s * e[i];
                    double b = c * e[i];
                    r = Math.hypot(f, g);
                    e[i + 1] = r;
                    if (r == 0) {
                        d[i + 1] -= p;
                        e[m] = 0;
                        underflow = true;
                        break;
                    }
                    s = f / r;
                    c = g / r;
                    g = d[i + 1] - p;
                    r = (d[i] - g) * s + 2 * c * b;
                    p = s * r;
                    d[i + 1] = g + p;
                    g = c * r - b;
                }
                if (underflow) {
                    continue;
                }
                d[l] -= p;
                e[l] = g;
                e[m] = 0;
            }
        } while (m != l);
    }

    /** Eigenvalues of a symmetric row-major n × n matrix (overwritten) by cyclic Jacobi sweeps. */
    static double[] jacobiEigenvalues(double[] a, int n) {
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
