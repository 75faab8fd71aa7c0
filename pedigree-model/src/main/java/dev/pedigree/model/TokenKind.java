package dev.pedigree.model;

/** Kind of a vocabulary entry. Only {@link #NORMAL} and {@link #BYTE} tokens are "regular". */
public enum TokenKind {
    /** Learned by the tokenizer's training (merges, unigram pieces). */
    NORMAL,
    /** Control tokens such as {@code <s>}, {@code [CLS]}, {@code <|endoftext|>}. */
    SPECIAL,
    /** User-defined or added tokens that are not special. */
    ADDED,
    /** Byte-fallback tokens such as {@code <0x0A>}. */
    BYTE,
    /** Reserved/unused slots. */
    UNUSED,
    /** The unknown token. */
    UNKNOWN;

    public boolean regular() {
        return this == NORMAL || this == BYTE;
    }
}
