package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.Closeness.BlockCloseness;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Under {@code --sample}, an as-stored block pair's closeness is taken from the measures the sampled
 * fixed-index tests kept on the same seeded rows ({@link ClosenessMeasure.Seen}) instead of reading
 * those rows again (over HTTP they are fetched again once the caches have let them go): the closeness
 * is the one read from the tensors, and it is taken from what was kept.
 */
class ClosenessFromBatteryRowsTest {
    private static final Config CFG = new Config(Component.TEXT_DECODER, 512, 128, 4, 2, 512, 2, true, false, false);
    private static final int SAMPLE = 32;
    private static final long SEED = 42;

    private static BatteryContext context(SimModel a, SimModel b) throws Exception {
        ModelIndex s = new ModelIndex(a.toView());
        ModelIndex r = new ModelIndex(b.toView());
        return new BatteryContext(s, r, null, 0, null, null, null, SAMPLE, SAMPLE, SEED, true);
    }

    private static String stack(BatteryContext ctx) {
        return ctx.s().components.keySet().stream()
                .filter(c -> !ctx.s().layers(c).isEmpty())
                .findFirst()
                .orElseThrow();
    }

    /** Runs the sampled fixed-index tests of block pair (layer, layer), as the battery does. */
    private static void battery(BatteryContext ctx, String name, int layer) throws Exception {
        FixedIndexStage stage = new FixedIndexStage(ctx, name);
        for (Role role : ClosenessMeasure.ROLES) {
            stage.tests(
                    TestIds.blockPair(layer, layer),
                    role,
                    ctx.s().weight(name, layer, role),
                    ctx.r().weight(name, layer, role));
        }
    }

    @Test
    void closenessFromTheBatteryRowsEqualsClosenessReadFromTheTensors() throws Exception {
        SimModel base = SyntheticTransformer.random("base", CFG, 1);
        for (SimModel suspect :
                List.of(SyntheticTransformer.random("ind", CFG, 2), DerivationSimulator.noise(base, 0.2, 3))) {
            BatteryContext fresh = context(suspect, base);
            BatteryContext kept = context(suspect, base);
            String name = stack(fresh);
            for (int layer : fresh.s().layers(name)) {
                Block sb = new Block(name, layer);
                BlockCloseness read = ClosenessMeasure.block(fresh, sb, sb, false, null);
                battery(kept, name, layer);
                BlockCloseness fromKept = ClosenessMeasure.block(kept, sb, sb, false, null);
                assertThat(read).isNotNull();
                assertThat(fromKept).isEqualTo(read);
            }
        }
    }

    @Test
    void closenessIsTakenFromTheKeptMeasuresWithoutReadingAgain() throws Exception {
        SimModel base = SyntheticTransformer.random("base", CFG, 1);
        BatteryContext ctx = context(SyntheticTransformer.random("ind", CFG, 2), base);
        String name = stack(ctx);
        int layer = ctx.s().layers(name).getFirst();
        Block sb = new Block(name, layer);
        assertThat(ClosenessMeasure.block(ctx, sb, sb, false, null).correlation())
                .isLessThan(0.5);
        // Kept as if the reference's rows were the suspect's own: closeness then reads r = 1 from what was kept.
        for (Role role : ClosenessMeasure.ROLES) {
            TensorRef a = ctx.s().weight(name, layer, role);
            TensorRef b = ctx.r().weight(name, layer, role);
            if (a == null || ClosenessMeasure.outputSide(role)) {
                continue;
            }
            int[] rows = ctx.unitRows(ModelIndex.matrixShape(a)[0]);
            Matrix ma = ctx.s().rows(a, rows);
            ctx.s().closenessSeen.put(a, b, rows, ma, ma);
        }
        BlockCloseness kept = ClosenessMeasure.block(ctx, sb, sb, false, null);
        assertThat(kept.correlation()).isEqualTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
        // Other rows than the kept ones, or a pair to be undone, are measured from the tensors.
        BatteryContext other =
                new BatteryContext(ctx.s(), ctx.r(), null, 0, null, null, null, SAMPLE / 2, SAMPLE / 2, SEED, true);
        assertThat(ClosenessMeasure.block(other, sb, sb, false, null).correlation())
                .isLessThan(0.5);
    }
}
