package dev.pedigree.format.tokenizers;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * One entry of {@code tokenizer.json}'s {@code added_tokens} or {@code tokenizer_config.json}'s
 * {@code added_tokens_decoder}.
 *
 * @param id the token id
 * @param content the token text (raw text, never in the byte-level alphabet)
 * @param special whether the token is a control token
 * @param offset byte offset of the entry in its file, for error messages
 */
record AddedToken(int id, String content, boolean special, long offset) {
    AddedToken {
        Objects.requireNonNull(content);
    }

    /**
     * Lays added tokens over a vocabulary: an added token whose id exists replaces that entry's text
     * and kind (the unknown token stays {@link TokenKind#UNKNOWN}); a new id adds an entry. An added
     * token that repeats its entry's text keeps that entry's normalised bytes; any other added token
     * has its UTF-8 text as bytes. Two added tokens with one id in the same list are corrupt. The
     * added tokens name the specials, so the result records them ({@link
     * Vocabulary#specialsRecorded()}).
     */
    static Vocabulary overlay(Vocabulary base, List<AddedToken> added, String addedSource)
            throws CorruptModelException {
        if (added.isEmpty()) {
            return base;
        }
        Map<Integer, Token> byId = new LinkedHashMap<>();
        for (Token t : base.tokens()) {
            byId.put(t.id(), t);
        }
        Map<Integer, AddedToken> seen = new HashMap<>();
        for (AddedToken a : added) {
            AddedToken prior = seen.putIfAbsent(a.id(), a);
            if (prior != null) {
                throw new CorruptModelException(
                        addedSource,
                        a.offset(),
                        "added token id " + a.id() + " ('" + a.content() + "') repeats the id of the entry at offset "
                                + prior.offset());
            }
            Token existing = byId.get(a.id());
            TokenKind kind = a.special() ? TokenKind.SPECIAL : TokenKind.ADDED;
            if (existing != null
                    && existing.kind() == TokenKind.UNKNOWN
                    && existing.text().equals(a.content())) {
                kind = TokenKind.UNKNOWN;
            }
            float score = existing != null ? existing.score() : Float.NaN;
            // An entry re-declared under its own text (Gemma's "\u2581\u2581", BERT's "[unused0]") is the same
            // token with another flag: it keeps the bytes the vocabulary gave it, so that lineage sees one token.
            byte[] bytes = existing != null && existing.text().equals(a.content())
                    ? existing.bytes()
                    : a.content().getBytes(StandardCharsets.UTF_8);
            byId.put(a.id(), new Token(a.id(), bytes, a.content(), kind, score));
        }
        return new Vocabulary(
                base.type(), new ArrayList<>(byId.values()), base.merges(), base.preTokenizer(), base.source(), true);
    }
}
