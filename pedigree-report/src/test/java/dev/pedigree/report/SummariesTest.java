package dev.pedigree.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.SamplingInfo;
import dev.pedigree.report.compare.CompareText;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 15: every summary line of a comparison reads as a whole sentence a committee member can quote (subject,
 * verb, object, number with unit), not a label and a fragment ("Looks like: merge (...)", "Parameters in related
 * components: 100% of 22.6 M.", "Sampling: ... Rows per tensor: 512; seed 42;").
 */
class SummariesTest {
    @Test
    void relatedParametersIsASentence() {
        ComparisonResult r = Cases.transplant();
        assertThat(Summaries.relatedParameters(r, "ref"))
                .matches("[0-9.]+% of the suspect's [0-9.]+ [kMB] parameters lie in components or blocks related to"
                        + " ref\\.");
        assertThat(Summaries.relatedParameters(Cases.unrelated(), "ref")).startsWith("None of the suspect's ");
    }

    @Test
    void everyLooksLikeLabelReadsAsASentence() {
        for (String label : List.of(
                "merge",
                "pruned/distilled",
                "copy",
                "quantized",
                "adapter",
                "finetune",
                "permuted copy",
                "rotated copy")) {
            String s = Summaries.looksLike(label, "sus", "ref");
            assertThat(s)
                    .as(label)
                    .startsWith("sus looks like ")
                    .contains("ref")
                    .endsWith(".");
            assertThat(s.contains("base_model_relation: " + label)).isEqualTo(Relation.huggingFaceRelation(label));
        }
        assertThat(Summaries.looksLike("pruned/distilled", "a", "b"))
                .isEqualTo("a looks like a pruned or distilled relative of b: it is related to b and has fewer"
                        + " parameters.");
        assertThat(Summaries.looksLike("quantized", "a", "b"))
                .isEqualTo("a looks like a quantized copy of b (Hugging Face base_model_relation: quantized): its norms"
                        + " and biases are identical and its matrices changed only slightly.");
    }

    @Test
    void samplingSaysWhatWasReadWithUnits() {
        SamplingInfo sampled = new SamplingInfo(
                256,
                42,
                256,
                256,
                "p-values computed on 256 seeded sampled rows per tensor (...); 256 shared tokens as probes; seed 42"
                        + "; reference fingerprint keeps 64 indices per dimension (seed 7) and 256 anchor tokens",
                31_819_776,
                223_114_240,
                List.of(),
                null,
                List.of());
        assertThat(Summaries.sampling(sampled))
                .startsWith("The tests read 256 seeded rows of each tensor (seed 42), 14.26% of the weight bytes"
                        + " (31,819,776 of 223,114,240), and computed their p-values on that sample;")
                .contains(" Reference fingerprint keeps 64 indices per dimension (seed 7) and 256 anchor tokens.")
                .endsWith(" 256 tokens that both vocabularies share served as probes.");
        SamplingInfo full =
                new SamplingInfo(null, 42, 4096, 0, "every row read; seed 42", 100, 100, List.of(), null, List.of());
        assertThat(Summaries.sampling(full))
                .isEqualTo("The tests read every row of every tensor (100.00% of the weight bytes (100 of 100)); at"
                        + " most 4,096 units of a tensor enter one assignment problem (seed 42).");
    }

    /** The lines under "Answer:" in the terminal report: each is a sentence (capital or name first, full stop last). */
    @Test
    void terminalSummaryLinesAreSentences() {
        for (ComparisonResult r : List.of(Cases.transplant(), Cases.unrelated(), Cases.tokenizerOnly())) {
            List<String> summary = new ArrayList<>();
            boolean in = false;
            for (String line : CompareText.render(r).split("\n")) {
                if (line.startsWith("Answer: ")) {
                    in = true;
                } else if (in && line.isBlank()) {
                    break;
                } else if (in) {
                    summary.add(line.strip().replaceFirst("^- ", ""));
                }
            }
            assertThat(summary).isNotEmpty();
            for (String s : summary) {
                assertThat(s).as("summary line").endsWith(".").doesNotStartWith("Looks like:");
                assertThat(s).as("summary line").doesNotContainPattern("^[A-Z][a-z ]+: [0-9]");
            }
        }
        assertThat(CompareText.render(Cases.tokenizerOnly()))
                .containsPattern("\nTokenizer: [A-Z]+\\. The ")
                .doesNotContain("Jaccard 0.928,");
    }
}
