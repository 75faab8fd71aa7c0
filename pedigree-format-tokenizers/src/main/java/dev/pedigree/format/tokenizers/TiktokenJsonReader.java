package dev.pedigree.format.tokenizers;

import com.fasterxml.jackson.core.JsonToken;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.io.json.JsonCursor;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the JSON rank files of the JavaScript tiktoken ports: Anthropic's {@code claude.json} (npm
 * {@code @anthropic-ai/tokenizer}) and js-tiktoken's {@code ranks/*.json}:
 *
 * <pre>{"explicit_n_vocab": n, "pat_str": regex, "special_tokens": {text: id, ...}, "bpe_ranks": "..."}</pre>
 *
 * {@code bpe_ranks} holds lines separated by {@code \n}; each line is a marker word, the rank of its
 * first token, then base64 tokens with consecutive ranks ({@code "! 5 IQ== Ig== ..."}), which is how
 * js-tiktoken decodes it (the marker is ignored; a gap in the ranks starts a new line). Tokens are
 * {@link TokenKind#NORMAL} with id and score = rank, {@code special_tokens} are {@link
 * TokenKind#SPECIAL}, and {@code pat_str} is the pre-tokenizer. {@code explicit_n_vocab} is not
 * checked: js-tiktoken ignores it, and {@code claude.json} declares 64,739 for 65,000 entries.
 *
 * <p>A line without a rank, undecodable base64, an empty token, a rank past {@code 2^31-1}, a repeated
 * rank or token, or a special token whose id is also a rank are {@link CorruptModelException}s naming
 * the file, the offset of {@code bpe_ranks} (or of the special token) and the line. Stateless and
 * thread-safe.
 */
public final class TiktokenJsonReader {
    private TiktokenJsonReader() {}

    /** Reads a tiktoken JSON rank file. */
    public static Vocabulary read(Path file) throws IOException, ModelFormatException {
        try (ByteSource in = ByteSource.map(file)) {
            return read(in);
        }
    }

    /** Reads a tiktoken JSON rank file from a source; the source stays owned by the caller. */
    public static Vocabulary read(ByteSource in) throws IOException, ModelFormatException {
        String ranks = null;
        long ranksOffset = -1;
        String pattern = null;
        Map<String, Integer> specials = new LinkedHashMap<>();
        Map<String, Long> specialOffsets = new HashMap<>();
        try (JsonCursor c = JsonCursor.open(in, "tiktoken JSON file")) {
            c.next("tiktoken JSON file");
            c.expect(JsonToken.START_OBJECT, "tiktoken JSON top level");
            while (c.next("tiktoken JSON file") == JsonToken.FIELD_NAME) {
                String name = c.name();
                c.next(name);
                switch (name) {
                    case "bpe_ranks" -> {
                        ranksOffset = c.offset();
                        ranks = c.string("bpe_ranks");
                    }
                    case "pat_str" -> pattern = c.stringOrNull("pat_str");
                    case "special_tokens" -> {
                        c.expect(JsonToken.START_OBJECT, "special_tokens");
                        while (c.next("special_tokens") == JsonToken.FIELD_NAME) {
                            String text = c.name();
                            c.next("special token " + text);
                            specialOffsets.put(text, c.offset());
                            specials.put(text, c.nonNegativeInt("id of special token " + text));
                        }
                    }
                    default -> c.skipValue(name);
                }
            }
            c.expectEnd();
        }
        String source = in.description();
        if (ranks == null) {
            throw new CorruptModelException(source, 0, "tiktoken JSON file has no \"bpe_ranks\" string");
        }
        List<Token> tokens = ranks(ranks, source, ranksOffset);
        Map<Integer, Token> byId = new HashMap<>(tokens.size() * 2);
        tokens.forEach(t -> byId.put(t.id(), t));
        for (Map.Entry<String, Integer> e : specials.entrySet()) {
            Token clash = byId.get(e.getValue());
            if (clash != null) {
                throw new CorruptModelException(
                        source,
                        specialOffsets.get(e.getKey()),
                        "special token " + e.getKey() + " has id " + e.getValue() + ", which is the rank of "
                                + clash.text());
            }
            Token t = new Token(
                    e.getValue(),
                    e.getKey().getBytes(StandardCharsets.UTF_8),
                    e.getKey(),
                    TokenKind.SPECIAL,
                    Float.NaN);
            byId.put(t.id(), t);
            tokens.add(t);
        }
        return new Vocabulary(TokenizerType.TIKTOKEN, tokens, List.of(), pattern, source);
    }

    private static List<Token> ranks(String ranks, String source, long at) throws ModelFormatException {
        Base64.Decoder decoder = Base64.getDecoder();
        List<Token> tokens = new ArrayList<>();
        Map<Integer, Integer> lineOfRank = new HashMap<>();
        Map<String, Integer> lineOfToken = new HashMap<>();
        String[] lines = ranks.split("\n", -1);
        for (int li = 0; li < lines.length; li++) {
            int lineNo = li + 1;
            String line = lines[li];
            if (line.isEmpty()) {
                continue;
            }
            String[] f = line.split(" ", -1);
            if (f.length < 2 || f[1].isEmpty() || !f[1].chars().allMatch(ch -> ch >= '0' && ch <= '9')) {
                throw corrupt(source, at, lineNo, "expected '<marker> <first rank> <base64 token>...'");
            }
            if (f[1].length() > 10 || Long.parseLong(f[1]) + f.length - 3 > Integer.MAX_VALUE) {
                throw corrupt(source, at, lineNo, "rank " + f[1] + " is out of range");
            }
            int first = Integer.parseInt(f[1]);
            for (int i = 2; i < f.length; i++) {
                if (tokens.size() >= TokenizerJsonReader.MAX_ENTRIES) {
                    throw new UnsupportedModelException(
                            source, at, "bpe_ranks has more than " + TokenizerJsonReader.MAX_ENTRIES + " tokens");
                }
                int rank = first + i - 2;
                byte[] bytes;
                try {
                    bytes = decoder.decode(f[i]);
                } catch (IllegalArgumentException e) {
                    throw corrupt(
                            source, at, lineNo, "token " + (i - 1) + " is not valid base64 (" + e.getMessage() + ")");
                }
                if (bytes.length == 0) {
                    throw corrupt(source, at, lineNo, "token " + (i - 1) + " decodes to zero bytes");
                }
                Integer priorLine = lineOfRank.putIfAbsent(rank, lineNo);
                if (priorLine != null) {
                    throw corrupt(source, at, lineNo, "rank " + rank + " was already given on line " + priorLine);
                }
                priorLine = lineOfToken.putIfAbsent(new String(bytes, StandardCharsets.ISO_8859_1), lineNo);
                if (priorLine != null) {
                    throw corrupt(source, at, lineNo, "token " + f[i] + " repeats a token of line " + priorLine);
                }
                tokens.add(new Token(rank, bytes, f[i], TokenKind.NORMAL, rank));
            }
        }
        if (tokens.isEmpty()) {
            throw new CorruptModelException(source, at, "bpe_ranks holds no tokens");
        }
        return tokens;
    }

    private static CorruptModelException corrupt(String source, long at, int line, String detail) {
        return new CorruptModelException(source, at, "bpe_ranks line " + line + ": " + detail);
    }
}
