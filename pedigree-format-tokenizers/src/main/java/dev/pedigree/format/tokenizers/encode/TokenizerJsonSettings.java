package dev.pedigree.format.tokenizers.encode;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.io.json.JsonCursor;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The parts of a Hugging Face {@code tokenizer.json} that decide how text is encoded and that the
 * {@link dev.pedigree.model.Vocabulary} does not carry: the normaliser, the whole pre-tokenizer
 * sequence and the model flags ({@code ignore_merges}, {@code byte_fallback}, {@code
 * max_input_chars_per_word}). The vocabulary and merges are skipped unread. Special tokens are cut out
 * of the text, as the tokenizers library does. Stateless.
 */
final class TokenizerJsonSettings {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TokenizerJsonSettings() {}

    /** Lays the file's settings over {@code base}. */
    static EncoderOptions read(Path file, EncoderOptions base) throws IOException, ModelFormatException {
        JsonNode normalizer = null;
        JsonNode preTokenizer = null;
        Boolean ignoreMerges = null;
        Boolean byteFallback = null;
        Integer maxChars = null;
        // Read through the one JSON cursor, with the same limits as the vocabulary reader that reads this file too.
        try (ByteSource src = ByteSource.map(file);
                JsonCursor c = JsonCursor.open(src, "tokenizer.json")) {
            if (c.next() != JsonToken.START_OBJECT) {
                throw c.corrupt("tokenizer.json is not a JSON object");
            }
            while (c.next("tokenizer.json") == JsonToken.FIELD_NAME) {
                String name = c.name();
                JsonToken value = c.next(name);
                switch (name) {
                    case "normalizer" -> normalizer = c.tree(name, MAPPER);
                    case "pre_tokenizer" -> preTokenizer = c.tree(name, MAPPER);
                    case "model" -> {
                        if (value != JsonToken.START_OBJECT) {
                            c.skipValue(name);
                            continue;
                        }
                        while (c.next("model") == JsonToken.FIELD_NAME) {
                            String field = c.name();
                            JsonToken v = c.next(field);
                            switch (field) {
                                case "ignore_merges" -> ignoreMerges = v == JsonToken.VALUE_TRUE;
                                case "byte_fallback" -> byteFallback = v == JsonToken.VALUE_TRUE;
                                case "max_input_chars_per_word" ->
                                    maxChars = v == JsonToken.VALUE_NUMBER_INT ? intValue(c, field) : null;
                                default -> c.skipValue(field);
                            }
                        }
                    }
                    default -> c.skipValue(name);
                }
            }
        }
        EncoderOptions o = base;
        if (ignoreMerges != null) {
            o = o.withIgnoreMerges(ignoreMerges);
        }
        if (maxChars != null && maxChars > 0) {
            o = o.withBert(o.bert(), maxChars);
        }
        o = applyNormalizer(normalizer, o, byteFallback);
        o = applyPreTokenizer(file, preTokenizer, o);
        // The tokenizers library always cuts every added token, special or not, out of the input.
        return o.withParseSpecial(true);
    }

    /** An integer setting; values outside {@code int} were refused by the parser before, and still are. */
    private static int intValue(JsonCursor c, String field) throws CorruptModelException {
        Long n = c.longValueOrNull();
        if (n == null || n != n.intValue()) {
            throw c.corrupt(field + " " + c.text() + " does not fit in an int");
        }
        return n.intValue();
    }

    private static EncoderOptions applyNormalizer(JsonNode n, EncoderOptions o, Boolean byteFallback) {
        boolean fallback = byteFallback != null ? byteFallback : o.byteFallback();
        boolean prepend = false;
        boolean nfkc = false;
        BertNormalization bert = o.bert();
        for (JsonNode step : flatten(n, "normalizers")) {
            switch (step.path("type").asText("")) {
                case "BertNormalizer" -> {
                    boolean lower = step.path("lowercase").asBoolean(true);
                    JsonNode strip = step.path("strip_accents");
                    bert = new BertNormalization(
                            step.path("clean_text").asBoolean(true),
                            step.path("handle_chinese_chars").asBoolean(true),
                            strip.isBoolean() ? strip.booleanValue() : lower,
                            lower);
                }
                case "Prepend" -> prepend |= step.path("prepend").asText("").equals("\u2581");
                case "NFKC", "NFKD", "Precompiled" -> nfkc = true;
                default -> {}
            }
        }
        return new EncoderOptions(
                o.splitRules(),
                o.addPrefixSpace(),
                o.ignoreMerges(),
                prepend,
                o.removeExtraWhitespaces(),
                nfkc,
                fallback,
                bert,
                o.maxInputCharsPerWord(),
                o.parseSpecial());
    }

    private static String abbreviate(String s) {
        return s.length() <= 60 ? s : s.substring(0, 57) + "...";
    }

    private static EncoderOptions applyPreTokenizer(Path file, JsonNode n, EncoderOptions o)
            throws UnsupportedModelException {
        if (n == null || n.isNull()) {
            return o.withSplitRules(List.of());
        }
        List<SplitRule> rules = new ArrayList<>();
        boolean prefixSpace = false;
        Boolean metaspacePrefix = null;
        for (JsonNode step : flatten(n, "pretokenizers")) {
            switch (step.path("type").asText("")) {
                case "Split" -> {
                    JsonNode pattern = step.path("pattern");
                    String regex;
                    if (pattern.path("Regex").isTextual()) {
                        regex = pattern.path("Regex").textValue();
                    } else if (pattern.path("String").isTextual()) {
                        regex = Pattern.quote(pattern.path("String").textValue());
                    } else {
                        continue;
                    }
                    java.util.Optional<String> problem = SplitRule.problem(regex);
                    if (problem.isPresent()) {
                        throw new UnsupportedModelException(
                                file.toString(),
                                "pre_tokenizer Split regex /" + abbreviate(regex) + "/ " + problem.get());
                    }
                    rules.add(new SplitRule(
                            regex,
                            behavior(step.path("behavior").asText("Isolated")),
                            step.path("invert").asBoolean(false)));
                }
                case "ByteLevel" -> {
                    prefixSpace |= step.path("add_prefix_space").asBoolean(false);
                    if (step.path("use_regex").asBoolean(true)) {
                        rules.add(SplitRule.isolated(SplitPatterns.GPT2));
                    }
                }
                case "Digits" ->
                    rules.add(
                            SplitRule.isolated(step.path("individual_digits").asBoolean(false) ? "\\p{N}" : "\\p{N}+"));
                case "Punctuation" ->
                    rules.add(new SplitRule(
                            "[\\p{P}!-/:-@\\[-`{-~]",
                            behavior(step.path("behavior").asText("Isolated")),
                            false));
                case "Whitespace" -> rules.add(new SplitRule("\\w+|[^\\w\\s]+", SplitRule.Behavior.REMOVED, true));
                case "WhitespaceSplit" -> rules.add(new SplitRule("\\s+", SplitRule.Behavior.REMOVED, false));
                case "Metaspace" -> {
                    String scheme = step.path("prepend_scheme").asText("");
                    metaspacePrefix =
                            scheme.isEmpty() ? step.path("add_prefix_space").asBoolean(true) : !scheme.equals("never");
                }
                default -> {}
            }
        }
        EncoderOptions out = o.withSplitRules(rules).withAddPrefixSpace(prefixSpace);
        if (metaspacePrefix != null) {
            out = out.withSentencePiece(
                    out.addDummyPrefix() || metaspacePrefix,
                    out.removeExtraWhitespaces(),
                    out.nfkc(),
                    out.byteFallback());
        }
        return out;
    }

    private static SplitRule.Behavior behavior(String name) {
        return switch (name) {
            case "Removed" -> SplitRule.Behavior.REMOVED;
            case "MergedWithPrevious" -> SplitRule.Behavior.MERGED_WITH_PREVIOUS;
            case "MergedWithNext" -> SplitRule.Behavior.MERGED_WITH_NEXT;
            case "Contiguous" -> SplitRule.Behavior.CONTIGUOUS;
            default -> SplitRule.Behavior.ISOLATED;
        };
    }

    /** The steps of a {@code Sequence} (recursively), or the node itself. */
    private static List<JsonNode> flatten(JsonNode n, String listField) {
        List<JsonNode> out = new ArrayList<>();
        if (n == null || n.isNull()) {
            return out;
        }
        if ("Sequence".equals(n.path("type").asText("")) && n.path(listField).isArray()) {
            for (JsonNode c : n.path(listField)) {
                out.addAll(flatten(c, listField));
            }
        } else {
            out.add(n);
        }
        return out;
    }
}
