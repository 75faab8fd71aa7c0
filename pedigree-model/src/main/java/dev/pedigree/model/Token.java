package dev.pedigree.model;

import java.util.Arrays;
import java.util.Objects;

/**
 * One vocabulary entry.
 *
 * @param id the token id
 * @param bytes the token normalised to the raw bytes it stands for in text: the byte-level BPE
 *     alphabet is mapped back to bytes ({@code Ġ} → space), SentencePiece {@code ▁} becomes a space
 *     and {@code <0xNN>} the byte NN, a WordPiece {@code ##} continuation loses its prefix and a
 *     word-initial WordPiece token gains a leading space. Specials keep their UTF-8 text.
 * @param text the token as written in the file
 * @param kind normal, special, added, byte, unused or unknown
 * @param score SentencePiece/GGUF score or merge rank; {@code NaN} when the format has none
 */
public record Token(int id, byte[] bytes, String text, TokenKind kind, float score) {
    public Token {
        Objects.requireNonNull(bytes);
        Objects.requireNonNull(text);
        Objects.requireNonNull(kind);
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The normalised bytes as an ISO-8859-1 string: a cheap, exact map key. */
    public String key() {
        return new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Token t
                && id == t.id
                && Arrays.equals(bytes, t.bytes)
                && text.equals(t.text)
                && kind == t.kind
                && Float.compare(score, t.score) == 0;
    }

    @Override
    public int hashCode() {
        return Objects.hash(id, Arrays.hashCode(bytes), text, kind);
    }

    @Override
    public String toString() {
        return "Token[" + id + ", " + text + ", " + kind + "]";
    }
}
