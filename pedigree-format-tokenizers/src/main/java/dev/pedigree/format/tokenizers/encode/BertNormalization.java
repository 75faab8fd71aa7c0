package dev.pedigree.format.tokenizers.encode;

/**
 * The settings of BERT's text clean-up (Hugging Face {@code BertNormalizer}, Google's {@code
 * BasicTokenizer}). Immutable.
 *
 * @param cleanText drop control characters and U+FFFD, turn every white space into a space
 * @param handleChineseChars put spaces around CJK ideographs so each is its own word
 * @param stripAccents decompose (NFD) and drop non-spacing marks
 * @param lowercase lower-case every character
 */
public record BertNormalization(
        boolean cleanText, boolean handleChineseChars, boolean stripAccents, boolean lowercase) {
    /** {@code bert-base-uncased}: everything on. */
    public static final BertNormalization UNCASED = new BertNormalization(true, true, true, true);
    /** {@code bert-base-cased}: no lower-casing, no accent stripping. */
    public static final BertNormalization CASED = new BertNormalization(true, true, false, false);
}
