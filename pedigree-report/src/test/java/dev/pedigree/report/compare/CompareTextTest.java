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
                .contains(
                        "Tokenizer: DERIVED (Jaccard 0.928, inherited 100.0%, 2400 added, 12 removed; special tokens: 3"
                                + " added, 1 removed)")
                .contains("  special tokens added (3): <|user|>, <|assistant|>, <|end|>\n")
                .contains("  special tokens removed (1): <pad>\n");
        assertThat(CompareText.render(Cases.int8())).doesNotContain("special tokens");
    }
}
