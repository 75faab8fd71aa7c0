package dev.pedigree.format.tokenizers;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads an OpenAI {@code .tiktoken} rank file: one {@code <base64 token> <rank>} per line, as
 * loaded by {@code tiktoken.load.load_tiktoken_bpe}. The token bytes are exact (no alphabet to
 * undo); the id and the score are the rank. Special tokens such as {@code <|endoftext|>} are not in
 * these files (tiktoken adds them in code), so every entry is {@link TokenKind#NORMAL} and the
 * vocabulary says its specials are not recorded ({@link Vocabulary#specialsRecorded()}).
 *
 * <p>Validation is strict: a line that is not {@code base64 SPACE decimal}, undecodable base64, an
 * empty token, a rank outside {@code 0..2^31-1}, a repeated rank or repeated token bytes are
 * {@link CorruptModelException}s naming the file and the byte offset of the line. Empty lines are
 * skipped, as tiktoken does. Ranks may have gaps ({@code p50k_base} lacks 50256).
 *
 * <p>Stateless and thread-safe.
 */
public final class TiktokenReader {
    private TiktokenReader() {}

    /** Reads a {@code .tiktoken} file. */
    public static Vocabulary read(Path file) throws IOException, ModelFormatException {
        try (ByteSource in = ByteSource.map(file)) {
            return read(in);
        }
    }

    /**
     * Reads a {@code .tiktoken} rank file from a source; the source stays owned by the caller.
     *
     * @throws CorruptModelException naming the source and the byte offset of the first bad line
     * @throws dev.pedigree.io.UnsupportedModelException if the file is larger than any real rank file
     */
    public static Vocabulary read(ByteSource in) throws IOException, ModelFormatException {
        String source = in.description();
        TextLines lines = new TextLines(source, TextLines.heapCopy(in, "tiktoken file"));
        byte[] data = lines.data();
        Base64.Decoder decoder = Base64.getDecoder();
        List<Token> tokens = new ArrayList<>();
        Map<Integer, Long> rankAt = new HashMap<>();
        Map<String, Long> tokenAt = new HashMap<>();
        while (lines.next()) {
            if (lines.length() == 0) {
                continue;
            }
            if (tokens.size() >= TokenizerJsonReader.MAX_ENTRIES) {
                throw new UnsupportedModelException(
                        source,
                        lines.offset(),
                        "tiktoken file has more than " + TokenizerJsonReader.MAX_ENTRIES + " tokens");
            }
            int space = -1;
            for (int i = lines.start(); i < lines.end(); i++) {
                byte b = data[i];
                if (b == ' ') {
                    if (space >= 0) {
                        throw lines.corrupt("expected '<base64> <rank>' but found more than one space");
                    }
                    space = i;
                } else if (space < 0 && !isBase64Char(b)) {
                    throw lines.corrupt("byte 0x" + Integer.toHexString(b & 0xFF) + " at column " + (i - lines.start())
                            + " is not base64");
                } else if (space >= 0 && (b < '0' || b > '9')) {
                    throw lines.corrupt("rank is not a decimal number");
                }
            }
            if (space < 0) {
                throw lines.corrupt("expected '<base64> <rank>' but found no space");
            }
            if (space == lines.start()) {
                throw lines.corrupt("empty token before the rank");
            }
            int digits = lines.end() - space - 1;
            if (digits == 0) {
                throw lines.corrupt("missing rank after the token");
            }
            if (digits > 10) {
                throw lines.corrupt("rank of " + digits + " digits is out of range");
            }
            long rank = Long.parseLong(new String(data, space + 1, digits, StandardCharsets.US_ASCII));
            if (rank > Integer.MAX_VALUE) {
                throw lines.corrupt("rank " + rank + " is out of range");
            }
            String text = new String(data, lines.start(), space - lines.start(), StandardCharsets.US_ASCII);
            byte[] bytes;
            try {
                bytes = decoder.decode(text);
            } catch (IllegalArgumentException e) {
                throw new CorruptModelException(
                        source,
                        lines.offset(),
                        "token is not valid base64 (" + e.getMessage() + ") on line " + lines.lineNumber(),
                        e);
            }
            if (bytes.length == 0) {
                throw lines.corrupt("token decodes to zero bytes");
            }
            Long prior = rankAt.putIfAbsent((int) rank, lines.offset());
            if (prior != null) {
                throw lines.corrupt("rank " + rank + " repeats the rank of the line at offset " + prior);
            }
            Long priorToken = tokenAt.putIfAbsent(new String(bytes, StandardCharsets.ISO_8859_1), lines.offset());
            if (priorToken != null) {
                throw lines.corrupt("token " + text + " repeats the token of the line at offset " + priorToken);
            }
            tokens.add(new Token((int) rank, bytes, text, TokenKind.NORMAL, (float) rank));
        }
        if (tokens.isEmpty()) {
            throw new CorruptModelException(source, 0, "tiktoken file holds no tokens");
        }
        return new Vocabulary(TokenizerType.TIKTOKEN, tokens, List.of(), null, source, false);
    }

    static boolean isBase64Char(byte b) {
        return (b >= 'A' && b <= 'Z')
                || (b >= 'a' && b <= 'z')
                || (b >= '0' && b <= '9')
                || b == '+'
                || b == '/'
                || b == '=';
    }
}
