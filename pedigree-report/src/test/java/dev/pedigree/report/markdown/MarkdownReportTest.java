package dev.pedigree.report.markdown;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.model.LineageClaim;
import dev.pedigree.report.Cases;
import dev.pedigree.report.ReportContext;
import java.util.List;
import org.junit.jupiter.api.Test;

class MarkdownReportTest {
    @Test
    void transplantFindings() {
        ComparisonResult r = Cases.transplant();
        String md =
                MarkdownReport.render(r, Cases.context(r, Cases.transplantClaims(), "openai/clip-vit-large-patch14"));
        assertThat(md)
                .startsWith("## Pedigree: vlm-7b vs openai/clip-vit-large-patch14\n")
                .contains(
                        "**Answer: SHARED_LINEAGE** (overwhelming evidence). Yes: vlm-7b shares an origin with openai/clip-vit-large-patch14; 1 of 3 components related \\(the vision encoder\\). Overwhelming evidence \\(p below 10\u207b\u00b9\u2070\u2070: chance is not a credible explanation\\).")
                .contains(
                        "- The vision encoder \\(632 M parameters, 9% of the model\\) is related to openai/clip-vit-large-patch14: lightly changed \\(median relative change 5%\\); overwhelming evidence \\(p \\< 10\u207b\u00b9\u2070\u2070\\).")
                .contains(
                        "- The language model \\(6.1 B parameters, 90% of the model\\) shows no sign of it: none found with adequate power \\(p = 0.16\\).")
                .contains("looks like a merge that includes")
                .contains("base_model: \"openai/clip-vit-large-patch14\"\nbase_model_relation: merge")
                .contains("verified from the weights")
                .contains("> **How to read this report**")
                .contains("- **Holm**: ")
                .contains("9% of the suspect's 6.8 B parameters lie in components or blocks related to"
                        + " openai/clip-vit-large-patch14.")
                .contains("| **FLAG** undeclared relative | (nothing) |")
                .contains("| not tested | base\\_model = Qwen/Qwen2-7B | README.md front matter |")
                .contains(
                        "| vision | vision_encoder | 632,000,000 | 9% | SHARED_LINEAGE | overwhelming evidence | p \\< 10\u207b\u00b9\u2070\u2070 |")
                .contains("| vision.0 | vision.0 | -150.0 |")
                .contains("| Hidden-unit matching \\(Zhu et al. style\\) |")
                .contains("Sampling: The tests read 512 seeded rows of each tensor \\(seed 42\\), ");
        // No literal carets: powers of ten are superscript characters; the only HTML is <details>.
        assertThat(md).doesNotContain("<sup>").doesNotContain("<table").doesNotContain("10^");
        // Every table row has the same number of cells as its header.
        String[] lines = md.split("\n");
        for (int i = 0; i < lines.length; i++) {
            if (lines[i].startsWith("|---")) {
                int cells = cells(lines[i - 1]);
                for (int k = i + 1; k < lines.length && lines[k].startsWith("|"); k++) {
                    assertThat(cells(lines[k])).as(lines[k]).isEqualTo(cells);
                }
            }
        }
    }

    static int cells(String row) {
        return row.replace("\\|", "").split("\\|", -1).length;
    }

    @Test
    void otherCases() {
        assertThat(MarkdownReport.render(Cases.int8(), ReportContext.EMPTY))
                .contains(
                        "**Answer: SHARED_LINEAGE** (overwhelming evidence). Yes: all-minilm-l6-v2-q shares an origin")
                .contains("The two tokenizers have the same vocabulary.")
                .contains("12 tensors compared in matched blocks; 0 bit-identical");
        assertThat(MarkdownReport.render(Cases.unrelated(), ReportContext.EMPTY))
                .contains("**Answer: INDEPENDENT** (none found with adequate power). No:")
                .doesNotContain("### Layer map");
        String d = MarkdownReport.render(
                Cases.tokenizerOnly(),
                ReportContext.builder()
                        .declaredClaims(List.of(new LineageClaim("base_model", "llama/tokenizer.json", "x")))
                        .build());
        assertThat(d)
                .contains(
                        "**Answer: TOKENIZER DERIVED** (no weights given). No weights were given; the answer comes from the tokenizers alone.")
                .contains("| DERIVED | SUSPECT_FROM_REFERENCE | 0.9282 | 0.9995 | 2,400 | 12 | 3 | 1 |")
                .contains("No weight test ran.")
                .contains("`Привет`")
                .contains("| not verified |");
    }

    @Test
    void escapesHostileInput() {
        ComparisonResult r = Cases.hostile();
        String md = MarkdownReport.render(
                r,
                ReportContext.builder()
                        .referenceName(Cases.HOSTILE)
                        .pedigreeVersion(Cases.HOSTILE)
                        .build());
        // Outside code spans (where CommonMark never interprets HTML) no tag survives.
        // Fenced blocks and code spans are literal in CommonMark; <details>/<summary> are the report's own tags.
        String prose = md.replaceAll("(?s)\n```[a-z]*\n.*?\n```\n", "\n")
                .replaceAll("``.*?``|`[^`]*`", "")
                .replaceAll("</?details>|<summary>|</summary>", "");
        assertThat(java.util.regex.Pattern.compile("(?<!\\\\)<[A-Za-z/!]")
                        .matcher(prose)
                        .find())
                .as("an unescaped tag opening")
                .isFalse();
        assertThat(prose).contains("\\<script\\>alert\\(1\\)\\</script\\>");
        assertThat(md).contains("`<script>alert(1)</script>`");
        // Token examples become code spans; a link text stays literal.
        assertThat(md)
                .contains("`[link](http://x)`")
                .contains("`` `tick` ``")
                .contains("`|pipe|`")
                .contains("`a\uFFFDb`");
        assertThat(MarkdownReport.esc("a|b\nc")).isEqualTo("a\\|b c");
    }

    @Test
    void deterministic() {
        ComparisonResult r = Cases.transplant();
        ReportContext c = Cases.context(r, Cases.transplantClaims(), null);
        assertThat(MarkdownReport.render(r, c)).isEqualTo(MarkdownReport.render(Cases.transplant(), c));
    }
}
