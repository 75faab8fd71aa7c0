package dev.pedigree.stats.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pedigree.stats.Matrix;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The model-based power of a small sampled matching, checked against the matching itself. */
class MatchingPowerTest {

    @Test
    void partnerWinsGrowsWithCorrelationAndFeaturesAndFallsWithCandidates() {
        assertThat(MatchingPower.partnerWins(0.1, 1024, 5632)).isBetween(0.25, 0.4);
        assertThat(MatchingPower.partnerWins(0.2, 1024, 5632)).isGreaterThan(0.99);
        assertThat(MatchingPower.partnerWins(0.1, 256, 5632)).isLessThan(0.05);
        assertThat(MatchingPower.partnerWins(0.1, 1024, 1000))
                .isGreaterThan(MatchingPower.partnerWins(0.1, 1024, 5632));
        assertThat(MatchingPower.partnerWins(0, 1024, 5632)).isZero();
    }

    @Test
    void binomialTailAndHitsNeeded() {
        assertThat(MatchingPower.binomialTail(10, 0.5, 0)).isEqualTo(1);
        assertThat(MatchingPower.binomialTail(10, 0.5, 10)).isCloseTo(Math.pow(0.5, 10), within(1e-12));
        assertThat(MatchingPower.binomialTail(10, 0.5, 5)).isCloseTo(638.0 / 1024, within(1e-12));
        // Two fixed points among 128 of 5632: C(128,2)/(5632*5631) = 2.6e-4 <= 1e-3 / 2.
        assertThat(MatchingPower.hitsNeeded(128, 5632, -3, Math.log10(2))).isEqualTo(2);
    }

    /**
     * The sampled matching of 128 units against 2,048 on 1,024 coordinates, with every unit's partner
     * correlated r = 0.1: the model says the fixed points reach log10 p <= -3 with probability >= 0.999;
     * the matching does so in each of 8 seeded trials, and finds about the partners the model expects.
     */
    @Test
    void theMatchingFindsWhatTheModelPromises() {
        int h = 2048;
        int f = 1024;
        int k = 128;
        double r = 0.1;
        double q = MatchingPower.partnerWins(r, f, h);
        assertThat(MatchingPower.power(r, k, h, f, -3)).isGreaterThan(0.999);
        double found = 0;
        for (int trial = 0; trial < 8; trial++) {
            SplittableRandom rnd = new SplittableRandom(100 + trial);
            float[] a = new float[h * f];
            float[] b = new float[h * f];
            for (int i = 0; i < a.length; i++) {
                double x = rnd.nextGaussian();
                a[i] = (float) x;
                b[i] = (float) (r * x + Math.sqrt(1 - r * r) * rnd.nextGaussian());
            }
            HiddenUnitMatchTest.Match m =
                    HiddenUnitMatchTest.matchSampled(Matrix.of(h, f, a), Matrix.of(h, f, b), k, trial);
            assertThat(m.result().log10p()).as("trial " + trial).isLessThanOrEqualTo(-3);
            found += m.result().statistic();
        }
        System.out.printf("r = 0.1: mean fixed points %.1f of %d, model %.1f%n", found / 8, k, q * k);
        assertThat(found / 8).isGreaterThan(0.6 * q * k);
    }
}
