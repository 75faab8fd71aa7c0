package dev.pedigree.forensics.simulate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import org.junit.jupiter.api.Test;

class DerivationSimulatorTest {
    private static final SyntheticTransformer.Config CFG = SyntheticTransformer.Config.smallDecoder();
    private static final SimModel BASE = SyntheticTransformer.random("b", CFG, 1);

    private static float[] get(SimModel m, Integer layer, Role role) {
        return m.tensor(TensorAddress.of(Component.TEXT_DECODER, layer, role, Part.WEIGHT))
                .orElseThrow()
                .readAll();
    }

    /** (U·x) for every hidden unit, x = embedding row t, gains folded: a function of the block that must survive edits. */
    private static double[] upActivations(SimModel m, int token) {
        int d = CFG.hidden();
        float[] e = get(m, null, Role.EMBEDDING);
        float[] g = get(m, 0, Role.MLP_NORM);
        float[] u = get(m, 0, Role.MLP_UP);
        double rms = 0;
        for (int j = 0; j < d; j++) {
            rms += e[token * d + j] * e[token * d + j];
        }
        rms = Math.sqrt(rms / d);
        double[] out = new double[CFG.mlp()];
        for (int i = 0; i < out.length; i++) {
            for (int j = 0; j < d; j++) {
                out[i] += u[i * d + j] * g[j] * e[token * d + j] / rms;
            }
        }
        java.util.Arrays.sort(out);
        return out;
    }

    @Test
    void functionPreservingEditsKeepTheUpActivations() {
        double[] ref = upActivations(BASE, 7);
        for (SimModel v : new SimModel[] {
            DerivationSimulator.permuteHiddenAndHeads(BASE, 2),
            DerivationSimulator.permuteResidual(BASE, Component.TEXT_DECODER, true, 3),
            DerivationSimulator.rotateResidual(BASE, Component.TEXT_DECODER, 4)
        }) {
            double[] got = upActivations(v, 7);
            for (int i = 0; i < ref.length; i++) {
                assertThat(got[i])
                        .as(v.name())
                        .isCloseTo(ref[i], org.assertj.core.data.Offset.offset(1e-3 * (1 + Math.abs(ref[i]))));
            }
        }
    }

    @Test
    void editsChangeShapesAsStated() {
        assertThat(DerivationSimulator.extendVocabulary(BASE, 10, 1).vocabRows())
                .isEqualTo(CFG.vocab() + 10);
        assertThat(DerivationSimulator.extendVocabulary(BASE, 10, 1)
                        .vocabulary()
                        .size())
                .isEqualTo(CFG.vocab() + 10);
        SimModel p = DerivationSimulator.pruneVocabulary(BASE, 0.5, 1);
        assertThat(p.vocabRows()).isEqualTo(p.vocabulary().size()).isLessThan(CFG.vocab());
        assertThat(DerivationSimulator.restack(BASE, Component.TEXT_DECODER, new int[] {0, 0, 3})
                        .layers("text"))
                .containsExactly(0, 1, 2);
        SimModel moe = DerivationSimulator.upcycle(BASE, Component.TEXT_DECODER, 3, 0.1, 1);
        assertThat(moe.select(a -> a.expert() != null && a.role() == Role.MLP_UP))
                .hasSize(3 * CFG.layers());
        float[] q = DerivationSimulator.int8RoundTrip(BASE)
                .tensor(TensorAddress.of(Component.TEXT_DECODER, 0, Role.ATTN_Q, Part.WEIGHT))
                .map(ArrayTensor::readAll)
                .orElseThrow();
        assertThat(q).isNotEqualTo(get(BASE, 0, Role.ATTN_Q));
    }

    @Test
    void randomModelsAreDeterministicInTheirSeed() {
        assertThat(get(SyntheticTransformer.random("x", CFG, 5), 1, Role.MLP_UP))
                .isEqualTo(get(SyntheticTransformer.random("y", CFG, 5), 1, Role.MLP_UP));
        assertThat(get(SyntheticTransformer.random("x", CFG, 5), 1, Role.MLP_UP))
                .isNotEqualTo(get(SyntheticTransformer.random("y", CFG, 6), 1, Role.MLP_UP));
    }
}
