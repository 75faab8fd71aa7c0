package dev.pedigree.report.identify;

import dev.pedigree.forensics.ReportComponents;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.io.Printable;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import dev.pedigree.registry.IdentifyResult;
import dev.pedigree.registry.TensorMatch;
import dev.pedigree.report.Findings;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Terminal rendering of an {@link IdentifyResult}. Computes nothing. Stateless.
 *
 * <p>Exact reuse is summarised per component and registry model ("text encoder: 62 of 100 tensors identical
 * to X"); the per-tensor list is behind {@link Options#tensors()} and the developer timings behind {@link
 * Options#timing()}. Verdicts are spelt as in the JSON ({@code SHARED_LINEAGE}, {@code INDEPENDENT}, {@code
 * INCONCLUSIVE}), tokenizer relations too.
 */
public final class IdentifyText {
    private IdentifyText() {}

    /**
     * What the rendering shows beyond the summary.
     *
     * @param tensorsPerComponent the suspect's parameter tensors per reported component (the "of M" of the
     *     reuse summary; a component missing here is summarised without it), in the suspect's order
     * @param tensors list every identical tensor under its component's summary line
     * @param timing add the probe, pre-filter and test timings
     */
    public record Options(Map<String, ComponentTensors> tensorsPerComponent, boolean tensors, boolean timing) {
        public static final Options DEFAULT = new Options(Map.of(), false, false);

        public Options {
            tensorsPerComponent = Map.copyOf(tensorsPerComponent);
        }
    }

    /** A reported component of the suspect: its kind (for the label) and how many parameter tensors it has. */
    public record ComponentTensors(Component component, int tensors) {}

    /** The suspect's parameter tensors per reported component ({@link ReportComponents}), as identify counts them. */
    public static Map<String, ComponentTensors> tensorsPerComponent(ModelView suspect) {
        Map<String, ComponentTensors> out = new LinkedHashMap<>();
        for (TensorRef t : suspect.tensors()) {
            if (t.address().part().isParameter()) {
                Component c = ReportComponents.of(t.address());
                ComponentTensors k = out.get(c.name());
                out.put(c.name(), new ComponentTensors(c, k == null ? 1 : k.tensors() + 1));
            }
        }
        return out;
    }

    public static String render(IdentifyResult r) {
        return render(r, Options.DEFAULT);
    }

    public static String render(IdentifyResult r, Options o) {
        StringBuilder sb = new StringBuilder();
        sb.append("suspect   ")
                .append(Findings.nameWithSource(
                        Findings.displayName(r.suspect().source()), r.suspect().source()))
                .append(" (")
                .append(r.suspect().format())
                .append(
                        r.suspect().architecture() == null
                                ? ""
                                : ", " + Printable.escape(r.suspect().architecture()))
                .append(", ")
                .append(String.format(Locale.ROOT, "%,d", r.suspect().parameters()))
                .append(" parameters)\n");
        sb.append("verdict   ").append(r.verdict().name()).append('\n');
        sb.append("          ").append(r.statement()).append('\n');
        if (!r.exactReuse().isEmpty()) {
            exactReuse(sb, r.exactReuse(), o);
        }
        if (!r.candidates().isEmpty()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "%ncandidates (best first)%n  %-32s %-15s %9s %14s  %-12s %s%n",
                    "model",
                    "verdict",
                    "log10 p",
                    "params related",
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
                            .append(cr.verdict().name());
                }
                sb.append(String.format(
                        Locale.ROOT,
                        "  %-32s %-15s %9s %13.0f%%  %-12s %s%n",
                        Printable.escape(c.entry().name()),
                        x.verdict().name(),
                        x.log10p() == null ? "-" : String.format(Locale.ROOT, "%.1f", x.log10p()),
                        100 * x.sharedParameterFraction(),
                        x.tokenizer().relation().name(),
                        comps));
            }
            sb.append(
                    "  (params related: share of the suspect's parameters in components that share lineage with the model)\n");
        }
        sb.append(String.format(
                Locale.ROOT,
                "%nThe registry holds %d model%s; %d passed the pre-filter and %d %s compared.%n",
                r.registryModels(),
                r.registryModels() == 1 ? "" : "s",
                r.prefilterHits(),
                r.candidates().size(),
                r.candidates().size() == 1 ? "was" : "were"));
        if (o.timing()) {
            sb.append(String.format(
                    Locale.ROOT,
                    "timing: probe %d ms, pre-filter %d ms, tests %d ms%n",
                    r.timings().probeMillis(),
                    r.timings().prefilterMillis(),
                    r.timings().compareMillis()));
        }
        return sb.toString();
    }

    /**
     * One line per (component, registry model): how many of the component's tensors are identical to that
     * model's, and how many parameters they hold; with {@link Options#tensors()}, each tensor under it.
     */
    private static void exactReuse(StringBuilder sb, List<TensorMatch> reuse, Options o) {
        sb.append("\nexact reuse (tensor content hashes, before any statistics):\n");
        Map<String, Map<String, List<TensorMatch>>> groups = new LinkedHashMap<>();
        for (String component : o.tensorsPerComponent().keySet()) {
            groups.put(component, new LinkedHashMap<>());
        }
        for (TensorMatch m : reuse) {
            groups.computeIfAbsent(m.component(), k -> new LinkedHashMap<>())
                    .computeIfAbsent(m.model(), k -> new java.util.ArrayList<>())
                    .add(m);
        }
        for (Map.Entry<String, Map<String, List<TensorMatch>>> g : groups.entrySet()) {
            ComponentTensors total = o.tensorsPerComponent().get(g.getKey());
            for (Map.Entry<String, List<TensorMatch>> byModel : g.getValue().entrySet()) {
                Set<String> distinct = new HashSet<>();
                long parameters = 0;
                for (TensorMatch m : byModel.getValue()) {
                    if (distinct.add(m.suspectTensor())) {
                        parameters += m.elements();
                    }
                }
                sb.append(String.format(
                        Locale.ROOT,
                        "  %s: %s tensor%s identical to %s (%,d parameters)%n",
                        label(g.getKey(), total),
                        total == null ? distinct.size() : distinct.size() + " of " + total.tensors(),
                        (total == null ? distinct.size() : total.tensors()) == 1 ? "" : "s",
                        Printable.escape(byModel.getKey()),
                        parameters));
                if (o.tensors()) {
                    for (TensorMatch m : byModel.getValue()) {
                        sb.append(String.format(
                                Locale.ROOT,
                                "      %-48s = %s  [%,d values]%n",
                                Printable.escape(m.suspectTensor()),
                                Printable.escape(m.modelTensor()),
                                m.elements()));
                    }
                }
            }
        }
        if (!o.tensors()) {
            sb.append("  (one line per identical tensor: --tensors)\n");
        }
    }

    /** "text encoder", "vision encoder", "embeddings": the component's kind in words, or its name. */
    private static String label(String component, ComponentTensors t) {
        if (t == null) {
            return Printable.escape(component);
        }
        String kind = t.component().kind().jsonName().replace('_', ' ');
        return kind.equals("other") || kind.equals(component.replace('_', ' '))
                ? Printable.escape(component.replace('_', ' '))
                : kind.startsWith(component.replace('_', ' ')) ? kind : Printable.escape(component) + " (" + kind + ")";
    }
}
