package dev.pedigree.report;

import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every regular token of the suspect's vocabulary that the reference's lacks (compared by their
 * normalised bytes, as the engine does), counted by script and shown as readable text: the bytes
 * are decoded as UTF-8, so a byte-level BPE token reads as the text it stands for ("한국어", not
 * "íķľêµŃìĸ´"), and a token that holds only part of a character is shown as its bytes. Stateless.
 */
public final class AddedTokens {
    /** The bucket of tokens that are not whole UTF-8 characters. */
    public static final String PARTIAL = "Partial characters (bytes)";

    private AddedTokens() {}

    /**
     * The added tokens by script.
     *
     * @param total number of added regular tokens
     * @param scripts script → count over every added token, largest first
     * @param examples script → up to a few readable examples, in id order
     */
    public record Summary(long total, Map<String, Long> scripts, Map<String, List<String>> examples) {
        public Summary {
            scripts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(scripts));
            Map<String, List<String>> ex = new LinkedHashMap<>();
            examples.forEach((k, v) -> ex.put(k, List.copyOf(v)));
            examples = java.util.Collections.unmodifiableMap(ex);
        }
    }

    /** The regular tokens of {@code suspect} that {@code reference} lacks, by script, with up to {@code perScript} examples each. */
    public static Summary of(Vocabulary suspect, Vocabulary reference, int perScript) {
        Set<String> known = new HashSet<>();
        for (Token t : reference.tokens()) {
            known.add(t.key());
        }
        List<String> texts = new ArrayList<>();
        List<String> scriptOf = new ArrayList<>();
        for (Token t : suspect.regularTokensInCreationOrder()) {
            if (known.contains(t.key())) {
                continue;
            }
            String text = readable(t.bytes());
            texts.add(text);
            scriptOf.add(text == null ? PARTIAL : TokenScripts.script(text));
        }
        Map<String, Long> byName = new java.util.TreeMap<>();
        scriptOf.forEach(k -> byName.merge(k, 1L, Long::sum));
        Map<String, Long> counts = new LinkedHashMap<>();
        byName.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> counts.put(e.getKey(), e.getValue()));
        Map<String, List<String>> examples = new LinkedHashMap<>();
        counts.keySet().forEach(k -> examples.put(k, new ArrayList<>()));
        List<Token> regular = suspect.regularTokensInCreationOrder();
        int j = 0;
        for (Token t : regular) {
            if (known.contains(t.key())) {
                continue;
            }
            String script = scriptOf.get(j);
            List<String> ex = examples.get(script);
            if (ex.size() < perScript) {
                ex.add(texts.get(j) == null ? bytes(t.bytes()) : texts.get(j));
            }
            j++;
        }
        return new Summary(texts.size(), counts, examples);
    }

    /** The bytes as UTF-8 text, or null when they are not whole characters. */
    static String readable(byte[] b) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** Bytes as "bytes E8 AE". */
    static String bytes(byte[] b) {
        StringBuilder sb = new StringBuilder("bytes");
        for (byte x : b) {
            sb.append(' ').append(String.format(java.util.Locale.ROOT, "%02X", x & 0xff));
        }
        return sb.toString();
    }
}
