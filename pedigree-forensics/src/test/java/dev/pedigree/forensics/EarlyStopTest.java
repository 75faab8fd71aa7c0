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
        // Every block pair was decided from its samples: the fixed-index tests on sampled rows, the
        // matchings on the screen (a suspect block's second candidate without them), no full battery.
        assertThat(es.batteryStopped()).isPositive();
        assertThat(es.batteryEscalated()).isZero();
        assertThat(es.batteryPower()).isGreaterThanOrEqualTo(EarlyStop.TARGET_POWER);
        assertThat(es.statement())
                .contains("The whole battery of " + es.batteryStopped() + " of " + es.batteryStopped());
        List<Evidence> ev = r.component("text").orElseThrow().evidence();
        assertThat(ev)
                .filteredOn(x -> x.test().endsWith(".mlp.gate.pearson"))
                .isNotEmpty()
                .allSatisfy(x -> assertThat(x.note()).contains("sampled: ").contains("early stop:"));
        assertThat(ev)
                .filteredOn(x -> x.test().endsWith(".attn.stage2"))
                .isNotEmpty()
                .allSatisfy(x -> assertThat(x.note()).contains("effect-only"));
        assertThat(r.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        // The battery run in full reads several times the bytes and reaches the same verdict.
        ComparisonResult full = withoutSampledBatteries(a, b);
        System.out.printf(
                "decoded per weight byte: %.3f sampled, %.3f full%n",
                r.sampling().fractionRead(), full.sampling().fractionRead());
        assertThat(r.sampling().fractionRead()).isLessThan(0.6 * full.sampling().fractionRead());
        assertThat(full.verdict()).isEqualTo(r.verdict());
    }

    @Test
    void aDerivativeEscalatesAndKeepsEveryResultOfTheFullBattery() throws Exception {
        SimModel base = SyntheticTransformer.random("base", WIDE, 31);
        SimModel derived = DerivationSimulator.noise(base, 0.1, 32);
        ComparisonResult r = LineageComparator.compare(derived.toView(), base.toView(), CompareOptions.DEFAULT);
        ComparisonResult full = withoutSampledBatteries(derived, base);
        EarlyStopping es = r.sampling().earlyStopping();
        System.out.println(es);
        assertThat(es.batteryEscalated()).isPositive();
        assertThat(es.batteryStopped()).isZero();
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.components()).isEqualTo(full.components());
        assertThat(r.layerMap()).isEqualTo(full.layerMap());
        assertThat(r.log10p()).isEqualTo(full.log10p());
    }

    @Test
    void aBlockRelatedAsWeaklyAsR01AtTheSameIndicesEscalatesOnItsSample() throws Exception {
        SimModel base = SyntheticTransformer.random("base", WIDE, 41);
        // r = 0.1 per unit, units in place: the fixed-index samples must see it (power >= 0.999 claimed).
        SimModel weak = DerivationSimulator.noise(base, Math.sqrt(99), 42);
        ComparisonResult r = LineageComparator.compare(weak.toView(), base.toView(), CompareOptions.DEFAULT);
        EarlyStopping es = r.sampling().earlyStopping();
        System.out.println(es);
        assertThat(es.batteryStopped()).isZero();
        assertThat(es.batteryEscalated()).isPositive();
        assertThat(r.component("text").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
    }

    @Test
    void aHalfForeignStackEscalatesItsDerivedBlockAndStaysShared() throws Exception {
        SimModel base = SyntheticTransformer.random("base", WIDE, 51);
        SimModel other = SyntheticTransformer.random("other", WIDE, 52);
        // Block 0 a permuted, noisy derivative of the base's block 0; block 1 an unrelated model's.
        SimModel derived = DerivationSimulator.noise(DerivationSimulator.permuteHiddenAndHeads(base, 53), 0.3, 54);
        List<dev.pedigree.model.ArrayTensor> mixed = new java.util.ArrayList<>();
        for (var t : derived.tensors()) {
            Integer layer = t.address().layer();
            if (layer == null || layer == 0) {
                mixed.add(t);
            }
        }
        for (var t : other.tensors()) {
            Integer layer = t.address().layer();
            if (layer != null && layer == 1) {
                mixed.add(t);
            }
        }
        SimModel half = derived.withTensors(mixed).named("half-foreign");
        ComparisonResult r = LineageComparator.compare(half.toView(), base.toView(), CompareOptions.DEFAULT);
        EarlyStopping es = r.sampling().earlyStopping();
        System.out.println(es);
        print(r);
        assertThat(es.escalated()).as("the derived block's matching screen").isPositive();
        assertThat(r.component("text").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.layerMap()).anySatisfy(m -> {
            assertThat(m.suspect().layer()).isZero();
            assertThat(m.reference().layer()).isZero();
        });
    }

    @Test
    void sampledFixedIndexTestsHoldTheirLevelAndReachTheModelPower() {
        // The rule's error rates on the sampled fixed-index test itself: 64 sampled units over 1024
        // coordinates (input side, full form) and 1,100 units over 64 sampled coordinates (output side,
        // grouped form). Under H0 a test escalates with probability <= 10^-3; at r = 0.1 always; at an r
        // where the model gives about one half, at least the model's power (it errs low).
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(7);
        int trials = 200;
        for (int[] shape : new int[][] {{64, 1024}, {1100, 64}}) {
            int h = shape[0];
            int f = shape[1];
            double rMid = 0;
            for (double x = 0.001; x < 0.2; x += 0.0005) {
                if (EarlyStop.fixedIndexPower(x, h, f) >= 0.5) {
                    rMid = x;
                    break;
                }
            }
            double modelMid = EarlyStop.fixedIndexPower(rMid, h, f);
            assertThat(EarlyStop.fixedIndexPower(EarlyStop.TARGET_R, h, f)).isGreaterThanOrEqualTo(0.999);
            int nullEscalations = 0;
            int weakEscalations = 0;
            int midEscalations = 0;
            for (int t = 0; t < trials; t++) {
                nullEscalations += escalates(rnd, h, f, 0) ? 1 : 0;
                weakEscalations += escalates(rnd, h, f, EarlyStop.TARGET_R) ? 1 : 0;
                midEscalations += escalates(rnd, h, f, rMid) ? 1 : 0;
            }
            System.out.printf(
                    "%dx%d: H0 %d/%d escalated; r = 0.1 %d/%d; r = %.4f %d/%d (model %.3f)%n",
                    h, f, nullEscalations, trials, weakEscalations, trials, rMid, midEscalations, trials, modelMid);
            // Binomial(200, 0.001): 3 or more has probability about 0.001.
            assertThat(nullEscalations).isLessThanOrEqualTo(2);
            assertThat(weakEscalations).isEqualTo(trials);
            assertThat(midEscalations / (double) trials).isGreaterThanOrEqualTo(modelMid - 0.1);
        }
    }

    @Test
    void aSecondSampleIsDisjointFromTheFirst() {
        for (int n : new int[] {256, 2048, 5632}) {
            int[] first = FixedIndexStage.sampleRows(n, 64, 0, 99L + n);
            int[] second = FixedIndexStage.sampleRows(n, 128, 64, 99L + n);
            assertThat(first).hasSize(64).isSorted().doesNotHaveDuplicates();
            assertThat(second).hasSize(128).isSorted().doesNotHaveDuplicates();
            for (int x : second) {
                assertThat(first).doesNotContain(x);
            }
        }
        // Fewer rows left than asked: the rest; none left: empty.
        assertThat(FixedIndexStage.sampleRows(100, 64, 64, 5)).hasSize(36);
        assertThat(FixedIndexStage.sampleRows(64, 64, 64, 5)).isEmpty();
    }

    @Test
    void theBenchShapesTakeASecondSampleAndStateThePowerOfBothStages() {
        // 1.06 B TinyLlama shapes: q, k, v, o, gate, up, down (stored rows x columns; o and down output side).
        List<int[]> shapes = List.of(
                new int[] {2048, 2048},
                new int[] {256, 2048},
                new int[] {256, 2048},
                new int[] {2048, 2048},
                new int[] {5632, 2048},
                new int[] {5632, 2048},
                new int[] {2048, 5632});
        List<Boolean> out = List.of(false, false, false, true, false, false, true);
        EarlyStop.BatteryPlan plan = EarlyStop.batteryPlan(shapes, out);
        assertThat(plan.rows()).isEqualTo(64);
        assertThat(plan.secondRows()).isEqualTo(128);
        // Missed only if one of the two samples misses: power1 + power2 - 1, still >= 0.999.
        double k = EarlyStop.fixedIndexPower(EarlyStop.TARGET_R, 256, 64);
        assertThat(plan.power()).isGreaterThanOrEqualTo(EarlyStop.TARGET_POWER).isLessThanOrEqualTo(k);
        // A matrix too short for both samples: no second sample (a first signal runs the full battery).
        EarlyStop.BatteryPlan small = EarlyStop.batteryPlan(List.of(new int[] {150, 2048}), List.of(false));
        assertThat(small.secondRows()).isZero();
    }

    @Test
    void theStagedRuleKeepsItsLevelAndPower() {
        // The rule with a second sample, on 1,100 output-side units over sampled residual rows (the kind of
        // test whose chance signal sends the bench pair's one block pair to the full battery): the first
        // sample on 64 rows; a first signal weaker than log10 p -6 is checked on 128 disjoint rows. Under H0
        // the full battery runs no more often than before (a subset of the first sample's signals); at
        // r = 0.1 it runs every time; at an r where the first sample's power is about one half, at least
        // power1 + power2 - 1 of the time (the bound the plan states).
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(17);
        int h = 1100;
        double rMid = 0;
        for (double x = 0.001; x < 0.2; x += 0.0005) {
            if (EarlyStop.fixedIndexPower(x, h, 64) >= 0.5) {
                rMid = x;
                break;
            }
        }
        double bound = EarlyStop.fixedIndexPower(rMid, h, 64) + EarlyStop.fixedIndexPower(rMid, h, 128) - 1;
        int trials = 200;
        int[] nullFirst = new int[1];
        int nullFull = 0;
        int weakFull = 0;
        int midFull = 0;
        for (int t = 0; t < trials; t++) {
            nullFull += stagedRunsFull(rnd, h, 0, nullFirst) ? 1 : 0;
            weakFull += stagedRunsFull(rnd, h, EarlyStop.TARGET_R, new int[1]) ? 1 : 0;
            midFull += stagedRunsFull(rnd, h, rMid, new int[1]) ? 1 : 0;
        }
        System.out.printf(
                "staged: H0 first %d, full %d of %d; r = 0.1 full %d; r = %.4f full %d (bound %.3f)%n",
                nullFirst[0], nullFull, trials, weakFull, rMid, midFull, bound);
        assertThat(nullFull).isLessThanOrEqualTo(nullFirst[0]).isLessThanOrEqualTo(2);
        assertThat(weakFull).isEqualTo(trials);
        assertThat(midFull / (double) trials).isGreaterThanOrEqualTo(bound - 0.1);
    }

    /**
     * One trial of the staged rule on {@code h} output-side unit pairs correlated {@code r} over 192
     * residual rows (64 for the first sample, the next 128 for the second): whether the full battery
     * runs. {@code first[0]} counts first-sample signals.
     */
    private static boolean stagedRunsFull(java.util.SplittableRandom rnd, int h, double r, int[] first) {
        TestResult one = fixedIndex(rnd, h, 64, r);
        if (one.log10p() > EarlyStop.ESCALATE_LOG10P) {
            return false;
        }
        first[0]++;
        if (one.log10p() <= EarlyStop.SECOND_SAMPLE_ABOVE_LOG10P) {
            return true;
        }
        return fixedIndex(rnd, h, 128, r).log10p() <= EarlyStop.ESCALATE_LOG10P;
    }

    /** The fixed-index test of h unit pairs correlated r over f fresh coordinates. */
    private static TestResult fixedIndex(java.util.SplittableRandom rnd, int h, int f, double r) {
        float[] a = new float[h * f];
        float[] b = new float[h * f];
        double c = Math.sqrt(1 - r * r);
        for (int k = 0; k < a.length; k++) {
            double x = gaussian(rnd);
            a[k] = (float) x;
            b[k] = (float) (r * x + c * gaussian(rnd));
        }
        return FixedIndexStage.pearsonSameRows(
                "x", dev.pedigree.stats.Matrix.of(h, f, a), dev.pedigree.stats.Matrix.of(h, f, b));
    }

    /** Whether the fixed-index test of h units over f coordinates, unit pairs correlated r, reaches the escalation threshold. */
    private static boolean escalates(java.util.SplittableRandom rnd, int h, int f, double r) {
        TestResult t = fixedIndex(rnd, h, f, r);
        return EarlyStop.escalate(List.of(new TaggedTest("text", t, TaggedTest.Kind.PRIMARY)));
    }

    private static double gaussian(java.util.SplittableRandom rnd) {
        double u = rnd.nextDouble();
        double v = rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
    }

    private static ComparisonResult withoutSampledBatteries(SimModel a, SimModel b) throws Exception {
        EarlyStop.sampledBatteries = false;
        try {
            return LineageComparator.compare(a.toView(), b.toView(), CompareOptions.DEFAULT);
        } finally {
            EarlyStop.sampledBatteries = true;
        }
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
        List<TaggedTest> out = EarlyStop.stopped(screen, new EarlyStop.Plan(64, 0, 0.9995), 1100);
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
        assertThat(p.range()).isZero();
        assertThat(p.power()).isGreaterThanOrEqualTo(0.999);
        // Every coordinate of a 2,048-wide residual: 32 units against all 5,632 reference units, or, where the
        // reference may be sampled too, the cheaper 128 units among 768 seeded reference units.
        EarlyStop.Plan all = EarlyStop.plan(5632, 2048, 1024);
        assertThat(all.units()).isEqualTo(32);
        assertThat(all.range()).isZero();
        EarlyStop.Plan two = EarlyStop.plan(5632, 2048, 1024, true);
        assertThat(two.units()).isEqualTo(128);
        assertThat(two.range()).isEqualTo(768);
        assertThat(two.power()).isGreaterThanOrEqualTo(EarlyStop.TARGET_POWER);
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
