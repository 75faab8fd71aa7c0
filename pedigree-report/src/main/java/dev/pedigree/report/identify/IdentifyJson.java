package dev.pedigree.report.identify;

import dev.pedigree.registry.IdentifyResult;
import dev.pedigree.registry.RegistryEntry;
import dev.pedigree.registry.TensorMatch;
import dev.pedigree.report.compare.CompareJson;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders an {@link IdentifyResult} as {@code pedigree/identify/v1}:
 * {@code {"schema", "suspect", "candidates": [compare-result objects, best first]}} plus the
 * overall verdict, the statement, the exact-reuse list and the pre-filter figures. Each candidate
 * is {@link CompareJson#tree} of its comparison with an extra {@code registry_candidate} object
 * (name, metadata, pre-filter scores). Computes nothing. Stateless.
 */
public final class IdentifyJson {
    private IdentifyJson() {}

    public static Map<String, Object> tree(IdentifyResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", IdentifyResult.SCHEMA);
        m.put("suspect", CompareJson.model(r.suspect()));
        m.put("verdict", r.verdict().name());
        m.put("statement", r.statement());
        List<Object> reuse = new ArrayList<>();
        for (TensorMatch t : r.exactReuse()) {
            Map<String, Object> x = new LinkedHashMap<>();
            x.put("suspect_tensor", t.suspectTensor());
            x.put("component", t.component());
            x.put("model", t.model());
            x.put("model_tensor", t.modelTensor());
            x.put("canonical_sha256", t.canonicalSha256());
            x.put("elements", t.elements());
            reuse.add(x);
        }
        m.put("exact_reuse", reuse);
        List<Object> cands = new ArrayList<>();
        for (IdentifyResult.Candidate c : r.candidates()) {
            Map<String, Object> tree = new LinkedHashMap<>(CompareJson.tree(c.result()));
            Map<String, Object> reg = new LinkedHashMap<>();
            RegistryEntry e = c.entry();
            reg.put("name", e.name());
            reg.put("organisation", e.metadata().organisation());
            reg.put("license", e.metadata().license());
            reg.put("revision", e.metadata().revision());
            reg.put("declared_parents", e.metadata().parents());
            reg.put("token_jaccard", Math.round(c.prior().tokenJaccard() * 1000) / 1000.0);
            reg.put("exact_tensor_matches", c.prior().exactTensorMatches());
            reg.put("same_residual_width", c.prior().sameWidth());
            reg.put(
                    "weight_sketch_correlation",
                    c.prior().weightCorrelation() == null
                            ? null
                            : Math.round(c.prior().weightCorrelation() * 1000) / 1000.0);
            tree.put("registry_candidate", reg);
            cands.add(tree);
        }
        m.put("candidates", cands);
        Map<String, Object> reg = new LinkedHashMap<>();
        reg.put("models", r.registryModels());
        reg.put("prefilter_hits", r.prefilterHits());
        reg.put("compared", r.candidates().size());
        reg.put("probe_ms", r.timings().probeMillis());
        reg.put("prefilter_ms", r.timings().prefilterMillis());
        reg.put("compare_ms", r.timings().compareMillis());
        m.put("registry", reg);
        return m;
    }
}
