package dev.pedigree.stats.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.Synth;
import dev.pedigree.stats.Synth.Family;
import dev.pedigree.stats.TestResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.BiFunction;
import org.hipparchus.distribution.continuous.UniformRealDistribution;
import org.hipparchus.stat.inference.KolmogorovSmirnovTest;
import org.junit.jupiter.api.Test;

/**
 * Under H0 (independent random pairs from several families) every test's p-values must be valid: the rejection rate
 * at 0.05 stays within binomial bounds (upper bound for all; tests documented as exact-in-distribution are also
 * checked for uniformity with a Kolmogorov–Smirnov test).
 */
class CalibrationTest {

    private static final int PAIRS = 200;

    /** Binomial(200, 0.05): mean 10, sd 3.08; 3.5 sd above → 20. */
    private static final int MAX_REJECTIONS = 20;

    private record Outcome(String test, Family family, int rejections, double ksP, double minLog10p) {}

    private static final List<Outcome> OUTCOMES = new ArrayList<>();

    private static Outcome run(
            String name, Family f, long seed, boolean uniform, BiFunction<SplittableRandom, Family, TestResult> one) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] p = new double[PAIRS];
        int rej = 0;
        double min = 0;
        for (int i = 0; i < PAIRS; i++) {
            TestResult r = one.apply(rng, f);
            assertThat(r.applicable()).as(name + " " + r.note()).isTrue();
            p[i] = Math.pow(10, r.log10p());
            min = Math.min(min, r.log10p());
            if (p[i] < 0.05) {
                rej++;
            }
        }
        double ks = new KolmogorovSmirnovTest().kolmogorovSmirnovTest(new UniformRealDistribution(0, 1), p);
        Outcome o = new Outcome(name, f, rej, ks, min);
        synchronized (OUTCOMES) {
            OUTCOMES.add(o);
        }
        System.out.printf(
                Locale.ROOT,
                "calibration %-28s %-14s P(p<0.05)=%3d/%d  KS p=%.3g  min log10p=%.2f%n",
                name,
                f,
                rej,
                PAIRS,
                ks,
                min);
        assertThat(rej).as(name + " " + f + " rejections").isLessThanOrEqualTo(MAX_REJECTIONS);
        assertThat(min).as(name + " " + f + " smallest log10p").isGreaterThan(-5);
        if (uniform) {
            assertThat(ks).as(name + " " + f + " KS uniformity").isGreaterThan(1e-3);
        }
        return o;
    }

    @Test
    void hiddenUnitMatch() {
        for (Family f : Family.values()) {
            run(
                    "zhu.match (h=64,d=32)",
                    f,
                    100 + f.ordinal(),
                    true,
                    (rng, fam) -> HiddenUnitMatchTest.match(
                                    Synth.random(fam, rng, 64, 32), Synth.random(fam, rng, 64, 32))
                            .result());
        }
    }

    @Test
    void hiddenUnitMatchSampled() {
        for (Family f : Family.values()) {
            // conservative (Bonferroni + union bound): only the upper rejection bound applies
            run(
                    "zhu.sampled (k=24 of 96)",
                    f,
                    200 + f.ordinal(),
                    false,
                    (rng, fam) -> HiddenUnitMatchTest.matchSampled(
                                    Synth.random(fam, rng, 96, 32), Synth.random(fam, rng, 96, 32), 24, rng.nextLong())
                            .result());
        }
    }

    @Test
    void hiddenUnitMatchRectangular() {
        for (Family f : Family.values()) {
            // conservative (Bonferroni + union bound): only the upper rejection bound applies
            run(
                    "zhu.rectangular (48 into 80)",
                    f,
                    250 + f.ordinal(),
                    false,
                    (rng, fam) -> HiddenUnitMatchTest.matchRectangular(
                                    Synth.random(fam, rng, 48, 32),
                                    Synth.random(fam, rng, 80, 32),
                                    1024,
                                    rng.nextLong())
                            .result());
            run(
                    "zhu.rectangular (80 onto 48, k=24)",
                    f,
                    260 + f.ordinal(),
                    false,
                    (rng, fam) -> HiddenUnitMatchTest.matchRectangular(
                                    Synth.random(fam, rng, 80, 32), Synth.random(fam, rng, 48, 32), 24, rng.nextLong())
                            .result());
        }
    }

    @Test
    void agreementOfIndependentMatchings() {
        for (Family f : Family.values()) {
            // conservative since the fixed-point count joined Spearman (Bonferroni ×2 and the 1/m! bound):
            // only the upper rejection bound applies
            run("zhu.agreement (h=48)", f, 300 + f.ordinal(), false, (rng, fam) -> {
                int[] g = HiddenUnitMatchTest.match(Synth.random(fam, rng, 48, 24), Synth.random(fam, rng, 48, 24))
                        .assignment();
                int[] u = HiddenUnitMatchTest.match(Synth.random(fam, rng, 48, 24), Synth.random(fam, rng, 48, 24))
                        .assignment();
                return HiddenUnitMatchTest.agreement(g, u, "agree");
            });
        }
    }

    @Test
    void alignedCorrelation() {
        for (Family f : Family.values()) {
            run(
                    "aligned (h=64,d=32)",
                    f,
                    400 + f.ordinal(),
                    false,
                    (rng, fam) -> AlignedCorrelationTest.test(
                            "al", Synth.random(fam, rng, 64, 32), Synth.random(fam, rng, 64, 32)));
        }
    }

    @Test
    void alignedCorrelationGroupedForm() {
        // h²·w above FULL_COST_LIMIT: the strided-group form runs (137 groups of 8-9 rows).
        for (Family f : Family.values()) {
            run("aligned grouped (h=1100,d=32)", f, 450 + f.ordinal(), false, (rng, fam) -> {
                TestResult r = AlignedCorrelationTest.test(
                        "al", Synth.random(fam, rng, 1100, 32), Synth.random(fam, rng, 1100, 32));
                assertThat(r.note()).contains("strided groups");
                return r;
            });
        }
    }

    @Test
    void cka() {
        for (Family f : Family.values()) {
            run(
                    "cka (n=40,k=16,T=99)",
                    f,
                    500 + f.ordinal(),
                    false,
                    (rng, fam) -> Cka.test(
                            "cka", Synth.random(fam, rng, 40, 16), Synth.random(fam, rng, 40, 12), rng.nextLong(), 99));
        }
    }

    @Test
    void centredVector() {
        for (Family f : Family.values()) {
            run(
                    "centred (n=512)",
                    f,
                    600 + f.ordinal(),
                    true,
                    (rng, fam) -> CentredVectorTest.test(
                            "cv",
                            Synth.random(fam, rng, 1, 512).data(),
                            Synth.random(fam, rng, 1, 512).data()));
        }
    }

    @Test
    void invariant() {
        for (Family f : Family.values()) {
            run("invariant (n=40,d=24)", f, 700 + f.ordinal(), false, (rng, fam) -> {
                // Each model has its own random weights; anchors are shared token embeddings of each model.
                Matrix invA = model(rng, fam);
                Matrix invB = model(rng, fam);
                return InvariantTest.test("inv", invA, invB, rng.nextLong(), 99);
            });
        }
    }

    private static Matrix model(SplittableRandom rng, Family fam) {
        int n = 40;
        int d = 24;
        Matrix e = Synth.random(fam, rng, n, d);
        float[] gamma = Synth.vector(rng, d, 1, 0.1);
        Matrix wq = Synth.random(fam, rng, 16, d);
        Matrix wk = Synth.random(fam, rng, 8, d);
        return InvariantTest.attentionInvariant(e, gamma, wq, wk, 4);
    }
}
