package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.CustomisationSummary.LayerChange;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import org.junit.jupiter.api.Test;

/**
 * Issue 16, one decode per weight: the customisation summary of an as-stored block pair is measured on the probe
 * rows closeness has already read ({@link Customisation.Measured}), with the figures that reading them again would
 * give, and without decoding them again.
 */
class CustomisationOneDecodeTest {
    private static final Config CFG = new Config(Component.TEXT_DECODER, 512, 128, 4, 4, 384, 2, true, false, false);

    @Test
    void measuredOnRowsInHandEqualsMeasuredOnRowsReadAgainAndDecodesNothing() throws Exception {
        SimModel base = SyntheticTransformer.random("base", CFG, 1);
        SimModel derived = DerivationSimulator.noise(base, 0.3, 5);
        ReadAccounting accounting = new ReadAccounting();
        ModelIndex s = new ModelIndex(derived.toView(), accounting.model("suspect"));
        ModelIndex r = new ModelIndex(base.toView(), accounting.model("reference"));
        String text = Component.TEXT_DECODER.name();
        Block sb = new Block(text, 1);
        Block rb = new Block(text, 1);
        long seed = 42;
        int measuredRoles = 0;
        for (Role role : new Role[] {Role.ATTN_Q, Role.ATTN_O, Role.MLP_UP, Role.MLP_DOWN}) {
            TensorRef a = s.weight(text, 1, role);
            TensorRef b = r.weight(text, 1, role);
            int[] pick = Customisation.probeRows(ModelIndex.matrixShape(a)[0], null, seed);
            Matrix[] probe = {s.rows(a, pick), r.rows(b, pick)};
            Customisation.Measured inHand = new Customisation.Measured();
            long before = accounting.bytesRead();
            inHand.measure(s, r, sb, rb, role, a, b, probe, null, seed);
            assertThat(accounting.bytesRead()).as(role + ": nothing decoded").isEqualTo(before);
            Customisation.Measured reread = new Customisation.Measured();
            // Fresh indexes (empty caches): the rows are decoded again.
            ModelIndex s2 = new ModelIndex(derived.toView(), accounting.model("suspect"));
            ModelIndex r2 = new ModelIndex(base.toView(), accounting.model("reference"));
            reread.measure(s2, r2, sb, rb, role, s2.weight(text, 1, role), r2.weight(text, 1, role), null, null, seed);
            assertThat(accounting.bytesRead()).as(role + ": read again").isGreaterThan(before);
            boolean[] g1 = new boolean[2];
            boolean[] g2 = new boolean[2];
            LayerChange x = inHand.get(sb, rb, role, null, seed, g1);
            LayerChange y = reread.get(sb, rb, role, null, seed, g2);
            assertThat(x).as(role.name()).isNotNull().isEqualTo(y);
            assertThat(x.relativeChange()).as(role.name()).isGreaterThan(0.05);
            assertThat(g1).isEqualTo(g2);
            assertThat(inHand.get(sb, rb, role, null, seed + 1, g1))
                    .as("another seed's rows")
                    .isNull();
            measuredRoles++;
        }
        assertThat(measuredRoles).isEqualTo(4);
    }

    @Test
    void aSharedComparisonStillSummarisesEveryMatchedTensor() throws Exception {
        SimModel base = SyntheticTransformer.random("base", CFG, 1);
        SimModel derived = DerivationSimulator.noise(base, 0.3, 5);
        ComparisonResult c = LineageComparator.compare(derived.toView(), base.toView(), CompareOptions.DEFAULT);
        assertThat(c.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(c.customisation()).isNotNull();
        // 2 blocks x 7 roles, each measured once (before in closeness, then listed in the summary).
        assertThat(c.customisation().layers()).hasSize(2 * 7);
        assertThat(c.customisation().layers()).allMatch(l -> l.relativeChange() > 0.05);
    }
}
