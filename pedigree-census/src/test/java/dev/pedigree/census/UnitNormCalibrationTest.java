package dev.pedigree.census;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.census.fingerprint.CensusFingerprinter;
import dev.pedigree.census.fingerprint.CensusProfile;
import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintPairComparator;
import dev.pedigree.fingerprint.UnitNormTest;
import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.forensics.simulate.TinyTrainer;
import dev.pedigree.model.Component;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * Calibration of the unit-norm test on census fingerprints (block-sampled, 32 units): its p-values
 * over independent pairs (random initialisations with the same shapes and tokenizer; tiny models
 * trained on the same data from different seeds) look uniform and never reach the shared
 * threshold, and the pair verdict of independent pairs stays INDEPENDENT; residual rotations and
 * permutations, lightly or heavily fine-tuned afterwards, are detected. Seeded: the same numbers on
 * every run.
 */
class UnitNormCalibrationTest {
    static final Config TEXT = Config.smallDecoder().withLayers(4);

    static Fingerprint fp(SimModel m) throws Exception {
        return CensusFingerprinter.fingerprint(m.toView(), 0, CensusProfile.DEFAULT)
                .fingerprint();
    }

    static double unitNorms(Fingerprint a, Fingerprint b) {
        UnitNormTest.Result r = UnitNormTest.compare(a, b).get("text");
        assertThat(r).isNotNull();
        return r.log10p();
    }

    @Test
    void independentPairsGiveUniformPValuesAndNoSharedVerdict() throws Exception {
        List<Double> random = new ArrayList<>();
        int shared = 0;
        for (int k = 0; k < 200; k++) {
            SimModel a = SyntheticTransformer.random("a" + k, TEXT, 9000 + 2L * k);
            SimModel b = DerivationSimulator.matchedRandom(a, 9001 + 2L * k);
            Fingerprint fa = fp(a);
            Fingerprint fb = fp(b);
            random.add(unitNorms(fa, fb));
            if (k < 50) {
                ComparisonResult c = FingerprintPairComparator.compare(fb, fa, CompareOptions.DEFAULT);
                shared += c.verdict() == Verdict.SHARED_LINEAGE ? 1 : 0;
            }
        }
        List<Double> trained = new ArrayList<>();
        TinyTrainer.Config tc = TinyTrainer.Config.DEFAULT.withSteps(200);
        for (int k = 0; k < 30; k++) {
            SimModel a = TinyTrainer.train("ta" + k, tc, 5000 + 2L * k, 77 + k).model();
            SimModel b = TinyTrainer.train("tb" + k, tc, 5001 + 2L * k, 77 + k).model();
            trained.add(unitNorms(fp(a), fp(b)));
        }
        System.out.println(summary("random-init, same shapes and tokenizer", random));
        System.out.println(summary("tiny-trained, same data", trained));
        assertThat(shared).isZero();
        for (List<Double> ps : List.of(random, trained)) {
            assertThat(ps).allMatch(l -> l > -5);
            assertThat(fraction(ps, 0.5)).isBetween(0.3, 0.7);
        }
        assertThat(fraction(random, 0.05)).isBetween(0.01, 0.12);
        assertThat(fraction(trained, 0.05)).isLessThan(0.2);
    }

    @Test
    void residualRotationsAndPermutationsAreDetectedAfterFineTuning() throws Exception {
        List<String> lines = new ArrayList<>();
        for (int k = 0; k < 5; k++) {
            SimModel base = SyntheticTransformer.random("base" + k, TEXT, 700 + k);
            Fingerprint fb = fp(base);
            for (double noise : new double[] {0, 0.5, 2.0}) {
                SimModel rot = DerivationSimulator.rotateResidual(base, Component.TEXT_DECODER, 800 + k);
                SimModel perm = DerivationSimulator.permuteResidual(base, Component.TEXT_DECODER, true, 900 + k);
                if (noise > 0) {
                    rot = DerivationSimulator.noise(rot, noise, 1000 + k);
                    perm = DerivationSimulator.noise(perm, noise, 1100 + k);
                }
                for (SimModel d : List.of(rot, perm)) {
                    Fingerprint fd = fp(d);
                    double u = unitNorms(fd, fb);
                    ComparisonResult c = FingerprintPairComparator.compare(fd, fb, CompareOptions.DEFAULT);
                    lines.add(String.format(
                            Locale.ROOT,
                            "%s noise %.1f: unit norms %.1f, pair %s %.1f",
                            d.name(),
                            noise,
                            u,
                            c.verdict(),
                            c.log10p()));
                    if (noise <= 0.5) {
                        assertThat(c.verdict()).as(d.name() + " noise " + noise).isEqualTo(Verdict.SHARED_LINEAGE);
                    }
                }
            }
        }
        lines.forEach(System.out::println);
    }

    static double fraction(List<Double> log10ps, double alpha) {
        return log10ps.stream().filter(l -> l < Math.log10(alpha)).count() / (double) log10ps.size();
    }

    static String summary(String family, List<Double> ps) {
        return String.format(
                Locale.ROOT,
                "unit-norm null, %s: %d pairs, p<0.05 %.3f, p<0.01 %.3f, p<0.5 %.3f, min log10p %.2f",
                family,
                ps.size(),
                fraction(ps, 0.05),
                fraction(ps, 0.01),
                fraction(ps, 0.5),
                ps.stream().mapToDouble(Double::doubleValue).min().orElse(0));
    }
}
