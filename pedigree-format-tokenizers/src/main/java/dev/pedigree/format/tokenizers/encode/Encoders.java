package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.format.tokenizers.SentencePieceSpec;
import dev.pedigree.format.tokenizers.TokenizerFile;
import dev.pedigree.format.tokenizers.Tokenizers;
import dev.pedigree.io.GitLfsPointer;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.regex.PatternSyntaxException;

/**
 * Builds {@link Encoder}s from tokenizer files and vocabularies. The algorithm follows the
 * vocabulary's {@link TokenizerType}: byte-level BPE for {@code BPE} and {@code TIKTOKEN},
 * SentencePiece BPE, SentencePiece Unigram and WordPiece; the settings come from the file
 * ({@code tokenizer.json}'s normaliser and pre-tokenizer, {@code tokenizer.model}'s normaliser spec,
 * the tiktoken file name, GGUF's {@code tokenizer.ggml.pre}) or from {@link EncoderOptions}.
 * Stateless and thread-safe.
 */
public final class Encoders {
    private Encoders() {}

    /**
     * An encoder for any tokenizer file or directory that {@link Tokenizers} reads, or for a model
     * file with an embedded vocabulary (GGUF) that an installed {@link ModelReader} opens.
     *
     * @throws UnsupportedModelException when no reader recognises the file or its tokenizer
     *     algorithm has no encoder here (WordLevel, CHAR/WORD SentencePiece, RWKV)
     * @throws ModelFormatException naming the file and offset when the file is corrupt
     */
    public static Encoder forTokenizer(Path path) throws IOException, ModelFormatException {
        if (Files.isDirectory(path)) {
            return of(Tokenizers.read(path));
        }
        byte[] head = head(path);
        GitLfsPointer.refuse(path.toString(), head);
        if (Tokenizers.probe(path, head).confidence() > 0) {
            return of(Tokenizers.read(path));
        }
        ModelReader best = null;
        int bestScore = 0;
        for (ModelReader r : ServiceLoader.load(ModelReader.class)) {
            int s = r.probe(path, head);
            if (s > bestScore) {
                best = r;
                bestScore = s;
            }
        }
        if (best == null) {
            throw new UnsupportedModelException(
                    path.toString(), 0, "not a tokenizer file and no model reader recognises it");
        }
        try (ModelView view = best.open(path)) {
            return of(view);
        }
    }

    /** An encoder for a tokenizer file that {@link Tokenizers} read. */
    public static Encoder of(TokenizerFile file) throws IOException, ModelFormatException {
        Vocabulary v = file.vocabulary();
        EncoderOptions o = defaults(v);
        switch (file.format()) {
            case TOKENIZER_JSON -> o = TokenizerJsonSettings.read(file.files().getFirst(), o);
            case SENTENCEPIECE_MODEL -> {
                SentencePieceSpec spec = file.sentencePieceSpec().orElseThrow();
                boolean nfkc = spec.normalizerName() != null
                        && spec.normalizerName().toLowerCase(Locale.ROOT).contains("nfkc");
                o = o.withSentencePiece(
                        spec.addDummyPrefix(), spec.removeExtraWhitespaces(), nfkc, spec.byteFallback());
            }
            case TIKTOKEN, TIKTOKEN_JSON, VOCAB_JSON_MERGES, VOCAB_TXT -> {}
        }
        return of(v, o);
    }

    /**
     * An encoder for the vocabulary embedded in a model file (GGUF), honouring its {@code
     * tokenizer.ggml.add_space_prefix} and {@code tokenizer.ggml.remove_extra_whitespaces} keys.
     *
     * @throws UnsupportedModelException if the model carries no vocabulary
     */
    public static Encoder of(ModelView model) throws ModelFormatException {
        Vocabulary v = model.vocabulary()
                .orElseThrow(() -> new UnsupportedModelException(
                        model.source(), "the model file carries no tokenizer vocabulary"));
        EncoderOptions o = defaults(v);
        if (model.metadata().get("tokenizer.ggml.add_space_prefix") instanceof Boolean b) {
            o = o.withSentencePiece(b, o.removeExtraWhitespaces(), o.nfkc(), o.byteFallback());
        }
        if (model.metadata().get("tokenizer.ggml.remove_extra_whitespaces") instanceof Boolean b) {
            o = o.withSentencePiece(o.addDummyPrefix(), b, o.nfkc(), o.byteFallback());
        }
        return of(v, o);
    }

    /** An encoder for a vocabulary with settings derived from it ({@link #defaults}). */
    public static Encoder of(Vocabulary vocabulary) throws ModelFormatException {
        return of(vocabulary, defaults(vocabulary));
    }

    /**
     * An encoder for a vocabulary with explicit settings.
     *
     * @throws UnsupportedModelException for {@link TokenizerType#OTHER} vocabularies
     * @throws ModelFormatException if a split rule does not compile
     */
    public static Encoder of(Vocabulary v, EncoderOptions options) throws ModelFormatException {
        List<Token> split = v.tokens().stream()
                .filter(t -> t.kind() == TokenKind.ADDED || (options.parseSpecial() && t.kind() == TokenKind.SPECIAL))
                .toList();
        return switch (v.type()) {
            case BPE, TIKTOKEN -> {
                PreTokenizer pre;
                try {
                    pre = new PreTokenizer(options.splitRules());
                } catch (PatternSyntaxException e) {
                    throw new UnsupportedModelException(
                            v.source(), "pre-tokenizer regex does not compile in Java: " + e.getDescription());
                }
                yield new ByteLevelBpeEncoder(v, split, pre, options.addPrefixSpace(), options.ignoreMerges());
            }
            case SENTENCEPIECE_BPE ->
                new SentencePieceBpeEncoder(
                        v,
                        split,
                        new SentencePieceNormalizer(
                                options.nfkc(), options.removeExtraWhitespaces(), options.addDummyPrefix()),
                        options.byteFallback());
            case UNIGRAM ->
                new UnigramEncoder(
                        v,
                        split,
                        new SentencePieceNormalizer(
                                options.nfkc(), options.removeExtraWhitespaces(), options.addDummyPrefix()),
                        options.byteFallback());
            case WORDPIECE -> new WordPieceEncoder(v, split, options.bert(), options.maxInputCharsPerWord());
            case OTHER ->
                throw new UnsupportedModelException(
                        v.source(),
                        "no encoder for this tokenizer algorithm (WordLevel, SentencePiece CHAR/WORD, or an unknown GGUF tokenizer.ggml.model)");
        };
    }

    /**
     * The settings a vocabulary implies on its own: split rules from its {@link
     * Vocabulary#preTokenizer()} (a GGUF identifier, a regex, or for tiktoken the rank file's name),
     * byte fallback when it has byte pieces, cased or uncased BERT by whether its pieces hold capitals.
     */
    public static EncoderOptions defaults(Vocabulary v) {
        EncoderOptions o = EncoderOptions.DEFAULTS;
        String pre = v.preTokenizer();
        List<SplitRule> rules = null;
        boolean ignoreMerges = false;
        if (v.type() == TokenizerType.TIKTOKEN) {
            String name = Path.of(v.source()).getFileName() == null
                    ? v.source()
                    : Path.of(v.source()).getFileName().toString();
            rules = SplitPatterns.forTiktoken(name).orElse(null);
            if (rules == null) {
                int n = v.size();
                String regex = n >= 190_000
                        ? SplitPatterns.O200K
                        : n >= 120_000 ? SplitPatterns.LLAMA3 : n >= 90_000 ? SplitPatterns.CL100K : SplitPatterns.GPT2;
                rules = List.of(SplitRule.isolated(regex));
            }
            ignoreMerges = true;
        } else if (pre != null) {
            rules = SplitPatterns.forGgufPre(pre).orElse(null);
            ignoreMerges = rules != null
                    && List.of("llama3", "llama-v3", "llama-bpe", "falcon3", "pixtral", "gpt-4o", "llama4")
                            .contains(pre);
            if (rules == null && looksLikeRegex(pre)) {
                rules = List.of(SplitRule.isolated(pre));
            }
        }
        if (rules != null) {
            o = o.withSplitRules(rules);
        }
        o = o.withIgnoreMerges(ignoreMerges);
        boolean bytes = v.tokens().stream().anyMatch(t -> t.kind() == TokenKind.BYTE);
        o = o.withSentencePiece(o.addDummyPrefix(), o.removeExtraWhitespaces(), o.nfkc(), bytes);
        if (v.type() == TokenizerType.WORDPIECE) {
            long normal = v.tokens().stream()
                    .filter(t -> t.kind() == TokenKind.NORMAL)
                    .count();
            long capitalised = v.tokens().stream()
                    .filter(t -> t.kind() == TokenKind.NORMAL
                            && t.text().codePoints().anyMatch(Character::isUpperCase))
                    .count();
            o = o.withBert(
                    capitalised * 100 > normal ? BertNormalization.CASED : BertNormalization.UNCASED,
                    o.maxInputCharsPerWord());
        }
        return o;
    }

    private static boolean looksLikeRegex(String s) {
        if (!(s.contains("\\") || s.contains("|") || s.contains("["))) {
            return false;
        }
        return SplitRule.problem(s).isEmpty();
    }

    private static byte[] head(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            return new byte[0];
        }
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(Tokenizers.PROBE_BYTES);
        }
    }
}
