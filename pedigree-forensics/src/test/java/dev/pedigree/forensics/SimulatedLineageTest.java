package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.LayerEvidenceMatrix;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.forensics.simulate.TinyTrainer;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Verdicts on simulated derivations and independent controls with known ground truth. */
class SimulatedLineageTest {
    private static final Config CFG = Config.smallDecoder();
    private static final SimModel BASE = SyntheticTransformer.random("base", CFG, 1);

    private static ComparisonResult compare(SimModel s, SimModel r) throws Exception {
        return LineageComparator.compare(s.toView(), r.toView(), CompareOptions.DEFAULT);
    }

    private static void assertSharedEverywhere(ComparisonResult r, double below) {
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.components()).isNotEmpty();
        for (ComponentResult c : r.components()) {
            assertThat(c.verdict()).as(c.name()).isEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(c.log10p()).as(c.name()).isLessThan(below);
        }
        assertThat(r.log10p()).isLessThan(below).isFinite();
    }

    @Test
    void selfComparisonIsSharedBelowMinus12() throws Exception {
        ComparisonResult r = compare(BASE, BASE);
        assertSharedEverywhere(r, -12);
        assertThat(r.sharedParameterFraction()).isEqualTo(1.0);
        assertThat(r.tokenizer().relation()).isEqualTo(TokenizerLineage.Relation.IDENTICAL);
        assertThat(r.schema()).isEqualTo("pedigree/compare/v1");
        assertThat(r.customisation().untouchedLayers()).hasSize(CFG.layers());
        assertThat(r.layerMap())
                .extracting(m -> m.suspect().layer() + ">" + m.reference().layer())
                .contains("0>0", "1>1", "2>2", "3>3");
    }

    @Test
    void reExportInAnotherFormatIsShared() throws Exception {
        List<ArrayTensor> shuffled = new ArrayList<>();
        for (ArrayTensor t : BASE.tensors()) {
            shuffled.add(new ArrayTensor("blk." + t.name(), t.shape(), t.address(), t.readAll()));
        }
        Collections.shuffle(shuffled, new Random(3));
        ModelView gguf = BasicModelView.builder("model.gguf", ModelFormat.GGUF)
                .hints(BASE.hints())
                .tensors(shuffled)
                .vocabulary(BASE.vocabulary())
                .build();
        ComparisonResult r = LineageComparator.compare(gguf, BASE.toView(), CompareOptions.DEFAULT);
        assertSharedEverywhere(r, -12);
        assertThat(r.suspect().format()).isEqualTo("gguf");
    }

    @Test
    void int8QuantisationIsSharedBelowMinus12() throws Exception {
        assertSharedEverywhere(compare(DerivationSimulator.int8RoundTrip(BASE), BASE), -12);
    }

    @Test
    void fineTuneProxyAndFunctionPreservingEditsAreShared() throws Exception {
        assertSharedEverywhere(compare(DerivationSimulator.noise(BASE, 1.0, 5), BASE), -6);
        assertThat(compare(DerivationSimulator.permuteHiddenAndHeads(BASE, 6), BASE)
                        .component("text")
                        .orElseThrow()
                        .verdict())
                .isEqualTo(Verdict.SHARED_LINEAGE);
        ComparisonResult res =
                compare(DerivationSimulator.permuteResidual(BASE, Component.TEXT_DECODER, true, 7), BASE);
        assertThat(res.component("text").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(res.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
    }

    @Test
    void lowRankUpdateShowsInTheCustomisationSummary() throws Exception {
        ComparisonResult r = compare(DerivationSimulator.lowRank(BASE, 4, 0.5, 8), BASE);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        CustomisationSummary c = r.customisation();
        assertThat(c.layers()).isNotEmpty();
        for (CustomisationSummary.LayerChange ch : c.layers()) {
            assertThat(ch.bitIdentical()).isFalse();
            assertThat(ch.relativeChange()).isBetween(0.45, 0.55);
            assertThat(ch.topRankEnergy()).as(ch.role()).isGreaterThan(0.99);
        }
        ComparisonResult dense = compare(DerivationSimulator.noise(BASE, 0.5, 8), BASE);
        double denseEnergy = dense.customisation().layers().stream()
                .mapToDouble(CustomisationSummary.LayerChange::topRankEnergy)
                .max()
                .orElseThrow();
        assertThat(denseEnergy).isLessThan(0.75); // rank 8 of min(m, n) = 32 captures about a third of dense noise
    }

    @Test
    void untouchedLayersAreListed() throws Exception {
        SimModel noisy = DerivationSimulator.noise(BASE, 0.3, 9);
        List<ArrayTensor> mixed = new ArrayList<>();
        for (ArrayTensor t : noisy.tensors()) {
            Integer l = t.address().layer();
            mixed.add(l != null && l == 2 ? BASE.tensor(t.address()).orElseThrow() : t);
        }
        ComparisonResult r = compare(noisy.withTensors(mixed), BASE);
        assertThat(r.customisation().untouchedLayers()).containsExactly(new Block("text", 2));
    }

    @Test
    void everySecondLayerAndDepthUpscalingGiveManyToOneMaps() throws Exception {
        SimModel half = DerivationSimulator.restack(BASE, Component.TEXT_DECODER, new int[] {0, 2});
        ComparisonResult r = compare(half, BASE);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.layerMap())
                .extracting(m -> m.suspect().layer() + ">" + m.reference().layer())
                .containsExactlyInAnyOrder("0>0", "1>2");
        // SOLAR-style: layers 0..2 then 1..3 of the base.
        SimModel dus = DerivationSimulator.restack(BASE, Component.TEXT_DECODER, new int[] {0, 1, 2, 1, 2, 3});
        ComparisonResult d = compare(dus, BASE);
        assertThat(d.layerMap())
                .extracting(m -> m.suspect().layer() + ">" + m.reference().layer())
                .containsExactlyInAnyOrder("0>0", "1>1", "2>2", "3>1", "4>2", "5>3");
        LayerEvidenceMatrix m = d.layerEvidence().get(0);
        assertThat(m.suspectLayers()).hasSize(6);
        assertThat(m.referenceLayers()).hasSize(4);
        // Reversed direction: the base's layers 1 and 2 appear twice in the suspect.
        ComparisonResult back = compare(BASE, dus);
        assertThat(back.layerMap())
                .extracting(x -> x.suspect().layer() + ">" + x.reference().layer())
                .contains("1>1", "1>3", "2>2", "2>4");
    }

    @Test
    void vocabularyExtensionIsSharedAndReported() throws Exception {
        SimModel ext = DerivationSimulator.extendVocabulary(BASE, 100, 10);
        ComparisonResult r = compare(ext, BASE);
        assertSharedEverywhere(r, -12);
        assertThat(r.tokenizer().relation()).isEqualTo(TokenizerLineage.Relation.DERIVED);
        assertThat(r.tokenizer().direction()).isEqualTo(TokenizerLineage.Direction.SUSPECT_FROM_REFERENCE);
        assertThat(r.tokenizer().addedTokens()).isEqualTo(100);
        assertThat(r.customisation().embeddings().newTokens()).isEqualTo(100);
        assertThat(r.customisation().embeddings().newTokenExamples()).allMatch(s -> s.contains("한"));
        ComparisonResult pruned = compare(DerivationSimulator.pruneVocabulary(BASE, 0.3, 11), BASE);
        assertThat(pruned.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(pruned.tokenizer().relation()).isEqualTo(TokenizerLineage.Relation.DERIVED);
    }

    @Test
    void widthPruningIsSharedAndItsIndependentControlIsNot() throws Exception {
        SimModel mlpOnly = DerivationSimulator.widthPruning(BASE, Component.TEXT_DECODER, 0.25, 0, 13);
        assertThat(mlpOnly.hints().intermediateSize()).isEqualTo(96);
        ComparisonResult r = compare(mlpOnly, BASE);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.component("text").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.component("text").orElseThrow().evidence())
                .anyMatch(e -> e.test().equals("block0~0.mlp.up.match") && e.log10p() < -12);
        assertThat(r.layerMap())
                .extracting(m -> m.suspect().layer() + ">" + m.reference().layer())
                .contains("0>0", "1>1", "2>2", "3>3");

        SimModel both = DerivationSimulator.widthPruning(BASE, Component.TEXT_DECODER, 0.25, 0.25, 14);
        assertThat(both.hints().hiddenSize()).isEqualTo(48);
        ComparisonResult b = compare(both, BASE);
        assertThat(b.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(b.component("text").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(b.component("embeddings").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);

        // Independent controls with exactly the pruned shapes (fresh weights, same vocabulary).
        for (SimModel pruned : List.of(mlpOnly, both)) {
            for (long seed = 50; seed < 53; seed++) {
                ComparisonResult c = compare(DerivationSimulator.matchedRandom(pruned, seed), BASE);
                assertThat(c.verdict()).as(pruned.name() + " control " + seed).isNotEqualTo(Verdict.SHARED_LINEAGE);
                assertThat(c.layerMap()).isEmpty();
            }
        }
    }

    @Test
    void denseToMoeUpcyclingIsDetectedOnTheExperts() throws Exception {
        ComparisonResult r = compare(DerivationSimulator.upcycle(BASE, Component.TEXT_DECODER, 4, 0.5, 12), BASE);
        ComponentResult experts = r.component("experts").orElseThrow();
        assertThat(experts.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(experts.parameters()).isEqualTo(4L * 3 * CFG.mlp() * CFG.hidden() * CFG.layers());
        assertThat(experts.evidence()).anyMatch(e -> e.test().contains("expert3.mlp.up.match"));
    }

    @Test
    void independentControlsAreNeverShared() throws Exception {
        for (long seed = 2; seed < 6; seed++) {
            ComparisonResult r = compare(SyntheticTransformer.random("ind", CFG, seed), BASE);
            assertThat(r.verdict()).isEqualTo(Verdict.INDEPENDENT);
            assertThat(r.layerMap()).isEmpty();
            assertThat(r.sharedParameterFraction()).isZero();
            assertThat(r.customisation()).isNull();
        }
        assertThat(compare(DerivationSimulator.matchedRandom(BASE, 44), BASE).verdict())
                .isEqualTo(Verdict.INDEPENDENT);
        // Independent but permuted/rotated controls must not become shared either.
        SimModel other = SyntheticTransformer.random("other", CFG, 77);
        assertThat(compare(DerivationSimulator.permuteResidual(other, Component.TEXT_DECODER, true, 3), BASE)
                        .verdict())
                .isNotEqualTo(Verdict.SHARED_LINEAGE);
        for (long seed = 0; seed < 4; seed++) {
            TinyTrainer.Result a = TinyTrainer.train("a", TinyTrainer.Config.DEFAULT, 100 + seed, 5);
            TinyTrainer.Result b = TinyTrainer.train("b", TinyTrainer.Config.DEFAULT, 200 + seed, 5);
            ComparisonResult r = compare(a.model(), b.model());
            assertThat(r.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        }
    }

    @Test
    void tinyTrainerFineTuneIsShared() throws Exception {
        TinyTrainer.Result a = TinyTrainer.train("a", TinyTrainer.Config.DEFAULT, 100, 5);
        assertThat(a.finalLoss()).isLessThan(a.initialLoss() * 0.6);
        TinyTrainer.Result ft = TinyTrainer.fineTune(a.model(), TinyTrainer.Config.DEFAULT, 6, 500);
        assertSharedEverywhere(compare(ft.model(), a.model()), -6);
    }

    @Test
    void multimodalWithReusedVisionTowerAndNewLanguageModel() throws Exception {
        SimModel reference = multimodal("ref", 1, 100, 200);
        SimModel vision = multimodal("tmp", 2, 100, 300);
        // The suspect's vision tower is the reference's, lightly fine-tuned; its text stack and projector are new.
        SimModel suspect = DerivationSimulator.noise(vision, 0.0, 1);
        List<ArrayTensor> ts = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(9);
        for (ArrayTensor t : suspect.tensors()) {
            if (t.address().component().equals(Component.VISION)) {
                float[] v = t.readAll();
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (0.3 * Math.abs(v[i]) * (rnd.nextDouble() - 0.5));
                }
                ts.add(SimModel.replace(t, v));
            } else {
                ts.add(t);
            }
        }
        suspect = suspect.withTensors(ts).named("suspect");
        ComparisonResult r = compare(suspect, reference);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.component("vision").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        for (String name : List.of("text", "embeddings", "lm_head", "projector")) {
            assertThat(r.component(name).orElseThrow().verdict()).as(name).isEqualTo(Verdict.INDEPENDENT);
        }
        long visionParams = r.component("vision").orElseThrow().parameters();
        assertThat(r.sharedParameterFraction())
                .isCloseTo(visionParams / (double) r.suspect().parameters(), org.assertj.core.data.Offset.offset(1e-9));
        assertThat(r.layerMap()).allMatch(m -> m.suspect().component().equals("vision"));
    }

    @Test
    void samplingIsStatedAndStillDetects() throws Exception {
        ComparisonResult r = LineageComparator.compare(
                DerivationSimulator.noise(BASE, 0.5, 3).toView(),
                BASE.toView(),
                CompareOptions.DEFAULT.withSampleRows(32).withSeed(5));
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.sampling().sampleRows()).isEqualTo(32);
        assertThat(r.sampling().seed()).isEqualTo(5);
        assertThat(r.sampling().description()).contains("32 seeded sampled rows");
        ComparisonResult again = LineageComparator.compare(
                DerivationSimulator.noise(BASE, 0.5, 3).toView(),
                BASE.toView(),
                CompareOptions.DEFAULT.withSampleRows(32).withSeed(5));
        assertThat(again.log10p()).isEqualTo(r.log10p());
    }

    @Test
    void tiedEncoderIsComparedOnceAndDifferentWidthsAreNotShared() throws Exception {
        SimModel enc = SyntheticTransformer.random("enc", Config.smallEncoder(), 1);
        ComparisonResult r = compare(enc, enc);
        assertThat(r.components()).extracting(ComponentResult::name).doesNotContain("lm_head");
        assertSharedEverywhere(r, -12);
        SimModel wide =
                SyntheticTransformer.random("wide", Config.smallEncoder().withHidden(96, 192), 1);
        ComparisonResult w = compare(wide, enc);
        // Independent models of other widths: the rectangular matchings (after the embedding-based
        // residual alignment) have power, so the text stack may be judged INDEPENDENT; never shared.
        assertThat(w.verdict()).isIn(Verdict.INDEPENDENT, Verdict.INCONCLUSIVE);
        assertThat(w.component("text").orElseThrow().reason()).isNotBlank();
        assertThat(w.component("text").orElseThrow().evidence())
                .anyMatch(e -> e.test().endsWith("mlp.up.match_aligned") && e.log10p() != null);
    }

    @Test
    void noWeightsIsInconclusive() throws Exception {
        ModelView a = BasicModelView.builder("a.json", ModelFormat.TOKENIZER)
                .vocabulary(BASE.vocabulary())
                .build();
        ModelView b = BasicModelView.builder("b.json", ModelFormat.TOKENIZER)
                .vocabulary(BASE.vocabulary())
                .build();
        ComparisonResult r = LineageComparator.compare(a, b, CompareOptions.DEFAULT);
        assertThat(r.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(r.log10p()).isNull();
        assertThat(r.tokenizer().relation()).isEqualTo(TokenizerLineage.Relation.IDENTICAL);
    }

    /** Text decoder (seed), vision tower (seed) and projector (seed). */
    static SimModel multimodal(String name, long textSeed, long visionSeed, long projSeed) {
        SimModel text = SyntheticTransformer.random(name, CFG, textSeed);
        List<ArrayTensor> extra =
                new ArrayList<>(SyntheticTransformer.tower(Config.smallVision(), new SplittableRandom(visionSeed)));
        SplittableRandom pr = new SplittableRandom(projSeed);
        int dv = Config.smallVision().hidden();
        float[] proj = new float[CFG.hidden() * dv];
        for (int i = 0; i < proj.length; i++) {
            proj[i] = (float) ((pr.nextDouble() - 0.5) / Math.sqrt(dv));
        }
        extra.add(new ArrayTensor(
                "multi_modal_projector.linear_1.weight",
                Shape.of(CFG.hidden(), dv),
                TensorAddress.of(Component.PROJECTOR, null, Role.PROJECTOR, Part.WEIGHT),
                proj));
        return DerivationSimulator.combine(text, extra, name);
    }
}
