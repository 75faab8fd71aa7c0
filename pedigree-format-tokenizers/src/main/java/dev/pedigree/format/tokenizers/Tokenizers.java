package dev.pedigree.format.tokenizers;

import dev.pedigree.io.GitLfsPointer;
import dev.pedigree.io.ModelFolder;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Entry point for reading a tokenizer from a file or a Hugging Face directory, whatever its layout.
 * Files are recognised by content ({@link #probe}); directories by the files they hold. Stateless
 * and thread-safe; nothing returned holds open resources.
 */
public final class Tokenizers {
    /** Bytes of a file's head that {@link #probe} looks at. */
    public static final int PROBE_BYTES = 4096;

    private Tokenizers() {}

    /**
     * Reads one tokenizer file, or a directory as {@link #readDirectory} does.
     *
     * @throws UnsupportedModelException if the file is not a tokenizer file this package knows, or
     *     the directory holds none
     * @throws ModelFormatException naming the file and offset when the content is corrupt
     */
    public static TokenizerFile read(Path path) throws IOException, ModelFormatException {
        if (Files.isDirectory(path)) {
            return readDirectory(path)
                    .orElseThrow(
                            () -> new UnsupportedModelException(
                                    path.toString(),
                                    "directory holds no tokenizer.json, tokenizer.model, vocab.json+merges.txt, vocab.txt or .tiktoken"));
        }
        byte[] head = head(path);
        GitLfsPointer.refuse(path.toString(), head);
        TokenizerProbe.Guess guess = TokenizerProbe.probe(path, head);
        if (guess.confidence() == 0) {
            throw new UnsupportedModelException(
                    path.toString(),
                    0,
                    "not a recognised tokenizer file (tokenizer.json, tokenizer.model, .tiktoken, tiktoken JSON,"
                            + " vocab.json, vocab.txt)");
        }
        return read(path, guess.format());
    }

    /** Reads a file known to be in {@code format}. */
    public static TokenizerFile read(Path file, TokenizerFormat format) throws IOException, ModelFormatException {
        GitLfsPointer.refuse(file);
        return switch (format) {
            case TOKENIZER_JSON -> new TokenizerFile(format, TokenizerJsonReader.read(file), null, List.of(file));
            case SENTENCEPIECE_MODEL -> {
                SentencePieceModel m = SentencePieceModelReader.read(file);
                yield new TokenizerFile(format, m.vocabulary(), m.spec(), List.of(file));
            }
            case TIKTOKEN -> new TokenizerFile(format, TiktokenReader.read(file), null, List.of(file));
            case TIKTOKEN_JSON -> new TokenizerFile(format, TiktokenJsonReader.read(file), null, List.of(file));
            case VOCAB_JSON_MERGES -> {
                Path merges = TokenizerProbe.mergesBeside(file);
                ModelFolder.inside(merges.getParent(), merges);
                yield new TokenizerFile(format, VocabJsonMergesReader.read(file, merges), null, List.of(file, merges));
            }
            case VOCAB_TXT -> new TokenizerFile(format, VocabTxtReader.read(file), null, List.of(file));
        };
    }

    /**
     * Reads the tokenizer of a Hugging Face style directory, preferring {@code tokenizer.json}, then
     * {@code tokenizer.model}, then {@code vocab.json}+{@code merges.txt}, then {@code vocab.txt},
     * then a single {@code *.tiktoken} file. The {@code added_tokens_decoder} of a {@code
     * tokenizer_config.json} beside it is laid over the result.
     *
     * @return empty if the directory holds none of these files
     */
    public static Optional<TokenizerFile> readDirectory(Path dir) throws IOException, ModelFormatException {
        ModelFolder.check(dir);
        Path config = dir.resolve("tokenizer_config.json");
        TokenizerFile found = null;
        if (Files.isRegularFile(dir.resolve("tokenizer.json"))) {
            found = read(dir.resolve("tokenizer.json"), TokenizerFormat.TOKENIZER_JSON);
        } else if (Files.isRegularFile(dir.resolve("tokenizer.model"))) {
            found = read(dir.resolve("tokenizer.model"), TokenizerFormat.SENTENCEPIECE_MODEL);
        } else if (Files.isRegularFile(dir.resolve("vocab.json")) && Files.isRegularFile(dir.resolve("merges.txt"))) {
            found = read(dir.resolve("vocab.json"), TokenizerFormat.VOCAB_JSON_MERGES);
        } else if (Files.isRegularFile(dir.resolve("vocab.txt"))) {
            found = read(dir.resolve("vocab.txt"), TokenizerFormat.VOCAB_TXT);
        } else {
            try (Stream<Path> s = Files.list(dir)) {
                Optional<Path> tiktoken = s.filter(
                                p -> p.getFileName().toString().endsWith(".tiktoken"))
                        .sorted()
                        .findFirst();
                if (tiktoken.isPresent()) {
                    found = read(tiktoken.get(), TokenizerFormat.TIKTOKEN);
                }
            }
        }
        if (found == null) {
            return Optional.empty();
        }
        if (!Files.isRegularFile(config)) {
            return Optional.of(found);
        }
        Vocabulary v = TokenizerConfig.overlay(found.vocabulary(), config);
        List<Path> files = new ArrayList<>(found.files());
        files.add(config);
        return Optional.of(new TokenizerFile(found.format(), v, found.sentencePiece(), files));
    }

    /**
     * Which tokenizer layout a file's head looks like.
     *
     * @param head up to the first {@link #PROBE_BYTES} bytes
     * @return the format and a confidence from 0 (not a tokenizer file) to 100
     */
    public static Probe probe(Path file, byte[] head) {
        TokenizerProbe.Guess g = TokenizerProbe.probe(file, head);
        return new Probe(g.format(), g.confidence());
    }

    /** The answer of {@link #probe}. */
    public record Probe(TokenizerFormat format, int confidence) {}

    static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(PROBE_BYTES);
        }
    }
}
