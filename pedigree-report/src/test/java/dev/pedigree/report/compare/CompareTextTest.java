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
}
