package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.EarlyStopping;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Component;
import dev.pedigree.stats.TestResult;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Power-based early stopping of wide hidden-unit matchings: an independent pair is judged from the
 * screen (and says the power it reached), a permuted derivative escalates to the full assignment
 * and gets the same tests as without the screen, and a block related only as weakly as r = 0.1
 * still escalates.
 */
class EarlyStopTest {
    /** Residual width 1024 (the matchings compare units on 1024 coordinates), 1,100 MLP units, 2 blocks. */
    private static final Config WIDE = new Config(Component.TEXT_DECODER, 256, 1024, 8, 8, 1100, 2, true, false, false);

    @Test
    void independentWidePairStopsEarlyAndStatesItsPower() throws Exception {
        SimModel a = SyntheticTransformer.random("a", WIDE, 11);
        SimModel b = SyntheticTransformer.random("b", WIDE, 12);
        ComparisonResult r = LineageComparator.compare(a.toView(), b.toView(), CompareOptions.DEFAULT);
        EarlyStopping es = r.sampling().earlyStopping();
        System.out.println(es);
        print(r);
        assertThat(es).isNotNull();
        assertThat(es.stopped()).isPositive();
        assertThat(es.power()).isGreaterThanOrEqualTo(EarlyStop.TARGET_POWER);
        assertThat(es.statement())
                .contains("a block related as weakly as r = 0.1 would have been detected with probability >= 0.999");
        Evidence m = evidence(r, ".mlp.gate.match");
        assertThat(m.note()).contains("early stop: screen of");
        assertThat(r.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
    }

    @Test
    void permutedDerivativeEscalatesToTheFullAssignment() throws Exception {
        SimModel base = SyntheticTransformer.random("base", WIDE, 3);
        SimModel permuted = DerivationSimulator.noise(DerivationSimulator.permuteHiddenAndHeads(base, 5), 0.3, 6);
        ComparisonResult r = LineageComparator.compare(permuted.toView(), base.toView(), CompareOptions.DEFAULT);
        EarlyStopping es = r.sampling().earlyStopping();
        System.out.println(es);
        print(r);
        assertThat(es).isNotNull();
        // Both same-index block pairs escalate; a screened pair of different blocks (unrelated) may stop.
        assertThat(es.escalated()).isGreaterThanOrEqualTo(2);
        Evidence agree = evidence(r, ".mlp.gate_up.agreement");
        assertThat(agree.note()).doesNotContain("early stop").contains("of 1024 sampled units");
        assertThat(agree.log10p()).isLessThan(-12);
        assertThat(r.component("text").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
    }

    @Test
    void aBlockRelatedAsWeaklyAsR01StillEscalates() throws Exception {
        SimModel base = SyntheticTransformer.random("base", WIDE, 21);
        // Per-unit correlation r = 1/sqrt(1 + s^2) = 0.1 for relative noise s = sqrt(99); units permuted.
        SimModel weak =
                DerivationSimulator.noise(DerivationSimulator.permuteHiddenAndHeads(base, 22), Math.sqrt(99), 23);
        ComparisonResult r = LineageComparator.compare(weak.toView(), base.toView(), CompareOptions.DEFAULT);
        EarlyStopping es = r.sampling().earlyStopping();
        System.out.println(es);
        print(r);
        assertThat(es).isNotNull();
        assertThat(es.stopped())
                .as("weakly related blocks judged from the screen")
                .isZero();
        assertThat(es.escalated()).isPositive();
        // (The full assignment then runs as before; its aligned matchings need a residual alignment that a
        // model this noisy does not give, so the screen is the more sensitive of the two here.)
    }

    @Test
    void stoppedPValuesPayForTheEscalationRule() {
        List<TaggedTest> screen = List.of(
                new TaggedTest("text", new TestResult("x.match", 0, -1, 0, 64, "n"), TaggedTest.Kind.EXACT),
                new TaggedTest("text", new TestResult("x.agreement", 0, 0, 0, 64, "n"), TaggedTest.Kind.PRIMARY),
                new TaggedTest("text", TestResult.notApplicable("x.other", "why"), TaggedTest.Kind.EXACT));
        List<TaggedTest> out = EarlyStop.stopped(screen, new EarlyStop.Plan(64, 0.9995), 1100);
        // Two applicable screening tests: p + 2 x 0.001.
        assertThat(out.get(0).result().log10p())
                .isCloseTo(Math.log10(0.1 + 0.002), org.assertj.core.api.Assertions.within(1e-12));
        assertThat(out.get(1).result().log10p()).isZero();
        assertThat(out.get(2).result().applicable()).isFalse();
        assertThat(EarlyStop.escalate(screen)).isFalse();
    }

    @Test
    void noScreenWhenItCannotReachThePower() {
        // 64 coordinates per unit: no screen smaller than the full test reaches 0.999 at r = 0.1.
        assertThat(EarlyStop.plan(5632, 64, 1024)).isNull();
        EarlyStop.Plan p = EarlyStop.plan(5632, 1024, 1024);
        assertThat(p).isNotNull();
        assertThat(p.units()).isEqualTo(128);
        assertThat(p.power()).isGreaterThanOrEqualTo(0.999);
    }

    private static void print(ComparisonResult r) {
        r.component("text").orElseThrow().evidence().stream()
                .filter(x -> x.test().contains(".mlp.")
                        && (x.test().contains("match") || x.test().contains("agree")))
                .forEach(x -> System.out.println("  " + x.test() + " " + x.log10p() + " " + x.note()));
    }

    private static Evidence evidence(ComparisonResult r, String suffix) {
        return r.component("text").orElseThrow().evidence().stream()
                .filter(x -> x.test().endsWith(suffix))
                .findFirst()
                .orElseThrow();
    }
}
