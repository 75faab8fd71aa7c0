package dev.pedigree.report.compare;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.NonFiniteTensor;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.Printable;
import dev.pedigree.report.inspect.InspectText;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/** A terminal summary of a comparison that a non-expert can read. */
public final class CompareText {
    private CompareText() {}

    public static String render(ComparisonResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append("Suspect:    ").append(describe(r.suspect())).append('\n');
        sb.append("Reference:  ").append(describe(r.reference())).append("\n\n");
        sb.append("Answer: ").append(headline(r)).append("\n\n");
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
                        pvalue(c.log10p())));
                Evidence best = c.evidence().stream()
                        .filter(e -> e.log10p() != null)
                        .min(Comparator.comparingDouble(Evidence::log10p))
                        .orElse(null);
                if (best != null) {
                    sb.append("      strongest evidence: ")
                            .append(best.test())
                            .append(" ")
                            .append(pvalue(best.log10p()));
                    if (!best.note().isEmpty()) {
                        sb.append(" - ").append(Printable.escape(best.note()));
                    }
                    sb.append('\n');
                }
                if (!c.reason().isEmpty()) {
                    sb.append("      ").append(c.reason()).append('\n');
                }
            }
            sb.append('\n');
        }
        if (!r.layerMap().isEmpty()) {
            sb.append("Layer map (suspect block -> reference block):\n  ");
            int n = 0;
            for (LayerMatch m : r.layerMap()) {
                if (n++ > 0) {
                    sb.append(n % 6 == 1 ? "\n  " : ", ");
                }
                sb.append(m.suspect().component())
                        .append('.')
                        .append(m.suspect().layer())
                        .append("->")
                        .append(m.reference().component())
                        .append('.')
                        .append(m.reference().layer());
            }
            sb.append("\n\n");
        }
        TokenizerLineage t = r.tokenizer();
        sb.append("Tokenizer: ").append(t.relation());
        if (t.relation() != TokenizerLineage.Relation.ABSENT) {
            sb.append(String.format(
                    Locale.ROOT,
                    " (Jaccard %.3f, inherited %.1f%%, %d added, %d removed",
                    t.jaccard(),
                    100 * t.inheritedFraction(),
                    t.addedTokens(),
                    t.removedTokens()));
            if (t.specials().added() + t.specials().removed() > 0) {
                sb.append(String.format(
                        Locale.ROOT,
                        "; special tokens: %d added, %d removed",
                        t.specials().added(),
                        t.specials().removed()));
            }
            sb.append(')');
        }
        sb.append(". Tokenizer lineage is reported beside weight lineage, never as proof of it.\n");
        if (!t.note().isEmpty()) {
            sb.append("  ").append(t.note()).append('\n');
        }
        specialList(
                sb, "special tokens added", t.specials().added(), t.specials().addedTexts());
        specialList(
                sb,
                "special tokens removed",
                t.specials().removed(),
                t.specials().removedTexts());
        if (!r.warnings().isEmpty() || !r.sampling().nonFinite().isEmpty()) {
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
        }
        if (r.sampling().sampleRows() != null) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%nSampling: %d rows per tensor (seed %d); %.2f%% of the weight bytes were read (%d of %d). P-values are computed on the sample.%n",
                    r.sampling().sampleRows(),
                    r.sampling().seed(),
                    r.sampling().weightBytes() == 0
                            ? 0.0
                            : 100.0 * r.sampling().bytesRead() / r.sampling().weightBytes(),
                    r.sampling().bytesRead(),
                    r.sampling().weightBytes()));
        }
        sb.append("\nNull hypothesis of every test: the two models' weights were initialised independently. ")
                .append(
                        "Shared architecture, shared training data or distillation from outputs do not count as shared lineage.\n");
        return sb.toString();
    }

    static String headline(ComparisonResult r) {
        return switch (r.verdict()) {
            case SHARED_LINEAGE ->
                String.format(
                        Locale.ROOT,
                        "SHARED LINEAGE. %.1f%% of the suspect's parameters are inherited from the reference or a common ancestor (%s).",
                        100 * r.sharedParameterFraction(),
                        pvalue(r.log10p()));
            case INDEPENDENT ->
                "INDEPENDENT. Tests with the power to see shared lineage found none (" + pvalue(r.log10p()) + ").";
            case INCONCLUSIVE ->
                "INCONCLUSIVE. The tests that could run cannot decide either way; see the reasons below.";
        };
    }

    static String label(Verdict v) {
        return v.name().replace('_', ' ');
    }

    /** Human p-value: "p = 0.043", "p = 3.2e-9", "p ≈ 10^-312.4". */
    public static String pvalue(Double log10p) {
        if (log10p == null) {
            return "no test";
        }
        if (log10p > -4) {
            return String.format(Locale.ROOT, "p = %.3g", Math.pow(10, log10p));
        }
        if (log10p > -300) {
            return String.format(Locale.ROOT, "p = %.1e", Math.pow(10, log10p));
        }
        return String.format(Locale.ROOT, "p = 10^%.1f", log10p);
    }

    private static String describe(dev.pedigree.forensics.result.ModelSummary s) {
        return Printable.escape(s.source()) + " (" + s.format()
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
}
