package dev.pedigree.format.tokenizers;

import dev.pedigree.model.Vocabulary;
import java.util.Objects;

/**
 * A SentencePiece {@code tokenizer.model}: its pieces as a {@link Vocabulary} and the trainer and
 * normaliser facts beside it. Immutable and thread-safe.
 *
 * @param vocabulary the pieces, id = position in the file
 * @param spec trainer and normaliser settings
 */
public record SentencePieceModel(Vocabulary vocabulary, SentencePieceSpec spec) {
    public SentencePieceModel {
        Objects.requireNonNull(vocabulary);
        Objects.requireNonNull(spec);
    }
}
