package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.SeededSample;
import dev.pedigree.stats.tests.HiddenUnitMatchTest;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The matching screen's product on every residual coordinate ({@link PermutationStage#screenCosines}:
 * the alignment moved to the sampled side, one product for both variants) gives the cosines of the
 * gathered path ({@link PermutationStage#crossCosines}), plain and aligned, and on sampled reference
 * rows the same cosines in their columns.
 */
class ScreenCosinesTest {
    @Test
    void screenCosinesEqualTheGatheredCosinesPlainAndAligned() throws Exception {
        int w = 96;
        int h = 1300; // more than one chunk of rows
        Config cfg = new Config(Component.TEXT_DECODER, 128, w, 4, 4, h, 1, true, false, false);
        SimModel a = SyntheticTransformer.random("a", cfg, 1);
        SimModel b = SyntheticTransformer.random("b", cfg, 2);
        ModelIndex s = new ModelIndex(a.toView());
        ModelIndex r = new ModelIndex(b.toView());
        SplittableRandom rng = new SplittableRandom(3);
        int[] index = SeededSample.permutation(rng, w);
        float[] sign = new float[w];
        for (int c = 0; c < w; c++) {
            sign[c] = rng.nextBoolean() ? 1f : -1f;
        }
        BatteryContext ctx = new BatteryContext(
                s, r, new SignedPermutation(index, sign, 0.5), w, null, null, null, 1024, null, 42L, true);
        PermutationStage stage = new PermutationStage(ctx, "text", "text");
        for (Role role : new Role[] {Role.MLP_GATE, Role.MLP_UP}) {
            TensorRef ta = s.weight("text", 0, role);
            TensorRef tb = r.weight("text", 0, role);
            int[] units = HiddenUnitMatchTest.sampledRows(h, 32, 42);
            float[][] fast = stage.screenCosines(ta, units, tb, null, h, w, true);
            float[][] gathered =
                    stage.crossCosines(ta, units, false, tb, h, new boolean[] {false, true}, null, false, h, w, w);
            assertThat(fast).hasDimensions(2, units.length * h);
            for (int v = 0; v < 2; v++) {
                double worst = 0;
                for (int x = 0; x < fast[v].length; x++) {
                    worst = Math.max(worst, Math.abs(fast[v][x] - gathered[v][x]));
                }
                assertThat(worst).as("variant %d of %s", v, role).isLessThan(2e-6);
            }
            // The aligned variant is not the plain one: the test would see a mix-up.
            assertThat(fast[1]).isNotEqualTo(fast[0]);
            // Sampled reference rows: the same cosines, in the sampled rows' columns.
            int[] range = HiddenUnitMatchTest.sampledRows(h, 200, 42);
            assertThat(range).contains(units);
            float[][] part = stage.screenCosines(ta, units, tb, range, h, w, true);
            for (int v = 0; v < 2; v++) {
                for (int i = 0; i < units.length; i++) {
                    for (int j = 0; j < range.length; j++) {
                        assertThat(part[v][i * range.length + j]).isEqualTo(fast[v][i * h + range[j]]);
                    }
                }
            }
        }
    }
}
