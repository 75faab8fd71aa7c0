package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.CustomisationSummary.ExpertMatch;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.TensorAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 14 §4: each expert of an upcycled (or MoE) suspect is mapped to its source in the reference. */
class ExpertSourceTest {
    private static final SyntheticTransformer.Config CFG = SyntheticTransformer.Config.smallDecoder();
    private static final SimModel BASE = SyntheticTransformer.random("base", CFG, 3);

    private static ComparisonResult compare(SimModel s, SimModel r) throws Exception {
        return LineageComparator.compare(s.toView(), r.toView(), CompareOptions.DEFAULT);
    }

    @Test
    void eachUpcycledExpertMapsToTheDenseMlpOfItsLayer() throws Exception {
        SimModel moe = DerivationSimulator.upcycle(BASE, Component.TEXT_DECODER, 4, 0.04, 5);
        ComparisonResult r = compare(moe, BASE);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        List<ExpertMatch> xs = r.customisation().experts();
        assertThat(xs).hasSize(4 * CFG.layers());
        for (ExpertMatch x : xs) {
            assertThat(x.referenceExpert()).isNull();
            assertThat(x.reference().layer())
                    .as(x.toString())
                    .isEqualTo(x.suspect().layer());
            assertThat(x.relativeChange()).as(x.toString()).isBetween(0.03, 0.05);
            assertThat(x.correlation()).as(x.toString()).isGreaterThan(0.99);
        }
    }

    @Test
    void theSourceLayerIsFoundNotAssumed() throws Exception {
        // Upcycled from a restacked copy: suspect layer i holds the experts of base layer src[i].
        int[] src = {2, 0, 3, 1};
        SimModel moe = DerivationSimulator.upcycle(
                DerivationSimulator.restack(BASE, Component.TEXT_DECODER, src), Component.TEXT_DECODER, 2, 0.1, 6);
        ComparisonResult r = compare(moe, BASE);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        List<ExpertMatch> xs = r.customisation().experts();
        assertThat(xs).hasSize(2 * src.length);
        for (ExpertMatch x : xs) {
            assertThat(x.reference().layer())
                    .as(x.toString())
                    .isEqualTo(src[x.suspect().layer()]);
        }
    }

    @Test
    void expertsOfTwoMoeModelsAreAssignedByCorrelation() throws Exception {
        SimModel moe = DerivationSimulator.upcycle(BASE, Component.TEXT_DECODER, 4, 0.5, 7);
        // The suspect's expert e is the reference's expert (e + 1) mod 4, plus noise.
        SimModel shuffled = DerivationSimulator.noise(shifted(moe, 4), 0.05, 8);
        ComparisonResult r = compare(shuffled, moe);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertShiftedMap(r.customisation().experts(), 0.8);
    }

    /** Expert e of every block maps to reference expert (e + 1) mod 4 of the same layer, changed by about 5%. */
    private static void assertShiftedMap(List<ExpertMatch> xs, double minCorrelation) {
        assertThat(xs).hasSize(4 * CFG.layers());
        for (ExpertMatch x : xs) {
            assertThat(x.referenceExpert()).as(x.toString()).isEqualTo((x.expert() + 1) % 4);
            assertThat(x.reference().layer()).isEqualTo(x.suspect().layer());
            assertThat(x.relativeChange()).as(x.toString()).isBetween(0.03, 0.07);
            assertThat(x.correlation()).as(x.toString()).isGreaterThan(minCorrelation);
        }
    }

    /** The MoE with expert e renamed to (e − 1) mod n: the new expert e is the old expert (e + 1) mod n. */
    static SimModel shifted(SimModel moe, int n) {
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : moe.tensors()) {
            TensorAddress a = t.address();
            if (a.expert() == null) {
                out.add(t);
                continue;
            }
            int e = Math.floorMod(a.expert() - 1, n);
            out.add(new ArrayTensor(
                    t.name().replace("experts." + a.expert() + ".", "experts." + e + "."),
                    t.shape(),
                    new TensorAddress(a.component(), a.layer(), a.role(), e, a.part()),
                    t.readAll()));
        }
        return moe.withTensors(out);
    }

    @Test
    void reorderedDistinctExpertsAreTestedAgainstTheirMatchedSource() throws Exception {
        // Four experts that share nothing with one another (noise 30x the dense MLP's spread), stored in
        // another order: expert e of the suspect is expert (e + 1) mod 4 of the reference, plus 5% noise.
        SimModel moe = DerivationSimulator.upcycle(BASE, Component.TEXT_DECODER, 4, 30, 21);
        ComparisonResult r = compare(DerivationSimulator.noise(shifted(moe, 4), 0.05, 22), moe);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        var experts = r.component(Component.EXPERTS.name()).orElseThrow();
        System.out.println(
                "reordered experts: " + experts.verdict() + " log10p " + experts.log10p() + " " + experts.reason());
        assertThat(experts.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(experts.log10p()).isLessThan(-20);
        assertShiftedMap(r.customisation().experts(), 0.99);
        // Each expert's tests ran against its matched source, not the expert of the same index.
        List<String> notes = experts.evidence().stream()
                .filter(e -> e.log10p() != null && e.test().contains(".match"))
                .map(e -> e.test() + " " + e.note())
                .toList();
        assertThat(notes).isNotEmpty();
        for (String n : notes) {
            java.util.regex.Matcher m =
                    java.util.regex.Pattern.compile("expert(\\d+)").matcher(n);
            assertThat(m.find()).as(n).isTrue();
            int e = Integer.parseInt(m.group(1));
            assertThat(n).contains("against reference expert " + (e + 1) % 4 + ", its matched source among 4");
        }
    }

    @Test
    void independentMoeModelsStayNotShared() throws Exception {
        SimModel a = DerivationSimulator.upcycle(BASE, Component.TEXT_DECODER, 4, 30, 23);
        SimModel b = DerivationSimulator.upcycle(
                SyntheticTransformer.random("other", CFG, 24), Component.TEXT_DECODER, 4, 30, 25);
        ComparisonResult r = compare(a, b);
        var experts = r.component(Component.EXPERTS.name()).orElseThrow();
        System.out.println(
                "independent MoE: " + r.verdict() + ", experts " + experts.verdict() + " log10p " + experts.log10p());
        assertThat(r.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(experts.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
    }

    @Test
    void aDenseSuspectHasNoExpertLines() throws Exception {
        assertThat(compare(DerivationSimulator.noise(BASE, 0.1, 9), BASE)
                        .customisation()
                        .experts())
                .isEmpty();
    }
}
