package dev.pedigree.format.tokenizers;

import dev.pedigree.model.Vocabulary;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Tokenizers} read: the vocabulary, the layout it came from, the files that held it and,
 * for SentencePiece models, the trainer/normaliser facts. Immutable and thread-safe.
 *
 * @param format the layout that was read
 * @param vocabulary the normalised vocabulary
 * @param sentencePiece SentencePiece facts; null unless {@code format} is {@link
 *     TokenizerFormat#SENTENCEPIECE_MODEL}
 * @param files the files read, main file first (for example {@code vocab.json} then {@code
 *     merges.txt}, then {@code tokenizer_config.json} if it contributed added tokens)
 */
public record TokenizerFile(
        TokenizerFormat format, Vocabulary vocabulary, SentencePieceSpec sentencePiece, List<Path> files) {
    public TokenizerFile {
        Objects.requireNonNull(format);
        Objects.requireNonNull(vocabulary);
        files = List.copyOf(files);
    }

    /** The SentencePiece facts, present only for {@code tokenizer.model} files. */
    public Optional<SentencePieceSpec> sentencePieceSpec() {
        return Optional.ofNullable(sentencePiece);
    }
}
