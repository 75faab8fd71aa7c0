package dev.pedigree.format.tokenizers.encode;

import java.util.Objects;

/**
 * A token that a descendant tokenizer has and its ancestor lacks, with how much of the corpus it
 * carries. Immutable.
 *
 * @param id the token's id in the descendant
 * @param text the token as written in the descendant's file
 * @param decoded the token's bytes as UTF-8 text (invalid sequences as U+FFFD)
 * @param script the Unicode script of its letters ({@code HANGUL}, {@code HAN}, {@code LATIN}; {@code
 *     COMMON} for punctuation, digits and spaces only; {@code MIXED} for several scripts; {@code
 *     BYTES} when the bytes are not whole UTF-8 characters)
 * @param occurrences how often the descendant emits it on the corpus
 * @param shareOfTokens {@code occurrences} over all tokens the descendant emits
 * @param ancestorTokens how many tokens the ancestor needs for the same bytes on their own
 * @param tokensSaved {@code occurrences * (ancestorTokens - 1)}: tokens the ancestor would have
 *     spent in its place (an estimate; context can change the ancestor's segmentation)
 */
public record GainToken(
        int id,
        String text,
        String decoded,
        String script,
        long occurrences,
        double shareOfTokens,
        int ancestorTokens,
        long tokensSaved) {
    public GainToken {
        Objects.requireNonNull(text);
        Objects.requireNonNull(decoded);
        Objects.requireNonNull(script);
    }
}
