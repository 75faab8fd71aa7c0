package dev.pedigree.format.tokenizers;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenText;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a BERT {@code vocab.txt}: one WordPiece token per line, id = 0-based line number, as
 * {@code transformers}' {@code load_vocab} reads it. Continuations carry the {@code ##} prefix.
 * {@code [CLS]}, {@code [SEP]}, {@code [PAD]} and {@code [MASK]} are {@link TokenKind#SPECIAL},
 * {@code [UNK]} {@link TokenKind#UNKNOWN} and {@code [unusedN]} {@link TokenKind#UNUSED}.
 *
 * <p>An empty line (a token with no text) is corrupt. Repeated tokens are kept under both ids, as
 * the reference loader keeps both lines. Stateless and thread-safe.
 */
public final class VocabTxtReader {
    /** The WordPiece continuation prefix of BERT vocabularies. */
    public static final String CONTINUING_PREFIX = "##";

    private static final Set<String> BERT_SPECIALS = Set.of("[CLS]", "[SEP]", "[PAD]", "[MASK]");
    private static final Pattern UNUSED = Pattern.compile("\\[unused\\d+\\]");

    private VocabTxtReader() {}

    /** Reads a {@code vocab.txt} file. */
    public static Vocabulary read(Path file) throws IOException, ModelFormatException {
        try (ByteSource in = ByteSource.map(file)) {
            return read(in);
        }
    }

    /**
     * Reads a {@code vocab.txt} from a source; the source stays owned by the caller.
     *
     * @throws CorruptModelException for an empty line, invalid UTF-8 or an empty file, naming the
     *     line's byte offset
     */
    public static Vocabulary read(ByteSource in) throws IOException, ModelFormatException {
        String source = in.description();
        TextLines lines = new TextLines(source, TextLines.heapCopy(in, "vocab.txt"));
        List<Token> tokens = new ArrayList<>();
        while (lines.next()) {
            if (lines.length() == 0) {
                throw lines.corrupt("empty token");
            }
            if (tokens.size() >= TokenizerJsonReader.MAX_ENTRIES) {
                throw new UnsupportedModelException(
                        source,
                        lines.offset(),
                        "vocab.txt has more than " + TokenizerJsonReader.MAX_ENTRIES + " tokens");
            }
            String text = lines.text("token");
            tokens.add(wordPieceToken(tokens.size(), text, CONTINUING_PREFIX, "[UNK]"));
        }
        if (tokens.isEmpty()) {
            throw new CorruptModelException(source, 0, "vocab.txt holds no tokens");
        }
        return new Vocabulary(TokenizerType.WORDPIECE, tokens, List.of(), null, source);
    }

    /** The kind of a WordPiece token by BERT's conventions. */
    static TokenKind wordPieceKind(String text, String unkToken) {
        if (text.equals(unkToken)) {
            return TokenKind.UNKNOWN;
        }
        if (BERT_SPECIALS.contains(text)) {
            return TokenKind.SPECIAL;
        }
        if (UNUSED.matcher(text).matches()) {
            return TokenKind.UNUSED;
        }
        return TokenKind.NORMAL;
    }

    /** A WordPiece vocabulary entry: regular tokens normalised, others kept as their UTF-8 text. */
    static Token wordPieceToken(int id, String text, String prefix, String unkToken) {
        TokenKind kind = wordPieceKind(text, unkToken);
        byte[] bytes = kind == TokenKind.NORMAL
                ? TokenText.fromWordPiece(text, prefix)
                : text.getBytes(StandardCharsets.UTF_8);
        return new Token(id, bytes, text, kind, Float.NaN);
    }
}
