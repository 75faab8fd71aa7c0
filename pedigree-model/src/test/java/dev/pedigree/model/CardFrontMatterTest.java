package dev.pedigree.model;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class CardFrontMatterTest {
    static final String CARD = """
            ---
            license: "apache-2.0" # the usual
            base_model: [org/a, 'org/b']
            tags:
              - x
            datasets:
            - d1
            - "d2"
            ---
            license: not-front-matter
            """;

    @Test
    void scalarsInlineAndBlockLists() {
        assertThat(CardFrontMatter.values(CARD, "license")).containsExactly("apache-2.0");
        assertThat(CardFrontMatter.values(CARD, "base_model")).containsExactly("org/a", "org/b");
        assertThat(CardFrontMatter.values(CARD, "datasets")).containsExactly("d1", "d2");
        assertThat(CardFrontMatter.value(CARD, "missing")).isNull();
        assertThat(CardFrontMatter.values("license: mit\n", "license")).isEmpty();
        assertThat(CardFrontMatter.values("---\r\nlicense: mit\r\n---\r\n", "license"))
                .containsExactly("mit");
    }
}
