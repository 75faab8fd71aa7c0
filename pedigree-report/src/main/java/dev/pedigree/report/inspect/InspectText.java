package dev.pedigree.report.inspect;

import dev.pedigree.io.Printable;
import dev.pedigree.model.LineageClaim;
import dev.pedigree.model.inspect.Inspection;
import dev.pedigree.report.Findings;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Plain-text summary of an {@link Inspection} for the terminal. */
public final class InspectText {
    private InspectText() {}

    public static String render(Inspection in) {
        StringBuilder sb = new StringBuilder();
        // The display name and the path relative to the working directory, never an absolute path (issue 15).
        sb.append("Model:         ")
                .append(Findings.nameWithSource(Findings.displayName(in.source()), in.source()))
                .append('\n');
        sb.append("Format:        ").append(in.format()).append('\n');
        sb.append("Architecture:  ")
                .append(in.architecture() == null ? "unknown" : esc(in.architecture()))
                .append('\n');
        sb.append("Parameters:    ")
                .append(human(in.parameters()))
                .append(" (")
                .append(in.parameters())
                .append(")\n");
        Map<String, Integer> dtypes = new TreeMap<>();
        in.tensors().forEach(t -> dtypes.merge(t.dtype(), 1, Integer::sum));
        sb.append("Tensors:       ").append(in.tensors().size());
        if (!dtypes.isEmpty()) {
            sb.append("  dtypes ").append(dtypes);
        }
        sb.append('\n');
        if (!in.components().isEmpty()) {
            sb.append("\nComponents\n");
            sb.append(String.format(
                    Locale.ROOT, "  %-22s %-15s %14s %7s %6s%n", "name", "kind", "parameters", "share", "layers"));
            for (Inspection.ComponentSummary c : in.components()) {
                double share = in.parameters() == 0 ? 0 : 100.0 * c.parameters() / in.parameters();
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-22s %-15s %14s %6.1f%% %6d%n",
                        esc(c.name()),
                        c.kind().jsonName(),
                        human(c.parameters()),
                        share,
                        c.layers()));
            }
        }
        sb.append("\nTokenizer:     ");
        if (in.tokenizer() == null) {
            sb.append("none\n");
        } else {
            sb.append(in.tokenizer().type())
                    .append(", ")
                    .append(in.tokenizer().vocabSize())
                    .append(" tokens (")
                    .append(in.tokenizer().specialTokens())
                    .append(" special/added")
                    .append(in.tokenizer().merges() > 0 ? ", " + in.tokenizer().merges() + " merges" : "")
                    .append(")\n");
        }
        sb.append("Claims:        ");
        if (in.claims().isEmpty()) {
            sb.append("none declared\n");
        } else {
            sb.append('\n');
            for (LineageClaim c : in.claims()) {
                sb.append("  ")
                        .append(esc(c.relation()))
                        .append(": ")
                        .append(esc(c.value()))
                        .append("  (")
                        .append(esc(c.origin()))
                        .append(", declared, not verified)\n");
            }
        }
        sb.append("Safety:        ")
                .append(in.safety().status())
                .append(" - ")
                .append(esc(in.safety().detail()))
                .append('\n');
        for (String w : in.warnings()) {
            sb.append("warning: ").append(esc(w)).append('\n');
        }
        return sb.toString();
    }

    /** {@code s} as one line of visible text (see {@link Printable}): names and values come from the file. */
    static String esc(String s) {
        return Printable.escape(s);
    }

    /** 1234567 → "1.23 M". */
    public static String human(long n) {
        if (n >= 1_000_000_000L) {
            return String.format(Locale.ROOT, "%.2f B", n / 1e9);
        }
        if (n >= 1_000_000L) {
            return String.format(Locale.ROOT, "%.2f M", n / 1e6);
        }
        if (n >= 1_000L) {
            return String.format(Locale.ROOT, "%.1f K", n / 1e3);
        }
        return Long.toString(n);
    }
}
