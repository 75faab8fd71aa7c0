package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary.LayerChange;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Component;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 §3: undoing a permutation runs for a vision tower (aligned on its own patch and position
 * embeddings), under --sample (on the rows the sampled battery read), and for MLPs wider than the
 * assignment cap (a seeded sample of units, each matched against every reference unit, streamed).
 */
class UndoEverywhereTest {
    private static ComparisonResult compare(SimModel s, SimModel r, CompareOptions o) throws Exception {
        return LineageComparator.compare(s.toView(), r.toView(), o);
    }

    static SimModel obfuscated(SimModel m, Component c, double noise, long seed) {
        SimModel v = DerivationSimulator.permuteResidual(
                DerivationSimulator.permuteHiddenAndHeads(m, seed), c, true, seed + 1);
        return DerivationSimulator.noise(v, noise, seed + 2);
    }

    private static ComponentResult component(ComparisonResult r, String name) {
        return r.component(name).orElseThrow(() -> new AssertionError("no " + name + " in " + r.components()));
    }

    private static double medianChange(ComparisonResult r, String comp) {
        List<Double> changes = r.customisation().layers().stream()
                .filter(c -> c.suspect().component().equals(comp))
                .map(LayerChange::relativeChange)
                .sorted()
                .toList();
        assertThat(changes).isNotEmpty();
        return changes.get(changes.size() / 2);
    }

    /** Verdict, layer map, closeness and customisation of an obfuscated copy (σ×0.3) of {@code comp}. */
    private static void assertUndone(ComparisonResult r, String comp, int layers) {
        System.out.println(comp + ": " + r.customisation().note() + "\n  closeness "
                + component(r, comp).closeness() + "\n  warnings " + r.warnings());
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(component(r, comp).verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        for (int l = 0; l < layers; l++) {
            assertThat(r.layerMap())
                    .extracting(m -> m.suspect().component() + m.suspect().layer() + ">"
                            + m.reference().layer())
                    .contains(comp + l + ">" + l);
        }
        assertThat(r.customisation().note()).contains("after undoing the permutation");
        assertThat(medianChange(r, comp)).isBetween(0.2, 0.45);
        Closeness c = component(r, comp).closeness();
        assertThat(c.permutationUndone()).isTrue();
        assertThat(c.correlation()).isGreaterThan(0.9);
        assertThat(c.unitsMatched()).isGreaterThan(0.9);
        assertThat(c.relativeChange()).isBetween(0.2, 0.45);
        assertThat(c.blocks()).hasSize(layers);
    }

    @Test
    void anObfuscatedVisionTowerIsUndoneThroughItsPatchAndPositionAlignment() throws Exception {
        Config cfg = Config.smallVision();
        SimModel base = SyntheticTransformer.random("vit", cfg, 1401);
        ComparisonResult r = compare(obfuscated(base, Component.VISION, 0.3, 11), base, CompareOptions.DEFAULT);
        assertUndone(r, "vision", cfg.layers());
    }

    @Test
    void anObfuscatedVisionTowerIsUndoneUnderSample() throws Exception {
        Config cfg = Config.smallVision();
        SimModel base = SyntheticTransformer.random("vit", cfg, 1402);
        ComparisonResult r =
                compare(obfuscated(base, Component.VISION, 0.3, 12), base, CompareOptions.DEFAULT.withSampleRows(256));
        assertUndone(r, "vision", cfg.layers());
    }

    @Test
    void anObfuscatedTextStackIsUndoneUnderSample() throws Exception {
        Config cfg = Config.tinyDecoder();
        SimModel base = SyntheticTransformer.random("base", cfg, 1403);
        ComparisonResult r = compare(
                obfuscated(base, Component.TEXT_DECODER, 0.3, 13), base, CompareOptions.DEFAULT.withSampleRows(256));
        assertUndone(r, "text", cfg.layers());
    }

    @Test
    void anMlpWiderThanTheAssignmentCapIsUndoneOnSampledUnits() throws Exception {
        Config cfg = Config.tinyDecoder().withHidden(32, 2048).withLayers(2);
        SimModel base = SyntheticTransformer.random("wide", cfg, 1404);
        ComparisonResult r = compare(obfuscated(base, Component.TEXT_DECODER, 0.3, 14), base, CompareOptions.DEFAULT);
        assertUndone(r, "text", cfg.layers());
        assertThat(r.customisation().note()).contains("seeded units");
    }
}
