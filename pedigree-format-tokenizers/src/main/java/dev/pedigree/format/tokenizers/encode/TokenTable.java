package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.Vocabulary;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/** Id → token lookup over a vocabulary, dense when the ids allow. Immutable. */
final class TokenTable {
    private final Token[] dense;
    private final Map<Integer, Token> sparse;

    TokenTable(Vocabulary v) {
        int max = -1;
        for (Token t : v.tokens()) {
            max = Math.max(max, t.id());
        }
        if (max < 4L * v.size() + 1024) {
            dense = new Token[max + 1];
            for (Token t : v.tokens()) {
                dense[t.id()] = t;
            }
            sparse = null;
        } else {
            dense = null;
            sparse = new HashMap<>();
            for (Token t : v.tokens()) {
                sparse.put(t.id(), t);
            }
        }
    }

    Optional<Token> get(int id) {
        if (dense != null) {
            return id >= 0 && id < dense.length ? Optional.ofNullable(dense[id]) : Optional.empty();
        }
        return Optional.ofNullable(sparse.get(id));
    }

    /** The first token of kind {@link TokenKind#UNKNOWN}, else one whose text is {@code fallbackText}; -1 if none. */
    static int unknownId(Vocabulary v, String... fallbackTexts) {
        for (Token t : v.tokens()) {
            if (t.kind() == TokenKind.UNKNOWN) {
                return t.id();
            }
        }
        for (String f : fallbackTexts) {
            for (Token t : v.tokens()) {
                if (t.text().equals(f)) {
                    return t.id();
                }
            }
        }
        return -1;
    }
}
