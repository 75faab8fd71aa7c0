package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Thresholds;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.model.ComponentKind;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.TestResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The multiple-testing policy on known inputs, edges included (nothing to combine, floors, ties). */
class CombinationTest {
    private static final double EPS = 1e-9;
    private static final Thresholds TH = Thresholds.DEFAULT;

    private static TaggedTest test(double log10p, Kind kind) {
        return new TaggedTest("text", new TestResult("t", 0.5, log10p, 0.5, 100, ""), kind);
    }

    private static TaggedTest notApplicable(Kind kind) {
        return new TaggedTest("text", TestResult.notApplicable("t", "shapes differ"), kind);
    }

    private static ComponentResult component(Verdict v, Double log10p, long parameters) {
        return new ComponentResult("c", ComponentKind.OTHER, parameters, v, log10p, List.of(), "");
    }

    // ------------------------------------------------------------------ within a block pair

    @Test
    void cauchyOfEqualValuesIsThatValueAndOneValueIsReturnedAsItIs() {
        assertThat(Combination.cauchyOf(List.of(-3.0, -3.0))).isCloseTo(-3.0, within(EPS));
        assertThat(Combination.cauchyOf(List.of(-20.0, -20.0, -20.0))).isCloseTo(-20.0, within(EPS));
        assertThat(Combination.cauchyOf(List.of(-0.7))).isEqualTo(-0.7);
        // The smallest p dominates: two equal-weight values give about twice the smaller p.
        assertThat(Combination.cauchyOf(List.of(-40.0, -1.0))).isCloseTo(-40 + Math.log10(2), within(1e-6));
    }

    @Test
    void nothingToCombineGivesNull() {
        assertThat(Combination.cauchy(List.of())).isNull();
        assertThat(Combination.cauchyExact(List.of())).isNull();
        assertThat(Combination.cauchy(List.of(notApplicable(Kind.PRIMARY), notApplicable(Kind.EXACT))))
                .isNull();
        // Weak tests never enter a combination, however small their p.
        assertThat(Combination.cauchy(List.of(test(-300, Kind.WEAK)))).isNull();
        assertThat(Combination.blockPair(List.of(notApplicable(Kind.PRIMARY)), null, true))
                .isNull();
        assertThatThrownBy(() -> Combination.cauchyOf(List.of())).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void exactCombinationKeepsOnlyTheMatchings() {
        List<TaggedTest> tests = List.of(test(-2, Kind.PRIMARY), test(-9, Kind.EXACT), test(-50, Kind.WEAK));
        assertThat(Combination.cauchyExact(tests)).isEqualTo(-9.0);
        assertThat(Combination.cauchy(tests)).isCloseTo(Combination.cauchyOf(List.of(-2.0, -9.0)), within(EPS));
    }

    @Test
    void theFloorNeverBecomesMinusInfinity() {
        double floor = LogP.FLOOR;
        double c = Combination.cauchyOf(List.of(floor, -1.0));
        assertThat(c).isFinite().isCloseTo(floor + Math.log10(2), within(1e-6));
        assertThat(Combination.cauchyOf(List.of(floor, floor))).isFinite().isCloseTo(floor, within(1e-6));
        double f = Combination.stack("text", List.of(floor, floor), List.of(), List.of())
                .log10p();
        assertThat(f).isFinite().isLessThan(floor);
        // A layer-map value below the floor is clamped to it, never to −∞.
        assertThat(Combination.layerMatch(2 * floor, 4, 4, TH)).isEqualTo(floor);
        assertThat(Combination.holm(List.of(floor, floor)))
                .allSatisfy(x -> assertThat(x).isFinite().isCloseTo(floor + Math.log10(2), within(1e-6)));
    }

    @Test
    void blockPairPaysFourForItsTwoChoices() {
        List<TaggedTest> tests = List.of(test(-10, Kind.PRIMARY), test(-10, Kind.EXACT));
        double all = Combination.cauchy(tests);
        assertThat(all).isCloseTo(-10, within(EPS));
        // Complete: 4·min(p_fixed, p_all).
        assertThat(Combination.blockPair(tests, -8.0, true)).isCloseTo(-10 + Math.log10(4), within(EPS));
        assertThat(Combination.blockPair(tests, -12.0, true)).isCloseTo(-12 + Math.log10(4), within(EPS));
        // A stage skipped: 4·p_fixed, whatever the others gave.
        assertThat(Combination.blockPair(tests, -8.0, false)).isCloseTo(-8 + Math.log10(4), within(EPS));
        // No fixed-index test: the tests' combination alone, without the factor.
        assertThat(Combination.blockPair(tests, null, true)).isCloseTo(-10, within(EPS));
        // Capped at p = 1.
        assertThat(Combination.blockPair(List.of(test(-0.1, Kind.PRIMARY)), -0.1, true))
                .isEqualTo(0.0);
    }

    // ------------------------------------------------------------------ per suspect block and stack

    @Test
    void bonferroniOverReferenceBlocksAndOverAllPairs() {
        assertThat(Combination.overReferenceBlocks(-3, 10)).isCloseTo(-2, within(EPS));
        assertThat(Combination.overReferenceBlocks(-0.5, 10)).isEqualTo(0.0);
        assertThat(Combination.overReferenceBlocks(-3, 1)).isEqualTo(-3.0);
        // 10 × 10 pairs: −8 becomes −6, exactly the default layer threshold (inclusive).
        assertThat(Combination.layerMatch(-8, 10, 10, TH)).isCloseTo(-6, within(EPS));
        assertThat(Combination.layerMatch(-7.9, 10, 10, TH)).isNull();
    }

    @Test
    void stackCombinesFisherOverExactBlocksAndCauchyOverAll() {
        Combination.StackValue v = Combination.stack("text", List.of(-1.0, -1.0), List.of(-4.0), List.of(-4.0));
        // Fisher of two p = 0.1: X = −2 ln 0.01 on 4 degrees of freedom, P = e^{−X/2}(1 + X/2).
        double x = -2 * Math.log(0.01);
        double fisher = Math.log10(Math.exp(-x / 2) * (1 + x / 2));
        assertThat(v.combinations())
                .extracting(t -> t.result().testId())
                .containsExactly(TestIds.FISHER_OVER_BLOCKS, TestIds.CAUCHY_OVER_BLOCKS);
        assertThat(v.combinations().get(0).result().log10p()).isCloseTo(fisher, within(1e-9));
        assertThat(v.combinations().get(0).result().n()).isEqualTo(2);
        // The stack tensors join the blocks' Cauchy combination.
        assertThat(v.combinations().get(1).result().log10p()).isCloseTo(-4, within(EPS));
        assertThat(v.combinations().get(1).result().n()).isEqualTo(2);
        assertThat(v.log10p()).isCloseTo(Combination.cauchyOf(List.of(fisher, -4.0)), within(EPS));
        assertThat(v.combinations())
                .allMatch(t -> t.kind() == Kind.PRIMARY && t.component().equals("text"));
    }

    @Test
    void stackWithoutBlocksCombinesItsTensorsAloneAndAnEmptyStackHasNoValue() {
        Combination.StackValue tensorsOnly = Combination.stack("vision", List.of(), List.of(), List.of(-5.0, -5.0));
        assertThat(tensorsOnly.combinations()).isEmpty();
        assertThat(tensorsOnly.log10p()).isCloseTo(-5, within(EPS));
        Combination.StackValue none = Combination.stack("vision", List.of(), List.of(), List.of());
        assertThat(none.log10p()).isNull();
        assertThat(none.combinations()).isEmpty();
    }

    // ------------------------------------------------------------------ across components

    @Test
    void holmAdjustsStepDownInTheInputOrderAndSkipsNulls() {
        List<Double> raw = Arrays.asList(-3.0, null, -10.0, -1.0);
        List<Double> adj = Combination.holm(raw);
        assertThat(adj).hasSize(4);
        assertThat(adj.get(1)).isNull();
        // Three hypotheses: the smallest × 3, the next × 2, the largest × 1.
        assertThat(adj.get(2)).isCloseTo(-10 + Math.log10(3), within(EPS));
        assertThat(adj.get(0)).isCloseTo(-3 + Math.log10(2), within(EPS));
        assertThat(adj.get(3)).isCloseTo(-1, within(EPS));
        // Step-down monotonicity: a larger raw value never gets a smaller adjusted one.
        List<Double> close = Combination.holm(List.of(-5.0, -5.1));
        assertThat(close.get(1)).isCloseTo(-5.1 + Math.log10(2), within(EPS));
        assertThat(close.get(0)).isEqualTo(close.get(1));
    }

    @Test
    void holmOfNothingOrOnlyNullsIsAllNull() {
        assertThat(Combination.holm(List.of())).isEmpty();
        assertThat(Combination.holm(Arrays.asList(null, null))).containsExactly(null, null);
        assertThat(Combination.holm(List.of(-7.0))).containsExactly(-7.0);
    }

    @Test
    void judgementFollowsTheThresholdsAndPower() {
        assertThat(Combination.judge(-6.0, false, "", TH).verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(Combination.judge(-6.0, false, "", TH).reason()).isEqualTo("Holm-adjusted log10 p -6.0 ≤ -6.0");
        assertThat(Combination.judge(-1.5, true, "", TH).verdict()).isEqualTo(Verdict.INDEPENDENT);
        assertThat(Combination.judge(-1.5, false, "", TH))
                .isEqualTo(new Combination.Judgement(
                        Verdict.INCONCLUSIVE, "tests too small to have power (fewer than 32 units)"));
        // −2 itself is not above the independent threshold.
        assertThat(Combination.judge(-2.0, true, "", TH).verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(Combination.judge(-4.0, true, "", TH).reason())
                .isEqualTo("Holm-adjusted log10 p -4.00 lies between the thresholds -6.0 and -2.0");
        assertThat(Combination.judge(null, true, "no partner", TH))
                .isEqualTo(new Combination.Judgement(Verdict.INCONCLUSIVE, "no partner"));
    }

    @Test
    void powerNeedsACombinableTestOnEnoughUnits() {
        TaggedTest small = new TaggedTest("text", new TestResult("t", 0, -1, 0, 31, ""), Kind.PRIMARY);
        TaggedTest big = new TaggedTest("text", new TestResult("t", 0, -1, 0, 32, ""), Kind.PRIMARY);
        TaggedTest weakBig = new TaggedTest("text", new TestResult("t", 0, -1, 0, 1000, ""), Kind.WEAK);
        assertThat(Combination.hasPower(List.of(small, weakBig))).isFalse();
        assertThat(Combination.hasPower(List.of(small, big))).isTrue();
        assertThat(Combination.hasPower(List.of())).isFalse();
    }

    @Test
    void overallVerdictAndValue() {
        assertThat(Combination.overall(List.of())).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(Combination.pairLog10p(List.of())).isNull();
        List<ComponentResult> cs = new ArrayList<>(List.of(
                component(Verdict.INDEPENDENT, -1.0, 50),
                component(Verdict.INCONCLUSIVE, -3.0, 50),
                component(Verdict.INCONCLUSIVE, null, 1000)));
        // Half of the compared parameters (the component without a value does not count).
        assertThat(Combination.overall(cs)).isEqualTo(Verdict.INDEPENDENT);
        assertThat(Combination.pairLog10p(cs)).isEqualTo(-3.0);
        cs.set(1, component(Verdict.INCONCLUSIVE, -3.0, 51));
        assertThat(Combination.overall(cs)).isEqualTo(Verdict.INCONCLUSIVE);
        cs.add(component(Verdict.SHARED_LINEAGE, -30.0, 1));
        assertThat(Combination.overall(cs)).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(Combination.pairLog10p(cs)).isEqualTo(-30.0);
        assertThat(Combination.overall(List.of(component(Verdict.INCONCLUSIVE, null, 10))))
                .isEqualTo(Verdict.INCONCLUSIVE);
    }
}
