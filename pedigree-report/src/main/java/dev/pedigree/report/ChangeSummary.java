package dev.pedigree.report;

import dev.pedigree.forensics.result.CustomisationSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * The customisation summary in sentences, shared by the terminal text, Markdown and HTML: the rank of each
 * component's change (issue 14 §4).
 */
public final class ChangeSummary {
    private ChangeSummary() {}

    /** One sentence per line; empty without a customisation summary. */
    public static List<String> lines(CustomisationSummary c) {
        List<String> out = new ArrayList<>();
        if (c == null) {
            return out;
        }
        for (CustomisationSummary.ComponentRank r : c.componentRanks()) {
            out.add("Rank of the change in " + r.component() + ": " + r.describe() + ".");
        }
        return out;
    }
}
