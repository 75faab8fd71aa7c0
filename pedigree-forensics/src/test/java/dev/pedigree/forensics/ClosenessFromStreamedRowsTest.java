package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.Closeness.BlockCloseness;
import dev.pedigree.forensics.result.CustomisationSummary.LayerChange;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.tests.AlignedCorrelationTest;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, one decode per weight, in a whole-tensor compare: the fixed-index tests (the streamed pass of large
 * same-shape pairs, whole input-side tensors of the others) keep closeness's and the customisation summary's measures
 * of the probe rows they decode ({@link ClosenessMeasure.Seen#putWhole}), and closeness then takes them instead of
 * decoding those rows again. The measures, closeness and customisation alike, are exactly those of the rows read
 * again; only the tensor pairs no fixed-index test read whole (o_proj here: output-side, not streamed) are read.
 */
class ClosenessFromStreamedRowsTest {
    /** 256 wide, 512 MLP units: gate, up and down are streamed; q, k, v are read whole; o is read as columns. */
    private static final Config CFG = new Config(Component.TEXT_DECODER, 512, 256, 4, 2, 512, 2, true, false, false);

    private static final long SEED = 42;

    private static BatteryContext wholeTensors(SimModel a, SimModel b, ReadAccounting accounting) throws Exception {
        ModelIndex s = new ModelIndex(a.toView(), accounting.model("suspect"));
        ModelIndex r = new ModelIndex(b.toView(), accounting.model("reference"));
        return new BatteryContext(s, r, null, 0, null, null, null, 1024, null, SEED, true);
    }

    private static String stack(BatteryContext ctx) {
        return ctx.s().components.keySet().stream()
                .filter(c -> !ctx.s().layers(c).isEmpty())
                .findFirst()
                .orElseThrow();
    }

    @Test
    void theStreamedPassesProbeRowsGiveTheMeasuresOfTheRowsReadAgainWithoutDecodingThemTwice() throws Exception {
        // The premise: these shapes take both paths (the streamed pass for the MLP, whole tensors for attention).
        assertThat(AlignedCorrelationTest.usesGroupedForm(512, 256)).isTrue();
        assertThat(AlignedCorrelationTest.usesGroupedForm(256, 256)).isFalse();
        SimModel base = SyntheticTransformer.random("base", CFG, 1);
        for (SimModel suspect :
                List.of(DerivationSimulator.noise(base, 0.3, 5), SyntheticTransformer.random("ind", CFG, 2))) {
            ReadAccounting freshCount = new ReadAccounting();
            ReadAccounting keptCount = new ReadAccounting();
            BatteryContext fresh = wholeTensors(suspect, base, freshCount);
            BatteryContext kept = wholeTensors(suspect, base, keptCount);
            String name = stack(fresh);
            for (int layer : fresh.s().layers(name)) {
                Block sb = new Block(name, layer);
                Customisation.Measured readAgain = new Customisation.Measured();
                long f0 = freshCount.bytesRead();
                BlockCloseness read = ClosenessMeasure.block(fresh, sb, sb, false, readAgain);
                long freshBytes = freshCount.bytesRead() - f0;

                FixedIndexStage stage = new FixedIndexStage(kept, name);
                long expectedRead = 0;
                for (Role role : ClosenessMeasure.ROLES) {
                    TensorRef a = kept.s().weight(name, layer, role);
                    TensorRef b = kept.r().weight(name, layer, role);
                    stage.tests(TestIds.blockPair(layer, layer), role, a, b);
                    int[] pick = Customisation.probeRows(ModelIndex.matrixShape(a)[0], null, SEED);
                    boolean keptRole = kept.s().closenessSeen.whole(a, b, pick) != null;
                    assertThat(keptRole).as(role.name()).isEqualTo(role != Role.ATTN_O);
                    if (!keptRole) {
                        int[] rc = ModelIndex.matrixShape(a);
                        expectedRead += 2L * (pick == null ? rc[0] : pick.length) * rc[1] * Float.BYTES;
                    }
                }
                Customisation.Measured fromKept = new Customisation.Measured();
                long k0 = keptCount.bytesRead();
                BlockCloseness taken = ClosenessMeasure.block(kept, sb, sb, false, fromKept);
                long keptBytes = keptCount.bytesRead() - k0;

                assertThat(read).isNotNull();
                assertThat(taken).isEqualTo(read);
                for (Role role : ClosenessMeasure.ROLES) {
                    boolean[] g1 = new boolean[2];
                    boolean[] g2 = new boolean[2];
                    LayerChange x = readAgain.get(sb, sb, role, null, SEED, g1);
                    LayerChange y = fromKept.get(sb, sb, role, null, SEED, g2);
                    assertThat(x).as(role.name()).isNotNull();
                    assertThat(y).as(role.name()).isEqualTo(x);
                    assertThat(g2).as(role.name()).isEqualTo(g1);
                }
                // Only o_proj's probe rows are decoded again (F32 tensors: 4 bytes a value).
                assertThat(keptBytes).isEqualTo(expectedRead).isLessThan(freshBytes / 4);
            }
        }
    }

    @Test
    void probeRowsAreCopiedOncePerRowAndInPickOrder() {
        int[] pick = {1, 4, 5, 9};
        FixedIndexStage.ProbeRows p = new FixedIndexStage.ProbeRows(pick, 10, 2);
        float[] xa = new float[20];
        float[] xb = new float[20];
        for (int i = 0; i < 20; i++) {
            xa[i] = i;
            xb[i] = -i;
        }
        // Rows 3..6 lie from offset 6 (row 3's values), rows 8..9 from offset 16.
        p.take(3, 4, xa, xb, 6);
        assertThat(p.complete()).isFalse();
        p.take(0, 2, xa, xb, 0);
        p.take(8, 2, xa, xb, 16);
        assertThat(p.complete()).isTrue();
        Matrix[] m = p.matrices();
        assertThat(m[0].data()).containsExactly(2, 3, 8, 9, 10, 11, 18, 19);
        assertThat(m[1].data()).containsExactly(-2, -3, -8, -9, -10, -11, -18, -19);
        // A row copied twice is not a clean single pass.
        p.take(9, 1, xa, xb, 18);
        assertThat(p.complete()).isFalse();
        FixedIndexStage.ProbeRows all = new FixedIndexStage.ProbeRows(null, 2, 3);
        all.take(0, 2, xa, xb, 3);
        assertThat(all.complete()).isTrue();
        assertThat(all.matrices()[0].data()).containsExactly(3, 4, 5, 6, 7, 8);
    }
}
