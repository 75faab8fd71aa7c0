package dev.pedigree.report.compare;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.DeterministicTable;
import dev.pedigree.forensics.result.Direction;
import dev.pedigree.forensics.result.EarlyStopping;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.LayerEvidenceMatrix;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.NonFiniteTensor;
import dev.pedigree.forensics.result.SamplingInfo;
import dev.pedigree.forensics.result.Thresholds;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.model.ComponentKind;
import dev.pedigree.report.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads a {@code pedigree/compare/v1} result written by {@link CompareJson} back into the result
 * records, so that reports can be rendered from a saved file. Fields beyond the contract that are
 * missing (older files) get neutral defaults: no layer evidence, no customisation, empty sampling
 * description, default thresholds. Stateless and thread-safe.
 */
public final class CompareJsonReader {
    /** Largest result file read (a result is a few MB at most; this bounds memory on hostile input). */
    static final long MAX_BYTES = 256L << 20;

    private static final ObjectMapper MAPPER = Json.mapper().copy();

    static {
        MAPPER.getFactory()
                .setStreamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(64)
                        .maxStringLength(1 << 24)
                        .build());
    }

    private CompareJsonReader() {}

    /** Reads and validates the result in {@code file}. */
    public static ComparisonResult read(Path file) throws IOException, ResultFormatException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new ResultFormatException(
                    file + ": result file of " + size + " bytes exceeds the " + MAX_BYTES + "-byte limit at offset 0");
        }
        return parse(Files.readAllBytes(file), file.toString());
    }

    /** Parses a result from bytes; {@code source} names them in error messages. */
    public static ComparisonResult parse(byte[] json, String source) throws ResultFormatException {
        JsonNode root;
        try {
            root = MAPPER.readTree(json);
        } catch (JsonProcessingException e) {
            JsonLocation l = e.getLocation();
            String where = l == null
                    ? ""
                    : " at line " + l.getLineNr() + ", column " + l.getColumnNr() + " (byte offset " + l.getByteOffset()
                            + ")";
            throw new ResultFormatException(source + ": malformed JSON" + where + ": " + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new ResultFormatException(source + ": unreadable JSON at offset 0: " + e.getMessage(), e);
        }
        if (root == null || !root.isObject()) {
            throw new ResultFormatException(source + ": expected a JSON object at $ (offset 0)");
        }
        return new Reader(source).result(root);
    }

    /** Carries the source name for messages. */
    private record Reader(String source) {
        ComparisonResult result(JsonNode n) throws ResultFormatException {
            String schema = text(n, "schema", "$");
            if (!ComparisonResult.SCHEMA.equals(schema)) {
                throw fail("$.schema", "expected " + ComparisonResult.SCHEMA + ", found " + schema);
            }
            List<ComponentResult> comps = new ArrayList<>();
            JsonNode cs = array(n, "components", "$");
            for (int i = 0; i < cs.size(); i++) {
                comps.add(component(cs.get(i), "$.components[" + i + "]"));
            }
            List<LayerMatch> map = new ArrayList<>();
            JsonNode lm = array(n, "layer_map", "$");
            for (int i = 0; i < lm.size(); i++) {
                String p = "$.layer_map[" + i + "]";
                JsonNode x = object(lm.get(i), p);
                map.add(new LayerMatch(
                        block(x.get("suspect"), p + ".suspect"),
                        block(x.get("reference"), p + ".reference"),
                        log10p(x, p)));
            }
            List<String> warnings = new ArrayList<>();
            JsonNode ws = array(n, "warnings", "$");
            for (int i = 0; i < ws.size(); i++) {
                warnings.add(string(ws.get(i), "$.warnings[" + i + "]"));
            }
            List<LayerEvidenceMatrix> mats = new ArrayList<>();
            if (present(n, "layer_evidence")) {
                JsonNode ms = array(n, "layer_evidence", "$");
                for (int i = 0; i < ms.size(); i++) {
                    mats.add(matrix(ms.get(i), "$.layer_evidence[" + i + "]"));
                }
            }
            CustomisationSummary custom =
                    present(n, "customisation") ? customisation(n.get("customisation"), "$.customisation") : null;
            SamplingInfo sampling = present(n, "sampling")
                    ? sampling(n.get("sampling"), "$.sampling")
                    : new SamplingInfo(null, 0, 0, 0, "", 0, 0, List.of(), null, List.of());
            Thresholds thresholds =
                    present(n, "thresholds") ? thresholds(n.get("thresholds"), "$.thresholds") : Thresholds.DEFAULT;
            double shared = number(n, "shared_parameter_fraction", "$");
            try {
                return new ComparisonResult(
                        schema,
                        model(n.get("suspect"), "$.suspect"),
                        model(n.get("reference"), "$.reference"),
                        verdict(n, "$"),
                        nullableLog10p(n, "$"),
                        comps,
                        map,
                        tokenizer(n.get("tokenizer"), "$.tokenizer"),
                        shared,
                        warnings,
                        mats,
                        custom,
                        sampling,
                        thresholds);
            } catch (IllegalArgumentException e) {
                throw fail("$", e.getMessage());
            }
        }

        ModelSummary model(JsonNode n, String p) throws ResultFormatException {
            object(n, p);
            long params = integer(n, "parameters", p);
            if (params < 0) {
                throw fail(p + ".parameters", "negative parameter count " + params);
            }
            return new ModelSummary(
                    text(n, "source", p), text(n, "format", p), nullableText(n, "architecture", p), params);
        }

        ComponentResult component(JsonNode n, String p) throws ResultFormatException {
            object(n, p);
            String kind = text(n, "kind", p);
            ComponentKind k;
            try {
                k = ComponentKind.valueOf(kind.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw fail(p + ".kind", "unknown component kind " + kind);
            }
            List<Evidence> ev = new ArrayList<>();
            JsonNode es = array(n, "evidence", p);
            for (int i = 0; i < es.size(); i++) {
                String q = p + ".evidence[" + i + "]";
                JsonNode e = object(es.get(i), q);
                try {
                    ev.add(new Evidence(
                            text(e, "test", q),
                            nullableNumber(e, "statistic", q),
                            nullableNumber(e, "log10_p", q),
                            nullableText(e, "note", q)));
                } catch (IllegalArgumentException x) {
                    throw fail(q, x.getMessage());
                }
            }
            long params = integer(n, "parameters", p);
            if (params < 0) {
                throw fail(p + ".parameters", "negative parameter count " + params);
            }
            return new ComponentResult(
                    text(n, "name", p),
                    k,
                    params,
                    verdict(n, p),
                    nullableLog10p(n, p),
                    ev,
                    nullableText(n, "reason", p),
                    n.get("closeness") == null || n.get("closeness").isNull()
                            ? null
                            : closeness(object(n.get("closeness"), p + ".closeness"), p + ".closeness"));
        }

        /** A component's closeness (an addition to the schema; absent in older results). */
        Closeness closeness(JsonNode n, String p) throws ResultFormatException {
            List<Closeness.BlockCloseness> blocks = n.get("blocks") == null
                    ? List.of()
                    : each(
                            n,
                            "blocks",
                            p,
                            (b, q) -> new Closeness.BlockCloseness(
                                    block(b.get("suspect"), q + ".suspect"),
                                    block(b.get("reference"), q + ".reference"),
                                    numberOrNaN(b, "correlation", q),
                                    numberOrNaN(b, "units_matched", q),
                                    numberOrNaN(b, "relative_change", q),
                                    bool(b, "permutation_undone", q),
                                    present(b, "rotation_undone") && bool(b, "rotation_undone", q)));
            return new Closeness(
                    numberOrNaN(n, "correlation", p),
                    numberOrNaN(n, "units_matched", p),
                    numberOrNaN(n, "relative_change", p),
                    bool(n, "permutation_undone", p),
                    present(n, "rotation_undone") && bool(n, "rotation_undone", p),
                    blocks);
        }

        /** One element of an array field, read at JSON path {@code q}. */
        @FunctionalInterface
        interface Item<T> {
            T read(JsonNode x, String q) throws ResultFormatException;
        }

        /**
         * The elements of array {@code field} of {@code n}, each an object read by {@code item} at its
         * path ({@code p.field[i]}).
         */
        <T> List<T> each(JsonNode n, String field, String p, Item<T> item) throws ResultFormatException {
            JsonNode xs = array(n, field, p);
            List<T> out = new ArrayList<>();
            for (int i = 0; i < xs.size(); i++) {
                String q = p + "." + field + "[" + i + "]";
                out.add(item.read(object(xs.get(i), q), q));
            }
            return out;
        }

        /** {@link #each} for an optional field: empty when absent or null. */
        <T> List<T> eachIfPresent(JsonNode n, String field, String p, Item<T> item) throws ResultFormatException {
            return present(n, field) ? each(n, field, p, item) : new ArrayList<>();
        }

        /** An optional number; NaN when absent or null. */
        double numberOrNaN(JsonNode n, String field, String p) throws ResultFormatException {
            return present(n, field) ? number(n, field, p) : Double.NaN;
        }

        Block block(JsonNode n, String p) throws ResultFormatException {
            object(n, p);
            long layer = integer(n, "layer", p);
            if (layer < 0 || layer > Integer.MAX_VALUE) {
                throw fail(p + ".layer", "layer " + layer + " out of range");
            }
            return new Block(text(n, "component", p), (int) layer);
        }

        TokenizerLineage tokenizer(JsonNode n, String p) throws ResultFormatException {
            object(n, p);
            TokenizerLineage.Relation rel =
                    enumOf(TokenizerLineage.Relation.class, text(n, "relation", p), p + ".relation");
            TokenizerLineage.Direction dir = present(n, "direction")
                    ? enumOf(TokenizerLineage.Direction.class, text(n, "direction", p), p + ".direction")
                    : TokenizerLineage.Direction.UNKNOWN;
            long shared = optInteger(n, "shared_tokens", p);
            long inOrder = optInteger(n, "inherited_in_order", p);
            if (inOrder > shared || shared < 0 || inOrder < 0) {
                throw fail(p + ".inherited_in_order", inOrder + " tokens in order of " + shared + " shared");
            }
            List<String> added = strings(n, "added_special", p);
            List<String> removed = strings(n, "removed_special", p);
            long addedCount = present(n, "added_special_tokens") ? integer(n, "added_special_tokens", p) : added.size();
            long removedCount =
                    present(n, "removed_special_tokens") ? integer(n, "removed_special_tokens", p) : removed.size();
            long flagChanges = optInteger(n, "flag_changes", p);
            if (addedCount < added.size() || removedCount < removed.size() || flagChanges < 0) {
                throw fail(p, "special-token counts below the listed special tokens");
            }
            return new TokenizerLineage(
                    rel,
                    dir,
                    optNumber(n, "jaccard", p),
                    optNumber(n, "inherited_fraction", p),
                    optInteger(n, "added_tokens", p),
                    optInteger(n, "removed_tokens", p),
                    strings(n, "added_examples", p),
                    nullableText(n, "note", p),
                    new TokenizerLineage.OrderEvidence(shared, inOrder, optNumber(n, "order_score", p)),
                    new TokenizerLineage.SpecialTokens(
                            present(n, "specials_compared") && bool(n, "specials_compared", p),
                            addedCount,
                            removedCount,
                            added,
                            removed,
                            flagChanges));
        }

        /** An optional array of strings; empty when absent. */
        List<String> strings(JsonNode n, String field, String p) throws ResultFormatException {
            List<String> out = new ArrayList<>();
            if (present(n, field)) {
                JsonNode xs = array(n, field, p);
                for (int i = 0; i < xs.size(); i++) {
                    out.add(string(xs.get(i), p + "." + field + "[" + i + "]"));
                }
            }
            return out;
        }

        boolean bool(JsonNode n, String field, String p) throws ResultFormatException {
            JsonNode v = n.get(field);
            if (v == null || !v.isBoolean()) {
                throw fail(p + "." + field, "expected true or false");
            }
            return v.booleanValue();
        }

        LayerEvidenceMatrix matrix(JsonNode n, String p) throws ResultFormatException {
            object(n, p);
            List<Integer> sl = ints(array(n, "suspect_layers", p), p + ".suspect_layers");
            List<Integer> rl = ints(array(n, "reference_layers", p), p + ".reference_layers");
            JsonNode rows = array(n, "log10_p", p);
            List<List<Double>> m = new ArrayList<>();
            for (int i = 0; i < rows.size(); i++) {
                String q = p + ".log10_p[" + i + "]";
                JsonNode row = rows.get(i);
                if (!row.isArray()) {
                    throw fail(q, "expected an array");
                }
                List<Double> r = new ArrayList<>();
                for (int j = 0; j < row.size(); j++) {
                    JsonNode v = row.get(j);
                    if (v.isNull()) {
                        r.add(null);
                    } else if (v.isNumber() && v.doubleValue() <= 0) {
                        r.add(v.doubleValue());
                    } else {
                        throw fail(q + "[" + j + "]", "expected a log10 p-value (a number <= 0) or null");
                    }
                }
                m.add(r);
            }
            try {
                return new LayerEvidenceMatrix(text(n, "component", p), sl, rl, m);
            } catch (IllegalArgumentException e) {
                throw fail(p, e.getMessage());
            }
        }

        CustomisationSummary customisation(JsonNode n, String p) throws ResultFormatException {
            object(n, p);
            List<CustomisationSummary.LayerChange> layers = each(n, "layers", p, (l, q) -> {
                JsonNode bit = l.get("bit_identical");
                if (bit == null || !bit.isBoolean()) {
                    throw fail(q + ".bit_identical", "expected a boolean");
                }
                long rank = integer(l, "rank", q);
                if (rank < 0 || rank > Integer.MAX_VALUE) {
                    throw fail(q + ".rank", "rank " + rank + " out of range");
                }
                return new CustomisationSummary.LayerChange(
                        block(l.get("suspect"), q + ".suspect"),
                        block(l.get("reference"), q + ".reference"),
                        text(l, "role", q),
                        number(l, "relative_change", q),
                        bit.booleanValue(),
                        (int) rank,
                        number(l, "top_rank_energy", q),
                        present(l, "estimated_rank") ? (int) integer(l, "estimated_rank", q) : null,
                        present(l, "low_rank") && l.get("low_rank").asBoolean());
            });
            List<Block> untouched = new ArrayList<>();
            JsonNode us = array(n, "untouched_layers", p);
            for (int i = 0; i < us.size(); i++) {
                untouched.add(block(us.get(i), p + ".untouched_layers[" + i + "]"));
            }
            CustomisationSummary.EmbeddingChange emb = null;
            if (present(n, "embeddings")) {
                String q = p + ".embeddings";
                JsonNode e = object(n.get("embeddings"), q);
                array(e, "new_token_examples", q); // required, unlike other string lists
                List<String> ex = strings(e, "new_token_examples", q);
                emb = new CustomisationSummary.EmbeddingChange(
                        integer(e, "shared_tokens", q),
                        integer(e, "new_tokens", q),
                        integer(e, "reinitialised_rows", q),
                        number(e, "median_row_correlation", q),
                        ex);
            }
            List<CustomisationSummary.ExpertMatch> experts = eachIfPresent(
                    n,
                    "experts",
                    p,
                    (x, q) -> new CustomisationSummary.ExpertMatch(
                            block(x.get("suspect"), q + ".suspect"),
                            (int) integer(x, "expert", q),
                            block(x.get("reference"), q + ".reference"),
                            present(x, "reference_expert") ? (int) integer(x, "reference_expert", q) : null,
                            number(x, "correlation", q),
                            number(x, "relative_change", q)));
            Direction direction = null;
            if (present(n, "direction")) {
                String q = p + ".direction";
                JsonNode d = object(n.get("direction"), q);
                String earlier = present(d, "earlier") ? text(d, "earlier", q) : null;
                if (earlier != null && !earlier.equals(Direction.REFERENCE) && !earlier.equals(Direction.SUSPECT)) {
                    throw fail(q + ".earlier", "expected \"reference\", \"suspect\" or null");
                }
                array(d, "reasons", q); // required
                direction = new Direction(earlier, strings(d, "reasons", q));
            }
            return new CustomisationSummary(layers, untouched, emb, nullableText(n, "note", p), experts, direction);
        }

        SamplingInfo sampling(JsonNode n, String p) throws ResultFormatException {
            object(n, p);
            Long rows = present(n, "sample_rows") ? integer(n, "sample_rows", p) : null;
            if (rows != null && (rows < 0 || rows > Integer.MAX_VALUE)) {
                throw fail(p + ".sample_rows", "out of range: " + rows);
            }
            long units = optInteger(n, "max_matched_units", p);
            long probes = optInteger(n, "probe_tokens", p);
            if (units < 0 || units > Integer.MAX_VALUE || probes < 0 || probes > Integer.MAX_VALUE) {
                throw fail(p, "max_matched_units or probe_tokens out of range");
            }
            String d = nullableText(n, "description", p);
            long bytesRead = optInteger(n, "bytes_read", p);
            long weightBytes = optInteger(n, "weight_bytes", p);
            if (bytesRead < 0 || weightBytes < 0) {
                throw fail(p, "bytes_read or weight_bytes negative");
            }
            List<NonFiniteTensor> nonFinite = eachIfPresent(n, "non_finite", p, (x, q) -> {
                long rowsWith = optInteger(x, "rows", q);
                long nan = optInteger(x, "nan", q);
                long pos = optInteger(x, "positive_infinity", q);
                long neg = optInteger(x, "negative_infinity", q);
                if (rowsWith < 0 || nan < 0 || pos < 0 || neg < 0) {
                    throw fail(q, "negative count");
                }
                return new NonFiniteTensor(text(x, "model", q), text(x, "tensor", q), rowsWith, nan, pos, neg);
            });
            EarlyStopping early = null;
            if (present(n, "early_stopping")) {
                String q = p + ".early_stopping";
                JsonNode e = n.get("early_stopping");
                object(e, q);
                Double power = nullableNumber(e, "power", q);
                long screened = optInteger(e, "screened_units", q);
                long stopped = optInteger(e, "stopped", q);
                long escalated = optInteger(e, "escalated", q);
                // The sampled block batteries' fields (absent from results written before them: 0, null).
                long batteryRows = optInteger(e, "battery_sampled_rows", q);
                Double batteryPower = nullableNumber(e, "battery_power", q);
                long bStopped = optInteger(e, "battery_stopped", q);
                long bUnmatched = optInteger(e, "battery_unmatched", q);
                long bEscalated = optInteger(e, "battery_escalated", q);
                // Written only when a second sample was taken (absent: 0).
                long bSecondRows = optInteger(e, "battery_second_sample_rows", q);
                long bSecond = optInteger(e, "battery_second_samples", q);
                for (long c : new long[] {
                    screened, stopped, escalated, batteryRows, bStopped, bUnmatched, bEscalated, bSecondRows, bSecond
                }) {
                    if (c < 0 || c > Integer.MAX_VALUE) {
                        throw fail(q, "count out of range");
                    }
                }
                early = new EarlyStopping(
                        number(e, "target_r", q),
                        power == null ? Double.NaN : power,
                        number(e, "escalation_log10_p", q),
                        (int) screened,
                        (int) stopped,
                        (int) escalated,
                        (int) batteryRows,
                        batteryPower == null ? Double.NaN : batteryPower,
                        (int) bStopped,
                        (int) bUnmatched,
                        (int) bEscalated,
                        (int) bSecondRows,
                        (int) bSecond,
                        text(e, "statement", q));
            }
            List<DeterministicTable> tables = eachIfPresent(
                    n,
                    "deterministic_tables",
                    p,
                    (x, q) -> new DeterministicTable(text(x, "model", q), text(x, "tensor", q), text(x, "kind", q)));
            return new SamplingInfo(
                    rows == null ? null : rows.intValue(),
                    optInteger(n, "seed", p),
                    (int) units,
                    (int) probes,
                    d == null ? "" : d,
                    bytesRead,
                    weightBytes,
                    nonFinite,
                    early,
                    tables);
        }

        Thresholds thresholds(JsonNode n, String p) throws ResultFormatException {
            object(n, p);
            try {
                return new Thresholds(
                        number(n, "shared_log10_p", p),
                        number(n, "independent_log10_p", p),
                        number(n, "layer_log10_p", p));
            } catch (IllegalArgumentException e) {
                throw fail(p, e.getMessage());
            }
        }

        Verdict verdict(JsonNode n, String p) throws ResultFormatException {
            return enumOf(Verdict.class, text(n, "verdict", p), p + ".verdict");
        }

        <E extends Enum<E>> E enumOf(Class<E> type, String v, String p) throws ResultFormatException {
            try {
                return Enum.valueOf(type, v);
            } catch (IllegalArgumentException e) {
                throw fail(p, "unknown value " + v);
            }
        }

        List<Integer> ints(JsonNode a, String p) throws ResultFormatException {
            List<Integer> out = new ArrayList<>();
            for (int i = 0; i < a.size(); i++) {
                JsonNode v = a.get(i);
                if (!v.canConvertToInt() || !v.isIntegralNumber()) {
                    throw fail(p + "[" + i + "]", "expected an int");
                }
                out.add(v.intValue());
            }
            return out;
        }

        static boolean present(JsonNode n, String field) {
            JsonNode v = n.get(field);
            return v != null && !v.isNull();
        }

        JsonNode object(JsonNode n, String p) throws ResultFormatException {
            if (n == null || !n.isObject()) {
                throw fail(p, "expected an object");
            }
            return n;
        }

        JsonNode array(JsonNode n, String field, String p) throws ResultFormatException {
            JsonNode v = n.get(field);
            if (v == null || !v.isArray()) {
                throw fail(p + "." + field, "expected an array");
            }
            return v;
        }

        String string(JsonNode v, String p) throws ResultFormatException {
            if (v == null || !v.isTextual()) {
                throw fail(p, "expected a string");
            }
            return v.textValue();
        }

        String text(JsonNode n, String field, String p) throws ResultFormatException {
            return string(n.get(field), p + "." + field);
        }

        String nullableText(JsonNode n, String field, String p) throws ResultFormatException {
            return present(n, field) ? text(n, field, p) : null;
        }

        double number(JsonNode n, String field, String p) throws ResultFormatException {
            JsonNode v = n.get(field);
            if (v == null || !v.isNumber()) {
                throw fail(p + "." + field, "expected a number");
            }
            return v.doubleValue();
        }

        /** A base-10 log p-value: finite and at most 0. */
        double log10p(JsonNode n, String p) throws ResultFormatException {
            double v = number(n, "log10_p", p);
            if (!(v <= 0) || Double.isInfinite(v)) {
                throw fail(p + ".log10_p", "log10p must be finite and <= 0, found " + v);
            }
            return v;
        }

        Double nullableLog10p(JsonNode n, String p) throws ResultFormatException {
            return present(n, "log10_p") ? log10p(n, p) : null;
        }

        Double nullableNumber(JsonNode n, String field, String p) throws ResultFormatException {
            return present(n, field) ? number(n, field, p) : null;
        }

        double optNumber(JsonNode n, String field, String p) throws ResultFormatException {
            return present(n, field) ? number(n, field, p) : 0;
        }

        long integer(JsonNode n, String field, String p) throws ResultFormatException {
            JsonNode v = n.get(field);
            if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
                throw fail(p + "." + field, "expected an integer");
            }
            return v.longValue();
        }

        long optInteger(JsonNode n, String field, String p) throws ResultFormatException {
            return present(n, field) ? integer(n, field, p) : 0;
        }

        ResultFormatException fail(String path, String what) {
            return new ResultFormatException(source + ": invalid result at " + path + ": " + what);
        }
    }
}
