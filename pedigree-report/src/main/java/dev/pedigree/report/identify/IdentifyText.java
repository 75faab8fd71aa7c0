package dev.pedigree.report.identify;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.io.Printable;
import dev.pedigree.registry.IdentifyResult;
import dev.pedigree.registry.TensorMatch;
import java.util.Locale;

/** Terminal rendering of an {@link IdentifyResult}. Computes nothing. Stateless. */
public final class IdentifyText {
    private IdentifyText() {}

    public static String render(IdentifyResult r) {
        StringBuilder sb = new StringBuilder();
        sb.append("suspect   ")
                .append(Printable.escape(r.suspect().source()))
                .append(" (")
                .append(r.suspect().format())
                .append(
                        r.suspect().architecture() == null
                                ? ""
                                : ", " + r.suspect().architecture())
                .append(", ")
                .append(String.format(Locale.ROOT, "%,d", r.suspect().parameters()))
                .append(" parameters)\n");
        sb.append("verdict   ").append(r.verdict()).append('\n');
        sb.append("          ").append(r.statement()).append('\n');
        if (!r.exactReuse().isEmpty()) {
            sb.append("\nexact reuse (canonical tensor hashes, before any statistics):\n");
            for (TensorMatch m : r.exactReuse()) {
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-48s = %s : %s  [%s, %,d values]%n",
                        Printable.escape(m.suspectTensor()),
                        Printable.escape(m.model()),
                        Printable.escape(m.modelTensor()),
                        m.component(),
                        m.elements()));
            }
        }
        if (!r.candidates().isEmpty()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%ncandidates (best first)%n  %-32s %-15s %9s %7s %-12s %s%n",
                    "model",
                    "verdict",
                    "log10 p",
                    "shared",
                    "tokenizer",
                    "components"));
            for (IdentifyResult.Candidate c : r.candidates()) {
                ComparisonResult x = c.result();
                StringBuilder comps = new StringBuilder();
                for (ComponentResult cr : x.components()) {
                    if (comps.length() > 0) {
                        comps.append(", ");
                    }
                    comps.append(Printable.escape(cr.name()))
                            .append('=')
                            .append(short_(cr.verdict().name()));
                }
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-32s %-15s %9s %6.0f%% %-12s %s%n",
                        Printable.escape(c.entry().name()),
                        x.verdict(),
                        x.log10p() == null ? "-" : String.format(Locale.ROOT, "%.1f", x.log10p()),
                        100 * x.sharedParameterFraction(),
                        x.tokenizer().relation().name().toLowerCase(Locale.ROOT),
                        comps));
            }
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nregistry: %d models, %d passed the pre-filter, %d compared (probe %d ms, pre-filter %d ms, tests %d ms)%n",
                r.registryModels(),
                r.prefilterHits(),
                r.candidates().size(),
                r.timings().probeMillis(),
                r.timings().prefilterMillis(),
                r.timings().compareMillis()));
        return sb.toString();
    }

    private static String short_(String v) {
        return switch (v) {
            case "SHARED_LINEAGE" -> "shared";
            case "INDEPENDENT" -> "independent";
            default -> "inconclusive";
        };
    }
}
