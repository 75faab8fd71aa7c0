package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: an INCONCLUSIVE component says why in facts a user can act on (widths, depths,
 * vocabulary rows, whether a tokenizer was given) and what to do, never only "shapes or roles
 * differ". Simulated pairs reach each place in the engine that gives such a reason.
 */
class InconclusiveReasonsTest {
    private static final CompareOptions OPTS = CompareOptions.DEFAULT.withSampleRows(64);

    private static SimModel encoder(String name, int vocab, int hidden, int mlp, int layers, long seed) {
        return SyntheticTransformer.random(
                name, new Config(Component.TEXT_ENCODER, vocab, hidden, 4, 4, mlp, layers, false, true, true), seed);
    }

    private static ComparisonResult compare(SimModel a, SimModel b) throws Exception {
        return LineageComparator.compare(a.toView(), b.toView(), OPTS);
    }

    private static ComponentResult component(ComparisonResult r, String name) {
        return r.components().stream()
                .filter(c -> c.name().equals(name))
                .findFirst()
                .orElseThrow();
    }

    @Test
    void differentWidthsWithoutTokenizersNameWidthsDepthsVocabulariesAndTheRemedy() throws Exception {
        SimModel a = encoder("a", 21_128, 64, 128, 3, 1).withVocabulary(null);
        SimModel b = encoder("b", 30_522, 48, 96, 4, 2).withVocabulary(null);
        ComparisonResult r = compare(a, b);
        assertThat(r.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        ComponentResult text = component(r, "text");
        assertThat(text.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(text.reason())
                .isEqualTo("text blocks are 64 wide in the suspect (3 layers, MLP 128) and 48 wide in the reference"
                        + " (4 layers, MLP 96); vocabularies have 21,128 and 30,522 rows and no tokenizer was given"
                        + " to align them: pass the model directories with their tokenizers (tokenizer.json or"
                        + " vocab.txt)");
        assertThat(component(r, "embeddings").reason())
                .isEqualTo("the token-embedding rows cannot be paired by token: vocabularies have 21,128 and 30,522"
                        + " rows and no tokenizer was given to align them: pass the model directories with their"
                        + " tokenizers (tokenizer.json or vocab.txt)");
        assertThat(r.warnings())
                .contains("no weight test could run: no component could be compared with the reference"
                        + " (each component's reason says why)");
    }

    @Test
    void oneMissingTokenizerIsNamed() throws Exception {
        SimModel a = encoder("a", 600, 64, 128, 3, 1);
        SimModel b = encoder("b", 500, 48, 96, 4, 2).withVocabulary(null);
        assertThat(component(compare(a, b), "text").reason())
                .contains("vocabularies have 600 and 500 rows and no tokenizer was given for the reference")
                .endsWith("pass the model directory with its tokenizer (tokenizer.json or vocab.txt)");
        assertThat(component(compare(b, a), "embeddings").reason()).contains("no tokenizer was given for the suspect");
    }

    @Test
    void sameWidthButNoCommonRoleNamesTheRolesOfEachSide() throws Exception {
        Set<Role> mlp = EnumSet.of(Role.MLP_UP, Role.MLP_DOWN, Role.MLP_NORM, Role.POST_MLP_NORM);
        Set<Role> attn =
                EnumSet.of(Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V, Role.ATTN_O, Role.ATTN_NORM, Role.POST_ATTN_NORM);
        SimModel a = encoder("a", 600, 64, 128, 3, 1);
        SimModel b = encoder("b", 600, 64, 128, 3, 2);
        a = a.withTensors(a.select(t -> t.layer() == null || mlp.contains(t.role())));
        b = b.withTensors(b.select(t -> t.layer() == null || attn.contains(t.role())));
        ComponentResult text = component(compare(a, b), "text");
        assertThat(text.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(text.reason())
                .startsWith("text blocks are 64 wide on both sides but have no tensor of the same role and shape"
                        + " (a block holds ")
                .contains("mlp_up")
                .contains("attn_q")
                .endsWith(": compare with a reference of the same architecture");
    }

    @Test
    void aMissingComponentNamesWhatTheReferenceHas() throws Exception {
        SimModel a = encoder("a", 600, 64, 128, 3, 1);
        SimModel v = SyntheticTransformer.random("v", Config.smallVision(), 5);
        ComparisonResult r = compare(a, v);
        assertThat(component(r, "text").reason()).isEqualTo("the reference has no text component (it has: vision)");
        assertThat(r.warnings())
                .contains("no weight test could run: the models have no components with corresponding tensors");
    }

    @Test
    void aProjectorWithoutPartnerOfTheSameShapeGivesTheShapes() throws Exception {
        SplittableRandom rnd = new SplittableRandom(7);
        SimModel a = withProjector(encoder("a", 600, 64, 128, 3, 1), 32, 64, rnd);
        SimModel b = withProjector(encoder("b", 600, 64, 128, 3, 2), 32, 48, rnd);
        ComponentResult p = component(compare(a, b), "projector");
        assertThat(p.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(p.reason())
                .isEqualTo("1 of the suspect's 1 projector weights have a partner of the same role, but none of the"
                        + " same shape (projector is [32, 64] in the suspect and [32, 48] in the reference) or large"
                        + " enough to test");
        SimModel none = encoder("c", 600, 64, 128, 3, 3);
        assertThat(component(compare(a, none), "projector").reason())
                .isEqualTo("the reference has no projector component (it has: embeddings, text)");
    }

    @Test
    void tooFewSharedTokensAreCounted() {
        assertThat(WhyNotCompared.tokenRowsUntested(3, 64, 64))
                .isEqualTo("the tokenizers share only 3 tokens with rows in both models, fewer than the "
                        + BatteryContext.MIN_FEATURES + " a test needs: compare with a reference of the same"
                        + " tokenizer family");
    }

    @Test
    void testsWithoutPowerSayHowLargeTheLargestWas() {
        assertThat(Combination.judge(-0.5, false, 12, "", dev.pedigree.forensics.result.Thresholds.DEFAULT)
                        .reason())
                .isEqualTo("tests too small to have power: the largest covered 12 units, fewer than the "
                        + Combination.MIN_POWER_N + " needed to call a pair independent");
    }

    private static SimModel withProjector(SimModel m, int rows, int cols, SplittableRandom rnd) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        List<ArrayTensor> ts = new ArrayList<>(m.tensors());
        ts.add(new ArrayTensor(
                "projector.weight",
                Shape.of(rows, cols),
                TensorAddress.of(Component.PROJECTOR, null, Role.PROJECTOR, Part.WEIGHT),
                v));
        return m.withTensors(ts);
    }
}
