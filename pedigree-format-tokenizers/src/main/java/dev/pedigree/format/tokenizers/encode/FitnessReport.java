package dev.pedigree.format.tokenizers.encode;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The result of {@link LanguageFitness#measure}: the corpus's size and each tokenizer's figures on
 * it, in the order given, plus an optional descendant-versus-ancestor vocabulary gain. Immutable.
 *
 * @param corpus the caller's label for the corpus (usually its file name)
 * @param lines lines encoded
 * @param characters code points (line breaks excluded)
 * @param words white-space separated words
 * @param bytes UTF-8 bytes (line breaks excluded)
 * @param tokenizers one entry per tokenizer
 * @param gain the gain analysis, or null when no pair was asked for
 */
public record FitnessReport(
        String corpus,
        long lines,
        long characters,
        long words,
        long bytes,
        List<TokenizerFitness> tokenizers,
        VocabularyGain gain) {
    public FitnessReport {
        Objects.requireNonNull(corpus);
        tokenizers = List.copyOf(tokenizers);
    }

    /** The gain analysis, if a pair was asked for. */
    public Optional<VocabularyGain> gainAnalysis() {
        return Optional.ofNullable(gain);
    }
}
