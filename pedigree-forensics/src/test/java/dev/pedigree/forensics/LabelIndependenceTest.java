package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 §1: reuse must not depend on labels. A tower filed under another component, tensors
 * renamed beyond recognition and a single bit-identical tensor must each show the reuse, while the
 * independent controls built the same way must not.
 */
class LabelIndependenceTest {
    private static final Config ENC = Config.smallEncoder();
    private static final Config DEC = Config.smallDecoder();

    private static ComparisonResult compare(SimModel s, SimModel r) throws Exception {
        return LineageComparator.compare(s.toView(), r.toView(), CompareOptions.DEFAULT);
    }

    /** A dual encoder: its own text tower (seed {@code textSeed}) and a vision tower made of {@code donor}'s text layers. */
    static SimModel dualEncoder(long textSeed, SimModel donor) {
        SimModel own = SyntheticTransformer.random("dual", ENC, textSeed);
        return DerivationSimulator.relabelTower(own, donor, Component.TEXT_ENCODER, Component.VISION);
    }

    private static ComponentResult component(ComparisonResult r, String name) {
        return r.component(name)
                .orElseThrow(() -> new AssertionError("no component " + name + " in " + r.components()));
    }

    @Test
    void towerRelabelledIsFoundAgainstTheTextEncoder() throws Exception {
        SimModel published = SyntheticTransformer.random("published", ENC, 41);
        ComparisonResult r = compare(dualEncoder(42, published), published);
        ComponentResult vision = component(r, "vision");
        assertThat(vision.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(vision.reason()).contains("of " + countParams(dualEncoder(42, published), "vision") + " tensors");
        assertThat(component(r, "text").verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.layerMap())
                .filteredOn(m -> m.suspect().component().equals("vision"))
                .extracting(m -> m.suspect().layer() + ">" + m.reference().component()
                        + m.reference().layer())
                .contains("0>text0", "1>text1", "2>text2", "3>text3");
        assertThat(r.warnings()).anyMatch(w -> w.contains("paired by structure"));
    }

    @Test
    void towerRelabelledAfterFineTuningIsFound() throws Exception {
        SimModel published = SyntheticTransformer.random("published", ENC, 41);
        SimModel tuned = DerivationSimulator.noise(published, 1, 7);
        ComparisonResult r = compare(dualEncoder(43, tuned), published);
        ComponentResult vision = component(r, "vision");
        assertThat(vision.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(vision.log10p()).isLessThan(-20);
        assertThat(vision.evidence()).noneMatch(e -> e.test().equals(IdenticalTensors.TEST_ID));
    }

    @Test
    void towerRelabelledFromAnIndependentEncoderIsNotShared() throws Exception {
        SimModel other = SyntheticTransformer.random("other", ENC, 51);
        SimModel published = SyntheticTransformer.random("published", ENC, 52);
        ComparisonResult r = compare(dualEncoder(53, other), published);
        assertThat(r.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(component(r, "vision").verdict()).isEqualTo(Verdict.INDEPENDENT);
    }

    @Test
    void renamedIdenticalCopyIsSharedWithoutDuplicateAddresses() throws Exception {
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        SimModel renamed = DerivationSimulator.renameTensors(base, 3);
        ComparisonResult r = compare(renamed, base);
        assertThat(r.warnings()).noneMatch(w -> w.contains("duplicate tensor address"));
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        int tensors = renamed.tensors().size();
        long constant = renamed.tensors().stream()
                .filter(LabelIndependenceTest::constant)
                .count();
        assertThat(r.components()).allMatch(c -> c.verdict() == Verdict.SHARED_LINEAGE);
        int identical = r.components().stream()
                .flatMap(c -> c.evidence().stream())
                .filter(e -> e.test().equals(IdenticalTensors.TEST_ID))
                .mapToInt(e -> e.statistic().intValue())
                .sum();
        assertThat(identical).isEqualTo(tensors - (int) constant);
    }

    @Test
    void renamedCopyIsSharedUnderSampling() throws Exception {
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        SimModel renamed = DerivationSimulator.renameTensors(base, 5);
        ComparisonResult r =
                LineageComparator.compare(renamed.toView(), base.toView(), CompareOptions.DEFAULT.withSampleRows(16));
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.components())
                .flatExtracting(ComponentResult::evidence)
                .filteredOn(e -> e.test().equals(IdenticalTensors.TEST_ID))
                .isNotEmpty()
                .allMatch(e -> e.note().contains("under --sample"));
    }

    @Test
    void renamedFineTunedCopyIsShared() throws Exception {
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        SimModel renamed = DerivationSimulator.renameTensors(DerivationSimulator.noise(base, 1, 9), 4);
        ComparisonResult r = compare(renamed, base);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.log10p()).isLessThan(-20);
        assertThat(r.components())
                .flatExtracting(ComponentResult::evidence)
                .extracting(Evidence::test)
                .doesNotContain(IdenticalTensors.TEST_ID);
    }

    @Test
    void renamedIndependentModelIsNotShared() throws Exception {
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        for (long seed = 60; seed < 64; seed++) {
            SimModel other = DerivationSimulator.renameTensors(SyntheticTransformer.random("o", DEC, seed), seed);
            ComparisonResult r = compare(other, base);
            assertThat(r.verdict()).as("seed " + seed).isNotEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(r.layerMap()).as("seed " + seed).isEmpty();
            assertThat(r.customisation()).as("seed " + seed).isNull();
        }
    }

    /** The layer map as "suspect>reference" block numbers of the text stack. */
    static List<String> textMap(ComparisonResult r) {
        return r.layerMap().stream()
                .filter(m -> m.suspect().component().equals("text"))
                .map(m -> m.suspect().layer() + ">" + m.reference().layer())
                .toList();
    }

    static List<String> diagonal(int layers) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            out.add(i + ">" + i);
        }
        return out;
    }

    @Test
    void renamedIdenticalCopyGetsItsLayerMapCustomisationAndCloseness() throws Exception {
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        ComparisonResult r = compare(DerivationSimulator.renameTensors(base, 3), base);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        int layers = base.layers("text").size();
        assertThat(textMap(r)).containsExactlyElementsOf(diagonal(layers));
        assertThat(r.layerEvidence()).extracting(m -> m.component()).containsExactly("text");
        Closeness c = component(r, "text").closeness();
        assertThat(c.blocks()).hasSize(layers).allSatisfy(b -> {
            assertThat(b.correlation()).isEqualTo(1.0);
            assertThat(b.unitsMatched()).isEqualTo(1.0);
            assertThat(b.relativeChange()).isEqualTo(0.0);
        });
        assertThat(r.customisation().layers()).isNotEmpty().allMatch(CustomisationSummary.LayerChange::bitIdentical);
        assertThat(r.warnings()).anyMatch(w -> w.startsWith("the suspect's tensor names give no blocks"));
    }

    @Test
    void renamedFineTunedCopyGetsItsLayerMapCustomisationAndCloseness() throws Exception {
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        ComparisonResult r = compare(DerivationSimulator.renameTensors(DerivationSimulator.noise(base, 1, 9), 4), base);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        int layers = base.layers("text").size();
        assertThat(textMap(r)).containsExactlyElementsOf(diagonal(layers));
        // σ×1 noise: the matched weights correlate about 1/√2 and change by about 100%.
        assertThat(component(r, "text").closeness().blocks()).hasSize(layers).allSatisfy(b -> {
            assertThat(b.correlation()).isBetween(0.6, 0.8);
            assertThat(b.unitsMatched()).isGreaterThan(0.8);
            assertThat(b.relativeChange()).isBetween(0.8, 1.2);
        });
        assertThat(r.customisation().layers()).isNotEmpty().noneMatch(CustomisationSummary.LayerChange::bitIdentical);
        assertThat(component(r, "embeddings").verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        // The norm vectors (noised, so no hash, and too short for a value test) are placed by their position
        // between paired tensors: nothing is left in an other: component, nothing reads INCONCLUSIVE.
        int vectors =
                (int) base.tensors().stream().filter(t -> t.shape().rank() == 1).count();
        System.out.println("renamed σ×1 fine-tune: "
                + r.components().stream().map(c -> c.name() + " " + c.verdict()).toList() + "; "
                + r.warnings().getFirst());
        assertThat(r.components()).extracting(ComponentResult::name).noneMatch(n -> n.startsWith("other:"));
        assertThat(r.components()).extracting(ComponentResult::verdict).containsOnly(Verdict.SHARED_LINEAGE);
        assertThat(r.warnings().getFirst())
                .contains(base.tensors().size() + " of " + base.tensors().size() + " tensors")
                .contains("(" + vectors + " of them vectors");
    }

    @Test
    void renamedFineTunedEncoderPlacesItsNormsAndBiasesByPosition() throws Exception {
        // An encoder has biases beside its norm gains (vectors of two widths, q/o/up biases); noised, none has a
        // partner of its own. Each takes its place between the paired matrices around it.
        SimModel base = SyntheticTransformer.random("enc", ENC, 21);
        ComparisonResult r =
                compare(DerivationSimulator.renameTensors(DerivationSimulator.noise(base, 1, 22), 23), base);
        int vectors =
                (int) base.tensors().stream().filter(t -> t.shape().rank() == 1).count();
        System.out.println("renamed σ×1 encoder: "
                + r.components().stream().map(c -> c.name() + " " + c.verdict()).toList() + "; "
                + r.warnings().getFirst());
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(textMap(r))
                .containsExactlyElementsOf(diagonal(base.layers("text").size()));
        assertThat(r.components()).extracting(ComponentResult::name).noneMatch(n -> n.startsWith("other:"));
        assertThat(r.components()).extracting(ComponentResult::verdict).doesNotContain(Verdict.INCONCLUSIVE);
        assertThat(r.warnings().getFirst()).contains("(" + vectors + " of them vectors");
    }

    @Test
    void renamedFineTunedCopyStoredInAnotherOrderPlacesItsVectorsByValues() throws Exception {
        // Every tensor renamed and the file stored in a shuffled order: no vector sits between the
        // matrices of its block, so position places nothing. Each noised norm gain is paired with the
        // reference vector its centred values correlate with (r about 0.7 at σ×1).
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        SimModel renamed = DerivationSimulator.renameTensors(DerivationSimulator.noise(base, 1, 9), 4);
        List<ArrayTensor> shuffled = new ArrayList<>(renamed.tensors());
        java.util.Collections.shuffle(shuffled, new java.util.Random(5));
        ComparisonResult r = compare(renamed.withTensors(shuffled), base);
        System.out.println("renamed, shuffled σ×1 fine-tune: "
                + r.components().stream().map(c -> c.name() + " " + c.verdict()).toList() + "; "
                + r.warnings().getFirst());
        int vectors =
                (int) base.tensors().stream().filter(t -> t.shape().rank() == 1).count();
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.components()).extracting(ComponentResult::name).noneMatch(n -> n.startsWith("other:"));
        assertThat(r.components()).extracting(ComponentResult::verdict).containsOnly(Verdict.SHARED_LINEAGE);
        assertThat(r.warnings().getFirst())
                .contains(base.tensors().size() + " of " + base.tensors().size() + " tensors")
                .contains("(" + vectors + " of them vectors")
                .contains("by the centred correlation of their values");
        // Each norm gain sits in the block of its own layer: the suspect's blocks are numbered in its
        // (shuffled) file order, and every block pair of the map holds its norms' centred tests at z > 3 (a
        // gain placed in another layer's block would test near 0).
        List<Evidence> norms = component(r, "text").evidence().stream()
                .filter(e -> e.test().contains("norm"))
                .toList();
        System.out.println("norm tests: "
                + norms.stream()
                        .map(e -> e.test() + " " + e.statistic() + " " + e.log10p())
                        .toList());
        assertThat(norms)
                .hasSize(vectors)
                .allSatisfy(e -> assertThat(e.statistic()).isGreaterThan(3));
    }

    @Test
    void independentVectorsAreNotPlacedByValues() throws Exception {
        // A renamed, shuffled copy whose norm gains were replaced by an independent model's: the
        // matrices pair, the vectors do not (their centred values are unrelated), so none is placed.
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        SimModel other = SyntheticTransformer.random("other", DEC, 2);
        List<ArrayTensor> mixed = new ArrayList<>();
        for (int k = 0; k < base.tensors().size(); k++) {
            mixed.add(
                    base.tensors().get(k).shape().rank() == 1
                            ? other.tensors().get(k)
                            : base.tensors().get(k));
        }
        SimModel renamed =
                DerivationSimulator.renameTensors(DerivationSimulator.noise(base.withTensors(mixed), 1, 9), 4);
        List<ArrayTensor> shuffled = new ArrayList<>(renamed.tensors());
        java.util.Collections.shuffle(shuffled, new java.util.Random(5));
        ComparisonResult r = compare(renamed.withTensors(shuffled), base);
        System.out.println("renamed, shuffled, foreign norms: " + r.warnings().getFirst());
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.warnings().getFirst()).doesNotContain("by the centred correlation of their values");
    }

    @Test
    void renamedAndPermutedCopyIsExactReuseInAnotherOrder() throws Exception {
        // Every name changed and the hidden units, heads and residual coordinates permuted, no noise: no
        // tensor is bit-identical and no row lines up, yet each holds exactly a reference tensor's values in
        // another order. That is exact reuse; the blocks rebuilt from those pairs give the layer map.
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        SimModel obfuscated = DerivationSimulator.permuteResidual(
                DerivationSimulator.permuteHiddenAndHeads(base, 3), Component.TEXT_DECODER, false, 5);
        ComparisonResult r = compare(DerivationSimulator.renameTensors(obfuscated, 4), base);
        System.out.println("renamed + permuted copy: " + r.verdict() + " "
                + r.components().stream()
                        .map(c -> c.name() + " " + c.verdict() + ": " + c.reason())
                        .toList());
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.components()).extracting(ComponentResult::verdict).containsOnly(Verdict.SHARED_LINEAGE);
        assertThat(textMap(r))
                .containsExactlyElementsOf(diagonal(base.layers("text").size()));
        assertThat(component(r, "text").reason())
                .startsWith(IdenticalTensors.REASON_PREFIX)
                .contains("with the same values in another order");
        assertThat(r.sharedParameterFraction()).isEqualTo(1.0);
    }

    @Test
    void renamedAndPermutedIndependentModelIsNotShared() throws Exception {
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        SimModel other = SyntheticTransformer.random("other", DEC, 2);
        SimModel obfuscated = DerivationSimulator.permuteResidual(
                DerivationSimulator.permuteHiddenAndHeads(other, 3), Component.TEXT_DECODER, false, 5);
        ComparisonResult r = compare(DerivationSimulator.renameTensors(obfuscated, 4), base);
        assertThat(r.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.components())
                .allSatisfy(c -> assertThat(c.reason()).doesNotStartWith(IdenticalTensors.REASON_PREFIX));
    }

    @Test
    void renamedCopyWithReorderedBlocksShowsTheOrderItHas() throws Exception {
        // Blocks 0 and 1 stored in the other order, then every tensor renamed: the suspect's blocks are
        // numbered in its file order, and the block tests find the swap (the map is not assumed).
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        List<ArrayTensor> ts = new ArrayList<>(base.tensors());
        List<ArrayTensor> zero = base.select(a -> a.layer() != null && a.layer() == 0);
        List<ArrayTensor> one = base.select(a -> a.layer() != null && a.layer() == 1);
        int at = ts.indexOf(zero.getFirst());
        ts.removeAll(zero);
        ts.removeAll(one);
        List<ArrayTensor> swapped = new ArrayList<>(one);
        swapped.addAll(zero);
        ts.addAll(at, swapped);
        ComparisonResult r = compare(DerivationSimulator.renameTensors(base.withTensors(ts), 8), base);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        List<String> expected = new ArrayList<>(List.of("0>1", "1>0"));
        expected.addAll(diagonal(base.layers("text").size())
                .subList(2, base.layers("text").size()));
        assertThat(textMap(r)).containsExactlyElementsOf(expected);
    }

    @Test
    void oneIdenticalTensorDecidesItsComponent() throws Exception {
        SimModel base = SyntheticTransformer.random("base", DEC, 1);
        SimModel other = SyntheticTransformer.random("other", DEC, 2);
        ArrayTensor up = base.select(a -> a.layer() != null && a.layer() == 2 && a.role() == Role.MLP_UP)
                .getFirst();
        List<ArrayTensor> ts = new ArrayList<>();
        for (ArrayTensor t : other.tensors()) {
            ts.add(t.address().equals(up.address()) ? up : t);
        }
        SimModel grafted = other.withTensors(ts);
        ComparisonResult r = compare(grafted, base);
        ComponentResult text = component(r, "text");
        assertThat(text.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        long textTensors = grafted.tensors().stream()
                .filter(t -> ReportComponents.of(t.address()).name().equals("text"))
                .count();
        assertThat(text.reason())
                .startsWith("exact reuse: 1 of " + textTensors + " tensors, " + up.elementCount()
                        + " parameters identical");
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        // The other components stay as their tests say.
        assertThat(component(r, "embeddings").verdict()).isEqualTo(Verdict.INDEPENDENT);
    }

    private static long countParams(SimModel m, String component) {
        return m.tensors().stream()
                .map(ArrayTensor::address)
                .map(ReportComponents::of)
                .filter(c -> c.name().equals(component))
                .count();
    }

    private static boolean constant(ArrayTensor t) {
        float[] v = t.readAll();
        for (float x : v) {
            if (Float.compare(x, v[0]) != 0) {
                return false;
            }
        }
        return true;
    }
}
