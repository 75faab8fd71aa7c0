package dev.pedigree.report;

import java.util.Objects;

/**
 * One row of the optional language-fitness table: how economically a tokenizer encodes a sample
 * text (computed elsewhere, shown as given).
 *
 * @param tokenizer which tokenizer (e.g. {@code suspect}, {@code reference} or a name)
 * @param tokensPerChar tokens per character of the sample
 * @param tokensPerWord tokens per whitespace-separated word of the sample
 * @param notes free text (language, sample, caveats)
 */
public record LanguageFitnessRow(String tokenizer, double tokensPerChar, double tokensPerWord, String notes) {
    public LanguageFitnessRow {
        Objects.requireNonNull(tokenizer, "tokenizer");
        notes = notes == null ? "" : notes;
        if (!(tokensPerChar >= 0)
                || !(tokensPerWord >= 0)
                || Double.isInfinite(tokensPerChar)
                || Double.isInfinite(tokensPerWord)) {
            throw new IllegalArgumentException(
                    "tokens per char/word must be finite and non-negative: " + tokensPerChar + ", " + tokensPerWord);
        }
    }
}
