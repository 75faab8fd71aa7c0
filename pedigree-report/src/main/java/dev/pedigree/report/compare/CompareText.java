package dev.pedigree.report.compare;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.DeterministicTable;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.NonFiniteTensor;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.Printable;
import dev.pedigree.report.ChangeSummary;
import dev.pedigree.report.ClosenessText;
import dev.pedigree.report.Findings;
import dev.pedigree.report.Relation;
import dev.pedigree.report.Summaries;
import dev.pedigree.report.inspect.InspectText;
import java.util.List;
import java.util.Locale;

/** A terminal summary of a comparison that a non-expert can read. */
public final class CompareText {
    private CompareText() {}

    public static String render(ComparisonResult r) {
        return render(r, null, null);
    }

    /**
     * The summary, naming the models by their display names ({@link Findings#modelName} when a name
     * is null or blank); sources appear only on the first two lines, relative to the working
     * directory.
     */
    public static String render(ComparisonResult r, String suspectName, String referenceName) {
        String sus = blank(suspectName) ? Findings.modelName(r.suspect()) : suspectName;
        String ref = blank(referenceName) ? Findings.modelName(r.reference()) : referenceName;
        StringBuilder sb = new StringBuilder();
        sb.append("Suspect:    ").append(describe(sus, r.suspect())).append('\n');
        sb.append("Reference:  ").append(describe(ref, r.reference())).append("\n\n");
        sb.append("Answer: ")
                .append(Findings.answerWord(r))
                .append(" (")
                .append(Findings.answerScale(r))
                .append(")\n");
        sb.append("  ").append(Printable.escape(Findings.answer(r, ref, sus))).append('\n');
        for (String s : Findings.componentSentences(r, ref)) {
            sb.append("  - ").append(Printable.escape(s)).append('\n');
        }
        Summaries.looksLike(r, sus, ref)
                .ifPresent(l -> sb.append("  ").append(Printable.escape(l)).append('\n'));
        if (r.log10p() != null) {
            sb.append("  ")
                    .append(Printable.escape(Summaries.relatedParameters(r, ref)))
                    .append('\n');
        }
        sb.append('\n');
        if (!r.components().isEmpty()) {
            sb.append("By component (suspect's parameters, verdict, evidence):\n");
            long total = Math.max(1, r.suspect().parameters());
            for (ComponentResult c : r.components()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-14s %-15s %10s %5.1f%%  %-15s %s%n",
                        Printable.escape(c.name()),
                        c.kind().jsonName(),
                        InspectText.human(c.parameters()),
                        100.0 * c.parameters() / total,
                        label(c.verdict()),
                        pvalue(c.log10p())
                                + (c.log10p() != null && c.log10p() <= Relation.CAP_LOG10P
                                        ? " (" + Findings.exactLog10p(c.log10p()) + ")"
                                        : "")));
                Relation.strongestCounted(c)
                        .ifPresent(best -> evidenceLine(sb, "strongest counted evidence: ", best, ""));
                Relation.strongestContext(c)
                        .filter(w -> Relation.strongestCounted(c)
                                .map(b -> w.log10p() < b.log10p())
                                .orElse(true))
                        .ifPresent(w -> evidenceLine(
                                sb, "context, not counted: ", w, " (not counted: " + Relation.whyNotCounted(w) + ")"));
                if (!c.reason().isEmpty()) {
                    sb.append("      ")
                            .append(Printable.escape(Findings.plainReason(c.reason())))
                            .append('\n');
                }
                String close = ClosenessText.sentence(c);
                if (!close.isEmpty()) {
                    sb.append("      ").append(close).append('\n');
                }
            }
            sb.append('\n');
        }
        if (!r.layerMap().isEmpty()) {
            if (r.layerMap().stream().anyMatch(m -> !ClosenessText.block(r, m).isEmpty())) {
                layerMapWithCloseness(sb, r);
            } else {
                sb.append("Layer map (suspect block -> reference block):\n  ");
                int n = 0;
                for (LayerMatch m : r.layerMap()) {
                    if (n++ > 0) {
                        sb.append(n % 6 == 1 ? "\n  " : ", ");
                    }
                    sb.append(pair(m));
                }
                sb.append('\n');
            }
            if (r.customisation() != null) {
                for (String line : ChangeSummary.experts(r.customisation().experts())) {
                    sb.append("  ").append(Printable.escape(line)).append('\n');
                }
            }
            sb.append('\n');
        }
        List<String> changes = ChangeSummary.lines(r.customisation());
        if (!changes.isEmpty()) {
            sb.append("How the suspect was changed:\n");
            for (String line : changes) {
                sb.append("  ").append(Printable.escape(line)).append('\n');
            }
            sb.append('\n');
        }
        TokenizerLineage t = r.tokenizer();
        sb.append("Tokenizer: ")
                .append(t.relation())
                .append(". ")
                .append(Printable.escape(Summaries.tokenizer(t, ref)))
                .append('\n');
        if (!t.note().isEmpty() && t.relation() != TokenizerLineage.Relation.ABSENT) {
            sb.append("  It was decided from: ")
                    .append(Printable.escape(t.note()))
                    .append(".\n");
        }
        specialList(
                sb, "special tokens added", t.specials().added(), t.specials().addedTexts());
        specialList(
                sb,
                "special tokens removed",
                t.specials().removed(),
                t.specials().removedTexts());
        if (!r.warnings().isEmpty()
                || !r.sampling().nonFinite().isEmpty()
                || !r.sampling().deterministicTables().isEmpty()) {
            sb.append("\nCaveats:\n");
            r.warnings()
                    .forEach(w -> sb.append("  - ").append(Printable.escape(w)).append('\n'));
            for (NonFiniteTensor nf : r.sampling().nonFinite()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  - %s tensor %s: %d non-finite value%s (NaN %d, +Inf %d, -Inf %d) in %d row%s read;"
                                + " those rows carry no evidence%n",
                        nf.model(),
                        Printable.escape(nf.tensor()),
                        nf.total(),
                        nf.total() == 1 ? "" : "s",
                        nf.nan(),
                        nf.positiveInfinity(),
                        nf.negativeInfinity(),
                        nf.rows(),
                        nf.rows() == 1 ? "" : "s"));
            }
            for (DeterministicTable dt : r.sampling().deterministicTables()) {
                sb.append("  - ")
                        .append(dt.model())
                        .append(" tensor ")
                        .append(Printable.escape(dt.tensor()))
                        .append(": deterministic table, not evidence (")
                        .append(Printable.escape(dt.kind()))
                        .append("; independent models hold the same values)\n");
            }
        }
        if (r.sampling().sampleRows() != null) {
            sb.append("\nSampling: ").append(Summaries.sampling(r.sampling())).append('\n');
        }
        if (r.sampling().earlyStopping() != null) {
            sb.append('\n').append(r.sampling().earlyStopping().statement()).append('\n');
        }
        sb.append("\nNull hypothesis of every test: the two models' weights were initialised independently. ")
                .append(
                        "Shared architecture, shared training data or distillation from outputs do not count as shared lineage.\n");
        return sb.toString();
    }

    static String label(Verdict v) {
        return Findings.label(v);
    }

    /** Human p-value: "p = 0.043", "p = 3.2e-9", capped at "p < 10^-100" (the exact value is beside it). */
    public static String pvalue(Double log10p) {
        if (log10p == null) {
            return "no test";
        }
        if (log10p > -4) {
            return String.format(Locale.ROOT, "p = %.3g", Math.pow(10, log10p));
        }
        if (log10p > Relation.CAP_LOG10P) {
            return String.format(Locale.ROOT, "p = %.1e", Math.pow(10, log10p));
        }
        return "p < 10^-100";
    }

    private static void evidenceLine(StringBuilder sb, String lead, Evidence e, String tail) {
        sb.append("      ").append(lead).append(e.test()).append(' ').append(pvalue(e.log10p()));
        String note = Relation.noteWithoutMarker(e);
        if (!note.isEmpty()) {
            sb.append(" - ").append(Printable.escape(note));
        }
        sb.append(tail).append('\n');
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    private static String describe(String name, dev.pedigree.forensics.result.ModelSummary s) {
        return Findings.nameWithSource(name, s.source()) + " ("
                + s.format()
                + (s.architecture() == null ? "" : ", " + Printable.escape(s.architecture())) + ", "
                + InspectText.human(s.parameters()) + " parameters)";
    }

    /** One line listing special tokens (the first few, then how many more). */
    private static void specialList(StringBuilder sb, String what, long count, List<String> texts) {
        if (count == 0) {
            return;
        }
        int shown = Math.min(texts.size(), 12);
        sb.append("  ").append(what).append(" (").append(count).append("): ");
        sb.append(Printable.escape(String.join(", ", texts.subList(0, shown))));
        if (count > shown) {
            sb.append(", \u2026");
        }
        sb.append('\n');
    }

    /** Longest layer map listed pair by pair with its closeness; longer maps are summarised (as in Markdown). */
    static final int MAX_LAYER_ROWS = 64;

    /** "text.0->text.0". */
    private static String pair(LayerMatch m) {
        return m.suspect().component() + "." + m.suspect().layer() + "->"
                + m.reference().component() + "." + m.reference().layer();
    }

    /**
     * Issue 14 §4: the layer map one pair a line with how close the pair is (as the HTML and Markdown
     * tables): a plain sentence saying what the numbers mean, then per pair the correlation of the
     * matched weights, the share of units matched, the relative change, and the pair's log10 p.
     */
    private static void layerMapWithCloseness(StringBuilder sb, ComparisonResult r) {
        sb.append("Layer map (suspect block -> reference block), ")
                .append(r.layerMap().size())
                .append(r.layerMap().size() == 1 ? " pair.\n" : " pairs.\n")
                .append(
                        "  How close each pair is: r = correlation of its matched weights (0 unrelated, 1 identical),\n")
                .append("  share of units matched, relative change of the weights; log10 p = how sure the match is.\n");
        int width = 0;
        for (LayerMatch m : r.layerMap()) {
            width = Math.max(width, Printable.escape(pair(m)).length());
        }
        int k = 0;
        for (LayerMatch m : r.layerMap()) {
            if (k++ == MAX_LAYER_ROWS) {
                sb.append("  ... ").append(r.layerMap().size() - MAX_LAYER_ROWS).append(" more\n");
                break;
            }
            String close = ClosenessText.block(r, m);
            sb.append(String.format(
                    Locale.ROOT,
                    "  %-" + width + "s  %s; log10 p %.1f%n",
                    Printable.escape(pair(m)),
                    close.isEmpty() ? "closeness not measured" : close,
                    m.log10p()));
        }
    }
}
