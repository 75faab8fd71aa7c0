package dev.pedigree.format.tokenizers;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.nio.file.Path;

/**
 * The {@link ModelReader} for stand-alone tokenizer files ({@code tokenizer.json}, {@code
 * tokenizer.model}, {@code .tiktoken} and its JSON form, {@code vocab.json} beside {@code merges.txt},
 * {@code vocab.txt}). The view it opens has format {@link ModelFormat#TOKENIZER}, no tensors, the
 * vocabulary, and a few metadata entries ({@code tokenizer.*}, and {@code sentencepiece.*} for
 * SentencePiece models). The view holds no resources. Stateless and thread-safe.
 */
public final class TokenizerFileReader implements ModelReader {

    @Override
    public String name() {
        return "tokenizer";
    }

    @Override
    public int probe(Path file, byte[] head) {
        return TokenizerProbe.probe(file, head).confidence();
    }

    @Override
    public ModelView open(Path file) throws IOException, ModelFormatException {
        TokenizerProbe.Guess guess = TokenizerProbe.probe(file, Tokenizers.head(file));
        TokenizerFormat format = guess.format();
        if (guess.confidence() == 0) {
            // Content too damaged to recognise: a file named tokenizer.json is read as the format its name claims, so
            // that the error says where it breaks (an empty or cut-short tokenizer.json is corrupt, not of an unknown
            // kind); any other unrecognised file, such as a config.json, is not a tokenizer.
            if (!file.getFileName().toString().equals("tokenizer.json")) {
                throw new UnsupportedModelException(file.toString(), 0, "not a recognised tokenizer file");
            }
            format = TokenizerFormat.TOKENIZER_JSON;
        }
        TokenizerFile t = Tokenizers.read(file, format);
        Vocabulary v = t.vocabulary();
        BasicModelView.Builder b = BasicModelView.builder(file.toString(), ModelFormat.TOKENIZER)
                .vocabulary(v)
                .metadata("tokenizer.format", t.format().name().toLowerCase(java.util.Locale.ROOT))
                .metadata("tokenizer.type", v.type().jsonName())
                .metadata("tokenizer.vocab_size", v.size())
                .metadata("tokenizer.special_count", v.specialCount())
                .metadata("tokenizer.merge_count", v.merges().size());
        if (v.preTokenizer() != null) {
            b.metadata("tokenizer.pre_tokenizer", v.preTokenizer());
        }
        t.sentencePieceSpec()
                .ifPresent(s -> b.metadata(
                                "sentencepiece.model_type", s.modelType().name())
                        .metadata("sentencepiece.byte_fallback", s.byteFallback())
                        .metadata("sentencepiece.add_dummy_prefix", s.addDummyPrefix())
                        .metadata("sentencepiece.declared_vocab_size", s.declaredVocabSize()));
        for (Path f : t.files()) {
            b.file(f);
        }
        return b.build();
    }

    /**
     * Opens a {@code tokenizer.json} or a tiktoken JSON rank file from a byte source (the tokenizer formats that need
     * no sibling file and are recognised from their content); the view carries the vocabulary and owns {@code src}.
     * Other tokenizer formats are refused: their probes need the file's name. On failure {@code src} is closed before
     * the exception is thrown.
     */
    @Override
    public ModelView open(ByteSource src, ArchitectureHints hints) throws IOException, ModelFormatException {
        try {
            byte[] head = src.readBytes(0, (int) Math.min(src.size(), Tokenizers.PROBE_BYTES));
            if (!startsLikeJson(head)) {
                throw new UnsupportedModelException(
                        src.description(),
                        0,
                        "remote tokenizer files other than tokenizer.json and tiktoken JSON are not supported yet;"
                                + " download the file first");
            }
            boolean tiktoken =
                    TokenizerProbe.probe(Path.of("remote.json"), head).format() == TokenizerFormat.TIKTOKEN_JSON;
            return BasicModelView.builder(src.description(), ModelFormat.TOKENIZER)
                    .vocabulary(tiktoken ? TiktokenJsonReader.read(src) : TokenizerJsonReader.read(src))
                    .resource(src)
                    .build();
        } catch (IOException | ModelFormatException | RuntimeException e) {
            src.close();
            throw e;
        }
    }

    private static boolean startsLikeJson(byte[] head) {
        for (byte b : head) {
            if (b != ' ' && b != '\t' && b != '\n' && b != '\r') {
                return b == '{';
            }
        }
        return false;
    }
}
