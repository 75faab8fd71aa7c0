package dev.pedigree.format.tokenizers;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFolder;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.io.json.JsonCursor;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenText;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a Hugging Face {@code tokenizer.json} into a {@link Vocabulary}.
 *
 * <p>{@code model.type} decides the algorithm:
 *
 * <ul>
 *   <li><b>BPE</b>: {@code vocab} (token→id) and {@code merges} in either encoding ({@code "a b"}
 *       or {@code ["a","b"]}). It is byte-level ({@link TokenizerType#BPE}, tokens mapped back
 *       through the GPT-2 alphabet) when the pre-tokenizer or decoder contains {@code ByteLevel};
 *       it is SentencePiece-style ({@link TokenizerType#SENTENCEPIECE_BPE}, {@code ▁} → space,
 *       {@code <0xNN>} → byte) when {@code byte_fallback} is set or a {@code Metaspace}/{@code
 *       Replace ▁} step is present. Every merge's parts and result must be in the vocabulary, as
 *       the tokenizers library requires.
 *   <li><b>WordPiece</b>: {@code vocab}, {@code continuing_subword_prefix} (default {@code ##}).
 *   <li><b>Unigram</b>: {@code vocab} as {@code [[piece, score], ...]} (id = position), {@code
 *       unk_id}.
 *   <li><b>WordLevel</b>: {@code vocab}, read as {@link TokenizerType#OTHER} with UTF-8 bytes.
 * </ul>
 *
 * <p>{@code added_tokens} become {@link TokenKind#SPECIAL} ({@code special: true}) or {@link
 * TokenKind#ADDED}; the unknown token is {@link TokenKind#UNKNOWN}. The pre-tokenizer's {@code
 * Split} regex is kept as {@link Vocabulary#preTokenizer()}; without one, a {@code ByteLevel} step
 * that uses its built-in regex gives the GPT-2 regex, and any other pre-tokenizer its type name.
 *
 * <p>The file is parsed as a stream (only small subtrees become trees), so a tokenizer.json of tens
 * of megabytes needs little more heap than its vocabulary. Stateless and thread-safe.
 */
public final class TokenizerJsonReader {
    /** The regex the ByteLevel pre-tokenizer applies when {@code use_regex} is true (GPT-2). */
    public static final String GPT2_PATTERN =
            "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

    /** More entries than any real vocabulary or merge list; guards the heap against hostile files. */
    static final int MAX_ENTRIES = 4_000_000;

    /**
     * Builds the few small subtrees (pre-tokenizer, normaliser, decoder, added tokens) that are kept as trees; created
     * on first use, since a mapper costs a fifth of a second of class loading.
     */
    static final class Trees {
        static final ObjectMapper MAPPER = new ObjectMapper();

        private Trees() {}
    }

    private TokenizerJsonReader() {}

    /**
     * Reads {@code tokenizer.json}; given a directory, reads its {@code tokenizer.json} and lays the
     * {@code added_tokens_decoder} of a sibling {@code tokenizer_config.json} (if present) over it.
     */
    public static Vocabulary read(Path fileOrDirectory) throws IOException, ModelFormatException {
        if (Files.isDirectory(fileOrDirectory)) {
            ModelFolder.check(fileOrDirectory);
            Vocabulary v = readFile(fileOrDirectory.resolve("tokenizer.json"));
            return TokenizerConfig.overlay(v, fileOrDirectory.resolve("tokenizer_config.json"));
        }
        return readFile(fileOrDirectory);
    }

    private static Vocabulary readFile(Path file) throws IOException, ModelFormatException {
        try (ByteSource in = ByteSource.map(file)) {
            return read(in);
        }
    }

    /**
     * Reads a {@code tokenizer.json} from a source; the source stays owned by the caller.
     *
     * @throws CorruptModelException for malformed JSON, a missing or ill-typed {@code model}, ids
     *     that repeat or are negative, merges that name tokens outside the vocabulary; the message
     *     names the byte offset of the offending value
     * @throws UnsupportedModelException for an unknown {@code model.type} or a file larger than any
     *     real tokenizer
     */
    public static Vocabulary read(ByteSource in) throws IOException, ModelFormatException {
        Parsed p = new Parsed();
        try (JsonCursor c = JsonCursor.open(in, "tokenizer.json")) {
            c.next("tokenizer.json");
            c.expect(JsonToken.START_OBJECT, "tokenizer.json top level");
            while (c.next("tokenizer.json") == JsonToken.FIELD_NAME) {
                String name = c.name();
                c.next(name);
                switch (name) {
                    case "model" -> {
                        p.modelOffset = c.offset();
                        readModel(c, p);
                    }
                    case "added_tokens" -> readAddedTokens(c, p.added);
                    case "pre_tokenizer" -> p.preTokenizer = c.tree(name, Trees.MAPPER);
                    case "decoder" -> p.decoder = c.tree(name, Trees.MAPPER);
                    case "normalizer" -> p.normalizer = c.tree(name, Trees.MAPPER);
                    default -> c.skipValue(name);
                }
            }
            c.expectEnd();
            if (p.modelOffset < 0) {
                throw new CorruptModelException(in.description(), 0, "tokenizer.json has no \"model\" object");
            }
            Vocabulary base = build(c, p);
            return AddedToken.overlay(base, p.added, in.description());
        }
    }

    // ---------------------------------------------------------------- parsing

    /** Everything read from the file, interpreted once the whole document is seen. */
    private static final class Parsed {
        long modelOffset = -1;
        String type;
        long typeOffset;
        boolean vocabSeen;
        boolean vocabIsList;
        final List<String> texts = new ArrayList<>();
        final List<Integer> ids = new ArrayList<>();
        final List<Float> scores = new ArrayList<>();
        final List<Long> offsets = new ArrayList<>();
        boolean mergesSeen;
        final List<String> mergeLeft = new ArrayList<>();
        final List<String> mergeRight = new ArrayList<>();
        final List<Long> mergeOffsets = new ArrayList<>();
        String unkToken;
        int unkId = -1;
        long unkIdOffset;
        String prefix;
        boolean prefixSeen;
        boolean byteFallback;
        boolean maxCharsSeen;
        final List<AddedToken> added = new ArrayList<>();
        JsonNode preTokenizer;
        JsonNode decoder;
        JsonNode normalizer;
    }

    private static void readModel(JsonCursor c, Parsed p) throws CorruptModelException, UnsupportedModelException {
        c.expect(JsonToken.START_OBJECT, "model");
        while (c.next("model") == JsonToken.FIELD_NAME) {
            String name = c.name();
            c.next("model." + name);
            switch (name) {
                case "type" -> {
                    p.typeOffset = c.offset();
                    p.type = c.string("model.type");
                }
                case "vocab" -> {
                    if (p.vocabSeen) {
                        throw c.corrupt("model.vocab appears twice");
                    }
                    p.vocabSeen = true;
                    if (c.current() == JsonToken.START_ARRAY) {
                        readScoredVocab(c, p);
                    } else {
                        readVocabObject(c, p.texts, p.ids, p.offsets, "model.vocab");
                    }
                }
                case "merges" -> {
                    if (p.mergesSeen) {
                        throw c.corrupt("model.merges appears twice");
                    }
                    p.mergesSeen = true;
                    readMerges(c, p);
                }
                case "unk_token" -> p.unkToken = c.stringOrNull("model.unk_token");
                case "unk_id" -> {
                    p.unkIdOffset = c.offset();
                    p.unkId = c.current() == JsonToken.VALUE_NULL ? -1 : c.nonNegativeInt("model.unk_id");
                }
                case "continuing_subword_prefix" -> {
                    p.prefixSeen = true;
                    p.prefix = c.stringOrNull("model.continuing_subword_prefix");
                }
                case "byte_fallback" -> p.byteFallback = c.bool("model.byte_fallback", false);
                case "max_input_chars_per_word" -> {
                    p.maxCharsSeen = true;
                    c.skipValue(name);
                }
                default -> c.skipValue("model." + name);
            }
        }
    }

    /** Reads a {@code {token: id, ...}} object (BPE, WordPiece, WordLevel, GPT-2 vocab.json). */
    static void readVocabObject(JsonCursor c, List<String> texts, List<Integer> ids, List<Long> offsets, String what)
            throws CorruptModelException, UnsupportedModelException {
        c.expect(JsonToken.START_OBJECT, what);
        while (c.next(what) == JsonToken.FIELD_NAME) {
            long at = c.offset();
            String text = c.name();
            c.next(what + " entry");
            int id = c.nonNegativeInt(what + " id of '" + abbreviate(text) + "'");
            if (texts.size() >= MAX_ENTRIES) {
                throw new UnsupportedModelException(
                        c.source(), at, what + " has more than " + MAX_ENTRIES + " entries");
            }
            texts.add(text);
            ids.add(id);
            offsets.add(at);
        }
    }

    /** Reads Unigram's {@code [[piece, score], ...]}. */
    private static void readScoredVocab(JsonCursor c, Parsed p)
            throws CorruptModelException, UnsupportedModelException {
        p.vocabIsList = true;
        while (c.next("model.vocab") != JsonToken.END_ARRAY) {
            long at = c.offset();
            c.expect(JsonToken.START_ARRAY, "model.vocab entry");
            c.next("model.vocab entry");
            String piece = c.string("model.vocab piece");
            c.next("model.vocab entry");
            double score = c.number("model.vocab score of '" + abbreviate(piece) + "'");
            c.next("model.vocab entry");
            c.expect(JsonToken.END_ARRAY, "model.vocab entry [piece, score]");
            if (p.texts.size() >= MAX_ENTRIES) {
                throw new UnsupportedModelException(
                        c.source(), at, "model.vocab has more than " + MAX_ENTRIES + " entries");
            }
            p.ids.add(p.texts.size());
            p.texts.add(piece);
            p.scores.add((float) score);
            p.offsets.add(at);
        }
    }

    private static void readMerges(JsonCursor c, Parsed p) throws CorruptModelException, UnsupportedModelException {
        if (c.current() == JsonToken.VALUE_NULL) {
            return;
        }
        c.expect(JsonToken.START_ARRAY, "model.merges");
        while (c.next("model.merges") != JsonToken.END_ARRAY) {
            long at = c.offset();
            String left;
            String right;
            if (c.current() == JsonToken.VALUE_STRING) {
                String m = c.string("merge");
                int space = m.indexOf(' ');
                if (space < 0 || m.indexOf(' ', space + 1) >= 0) {
                    throw c.corruptAt(at, "merge \"" + abbreviate(m) + "\" is not two tokens separated by one space");
                }
                left = m.substring(0, space);
                right = m.substring(space + 1);
            } else {
                c.expect(JsonToken.START_ARRAY, "merge");
                c.next("merge");
                left = c.string("merge left part");
                c.next("merge");
                right = c.string("merge right part");
                c.next("merge");
                c.expect(JsonToken.END_ARRAY, "merge [left, right]");
            }
            if (left.isEmpty() || right.isEmpty()) {
                throw c.corruptAt(at, "merge has an empty part");
            }
            if (p.mergeLeft.size() >= MAX_ENTRIES) {
                throw new UnsupportedModelException(
                        c.source(), at, "model.merges has more than " + MAX_ENTRIES + " entries");
            }
            p.mergeLeft.add(left);
            p.mergeRight.add(right);
            p.mergeOffsets.add(at);
        }
    }

    private static void readAddedTokens(JsonCursor c, List<AddedToken> out) throws CorruptModelException {
        if (c.current() == JsonToken.VALUE_NULL) {
            return;
        }
        c.expect(JsonToken.START_ARRAY, "added_tokens");
        while (c.next("added_tokens") != JsonToken.END_ARRAY) {
            long at = c.offset();
            c.expect(JsonToken.START_OBJECT, "added_tokens entry");
            JsonNode n = c.tree("added_tokens entry", Trees.MAPPER);
            JsonNode id = n.get("id");
            JsonNode content = n.get("content");
            if (id == null || !id.isInt() || id.intValue() < 0) {
                throw c.corruptAt(at, "added token has no non-negative integer \"id\"");
            }
            if (content == null || !content.isTextual() || content.textValue().isEmpty()) {
                throw c.corruptAt(at, "added token " + id.intValue() + " has no \"content\" string");
            }
            JsonNode special = n.get("special");
            out.add(new AddedToken(
                    id.intValue(), content.textValue(), special != null && special.asBoolean(false), at));
        }
    }

    // ---------------------------------------------------------------- interpretation

    private enum Style {
        BYTE_LEVEL,
        SENTENCEPIECE,
        WORDPIECE,
        PLAIN
    }

    private static Vocabulary build(JsonCursor c, Parsed p) throws CorruptModelException, UnsupportedModelException {
        String type = p.type != null ? p.type : inferType(p);
        if (!p.vocabSeen) {
            throw c.corruptAt(p.modelOffset, "model of type " + type + " has no \"vocab\"");
        }
        boolean wantsList = type.equals("Unigram");
        if (p.vocabIsList != wantsList) {
            throw c.corruptAt(
                    p.modelOffset,
                    "model.vocab of a " + type + " model must be "
                            + (wantsList ? "a list of [piece, score]" : "an object of token: id"));
        }
        TokenizerType tokenizerType;
        Style style;
        switch (type) {
            case "BPE" -> {
                boolean byteLevel = hasType(p.preTokenizer, "ByteLevel") || hasType(p.decoder, "ByteLevel");
                boolean sentencePiece = p.byteFallback
                        || hasType(p.preTokenizer, "Metaspace")
                        || hasType(p.decoder, "Metaspace")
                        || hasMetaspaceReplace(p.decoder)
                        || hasMetaspaceReplace(p.normalizer);
                if (p.byteFallback || (sentencePiece && !byteLevel)) {
                    tokenizerType = TokenizerType.SENTENCEPIECE_BPE;
                    style = Style.SENTENCEPIECE;
                } else {
                    tokenizerType = TokenizerType.BPE;
                    style = byteLevel ? Style.BYTE_LEVEL : Style.PLAIN;
                }
            }
            case "WordPiece" -> {
                tokenizerType = TokenizerType.WORDPIECE;
                style = Style.WORDPIECE;
            }
            case "Unigram" -> {
                tokenizerType = TokenizerType.UNIGRAM;
                style = Style.SENTENCEPIECE;
            }
            case "WordLevel" -> {
                tokenizerType = TokenizerType.OTHER;
                style = Style.PLAIN;
            }
            default ->
                throw new UnsupportedModelException(
                        c.source(),
                        p.typeOffset,
                        "tokenizer model type \"" + abbreviate(type)
                                + "\" is not BPE, WordPiece, Unigram or WordLevel");
        }
        String prefix = type.equals("WordPiece") && !p.prefixSeen ? VocabTxtReader.CONTINUING_PREFIX : p.prefix;

        int n = p.texts.size();
        if (n == 0) {
            throw c.corruptAt(p.modelOffset, "model.vocab is empty");
        }
        if (p.unkId >= n) {
            throw c.corruptAt(p.unkIdOffset, "model.unk_id " + p.unkId + " is outside the vocabulary of " + n);
        }
        Map<String, Integer> idOfText = new HashMap<>(n * 2);
        Map<Integer, Integer> entryOfId = new HashMap<>(n * 2);
        List<Token> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String text = p.texts.get(i);
            int id = p.ids.get(i);
            if (idOfText.putIfAbsent(text, id) != null) {
                throw c.corruptAt(p.offsets.get(i), "token '" + abbreviate(text) + "' appears twice in model.vocab");
            }
            Integer prior = entryOfId.putIfAbsent(id, i);
            if (prior != null) {
                throw c.corruptAt(
                        p.offsets.get(i),
                        "id " + id + " of '" + abbreviate(text) + "' is also the id of '"
                                + abbreviate(p.texts.get(prior)) + "'");
            }
            boolean unknown = p.vocabIsList ? i == p.unkId : text.equals(p.unkToken);
            float score = p.vocabIsList ? p.scores.get(i) : Float.NaN;
            tokens.add(token(id, text, unknown, score, style, prefix));
        }

        List<Vocabulary.Merge> merges = new ArrayList<>(p.mergeLeft.size());
        if (type.equals("BPE")) {
            String mergePrefix = p.prefix == null ? "" : p.prefix;
            for (int i = 0; i < p.mergeLeft.size(); i++) {
                String left = p.mergeLeft.get(i);
                String right = p.mergeRight.get(i);
                String joined = left
                        + (!mergePrefix.isEmpty() && right.startsWith(mergePrefix)
                                ? right.substring(mergePrefix.length())
                                : right);
                for (String part : new String[] {left, right, joined}) {
                    if (!idOfText.containsKey(part)) {
                        throw c.corruptAt(
                                p.mergeOffsets.get(i),
                                "merge " + i + " ('" + abbreviate(left) + "' '" + abbreviate(right) + "') uses '"
                                        + abbreviate(part) + "', which is not in model.vocab");
                    }
                }
                merges.add(new Vocabulary.Merge(left, right));
            }
        } else if (!p.mergeLeft.isEmpty()) {
            throw c.corruptAt(p.mergeOffsets.get(0), "model of type " + type + " has merges");
        }
        return new Vocabulary(tokenizerType, tokens, merges, preTokenizerPattern(p.preTokenizer), c.source());
    }

    private static String inferType(Parsed p) {
        if (p.vocabIsList) {
            return "Unigram";
        }
        if (p.mergesSeen) {
            return "BPE";
        }
        if (p.prefixSeen || p.maxCharsSeen) {
            return "WordPiece";
        }
        return "WordLevel";
    }

    private static Token token(int id, String text, boolean unknown, float score, Style style, String prefix) {
        if (unknown) {
            return new Token(id, text.getBytes(StandardCharsets.UTF_8), text, TokenKind.UNKNOWN, score);
        }
        return switch (style) {
            case BYTE_LEVEL -> {
                byte[] b = TokenText.fromByteLevel(text);
                yield new Token(
                        id, b != null ? b : text.getBytes(StandardCharsets.UTF_8), text, TokenKind.NORMAL, score);
            }
            case SENTENCEPIECE ->
                new Token(
                        id,
                        TokenText.fromSentencePiece(text),
                        text,
                        TokenText.isBytePiece(text) ? TokenKind.BYTE : TokenKind.NORMAL,
                        score);
            case WORDPIECE -> VocabTxtReader.wordPieceToken(id, text, prefix, null);
            case PLAIN -> new Token(id, text.getBytes(StandardCharsets.UTF_8), text, TokenKind.NORMAL, score);
        };
    }

    /** True if {@code node} or any node below it is an object with {@code "type": type}. */
    private static boolean hasType(JsonNode node, String type) {
        if (node == null) {
            return false;
        }
        if (node.isObject() && type.equals(node.path("type").asText(null))) {
            return true;
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (hasType(child, type)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** True for a {@code Replace}/{@code Prepend} step involving SentencePiece's {@code ▁}. */
    private static boolean hasMetaspaceReplace(JsonNode node) {
        if (node == null) {
            return false;
        }
        if (node.isObject()) {
            String t = node.path("type").asText("");
            if ((t.equals("Replace")
                            && (node.path("pattern").path("String").asText("").contains("\u2581")
                                    || node.path("content").asText("").contains("\u2581")))
                    || (t.equals("Prepend") && node.path("prepend").asText("").contains("\u2581"))) {
                return true;
            }
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                if (hasMetaspaceReplace(child)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** The first Split regex (or string) in the pre-tokenizer, else ByteLevel's built-in regex, else the type name. */
    private static String preTokenizerPattern(JsonNode pre) {
        if (pre == null || pre.isNull()) {
            return null;
        }
        String split = firstSplitPattern(pre);
        if (split != null) {
            return split;
        }
        JsonNode byteLevel = firstOfType(pre, "ByteLevel");
        if (byteLevel != null && byteLevel.path("use_regex").asBoolean(true)) {
            return GPT2_PATTERN;
        }
        String t = pre.path("type").asText(null);
        if ("Sequence".equals(t)) {
            List<String> parts = new ArrayList<>();
            for (JsonNode child : pre.path("pretokenizers")) {
                parts.add(child.path("type").asText("?"));
            }
            return "Sequence(" + String.join(",", parts) + ")";
        }
        return t;
    }

    private static String firstSplitPattern(JsonNode node) {
        if (node.isObject() && "Split".equals(node.path("type").asText(null))) {
            JsonNode pattern = node.path("pattern");
            if (pattern.path("Regex").isTextual()) {
                return pattern.path("Regex").textValue();
            }
            if (pattern.path("String").isTextual()) {
                return pattern.path("String").textValue();
            }
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                String s = firstSplitPattern(child);
                if (s != null) {
                    return s;
                }
            }
        }
        return null;
    }

    private static JsonNode firstOfType(JsonNode node, String type) {
        if (node.isObject() && type.equals(node.path("type").asText(null))) {
            return node;
        }
        if (node.isContainerNode()) {
            for (JsonNode child : node) {
                JsonNode f = firstOfType(child, type);
                if (f != null) {
                    return f;
                }
            }
        }
        return null;
    }

    static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 37) + "...";
    }
}
