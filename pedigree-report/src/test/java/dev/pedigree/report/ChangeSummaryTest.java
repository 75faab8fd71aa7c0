package dev.pedigree.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.CustomisationSummary.ExpertMatch;
import dev.pedigree.forensics.result.CustomisationSummary.LayerChange;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChangeSummaryTest {
    private static final Block S5 = new Block("text", 5);
    private static final Block R5 = new Block("text", 5);

    @Test
    void expertLinesNameTheSourceAndGroupRunsOfOneDenseSource() {
        List<ExpertMatch> xs = List.of(
                new ExpertMatch(S5, 3, R5, null, 0.999, 0.04),
                new ExpertMatch(new Block("text", 6), 0, new Block("text", 6), null, 0.99, 0.03),
                new ExpertMatch(new Block("text", 6), 1, new Block("text", 6), null, 0.99, 0.05),
                new ExpertMatch(new Block("text", 7), 2, new Block("text", 7), 0, 0.98, 0.02));
        assertThat(ChangeSummary.experts(xs))
                .containsExactly(
                        "expert 3 of layer 5 \u2190 MLP of layer 5, relative change 4%.",
                        "experts 0\u20131 of layer 6 \u2190 MLP of layer 6, relative change 3% (3%\u20135%).",
                        "expert 2 of layer 7 \u2190 expert 0 of layer 7, relative change 2%.");
    }

    @Test
    void manyExpertLinesAreCounted() {
        List<ExpertMatch> xs = new ArrayList<>();
        for (int l = 0; l < 30; l++) {
            xs.add(new ExpertMatch(new Block("text", l), 0, new Block("text", l), 1, 0.9, 0.1));
        }
        List<String> lines = ChangeSummary.experts(xs);
        assertThat(lines).hasSize(ChangeSummary.MAX_EXPERT_LINES + 1);
        assertThat(lines.getLast()).startsWith("\u2026 and 6 more expert lines");
    }

    @Test
    void rankLinesPerComponent() {
        List<LayerChange> ls = List.of(
                new LayerChange(S5, R5, "ATTN_Q", 0.5, false, 8, 1, 32, true),
                new LayerChange(S5, R5, "ATTN_K", 0.5, false, 8, 1, 30, true),
                new LayerChange(S5, R5, "ATTN_V", 0.5, false, 8, 1, 33, true),
                new LayerChange(
                        new Block("vision", 0), new Block("vision", 0), "ATTN_Q", 0.1, false, 8, 0.3, 0, false));
        CustomisationSummary c = new CustomisationSummary(ls, List.of(), null, "");
        assertThat(ChangeSummary.lines(c))
                .containsExactly(
                        "Rank of the change in text: low-rank, rank \u2248 32 (30\u201333) in 3 of 3 tensors.",
                        "Rank of the change in vision: full rank (not low-rank).");
    }
}
