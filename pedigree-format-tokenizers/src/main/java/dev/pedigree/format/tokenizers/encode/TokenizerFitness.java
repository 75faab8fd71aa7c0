package dev.pedigree.format.tokenizers.encode;

import java.util.Objects;

/**
 * How one tokenizer encodes a corpus. Ratios are 0 when their denominator is 0. Immutable.
 *
 * @param name the caller's label for the tokenizer
 * @param description the encoder's algorithm and settings
 * @param vocabularySize number of vocabulary entries
 * @param tokens tokens produced for the whole corpus (lines encoded one by one, no BOS/EOS)
 * @param characters code points of the corpus (line breaks excluded)
 * @param words white-space separated words (for Korean: eojeol)
 * @param bytes UTF-8 bytes of the corpus (line breaks excluded)
 * @param tokensPerCharacter {@code tokens / characters}
 * @param tokensPerWord {@code tokens / words} (fertility)
 * @param bytesPerToken {@code bytes / tokens} (compression)
 * @param byteFallbackTokens SentencePiece {@code <0xNN>} byte-fallback tokens produced
 * @param unknownTokens unknown tokens ({@code <unk>}, {@code [UNK]}) produced
 * @param partialCharacterTokens tokens whose bytes are not whole UTF-8 characters (byte-level BPE
 *     spelling a character in pieces; byte-fallback tokens count here too)
 * @param fallbackShare {@code (byteFallbackTokens + unknownTokens) / tokens}
 * @param partialCharacterShare {@code partialCharacterTokens / tokens}
 */
public record TokenizerFitness(
        String name,
        String description,
        int vocabularySize,
        long tokens,
        long characters,
        long words,
        long bytes,
        double tokensPerCharacter,
        double tokensPerWord,
        double bytesPerToken,
        long byteFallbackTokens,
        long unknownTokens,
        long partialCharacterTokens,
        double fallbackShare,
        double partialCharacterShare) {
    public TokenizerFitness {
        Objects.requireNonNull(name);
        Objects.requireNonNull(description);
    }
}
