package dev.pedigree.format.tokenizers.encode;

import java.util.List;
import java.util.Objects;

/**
 * The settings an {@link Encoder} needs beyond the {@link dev.pedigree.model.Vocabulary}. Each
 * algorithm reads only its own fields. {@link Encoders} derives them from the tokenizer file; pass
 * your own to {@link Encoders#of(dev.pedigree.model.Vocabulary, EncoderOptions)} to override.
 * Immutable and thread-safe.
 *
 * @param splitRules byte-level BPE: the pre-tokenizer regexes, applied in order
 * @param addPrefixSpace byte-level BPE: prepend a space when the input does not start with one
 *     (RoBERTa's {@code add_prefix_space})
 * @param ignoreMerges byte-level BPE: a piece that is itself a token is emitted whole before any
 *     merging (tiktoken, Llama 3's {@code ignore_merges})
 * @param addDummyPrefix SentencePiece: prepend {@code ▁} to the input (and after added tokens)
 * @param removeExtraWhitespaces SentencePiece: trim and collapse spaces first
 * @param nfkc SentencePiece: NFKC-normalise first ({@code nmt_nfkc})
 * @param byteFallback SentencePiece: unknown characters become {@code <0xNN>} byte pieces
 * @param bert WordPiece: BERT's clean-up settings
 * @param maxInputCharsPerWord WordPiece: longer words become the unknown token (BERT: 100)
 * @param parseSpecial also cut special (control) tokens out of the text; added tokens are always
 *     cut out
 */
public record EncoderOptions(
        List<SplitRule> splitRules,
        boolean addPrefixSpace,
        boolean ignoreMerges,
        boolean addDummyPrefix,
        boolean removeExtraWhitespaces,
        boolean nfkc,
        boolean byteFallback,
        BertNormalization bert,
        int maxInputCharsPerWord,
        boolean parseSpecial) {

    /** Byte-level GPT-2 regex, SentencePiece with dummy prefix and byte fallback, uncased BERT. */
    public static final EncoderOptions DEFAULTS = new EncoderOptions(
            List.of(SplitRule.isolated(SplitPatterns.GPT2)),
            false,
            false,
            true,
            false,
            false,
            true,
            BertNormalization.UNCASED,
            100,
            false);

    public EncoderOptions {
        splitRules = List.copyOf(splitRules);
        Objects.requireNonNull(bert);
        if (maxInputCharsPerWord < 1) {
            throw new IllegalArgumentException("maxInputCharsPerWord must be positive: " + maxInputCharsPerWord);
        }
    }

    public EncoderOptions withSplitRules(List<SplitRule> rules) {
        return new EncoderOptions(
                rules,
                addPrefixSpace,
                ignoreMerges,
                addDummyPrefix,
                removeExtraWhitespaces,
                nfkc,
                byteFallback,
                bert,
                maxInputCharsPerWord,
                parseSpecial);
    }

    public EncoderOptions withAddPrefixSpace(boolean v) {
        return new EncoderOptions(
                splitRules,
                v,
                ignoreMerges,
                addDummyPrefix,
                removeExtraWhitespaces,
                nfkc,
                byteFallback,
                bert,
                maxInputCharsPerWord,
                parseSpecial);
    }

    public EncoderOptions withIgnoreMerges(boolean v) {
        return new EncoderOptions(
                splitRules,
                addPrefixSpace,
                v,
                addDummyPrefix,
                removeExtraWhitespaces,
                nfkc,
                byteFallback,
                bert,
                maxInputCharsPerWord,
                parseSpecial);
    }

    public EncoderOptions withSentencePiece(
            boolean addDummyPrefix, boolean removeExtraWhitespaces, boolean nfkc, boolean byteFallback) {
        return new EncoderOptions(
                splitRules,
                addPrefixSpace,
                ignoreMerges,
                addDummyPrefix,
                removeExtraWhitespaces,
                nfkc,
                byteFallback,
                bert,
                maxInputCharsPerWord,
                parseSpecial);
    }

    public EncoderOptions withBert(BertNormalization v, int maxInputCharsPerWord) {
        return new EncoderOptions(
                splitRules,
                addPrefixSpace,
                ignoreMerges,
                addDummyPrefix,
                removeExtraWhitespaces,
                nfkc,
                byteFallback,
                v,
                maxInputCharsPerWord,
                parseSpecial);
    }

    public EncoderOptions withParseSpecial(boolean v) {
        return new EncoderOptions(
                splitRules,
                addPrefixSpace,
                ignoreMerges,
                addDummyPrefix,
                removeExtraWhitespaces,
                nfkc,
                byteFallback,
                bert,
                maxInputCharsPerWord,
                v);
    }
}
