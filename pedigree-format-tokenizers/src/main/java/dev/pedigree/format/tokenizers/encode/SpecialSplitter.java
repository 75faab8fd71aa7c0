package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.model.Token;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Cuts the texts of added (and optionally special) tokens out of input text before the model sees
 * it, leftmost match first and the longest token at a position. Immutable and thread-safe.
 */
final class SpecialSplitter {
    /** A piece of input: either raw text ({@code id < 0}) or one whole token. */
    record Segment(String text, int id) {}

    private final Map<Character, List<Token>> byFirstChar = new HashMap<>();

    SpecialSplitter(List<Token> tokens) {
        for (Token t : tokens) {
            if (!t.text().isEmpty()) {
                byFirstChar
                        .computeIfAbsent(t.text().charAt(0), c -> new ArrayList<>())
                        .add(t);
            }
        }
        for (List<Token> l : byFirstChar.values()) {
            l.sort(Comparator.comparingInt((Token t) -> t.text().length())
                    .reversed()
                    .thenComparingInt(Token::id));
        }
    }

    boolean isEmpty() {
        return byFirstChar.isEmpty();
    }

    List<Segment> split(String text) {
        List<Segment> out = new ArrayList<>();
        if (byFirstChar.isEmpty()) {
            out.add(new Segment(text, -1));
            return out;
        }
        int last = 0;
        int i = 0;
        while (i < text.length()) {
            List<Token> candidates = byFirstChar.get(text.charAt(i));
            Token hit = null;
            if (candidates != null) {
                for (Token t : candidates) {
                    if (text.startsWith(t.text(), i)) {
                        hit = t;
                        break;
                    }
                }
            }
            if (hit == null) {
                i++;
                continue;
            }
            if (i > last) {
                out.add(new Segment(text.substring(last, i), -1));
            }
            out.add(new Segment(hit.text(), hit.id()));
            i += hit.text().length();
            last = i;
        }
        if (last < text.length()) {
            out.add(new Segment(text.substring(last), -1));
        }
        return out;
    }
}
