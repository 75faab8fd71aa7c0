package dev.pedigree.stats.tests;

import dev.pedigree.stats.LogP;
import org.hipparchus.special.Erf;

/**
 * Power of a small sampled hidden-unit matching ({@link HiddenUnitMatchTest#matchSampled} and
 * {@link HiddenUnitMatchTest#agreementSampled}) against a block related as weakly as a stated
 * correlation, used to stop early when a screen of a few units shows no signal.
 *
 * <p><b>Model.</b> Each of the {@code k} sampled units of the suspect has one partner among the
 * {@code h} units of the reference whose weights (over the {@code features} compared coordinates)
 * correlate {@code r} with its own; every other unit is unrelated. Standardised cosines are
 * Gaussian: the partner's {@code N(r√f, (1 − r²)²)}, the others' {@code N(0, 1)}. A unit's partner
 * is its best-scoring unit with probability {@code q = P(X > max of h − 1 others)} ({@link
 * #partnerWins}), and a matching keeps those partners (the assignment maximises the total cosine,
 * so a unit whose partner is its clear best keeps it unless two units claim the same partner). The
 * count of units matched to their partner is then {@code Binomial(k, q)}; when both models keep
 * the same unit order those are fixed points (the sampled matching's fixed-point bound), and when
 * the units were permuted two matchings of the same units (gate and up) agree on a unit with
 * probability {@code q²} (the agreement bound). The power is the smaller of the two detection
 * probabilities at the screen's threshold. It is a model-based figure, not an exact one: it
 * ignores the Spearman half of the match test (more power) and collisions in the assignment.
 *
 * <p>Stateless and thread-safe.
 */
public final class MatchingPower {
    private MatchingPower() {}

    /**
     * Probability that a unit's partner, correlated {@code r} over {@code features} coordinates,
     * scores above all {@code candidates − 1} unrelated units: {@code ∫ φ((x − μ)/σ)/σ · Φ(x)^(h−1) dx}
     * with {@code μ = r√f}, {@code σ = 1 − r²} (numerical integration, step 0.002σ over ±12σ).
     */
    public static double partnerWins(double r, int features, int candidates) {
        if (r <= 0 || features < 1 || candidates < 1) {
            return candidates <= 1 ? 1 : 0;
        }
        double mu = r * Math.sqrt(features);
        double sigma = 1 - r * r;
        double step = 0.002 * sigma;
        double sum = 0;
        for (double x = mu - 12 * sigma; x <= mu + 12 * sigma; x += step) {
            double z = (x - mu) / sigma;
            double density = Math.exp(-0.5 * z * z) / (sigma * Math.sqrt(2 * Math.PI));
            double phi = 0.5 * Erf.erfc(-x / Math.sqrt(2));
            sum += density * Math.exp((candidates - 1) * Math.log(Math.max(phi, Double.MIN_NORMAL)));
        }
        return Math.min(1, Math.max(0, sum * step));
    }

    /** log10 of the sampled fixed-point (and agreement) bound {@code C(k,m)/(h)_m}, capped at 0. */
    public static double log10Bound(int k, int h, int m) {
        return Math.min(
                0,
                LogP.log10Factorial(k)
                        - LogP.log10Factorial(m)
                        - LogP.log10Factorial(k - m)
                        - (LogP.log10Factorial(h) - LogP.log10Factorial(h - m)));
    }

    /**
     * Fewest hits (fixed points or agreements) among {@code k} sampled units of {@code h} whose bound,
     * plus {@code log10Factor}, reaches {@code log10Alpha}; {@code k + 1} when none does.
     */
    public static int hitsNeeded(int k, int h, double log10Alpha, double log10Factor) {
        for (int m = 0; m <= k; m++) {
            if (log10Bound(k, h, m) + log10Factor <= log10Alpha) {
                return m;
            }
        }
        return k + 1;
    }

    /** {@code P(Binomial(n, p) ≥ m)}, summed in log space. */
    public static double binomialTail(int n, double p, int m) {
        if (m <= 0) {
            return 1;
        }
        if (m > n || p <= 0) {
            return 0;
        }
        if (p >= 1) {
            return 1;
        }
        double lp = Math.log(p);
        double lq = Math.log1p(-p);
        double sum = 0;
        for (int i = m; i <= n; i++) {
            double l = (LogP.log10Factorial(n) - LogP.log10Factorial(i) - LogP.log10Factorial(n - i)) * Math.log(10)
                    + i * lp
                    + (n - i) * lq;
            sum += Math.exp(l);
        }
        return Math.min(1, sum);
    }

    /**
     * Power of a screen of {@code k} sampled units against {@code h} units over {@code features}
     * coordinates to reach {@code log10Alpha} for a block related at correlation {@code r}: the
     * smaller of the fixed-point route (same unit order; the match test's Bonferroni ×2 included)
     * and the agreement route (units permuted).
     */
    public static double power(double r, int k, int h, int features, double log10Alpha) {
        return power(r, k, h, h, features, log10Alpha);
    }

    /**
     * {@link #power(double, int, int, int, double)} of a screen whose reference side is sampled too
     * ({@link HiddenUnitMatchTest#matchSampledWithin}): the {@code k} sampled units are matched among
     * {@code m} of the {@code h} reference units, a seeded sample that contains the units at the
     * sampled indices. A unit's partner then competes with {@code m − 1} others (q grows), the bounds
     * count injections into {@code m}; on the fixed-point route (same unit order) every partner is in
     * the sample, on the agreement route (units permuted) a unit's partner is among the sampled
     * reference units with probability at least {@code (m − 1)/(h − 1)} (the sample is independent of
     * the permutation), so hits are modelled as Binomial(k, q²·(m − 1)/(h − 1)). With {@code m = h}
     * this is the one-sided screen's power.
     */
    public static double power(double r, int k, int m, int h, int features, double log10Alpha) {
        return powerGiven(partnerWins(r, features, m), k, m, h, log10Alpha);
    }

    /**
     * {@link #power(double, int, int, int, int, double)} given {@code q = partnerWins(r, features, m)}
     * (one numerical integration serves every screen size tried among m reference units).
     */
    public static double powerGiven(double q, int k, int m, int h, double log10Alpha) {
        int fixed = hitsNeeded(k, m, log10Alpha, Math.log10(2));
        int agree = hitsNeeded(k, m, log10Alpha, 0);
        double present = m >= h ? 1 : (m - 1) / (double) (h - 1);
        return Math.min(binomialTail(k, q, fixed), binomialTail(k, q * q * present, agree));
    }
}
