package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Component;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 §2: layer evidence must not depend on the vocabulary. A width-sliced copy merged 50/50
 * with a model of another tokenizer, and a width-pruned copy shipped with a padded embedding and no
 * tokenizer, are found against the wider parent through the residual alignment fitted on the
 * attention weights; the controls built the same way from independent weights are not.
 */
class WidthAlignmentTest {
    private static final Config CFG = Config.smallDecoder();
    private static final Component TEXT = Component.TEXT_DECODER;

    private static ComparisonResult compare(SimModel s, SimModel r) throws Exception {
        return LineageComparator.compare(s.toView(), r.toView(), CompareOptions.DEFAULT);
    }

    /** A narrow model with its own tokenizer, of the sliced copy's shapes. */
    private static SimModel narrowOther(SimModel sliced, long seed) {
        return DerivationSimulator.matchedRandom(sliced, seed)
                .withVocabulary(SyntheticTransformer.vocabulary(CFG.vocab(), 100_000 + (int) seed));
    }

    @Test
    void mergeWithAWidthSlicedCopyIsSharedAgainstTheWiderParent() throws Exception {
        SimModel parent = SyntheticTransformer.random("parent", CFG, 1);
        SimModel sliced = DerivationSimulator.widthPruning(parent, TEXT, 0.25, 0.25, 5);
        SimModel merged = DerivationSimulator.merge(narrowOther(sliced, 7), sliced, 0.5);
        ComparisonResult r = compare(merged, parent);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.component("text").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.warnings()).anyMatch(w -> w.contains("aligned on the attention weights"));
    }

    @Test
    void mergeOfIndependentNarrowModelsIsNotShared() throws Exception {
        SimModel parent = SyntheticTransformer.random("parent", CFG, 1);
        SimModel sliced = DerivationSimulator.widthPruning(parent, TEXT, 0.25, 0.25, 5);
        for (long seed = 20; seed < 23; seed++) {
            SimModel merged = DerivationSimulator.merge(
                    narrowOther(sliced, seed), DerivationSimulator.matchedRandom(sliced, seed + 100), 0.5);
            assertThat(compare(merged, parent).verdict()).as("seed " + seed).isNotEqualTo(Verdict.SHARED_LINEAGE);
        }
    }

    @Test
    void widthPrunedCopyWithPaddedVocabularyIsShared() throws Exception {
        SimModel parent = SyntheticTransformer.random("parent", CFG, 1);
        SimModel pruned = DerivationSimulator.padVocabularyWithoutTokenizer(
                DerivationSimulator.widthPruning(parent, TEXT, 0.25, 0.25, 9), 64);
        ComparisonResult r = compare(pruned, parent);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.component("text").orElseThrow().verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
    }

    @Test
    void paddedIndependentNarrowModelIsNotShared() throws Exception {
        SimModel parent = SyntheticTransformer.random("parent", CFG, 1);
        SimModel narrow = DerivationSimulator.padVocabularyWithoutTokenizer(
                SyntheticTransformer.random("narrow", CFG.withHidden(48, 96), 33), 64);
        assertThat(compare(narrow, parent).verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
    }
}
