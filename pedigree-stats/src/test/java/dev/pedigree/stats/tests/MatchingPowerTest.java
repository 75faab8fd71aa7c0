package dev.pedigree.stats.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
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

    /**
     * The two-sided screen (reference units sampled too, {@link HiddenUnitMatchTest#matchSampledWithin}) of a
     * permuted derivative: 128 sampled units matched among 768 of 2,048 on 1,024 coordinates, gate and up both
     * related at r = 0.1 through one permutation of units. The model gives the agreement route power >= 0.999; the
     * agreement reaches log10 p <= -3 in each of 8 seeded trials. An unrelated pair's matchings stay above it.
     */
    @Test
    void theTwoSidedScreenFindsAPermutedDerivativeAsTheModelPromises() {
        int h = 2048;
        int f = 1024;
        int k = 128;
        int m = 768;
        double r = 0.1;
        double power = MatchingPower.power(r, k, m, h, f, -3);
        assertThat(power).isGreaterThan(0.999).isLessThan(MatchingPower.power(r, k, h, h, f, -3));
        assertThat(MatchingPower.power(r, k, h, h, f, -3)).isEqualTo(MatchingPower.power(r, k, h, f, -3));
        int[] s = HiddenUnitMatchTest.sampledRows(h, k, 7);
        int[] range = HiddenUnitMatchTest.sampledRows(h, m, 7);
        assertThat(range).contains(s);
        double agreements = 0;
        for (int trial = 0; trial < 10; trial++) {
            SplittableRandom rnd = new SplittableRandom(200 + trial);
            boolean related = trial < 8;
            int[] pi = dev.pedigree.stats.SeededSample.permutation(rnd, h);
            int[][] assignments = new int[2][];
            for (int mat = 0; mat < 2; mat++) {
                float[] a = new float[h * f];
                float[] b = new float[h * f];
                for (int u = 0; u < h; u++) {
                    for (int c = 0; c < f; c++) {
                        double x = rnd.nextGaussian();
                        a[u * f + c] = (float) x;
                        b[pi[u] * f + c] = (float)
                                (related ? r * x + Math.sqrt(1 - r * r) * rnd.nextGaussian() : rnd.nextGaussian());
                    }
                }
                Matrix qa = Matrix.of(h, f, a).rowsSubset(s).normaliseRows();
                Matrix qb = Matrix.of(h, f, b).rowsSubset(range).normaliseRows();
                float[] cross = qa.multiplyTransposed(qb).data();
                HiddenUnitMatchTest.Match match = HiddenUnitMatchTest.matchSampledWithin(s, range, h, cross, trial);
                assertThat(match.result().note()).contains("vs 768 sampled rows");
                assertThat(match.result().log10p())
                        .as("trial %d: units permuted, no fixed points", trial)
                        .isGreaterThan(-3);
                assertThat(match.assignment()).hasSize(h);
                assignments[mat] = match.assignment();
            }
            TestResult agree = HiddenUnitMatchTest.agreementSampled(assignments[0], assignments[1], m, "x");
            if (related) {
                assertThat(agree.log10p()).as("trial %d", trial).isLessThanOrEqualTo(-3);
                agreements += agree.statistic();
            } else {
                assertThat(agree.log10p()).as("unrelated trial %d", trial).isGreaterThan(-3);
            }
        }
        double q = MatchingPower.partnerWins(r, f, m);
        System.out.printf(
                "two-sided, r = 0.1: mean agreements %.1f of %d, model %.1f%n",
                agreements / 8, k, k * q * q * (m - 1) / (h - 1));
    }
}
