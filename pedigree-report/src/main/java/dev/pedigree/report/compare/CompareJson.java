package dev.pedigree.report.compare;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.DeterministicTable;
import dev.pedigree.forensics.result.EarlyStopping;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.LayerEvidenceMatrix;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.NonFiniteTensor;
import dev.pedigree.forensics.result.TokenizerLineage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Renders a {@link ComparisonResult} as the {@code pedigree/compare/v1} JSON contract. Fields
 * beyond the contract (layer evidence matrices, customisation, sampling, thresholds) are added
 * after the contract's own fields; none of the contract's fields is renamed.
 */
public final class CompareJson {
    private CompareJson() {}

    public static Map<String, Object> tree(ComparisonResult r) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("schema", r.schema());
        m.put("suspect", model(r.suspect()));
        m.put("reference", model(r.reference()));
        m.put("verdict", r.verdict().name());
        m.put("log10_p", round(r.log10p()));
        m.put("shared_parameter_fraction", round(r.sharedParameterFraction()));
        List<Object> comps = new ArrayList<>();
        for (ComponentResult c : r.components()) {
            Map<String, Object> cm = new LinkedHashMap<>();
            cm.put("name", c.name());
            cm.put("kind", c.kind().jsonName());
            cm.put("parameters", c.parameters());
            cm.put("verdict", c.verdict().name());
            cm.put("log10_p", round(c.log10p()));
            List<Object> ev = new ArrayList<>();
            for (Evidence e : c.evidence()) {
                Map<String, Object> em = new LinkedHashMap<>();
                em.put("test", e.test());
                em.put("statistic", round(e.statistic()));
                em.put("log10_p", round(e.log10p()));
                em.put("note", e.note());
                ev.add(em);
            }
            cm.put("evidence", ev);
            cm.put("reason", c.reason());
            if (c.closeness() != null) {
                cm.put("closeness", closeness(c.closeness()));
            }
            comps.add(cm);
        }
        m.put("components", comps);
        List<Object> lm = new ArrayList<>();
        for (LayerMatch x : r.layerMap()) {
            Map<String, Object> xm = new LinkedHashMap<>();
            xm.put("suspect", block(x.suspect()));
            xm.put("reference", block(x.reference()));
            xm.put("log10_p", round(x.log10p()));
            lm.add(xm);
        }
        m.put("layer_map", lm);
        m.put("tokenizer", tokenizer(r.tokenizer()));
        m.put("warnings", r.warnings());
        List<Object> mats = new ArrayList<>();
        for (LayerEvidenceMatrix e : r.layerEvidence()) {
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("component", e.component());
            em.put("suspect_layers", e.suspectLayers());
            em.put("reference_layers", e.referenceLayers());
            List<Object> rows = new ArrayList<>();
            for (List<Double> row : e.log10p()) {
                rows.add(row.stream().map(CompareJson::round).toList());
            }
            em.put("log10_p", rows);
            mats.add(em);
        }
        m.put("layer_evidence", mats);
        m.put("customisation", customisation(r.customisation()));
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("sample_rows", r.sampling().sampleRows());
        s.put("seed", r.sampling().seed());
        s.put("max_matched_units", r.sampling().maxMatchedUnits());
        s.put("probe_tokens", r.sampling().probeTokens());
        s.put("description", r.sampling().description());
        s.put("bytes_read", r.sampling().bytesRead());
        s.put("weight_bytes", r.sampling().weightBytes());
        // Bytes decoded per stored weight byte (1.0: one pass over the weights; above: some were decoded again).
        s.put(
                "decoded_per_weight_byte",
                r.sampling().weightBytes() == 0 ? null : round(r.sampling().fractionRead()));
        EarlyStopping es = r.sampling().earlyStopping();
        if (es != null) {
            Map<String, Object> e = new LinkedHashMap<>();
            e.put("target_r", es.targetR());
            e.put("power", Double.isNaN(es.power()) ? null : round(es.power()));
            e.put("escalation_log10_p", es.escalationLog10p());
            e.put("screened_units", es.screenedUnits());
            e.put("stopped", es.stopped());
            e.put("escalated", es.escalated());
            e.put("battery_sampled_rows", es.batterySampledRows());
            e.put("battery_power", Double.isNaN(es.batteryPower()) ? null : round(es.batteryPower()));
            e.put("battery_stopped", es.batteryStopped());
            e.put("battery_unmatched", es.batteryUnmatched());
            e.put("battery_escalated", es.batteryEscalated());
            if (es.batterySecond() > 0) {
                // Only when a second sample was taken, so results without one stay byte for byte what they were.
                e.put("battery_second_sample_rows", es.batterySecondRows());
                e.put("battery_second_samples", es.batterySecond());
            }
            e.put("statement", es.statement());
            s.put("early_stopping", e);
        }
        if (!r.sampling().nonFinite().isEmpty()) {
            // Only when there are any, so results of finite weights stay byte for byte what they were.
            List<Map<String, Object>> nf = new ArrayList<>();
            for (NonFiniteTensor t : r.sampling().nonFinite()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("model", t.model());
                e.put("tensor", t.tensor());
                e.put("rows", t.rows());
                e.put("nan", t.nan());
                e.put("positive_infinity", t.positiveInfinity());
                e.put("negative_infinity", t.negativeInfinity());
                nf.add(e);
            }
            s.put("non_finite", nf);
        }
        if (!r.sampling().deterministicTables().isEmpty()) {
            // Only when there are any, so results without tables stay byte for byte what they were.
            List<Map<String, Object>> dt = new ArrayList<>();
            for (DeterministicTable t : r.sampling().deterministicTables()) {
                Map<String, Object> e = new LinkedHashMap<>();
                e.put("model", t.model());
                e.put("tensor", t.tensor());
                e.put("kind", t.kind());
                dt.add(e);
            }
            s.put("deterministic_tables", dt);
        }
        m.put("sampling", s);
        Map<String, Object> t = new LinkedHashMap<>();
        t.put("shared_log10_p", r.thresholds().sharedLog10p());
        t.put("independent_log10_p", r.thresholds().independentLog10p());
        t.put("layer_log10_p", r.thresholds().layerLog10p());
        m.put("thresholds", t);
        return m;
    }

    /** A model's summary object ({@code source}, {@code format}, {@code architecture}, {@code parameters}). */
    public static Map<String, Object> model(ModelSummary s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", s.source());
        m.put("format", s.format());
        m.put("architecture", s.architecture());
        m.put("parameters", s.parameters());
        return m;
    }

    private static Map<String, Object> block(Block b) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("component", b.component());
        m.put("layer", b.layer());
        return m;
    }

    private static Map<String, Object> tokenizer(TokenizerLineage t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("relation", t.relation().name());
        m.put("direction", t.direction().name());
        m.put("jaccard", round(t.jaccard()));
        m.put("inherited_fraction", round(t.inheritedFraction()));
        m.put("added_tokens", t.addedTokens());
        m.put("removed_tokens", t.removedTokens());
        m.put("added_examples", t.addedExamples());
        m.put("note", t.note());
        m.put("shared_tokens", t.order().sharedTokens());
        m.put("inherited_in_order", t.order().inheritedInOrder());
        m.put("order_score", round(t.order().score()));
        TokenizerLineage.SpecialTokens sp = t.specials();
        m.put("specials_compared", sp.compared());
        m.put("added_special_tokens", sp.added());
        m.put("removed_special_tokens", sp.removed());
        m.put("added_special", sp.addedTexts());
        m.put("removed_special", sp.removedTexts());
        m.put("flag_changes", sp.flagChanges());
        return m;
    }

    private static Object customisation(CustomisationSummary c) {
        if (c == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        List<Object> layers = new ArrayList<>();
        for (CustomisationSummary.LayerChange l : c.layers()) {
            Map<String, Object> lm = new LinkedHashMap<>();
            lm.put("suspect", block(l.suspect()));
            lm.put("reference", block(l.reference()));
            lm.put("role", l.role());
            lm.put("relative_change", round(l.relativeChange()));
            lm.put("bit_identical", l.bitIdentical());
            lm.put("rank", l.rank());
            lm.put("top_rank_energy", round(l.topRankEnergy()));
            if (l.estimatedRank() != null) {
                lm.put("estimated_rank", l.estimatedRank());
                lm.put("low_rank", l.lowRank());
            }
            layers.add(lm);
        }
        m.put("layers", layers);
        List<Object> ranks = new ArrayList<>();
        for (CustomisationSummary.ComponentRank cr : c.componentRanks()) {
            Map<String, Object> rm = new LinkedHashMap<>();
            rm.put("component", cr.component());
            rm.put("tensors", cr.tensors());
            rm.put("low_rank_tensors", cr.lowRankTensors());
            rm.put("low_rank", cr.medianRank() != null);
            rm.put("estimated_rank", cr.medianRank());
            rm.put("min_rank", cr.minRank());
            rm.put("max_rank", cr.maxRank());
            rm.put("summary", cr.describe());
            ranks.add(rm);
        }
        if (!ranks.isEmpty()) {
            m.put("change_rank", ranks);
        }
        if (c.direction() != null) {
            Map<String, Object> dm = new LinkedHashMap<>();
            dm.put("earlier", c.direction().earlier());
            dm.put("relation", c.direction().relation());
            dm.put("reasons", c.direction().reasons());
            m.put("direction", dm);
        }
        if (!c.experts().isEmpty()) {
            List<Object> experts = new ArrayList<>();
            for (CustomisationSummary.ExpertMatch x : c.experts()) {
                Map<String, Object> xm = new LinkedHashMap<>();
                xm.put("suspect", block(x.suspect()));
                xm.put("expert", x.expert());
                xm.put("reference", block(x.reference()));
                xm.put("reference_expert", x.referenceExpert());
                xm.put("correlation", round(x.correlation()));
                xm.put("relative_change", round(x.relativeChange()));
                experts.add(xm);
            }
            m.put("experts", experts);
        }
        m.put(
                "untouched_layers",
                c.untouchedLayers().stream().map(CompareJson::block).toList());
        if (c.embeddings() != null) {
            CustomisationSummary.EmbeddingChange e = c.embeddings();
            Map<String, Object> em = new LinkedHashMap<>();
            em.put("shared_tokens", e.sharedTokens());
            em.put("new_tokens", e.newTokens());
            em.put("reinitialised_rows", e.reinitialisedRows());
            em.put("median_row_correlation", round(e.medianRowCorrelation()));
            em.put("new_token_examples", e.newTokenExamples());
            m.put("embeddings", em);
        } else {
            m.put("embeddings", null);
        }
        m.put("note", c.note());
        return m;
    }

    /** A component's closeness (issue 14 §4; an addition to the schema, documented in docs/closeness.md). */
    static Map<String, Object> closeness(Closeness c) {
        Map<String, Object> m = closenessValues(
                c.correlation(), c.unitsMatched(), c.relativeChange(), c.permutationUndone(), c.rotationUndone());
        List<Object> blocks = new ArrayList<>();
        for (Closeness.BlockCloseness b : c.blocks()) {
            Map<String, Object> bm = new LinkedHashMap<>();
            bm.put("suspect", block(b.suspect()));
            bm.put("reference", block(b.reference()));
            bm.putAll(closenessValues(
                    b.correlation(), b.unitsMatched(), b.relativeChange(), b.permutationUndone(), b.rotationUndone()));
            blocks.add(bm);
        }
        m.put("blocks", blocks);
        return m;
    }

    private static Map<String, Object> closenessValues(
            double r, double units, double change, boolean undone, boolean rotated) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("correlation", round(Double.valueOf(r)));
        m.put("units_matched", round(Double.valueOf(units)));
        m.put("relative_change", round(Double.valueOf(change)));
        m.put("permutation_undone", undone);
        m.put("rotation_undone", rotated);
        return m;
    }

    /** Rounds to 6 significant digits so output is stable across platforms' last-bit differences. */
    static Double round(Double v) {
        if (v == null || v.isNaN() || v.isInfinite()) {
            return v == null || v.isNaN() ? null : v;
        }
        if (v == 0) {
            return 0.0;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(6)).doubleValue();
    }

    static double round(double v) {
        Double d = round(Double.valueOf(v));
        return d == null ? 0 : d;
    }
}
