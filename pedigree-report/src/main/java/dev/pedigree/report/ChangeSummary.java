package dev.pedigree.report;

import dev.pedigree.forensics.result.CustomisationSummary;
import java.util.ArrayList;
import java.util.List;

/**
 * The customisation summary in sentences, shared by the terminal text, Markdown and HTML: the rank of each
 * component's change and the source of each expert (issue 14 §4).
 */
public final class ChangeSummary {
    private ChangeSummary() {}

    /** One sentence per line (the rank of each component's change); empty without a customisation summary. */
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

    /** Most expert lines shown; the rest are counted (all are in the JSON). */
    static final int MAX_EXPERT_LINES = 24;

    /**
     * Where the experts come from, one line per expert or per run of consecutive experts of one block with the same
     * dense source: "expert 3 of layer 5 ← MLP of layer 5, relative change 4%", "experts 0–7 of layer 5 ← MLP of
     * layer 5, relative change 4% (3%–5%)", "expert 2 of layer 1 ← expert 0 of layer 1, relative change 2%".
     */
    public static List<String> experts(List<CustomisationSummary.ExpertMatch> xs) {
        List<String> out = new ArrayList<>();
        int shown = 0;
        int i = 0;
        while (i < xs.size()) {
            CustomisationSummary.ExpertMatch first = xs.get(i);
            int j = i + 1;
            if (first.referenceExpert() == null) {
                while (j < xs.size()
                        && xs.get(j).referenceExpert() == null
                        && xs.get(j).suspect().equals(first.suspect())
                        && xs.get(j).reference().equals(first.reference())
                        && xs.get(j).expert() == xs.get(j - 1).expert() + 1) {
                    j++;
                }
            }
            if (shown < MAX_EXPERT_LINES) {
                out.add(line(xs.subList(i, j)) + ".");
            }
            shown++;
            i = j;
        }
        if (shown > MAX_EXPERT_LINES) {
            out.add("… and " + (shown - MAX_EXPERT_LINES) + " more expert lines (JSON: customisation.experts).");
        }
        return out;
    }

    private static String line(List<CustomisationSummary.ExpertMatch> run) {
        CustomisationSummary.ExpertMatch a = run.getFirst();
        CustomisationSummary.ExpertMatch z = run.getLast();
        String who = run.size() == 1 ? "expert " + a.expert() : "experts " + a.expert() + "\u2013" + z.expert();
        String source = a.referenceExpert() == null
                ? "MLP of layer " + a.reference().layer()
                : "expert " + a.referenceExpert() + " of layer " + a.reference().layer();
        if (!a.reference().component().equals(a.suspect().component())) {
            source += " (" + a.reference().component() + ")";
        }
        double[] rel = run.stream()
                .mapToDouble(CustomisationSummary.ExpertMatch::relativeChange)
                .sorted()
                .toArray();
        String change = "relative change " + Findings.percent(rel[(rel.length - 1) / 2]);
        if (rel.length > 1 && !Findings.percent(rel[0]).equals(Findings.percent(rel[rel.length - 1]))) {
            change += " (" + Findings.percent(rel[0]) + "\u2013" + Findings.percent(rel[rel.length - 1]) + ")";
        }
        return who + " of layer " + a.suspect().layer() + " \u2190 " + source + ", " + change;
    }
}
