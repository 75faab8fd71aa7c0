package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.Direction;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.model.Component;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Issue 14 §4: which side came first, when the weights show it; otherwise relatives. */
class DirectionTest {
    private static final SyntheticTransformer.Config CFG = SyntheticTransformer.Config.smallDecoder();
    private static final SimModel BASE = SyntheticTransformer.random("base", CFG, 17);

    private static Direction direction(SimModel s, SimModel r) throws Exception {
        ComparisonResult c = LineageComparator.compare(s.toView(), r.toView(), CompareOptions.DEFAULT);
        assertThat(c.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        return c.customisation().direction();
    }

    @Test
    void anInt8SuspectOfAnFp32ReferenceCameSecond() throws Exception {
        Direction d = direction(DerivationSimulator.int8RoundTrip(BASE), BASE);
        assertThat(d.earlier()).isEqualTo(Direction.REFERENCE);
        assertThat(d.relation()).isEqualTo("ancestor");
        assertThat(d.reason()).contains("the suspect's weights are dequantised values on a grid");
        Direction back = direction(BASE, DerivationSimulator.int8RoundTrip(BASE));
        assertThat(back.earlier()).isEqualTo(Direction.SUSPECT);
        assertThat(back.reason()).contains("the reference is a quantised copy");
    }

    @Test
    void everySecondLayerIsASubsetOfTheReference() throws Exception {
        SimModel half = DerivationSimulator.restack(BASE, Component.TEXT_DECODER, new int[] {0, 2});
        Direction d = direction(DerivationSimulator.noise(half, 0.1, 3), BASE);
        assertThat(d.earlier()).isEqualTo(Direction.REFERENCE);
        assertThat(d.reason()).contains("the suspect has a subset of the reference's layers");
        Direction back = direction(BASE, DerivationSimulator.noise(half, 0.1, 3));
        assertThat(back.earlier()).isEqualTo(Direction.SUSPECT);
    }

    @Test
    void aHeavilyChangedRelativeWithFewerLayersShowsNoDirection() throws Exception {
        // A distilled cousin: half the layers, every weight changed by about 60%. Both sides may descend from a
        // common deeper ancestor, so the layer subset alone does not say which came first (issue 15: "undeclared
        // ancestor" for a cousin that predates its "ancestor").
        SimModel half = DerivationSimulator.restack(BASE, Component.TEXT_DECODER, new int[] {0, 2});
        Direction d = direction(DerivationSimulator.noise(half, 0.6, 3), BASE);
        assertThat(d.shown()).isFalse();
        assertThat(d.relation()).isEqualTo("relatives");
        assertThat(direction(BASE, DerivationSimulator.noise(half, 0.6, 3)).shown())
                .isFalse();
    }

    @Test
    void anExtendedVocabularyCameSecond() throws Exception {
        SimModel ext = DerivationSimulator.noise(DerivationSimulator.extendVocabulary(BASE, 128, 4), 0.1, 5);
        Direction d = direction(ext, BASE);
        assertThat(d.earlier()).isEqualTo(Direction.REFERENCE);
        assertThat(d.reason())
                .contains("the suspect's vocabulary is the reference's 512 tokens at the same ids plus 128");
        assertThat(direction(BASE, ext).earlier()).isEqualTo(Direction.SUSPECT);
    }

    @Test
    void twoNoisySiblingsAreRelatives() throws Exception {
        Direction d = direction(DerivationSimulator.noise(BASE, 0.3, 6), DerivationSimulator.noise(BASE, 0.3, 7));
        assertThat(d.shown()).isFalse();
        assertThat(d.relation()).isEqualTo("relatives");
        // Depth up-scaling repeats layers: not a subset, no direction from the layer map.
        SimModel dus = DerivationSimulator.restack(BASE, Component.TEXT_DECODER, new int[] {0, 1, 2, 1, 2, 3});
        assertThat(direction(DerivationSimulator.noise(dus, 0.1, 8), BASE).shown())
                .isFalse();
        // A pruned vocabulary is renumbered: no extension either way.
        assertThat(direction(DerivationSimulator.pruneVocabulary(BASE, 0.3, 9), BASE)
                        .shown())
                .isFalse();
    }

    @Test
    void gridTestOnRows() {
        SplittableRandom rnd = new SplittableRandom(1);
        int cols = 96;
        float[] gauss = new float[16 * cols];
        float[] int8 = new float[gauss.length];
        float[] q4 = new float[gauss.length];
        for (int i = 0; i < gauss.length; i++) {
            gauss[i] = (float) (0.02 * (rnd.nextDouble() - 0.5));
        }
        for (int r = 0; r < 16; r++) {
            double max = 0;
            for (int c = 0; c < cols; c++) {
                max = Math.max(max, Math.abs(gauss[r * cols + c]));
            }
            for (int c = 0; c < cols; c++) {
                int8[r * cols + c] = (float) (Math.round(gauss[r * cols + c] / (max / 127)) * (max / 127));
            }
            // 4-bit with a scale and an offset per block of 32
            for (int b = 0; b < cols; b += 32) {
                double lo = Double.POSITIVE_INFINITY;
                double hi = Double.NEGATIVE_INFINITY;
                for (int c = b; c < b + 32; c++) {
                    lo = Math.min(lo, gauss[r * cols + c]);
                    hi = Math.max(hi, gauss[r * cols + c]);
                }
                float scale = (float) ((hi - lo) / 15);
                for (int c = b; c < b + 32; c++) {
                    q4[r * cols + c] = (float) lo + scale * Math.round((gauss[r * cols + c] - lo) / scale);
                }
            }
        }
        assertThat(Descent.onGrid(gauss, cols)).isFalse();
        assertThat(Descent.onGrid(int8, cols)).isTrue();
        assertThat(Descent.onGrid(q4, cols)).isTrue();
    }
}
