package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Measures how well tokenizers fit a language: tokens per character and per word, bytes per token,
 * how much of the corpus falls back to bytes or the unknown token, and, for a tokenizer that extends
 * another's vocabulary, which of its added tokens carry the gain. Each corpus line is encoded on its
 * own, without BOS/EOS. A tokenizer whose pre-tokenizer regex gives up on a line (see
 * {@link PreTokenizerLimitException}) is reported as an input error naming the line. Stateless and
 * thread-safe.
 */
public final class LanguageFitness {
    private LanguageFitness() {}

    /**
     * Reads a corpus: UTF-8 lines (malformed bytes become U+FFFD), line breaks removed.
     *
     * @throws IOException if the file cannot be read
     */
    public static List<String> readCorpus(Path file) throws IOException {
        String text = new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
        if (!text.isEmpty() && text.charAt(0) == '\uFEFF') {
            text = text.substring(1);
        }
        return text.lines().toList();
    }

    /**
     * Language fitness of a suspect's and a reference's tokenizers on a corpus file, with the
     * suspect's vocabulary gain over the reference (its 20 largest contributors) when both have a
     * vocabulary. Labels: {@code suspect} and {@code reference}.
     *
     * @return empty when neither model has a vocabulary
     * @throws IOException if the corpus cannot be read
     * @throws ModelFormatException if a vocabulary cannot be encoded with, or a pre-tokenizer regex
     *     gives up on a line
     */
    public static Optional<FitnessReport> compare(ModelView suspect, ModelView reference, Path corpus)
            throws IOException, ModelFormatException {
        Map<String, Encoder> enc = new LinkedHashMap<>();
        if (suspect.vocabulary().isPresent()) {
            enc.put("suspect", Encoders.of(suspect.vocabulary().get()));
        }
        if (reference.vocabulary().isPresent()) {
            enc.put("reference", Encoders.of(reference.vocabulary().get()));
        }
        if (enc.isEmpty()) {
            return Optional.empty();
        }
        List<String> lines = readCorpus(corpus);
        boolean both = enc.size() == 2;
        return Optional.of(
                measure(corpus.toString(), lines, enc, both ? "suspect" : null, both ? "reference" : null, 20));
    }

    /**
     * Measures each encoder on the corpus.
     *
     * @param corpus a label for the corpus
     * @param lines the corpus lines
     * @param encoders label → encoder, reported in iteration order
     * @throws UnsupportedModelException if a tokenizer's pre-tokenizer regex gives up on a line
     */
    public static FitnessReport measure(String corpus, List<String> lines, Map<String, Encoder> encoders)
            throws UnsupportedModelException {
        return measure(corpus, lines, encoders, null, null, 0);
    }

    /**
     * Measures each encoder and analyses the vocabulary gain of {@code descendant} over {@code
     * ancestor} (both labels of {@code encoders}).
     *
     * @param topGainTokens how many descendant-only tokens to list
     * @throws IllegalArgumentException if a label is not among the encoders
     * @throws UnsupportedModelException if a tokenizer's pre-tokenizer regex gives up on a line
     */
    public static FitnessReport measure(
            String corpus,
            List<String> lines,
            Map<String, Encoder> encoders,
            String descendant,
            String ancestor,
            int topGainTokens)
            throws UnsupportedModelException {
        long chars = 0;
        long words = 0;
        long bytes = 0;
        for (String line : lines) {
            chars += line.codePointCount(0, line.length());
            words += countWords(line);
            bytes += utf8Length(line);
        }
        List<TokenizerFitness> out = new ArrayList<>();
        for (Map.Entry<String, Encoder> e : encoders.entrySet()) {
            out.add(measure(e.getKey(), e.getValue(), lines, corpus));
        }
        VocabularyGain gain = null;
        if (descendant != null || ancestor != null) {
            Encoder d = encoders.get(descendant);
            Encoder a = encoders.get(ancestor);
            if (d == null || a == null) {
                throw new IllegalArgumentException("gain pair " + descendant + " / " + ancestor
                        + " is not among the tokenizers " + encoders.keySet());
            }
            gain = gain(descendant, d, ancestor, a, lines, topGainTokens, corpus);
        }
        return new FitnessReport(corpus, lines.size(), chars, words, bytes, out, gain);
    }

    /**
     * One encoder's figures on the corpus.
     *
     * @throws UnsupportedModelException if the encoder's pre-tokenizer regex gives up on a line
     */
    public static TokenizerFitness measure(String name, Encoder encoder, List<String> lines)
            throws UnsupportedModelException {
        return measure(name, encoder, lines, "the corpus");
    }

    private static TokenizerFitness measure(String name, Encoder encoder, List<String> lines, String corpus)
            throws UnsupportedModelException {
        long tokens = 0;
        long chars = 0;
        long words = 0;
        long bytes = 0;
        long byteFallback = 0;
        long unknown = 0;
        long partial = 0;
        Map<Integer, Boolean> partialCache = new HashMap<>();
        int lineNumber = 0;
        for (String line : lines) {
            lineNumber++;
            chars += line.codePointCount(0, line.length());
            words += countWords(line);
            bytes += utf8Length(line);
            for (int id : encode(encoder, line, "line " + lineNumber + " of " + corpus)) {
                tokens++;
                Token t = encoder.token(id).orElse(null);
                if (t == null) {
                    continue;
                }
                if (t.kind() == TokenKind.BYTE) {
                    byteFallback++;
                } else if (t.kind() == TokenKind.UNKNOWN) {
                    unknown++;
                }
                if (partialCache.computeIfAbsent(id, k -> !wholeUtf8(t.bytes()))) {
                    partial++;
                }
            }
        }
        return new TokenizerFitness(
                name,
                encoder.description(),
                encoder.vocabulary().size(),
                tokens,
                chars,
                words,
                bytes,
                ratio(tokens, chars),
                ratio(tokens, words),
                ratio(bytes, tokens),
                byteFallback,
                unknown,
                partial,
                ratio(byteFallback + unknown, tokens),
                ratio(partial, tokens));
    }

    /**
     * The descendant's tokens whose bytes the ancestor's vocabulary lacks, ranked by how often the
     * descendant emits them on the corpus.
     */
    public static VocabularyGain gain(
            String descendantName,
            Encoder descendant,
            String ancestorName,
            Encoder ancestor,
            List<String> lines,
            int top)
            throws UnsupportedModelException {
        return gain(descendantName, descendant, ancestorName, ancestor, lines, top, "the corpus");
    }

    private static VocabularyGain gain(
            String descendantName,
            Encoder descendant,
            String ancestorName,
            Encoder ancestor,
            List<String> lines,
            int top,
            String corpus)
            throws UnsupportedModelException {
        Objects.requireNonNull(descendant);
        Objects.requireNonNull(ancestor);
        Set<String> ancestorKeys = new HashSet<>();
        for (Token t : ancestor.vocabulary().tokens()) {
            ancestorKeys.add(t.key());
        }
        Set<Integer> own = new HashSet<>();
        for (Token t : descendant.vocabulary().tokens()) {
            if (!ancestorKeys.contains(t.key())) {
                own.add(t.id());
            }
        }
        Map<Integer, Long> counts = new HashMap<>();
        long total = 0;
        long ownTotal = 0;
        int lineNumber = 0;
        for (String line : lines) {
            lineNumber++;
            for (int id : encode(descendant, line, "line " + lineNumber + " of " + corpus)) {
                total++;
                if (own.contains(id)) {
                    ownTotal++;
                    counts.merge(id, 1L, Long::sum);
                }
            }
        }
        Map<String, Long> byScript = new HashMap<>();
        List<GainToken> ranked = new ArrayList<>();
        for (Map.Entry<Integer, Long> c : counts.entrySet()) {
            Token t = descendant.token(c.getKey()).orElseThrow();
            byte[] b = t.bytes();
            String script = script(b);
            byScript.merge(script, c.getValue(), Long::sum);
            ranked.add(new GainToken(
                    t.id(),
                    t.text(),
                    new String(b, StandardCharsets.UTF_8),
                    script,
                    c.getValue(),
                    ratio(c.getValue(), total),
                    0,
                    0));
        }
        ranked.sort(Comparator.comparingLong(GainToken::occurrences).reversed().thenComparingInt(GainToken::id));
        List<GainToken> topList = new ArrayList<>();
        boolean dummyPrefix = addsDummyPrefix(ancestor);
        for (GainToken g : ranked.subList(0, Math.min(Math.max(0, top), ranked.size()))) {
            String probe =
                    dummyPrefix && g.decoded().startsWith(" ") ? g.decoded().substring(1) : g.decoded();
            int ancestorTokens =
                    g.script().equals("BYTES") ? 0 : encode(ancestor, probe, "the text of token " + g.id()).length;
            topList.add(new GainToken(
                    g.id(),
                    g.text(),
                    g.decoded(),
                    g.script(),
                    g.occurrences(),
                    g.shareOfTokens(),
                    ancestorTokens,
                    g.occurrences() * Math.max(0, ancestorTokens - 1)));
        }
        Map<String, Long> sortedScripts = new LinkedHashMap<>();
        byScript.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sortedScripts.put(e.getKey(), e.getValue()));
        return new VocabularyGain(
                descendantName, ancestorName, own.size(), ownTotal, ratio(ownTotal, total), sortedScripts, topList);
    }

    /** Encodes {@code text}; a pre-tokenizer that gives up is an input error naming {@code where}. */
    private static int[] encode(Encoder encoder, String text, String where) throws UnsupportedModelException {
        try {
            return encoder.encode(text);
        } catch (PreTokenizerLimitException e) {
            throw new UnsupportedModelException(
                    encoder.vocabulary().source(),
                    UnsupportedModelException.NO_OFFSET,
                    e.getMessage() + " (" + where + "); the tokenizer cannot be measured on it",
                    e);
        }
    }

    /** True when the encoder spells a leading space that the text lacks (SentencePiece's dummy prefix). */
    private static boolean addsDummyPrefix(Encoder e) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        for (int id : e.encode("a")) {
            e.token(id).ifPresent(t -> out.writeBytes(t.bytes()));
        }
        byte[] b = out.toByteArray();
        return b.length == 2 && b[0] == ' ' && b[1] == 'a';
    }

    /**
     * The Unicode script of a token's letters: the one script of its non-common code points, {@code
     * COMMON} when it has none, {@code MIXED} for several, {@code BYTES} when the bytes are not whole
     * UTF-8 characters.
     */
    public static String script(byte[] bytes) {
        String text = decodeStrict(bytes);
        if (text == null) {
            return "BYTES";
        }
        Character.UnicodeScript found = null;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            Character.UnicodeScript s = Character.UnicodeScript.of(cp);
            if (s == Character.UnicodeScript.COMMON
                    || s == Character.UnicodeScript.INHERITED
                    || s == Character.UnicodeScript.UNKNOWN) {
                continue;
            }
            if (found != null && found != s) {
                return "MIXED";
            }
            found = s;
        }
        return found == null ? "COMMON" : found.name();
    }

    /** White-space separated words (Unicode White_Space). */
    static long countWords(String line) {
        long n = 0;
        boolean inWord = false;
        for (int i = 0; i < line.length(); ) {
            int cp = line.codePointAt(i);
            i += Character.charCount(cp);
            boolean space = WordPieceEncoder.isWhitespace(cp);
            if (!space && !inWord) {
                n++;
            }
            inWord = !space;
        }
        return n;
    }

    private static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : (cp < 0x10000 ? 3 : 4);
        }
        return n;
    }

    private static boolean wholeUtf8(byte[] b) {
        return decodeStrict(b) != null;
    }

    private static String decodeStrict(byte[] b) {
        CharsetDecoder d = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        try {
            return d.decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    private static double ratio(long a, long b) {
        return b == 0 ? 0 : (double) a / b;
    }
}
