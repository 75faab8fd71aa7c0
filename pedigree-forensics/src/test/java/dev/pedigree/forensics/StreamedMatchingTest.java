package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.tests.HiddenUnitMatchTest;
import org.junit.jupiter.api.Test;

/**
 * MLPs wider than {@link LineageComparator#DEFAULT_MAX_UNITS}: the full compare streams the reference into the
 * sampled matching (bounded memory). Its result must be the one the in-memory {@code matchSampled} gives on the
 * same tensors, for units in rows (gate, up) and in columns (down).
 */
class StreamedMatchingTest {

    @Test
    void streamedSampledMatchingEqualsTheInMemoryOne() throws Exception {
        Config wide = new Config(Component.TEXT_DECODER, 256, 32, 4, 4, 1100, 1, true, false, false);
        SimModel base = SyntheticTransformer.random("wide", wide, 3);
        // Permuted hidden units: the fixed-index MLP tests see nothing, so the matching runs (and, as a
        // matching against the identity, finds nothing either: the assignment is the permutation).
        SimModel derived = DerivationSimulator.noise(DerivationSimulator.permuteHiddenAndHeads(base, 5), 0.3, 6);
        ComparisonResult r = LineageComparator.compare(derived.toView(), base.toView(), CompareOptions.DEFAULT);
        for (String role : new String[] {"gate", "up", "down"}) {
            Evidence e = r.component("text").orElseThrow().evidence().stream()
                    .filter(x -> x.test().equals("block0~0.mlp." + role + ".match"))
                    .findFirst()
                    .orElseThrow();
            assertThat(e.note()).contains("streamed");
            Matrix a = units(derived, role);
            Matrix b = units(base, role);
            var mem = HiddenUnitMatchTest.matchSampled(
                            a, b, LineageComparator.DEFAULT_MAX_UNITS, CompareOptions.DEFAULT.seed())
                    .result();
            System.out.printf(
                    "streamed %s.match: fixed points %s, log10p %s; in memory: %.0f, %.3f, Spearman %.4g; %s%n",
                    role, e.statistic(), e.log10p(), mem.statistic(), mem.log10p(), mem.effectSize(), e.note());
            // The same assignment: same fixed points, same Spearman correlation, same p-value.
            assertThat(e.statistic()).as(role).isEqualTo(mem.statistic());
            assertThat(e.note())
                    .as(role)
                    .contains(String.format(java.util.Locale.ROOT, "effect %.4g", mem.effectSize()));
            assertThat(e.log10p()).as(role).isCloseTo(Math.min(0, mem.log10p()), within(1e-9));
        }
    }

    @Test
    void agreementOfStreamedMatchingsFindsPermutedWideMlps() throws Exception {
        Config wide = new Config(Component.TEXT_DECODER, 256, 32, 4, 4, 1100, 1, true, false, false);
        SimModel base = SyntheticTransformer.random("wide", wide, 3);
        SimModel permuted = DerivationSimulator.noise(DerivationSimulator.permuteHiddenAndHeads(base, 5), 0.3, 6);
        ComparisonResult r = LineageComparator.compare(permuted.toView(), base.toView(), CompareOptions.DEFAULT);
        Evidence agree = r.component("text").orElseThrow().evidence().stream()
                .filter(x -> x.test().equals("block0~0.mlp.gate_up.agreement"))
                .findFirst()
                .orElseThrow();
        System.out.println("permuted wide MLP: " + agree);
        assertThat(agree.log10p()).isLessThan(-12);
        assertThat(r.component("text").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        // Independent control of the same shape: no agreement beyond chance, not shared.
        SimModel other = SyntheticTransformer.random("other", wide, 4);
        ComparisonResult c = LineageComparator.compare(other.toView(), base.toView(), CompareOptions.DEFAULT);
        Evidence none = c.component("text").orElseThrow().evidence().stream()
                .filter(x -> x.test().equals("block0~0.mlp.gate_up.agreement"))
                .findFirst()
                .orElseThrow();
        System.out.println("independent wide MLP: " + none);
        assertThat(none.log10p()).isGreaterThan(-3);
        assertThat(c.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
    }

    @Test
    void streamedRectangularMatchingOfAPrunedWideMlpEqualsTheInMemoryOne() throws Exception {
        Config wide = new Config(Component.TEXT_DECODER, 256, 32, 4, 4, 1100, 1, true, false, false);
        SimModel base = SyntheticTransformer.random("wide", wide, 3);
        SimModel pruned = DerivationSimulator.widthPruning(base, Component.TEXT_DECODER, 0.25, 0, 13);
        ComparisonResult r = LineageComparator.compare(pruned.toView(), base.toView(), CompareOptions.DEFAULT);
        assertThat(r.component("text").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        for (String role : new String[] {"gate", "up", "down"}) {
            Evidence e = r.component("text").orElseThrow().evidence().stream()
                    .filter(x -> x.test().equals("block0~0.mlp." + role + ".match"))
                    .findFirst()
                    .orElseThrow();
            var mem = HiddenUnitMatchTest.matchRectangular(
                            units(pruned, role),
                            units(base, role),
                            LineageComparator.DEFAULT_MAX_UNITS,
                            CompareOptions.DEFAULT.seed())
                    .result();
            System.out.printf(
                    "streamed rectangular %s.match: %s | in memory: fixed %.0f, log10p %.2f%n",
                    role, e, mem.statistic(), mem.log10p());
            assertThat(e.note()).contains("streamed").contains("widths 825 vs 1100");
            assertThat(e.statistic()).as(role).isEqualTo(mem.statistic());
            assertThat(e.log10p()).as(role).isCloseTo(Math.min(0, mem.log10p()), within(1e-9));
            assertThat(e.log10p()).as(role).isLessThan(-12);
        }
    }

    /** The role's tensor of layer 0 as [units × residual]. */
    private static Matrix units(SimModel m, String role) throws Exception {
        ArrayTensor t = m.tensors().stream()
                .filter(x -> x.name().contains("layers.0.") && x.name().contains(role + "_proj"))
                .findFirst()
                .orElseThrow();
        int rows = (int) t.shape().dim(0);
        Matrix x = Matrix.of(rows, (int) (t.elementCount() / rows), t.readAll());
        return role.equals("down") ? x.transpose() : x;
    }
}
