package dev.pedigree.report;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Which Unicode script each token string is written in (the script of its first letter; tokens
 * without a letter count as "Digits/punctuation"). A display aid for the tokenizer section, not a
 * statistic.
 */
public final class TokenScripts {
    /** The bucket of tokens without a letter. */
    public static final String NO_LETTER = "Digits/punctuation";

    private TokenScripts() {}

    /** Script → number of tokens, largest first, ties by name. */
    public static Map<String, Long> count(List<String> tokens) {
        Map<String, Long> byName = new TreeMap<>();
        for (String t : tokens) {
            byName.merge(script(t), 1L, Long::sum);
        }
        Map<String, Long> out = new LinkedHashMap<>();
        byName.entrySet().stream()
                .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> out.put(e.getKey(), e.getValue()));
        return out;
    }

    /** The script of the first letter of {@code token}, e.g. "Latin", "Han", "Cyrillic". */
    public static String script(String token) {
        int[] cps = token.codePoints().toArray();
        for (int cp : cps) {
            if (Character.isLetter(cp)) {
                String n = Character.UnicodeScript.of(cp)
                        .name()
                        .toLowerCase(Locale.ROOT)
                        .replace('_', ' ');
                return Character.toUpperCase(n.charAt(0)) + n.substring(1);
            }
        }
        return NO_LETTER;
    }
}
