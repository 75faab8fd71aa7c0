package dev.pedigree.stats;

import org.hipparchus.special.Erf;
import org.hipparchus.special.Gamma;

/**
 * Tail probabilities and p-value combinations, all as base-10 logarithms, computed in log space so that
 * overwhelming evidence never underflows to 0. Distribution tails are returned unclamped (e.g.
 * {@code normalUpper(1e4) ≈ -2.17e7}); {@link TestResult} clamps to {@code [-1e6, 0]} through {@link #clamp}. Stateless and thread-safe.
 *
 * <p>Methods accept and return log10 p-values; inputs must be {@code <= 0} (tiny positive round-off is treated as
 * 0) and not NaN.
 */
public final class LogP {

    /** Lower end of the range every reported log10 p-value is clamped to. */
    public static final double FLOOR = -1e6;

    private static final double LN10 = Math.log(10);
    private static final double LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
    private static final int MAX_ITER = 20_000;
    private static final double TINY = 1e-300;
    private static final double EPS = 1e-16;

    private LogP() {}

    /**
     * log10 P(Z &gt; z) for a standard normal Z. Uses {@code erfc} for {@code z <= 5} and the Laplace continued
     * fraction for the Mills ratio beyond, so it is accurate (relative error of the log well below 1e-12) for z up to
     * 1e4 and beyond (not clamped: {@code normalUpper(1e4) ≈ -2.17e7}); for {@code z > 1e150}, where
     * {@code z²} would overflow, {@link #FLOOR} is returned.
     */
    public static double normalUpper(double z) {
        requireNotNaN(z, "z");
        if (z < 0) {
            double q = Math.pow(10, normalUpper(-z)); // P(Z > -z) = P(Z < z)
            return Math.log1p(-q) / LN10;
        }
        if (z <= 5) {
            return Math.log10(0.5 * Erf.erfc(z / Math.sqrt(2)));
        }
        if (z > 1e150) {
            return FLOOR;
        }
        // Mills ratio R(z) = 1 / (z + 1/(z + 2/(z + 3/(z + ...)))), modified Lentz.
        double f = z;
        double c = z;
        double d = 0;
        for (int k = 1; k < MAX_ITER; k++) {
            d = z + k * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = z + k / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < EPS) {
                break;
            }
        }
        double lnQ = -0.5 * z * z - LN_SQRT_2PI - Math.log(f);
        return lnQ / LN10;
    }

    /** log10 P(|Z| &gt; |z|) for a standard normal Z. */
    public static double normalTwoSided(double z) {
        requireNotNaN(z, "z");
        return Math.min(0, normalUpper(Math.abs(z)) + Math.log10(2));
    }

    /**
     * log10 P(T_df &gt; t) for Student's t with {@code df > 0} degrees of freedom, exact via the regularised
     * incomplete beta {@code P(T > t) = ½ I_{df/(df+t²)}(df/2, ½)} evaluated by its continued fraction in log space
     * (the prefactor {@code x^a (1-x)^b / (a B(a,b))} is taken as a logarithm), so huge t give finite, very negative
     * results.
     */
    public static double studentTUpper(double t, double df) {
        requireNotNaN(t, "t");
        if (!(df > 0) || Double.isInfinite(df)) {
            if (df == Double.POSITIVE_INFINITY) {
                return normalUpper(t);
            }
            throw new IllegalArgumentException("df must be positive: " + df);
        }
        if (t < 0) {
            double q = Math.pow(10, studentTUpper(-t, df));
            return Math.log1p(-q) / LN10;
        }
        if (t == 0) {
            return Math.log10(0.5);
        }
        if (t == Double.POSITIVE_INFINITY) {
            return FLOOR;
        }
        double a = df / 2;
        double b = 0.5;
        double logX;
        double log1mX;
        double x;
        if (t > 1e150) {
            logX = Math.log(df) - 2 * Math.log(t);
            log1mX = 0;
            x = 0;
        } else {
            double t2 = t * t;
            logX = -Math.log1p(t2 / df);
            log1mX = -Math.log1p(df / t2);
            x = df / (df + t2);
        }
        double lnI = logRegularisedBeta(a, b, x, logX, log1mX);
        return (lnI + Math.log(0.5)) / LN10;
    }

    /**
     * log10 P(χ²_df &gt; x), exact via the regularised upper incomplete gamma Q(df/2, x/2): series for the lower
     * tail when {@code x/2 < df/2 + 1}, continued fraction in log space otherwise (finite for huge x).
     */
    public static double chiSquaredUpper(double x, double df) {
        requireNotNaN(x, "x");
        if (!(df > 0) || Double.isInfinite(df)) {
            throw new IllegalArgumentException("df must be positive and finite: " + df);
        }
        if (x <= 0) {
            return 0;
        }
        if (x == Double.POSITIVE_INFINITY) {
            return FLOOR;
        }
        double a = df / 2;
        double y = x / 2;
        if (y < a + 1) {
            double sum = 1 / a;
            double term = sum;
            for (int n = 1; n < MAX_ITER; n++) {
                term *= y / (a + n);
                sum += term;
                if (Math.abs(term) < Math.abs(sum) * EPS) {
                    break;
                }
            }
            double lnP = -y + a * Math.log(y) - Gamma.logGamma(a) + Math.log(sum);
            double p = Math.exp(lnP);
            return Math.min(0, Math.log1p(-Math.min(p, 1)) / LN10);
        }
        // Continued fraction for Q (Lentz).
        double bb = y + 1 - a;
        double c = 1 / TINY;
        double d = 1 / bb;
        double h = d;
        for (int i = 1; i < MAX_ITER; i++) {
            double an = -i * (i - a);
            bb += 2;
            d = an * d + bb;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = bb + an / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < EPS) {
                break;
            }
        }
        double lnQ = -y + a * Math.log(y) - Gamma.logGamma(a) + Math.log(h);
        return Math.min(0, lnQ / LN10);
    }

    /**
     * Fisher's method: {@code X = -2 Σ ln p_i ~ χ²_{2k}} under H0. Valid only when the p-values are independent
     * under H0 (e.g. per-block matchings, Zhu et al. Theorem 3), never for tensors within one block. An empty input
     * gives 0.
     */
    public static double fisher(double[] log10p) {
        if (log10p.length == 0) {
            return 0;
        }
        double s = 0;
        for (double l : log10p) {
            s += checkLog10p(l);
        }
        return chiSquaredUpper(-2 * LN10 * s, 2.0 * log10p.length);
    }

    /**
     * Cauchy combination (ACAT, Liu &amp; Xie 2020): {@code T = Σ w_i tan((½ − p_i)π)} with weights normalised to sum
     * 1, combined {@code p = ½ − arctan(T)/π}. Valid (asymptotically exact in the tail) under arbitrary dependence
     * between the p-values. Evaluated in log space: terms with {@code p_i < 1e-15} are taken as
     * {@code w_i/(π p_i)} through their logarithms and the combined tail as {@code 1/(πT)}, so tiny p-values stay
     * exact. {@code p_i} is capped at {@code 1 − 1e-15} so that a p of exactly 1 does not give {@code −∞}.
     *
     * @param weights non-negative weights with a positive sum, or {@code null} for equal weights
     */
    public static double cauchy(double[] log10p, double[] weights) {
        int k = log10p.length;
        if (k == 0) {
            return 0;
        }
        if (weights != null && weights.length != k) {
            throw new IllegalArgumentException("weights length " + weights.length + " != " + k);
        }
        double wsum = 0;
        for (int i = 0; i < k; i++) {
            double w = weights == null ? 1 : weights[i];
            if (!(w >= 0) || Double.isInfinite(w)) {
                throw new IllegalArgumentException("invalid weight " + w);
            }
            wsum += w;
        }
        if (!(wsum > 0)) {
            throw new IllegalArgumentException("weights sum to zero");
        }
        double rest = 0;
        double bigMax = Double.NEGATIVE_INFINITY;
        double[] bigLog = new double[k];
        int nBig = 0;
        for (int i = 0; i < k; i++) {
            double l = checkLog10p(log10p[i]);
            double w = (weights == null ? 1 : weights[i]) / wsum;
            if (w == 0) {
                continue;
            }
            if (l < -15) {
                double lt = Math.log(w) - Math.log(Math.PI) - l * LN10;
                bigLog[nBig++] = lt;
                bigMax = Math.max(bigMax, lt);
            } else {
                double p = Math.min(Math.pow(10, l), 1 - 1e-15);
                rest += p < 0.5 ? w / Math.tan(p * Math.PI) : -w / Math.tan((1 - p) * Math.PI);
            }
        }
        double lnP;
        if (nBig == 0) {
            lnP = Math.log(cauchyUpper(rest));
        } else {
            double s = 0;
            for (int i = 0; i < nBig; i++) {
                s += Math.exp(bigLog[i] - bigMax);
            }
            double lnBig = bigMax + Math.log(s);
            if (lnBig < 690) {
                lnP = Math.log(cauchyUpper(Math.exp(lnBig) + rest));
            } else {
                double ratio = Math.signum(rest) * Math.exp(Math.log(Math.abs(rest)) - lnBig);
                double lnT = lnBig + Math.log1p(ratio);
                lnP = -lnT - Math.log(Math.PI);
            }
        }
        return Math.min(0, lnP / LN10);
    }

    private static double cauchyUpper(double t) {
        return t > 0 ? Math.atan(1 / t) / Math.PI : 0.5 + Math.atan(-t) / Math.PI;
    }

    /**
     * Holm's step-down adjustment: adjusted {@code p_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j))} over the sorted
     * p-values, returned as log10 in the input order. Controls the family-wise error rate under any dependence.
     */
    public static double[] holm(double[] log10p) {
        int m = log10p.length;
        Integer[] order = new Integer[m];
        for (int i = 0; i < m; i++) {
            checkLog10p(log10p[i]);
            order[i] = i;
        }
        java.util.Arrays.sort(order, (x, y) -> Double.compare(log10p[x], log10p[y]));
        double[] out = new double[m];
        double running = Double.NEGATIVE_INFINITY;
        for (int rank = 0; rank < m; rank++) {
            int i = order[rank];
            double adj = Math.min(0, Math.log10(m - rank) + Math.min(0, log10p[i]));
            running = Math.max(running, adj);
            out[i] = running;
        }
        return out;
    }

    /**
     * Clamps a log10 p-value into {@code [-1e6, 0]} ({@code -Infinity} becomes {@code -1e6}); NaN (a not-applicable
     * result) passes through unchanged.
     */
    public static double clamp(double log10p) {
        if (Double.isNaN(log10p)) {
            return log10p;
        }
        return Math.max(FLOOR, Math.min(0, log10p));
    }

    /** ln of the regularised incomplete beta I_x(a, b), given ln x and ln(1−x) for accuracy near 0 and 1. */
    static double logRegularisedBeta(double a, double b, double x, double logX, double log1mX) {
        double lnFront = a * logX + b * log1mX - org.hipparchus.special.Beta.logBeta(a, b);
        if (x < (a + 1) / (a + b + 2)) {
            return lnFront - Math.log(a) + Math.log(betaContinuedFraction(a, b, x));
        }
        double j = Math.exp(lnFront - Math.log(b)) * betaContinuedFraction(b, a, 1 - x);
        return Math.log1p(-Math.min(j, 1));
    }

    /** Continued fraction of the incomplete beta (modified Lentz). */
    private static double betaContinuedFraction(double a, double b, double x) {
        double qab = a + b;
        double qap = a + 1;
        double qam = a - 1;
        double c = 1;
        double d = 1 - qab * x / qap;
        if (Math.abs(d) < TINY) {
            d = TINY;
        }
        d = 1 / d;
        double h = d;
        for (int m = 1; m < MAX_ITER; m++) {
            int m2 = 2 * m;
            double aa = m * (b - m) * x / ((qam + m2) * (a + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            h *= d * c;
            aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
            d = 1 + aa * d;
            if (Math.abs(d) < TINY) {
                d = TINY;
            }
            c = 1 + aa / c;
            if (Math.abs(c) < TINY) {
                c = TINY;
            }
            d = 1 / d;
            double del = d * c;
            h *= del;
            if (Math.abs(del - 1) < EPS) {
                break;
            }
        }
        return h;
    }

    /** log10(n!) via lnΓ(n+1). */
    public static double log10Factorial(long n) {
        if (n < 0) {
            throw new IllegalArgumentException("negative n " + n);
        }
        return n < 2 ? 0 : Gamma.logGamma(n + 1.0) / LN10;
    }

    private static double checkLog10p(double l) {
        if (Double.isNaN(l)) {
            throw new IllegalArgumentException("NaN log10 p-value (filter not-applicable results first)");
        }
        if (l > 1e-9) {
            throw new IllegalArgumentException("log10 p-value > 0: " + l);
        }
        return Math.min(0, l);
    }

    private static void requireNotNaN(double v, String what) {
        if (Double.isNaN(v)) {
            throw new IllegalArgumentException(what + " is NaN");
        }
    }
}
