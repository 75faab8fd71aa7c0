package dev.pedigree.model;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A tokenizer's vocabulary in normalised form, ordered by id, with its merges (BPE) in rank order.
 * Immutable and thread-safe.
 *
 * @param type the tokenizer algorithm
 * @param tokens every entry, sorted by id
 * @param merges BPE merges in rank order, each as the two normalised parts ({@code left}, {@code
 *     right}) in the file's notation; empty for other algorithms
 * @param preTokenizer the pre-tokenizer regex or identifier (GGUF {@code tokenizer.ggml.pre}),
 *     null if none
 * @param source description of the file the vocabulary was read from
 * @param specialsRecorded whether the source can name special tokens at all: false for formats
 *     that hold only the learned tokens (a {@code .tiktoken} rank file, whose specials live in
 *     code; a fingerprint's regular tokens), where an absent special token says nothing
 */
public record Vocabulary(
        TokenizerType type,
        List<Token> tokens,
        List<Merge> merges,
        String preTokenizer,
        String source,
        boolean specialsRecorded) {

    /** One BPE merge, as written in the file. */
    public record Merge(String left, String right) {
        public Merge {
            Objects.requireNonNull(left);
            Objects.requireNonNull(right);
        }
    }

    public Vocabulary {
        Objects.requireNonNull(type);
        Objects.requireNonNull(source);
        List<Token> sorted = new ArrayList<>(tokens);
        sorted.sort(Comparator.comparingInt(Token::id));
        tokens = Collections.unmodifiableList(sorted);
        merges = List.copyOf(merges);
    }

    /** A vocabulary whose source records its special tokens (every format but rank files and fingerprints). */
    public Vocabulary(TokenizerType type, List<Token> tokens, List<Merge> merges, String preTokenizer, String source) {
        this(type, tokens, merges, preTokenizer, source, true);
    }

    public int size() {
        return tokens.size();
    }

    /** Tokens that are not regular (special, added, unknown, unused). */
    public long specialCount() {
        return tokens.stream().filter(t -> !t.kind().regular()).count();
    }

    /**
     * Regular tokens (normal and byte) in creation order: the order in which training produced them.
     * For BPE and tiktoken the id order follows merge rank; for SentencePiece the id order follows
     * score. Ties and formats without a notion of order fall back to id order.
     */
    public List<Token> regularTokensInCreationOrder() {
        return tokens.stream().filter(t -> t.kind().regular()).toList();
    }
}
