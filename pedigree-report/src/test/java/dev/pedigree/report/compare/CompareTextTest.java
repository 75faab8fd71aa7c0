package dev.pedigree.report.compare;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.report.Cases;
import org.junit.jupiter.api.Test;

class CompareTextTest {
    /** The tokenizer lines give regular and special changes apart, and list the special tokens. */
    @Test
    void tokenizerLinesSeparateRegularAndSpecialChanges() {
        String text = CompareText.render(Cases.tokenizerOnly());
        assertThat(text)
                .contains("Tokenizer: DERIVED. The suspect's tokenizer is derived from that of llama: 99.9% of the"
                        + " smaller vocabulary is inherited in creation order, 2,400 tokens added, 12 removed (special"
                        + " tokens: 3 added, 1 removed). Their vocabularies overlap with a Jaccard index of 0.928."
                        + " Tokenizer lineage is reported beside weight lineage, never as proof of it.\n")
                .contains("  special tokens added (3): <|user|>, <|assistant|>, <|end|>\n")
                .contains("  special tokens removed (1): <pad>\n");
        assertThat(CompareText.render(Cases.int8())).doesNotContain("special tokens");
    }

    /** Two tokenizers without weights: the tokenizer relation is the answer, spelt as in the JSON. */
    @Test
    void tokenizerOnlyHeadlineIsTheTokenizerRelation() {
        assertThat(CompareText.render(Cases.tokenizerOnly()))
                .contains(
                        "Answer: TOKENIZER DERIVED (no weights given)\n  No weights were given; the answer comes from the tokenizers alone.")
                .doesNotContain("of the suspect's parameters");
    }

    /** A verdict has one spelling: the JSON's. */
    @Test
    void verdictsAreSpeltAsInTheJson() {
        assertThat(CompareText.render(Cases.int8()))
                .contains("Answer: SHARED_LINEAGE (")
                .doesNotContain("SHARED LINEAGE");
        assertThat(CompareText.render(Cases.unrelated())).contains("Answer: INDEPENDENT (");
    }

    /**
     * Issue 14 §4: the layer map says how close each pair is, as the HTML and Markdown tables do: what the numbers
     * mean first, then one pair a line (r, share of units matched, relative change, log10 p).
     */
    @Test
    void layerMapGivesEachPairsClosenessAfterSayingWhatTheNumbersMean() {
        String text = CompareText.render(Cases.int8WithCloseness());
        assertThat(text)
                .contains("Layer map (suspect block -> reference block), 6 pairs.\n"
                        + "  How close each pair is: r = correlation of its matched weights (0 unrelated, 1 identical),\n"
                        + "  share of units matched, relative change of the weights; log10 p = how sure the match is.\n"
                        + "  text.0->text.0  r = 1.00, 100% of units, change <1%; log10 p -190.0\n"
                        + "  text.1->text.1  r = 0.90, 95% of units, change 10%; log10 p -189.0\n")
                .contains("  text.5->text.5  r = 0.50, 75% of units, change 50%; log10 p -185.0\n");
        // Without closeness, the compact map stays.
        assertThat(CompareText.render(Cases.int8()))
                .contains("Layer map (suspect block -> reference block):\n  text.0->text.0, text.1->text.1")
                .doesNotContain("How close each pair is");
    }
}
