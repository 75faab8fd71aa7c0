package dev.pedigree.format.tokenizers;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Recognises tokenizer files from their first bytes, with the file name as a tie-breaker only.
 * Stateless and thread-safe.
 */
final class TokenizerProbe {
    private static final Pattern MODEL_KEY = Pattern.compile("\"model\"\\s*:\\s*\\{");
    private static final Pattern ADDED_KEY = Pattern.compile("\"added_tokens\"\\s*:\\s*[\\[n]");
    private static final Pattern VERSION_KEY = Pattern.compile("\"version\"\\s*:");
    private static final Pattern BPE_RANKS_KEY = Pattern.compile("\"bpe_ranks\"\\s*:\\s*\"");
    private static final Pattern TIKTOKEN_JSON_KEY =
            Pattern.compile("\"(pat_str|special_tokens|explicit_n_vocab)\"\\s*:");

    /** The likeliest format and how sure the probe is (0 = not a tokenizer file, 100 = certain). */
    record Guess(TokenizerFormat format, int confidence) {}

    private static final Guess NONE = new Guess(TokenizerFormat.TOKENIZER_JSON, 0);

    private TokenizerProbe() {}

    static Guess probe(Path file, byte[] head) {
        Path fn = file.getFileName();
        String name = fn == null ? "" : fn.toString().toLowerCase(Locale.ROOT);
        Guess best = NONE;
        best = better(best, json(file, name, head));
        best = better(best, sentencePiece(name, head));
        best = better(best, tiktoken(name, head));
        best = better(best, vocabTxt(name, head));
        return best;
    }

    private static Guess better(Guess a, Guess b) {
        return b.confidence() > a.confidence() ? b : a;
    }

    private static Guess json(Path file, String name, byte[] head) {
        int i = 0;
        if (head.length >= 3 && (head[0] & 0xFF) == 0xEF && (head[1] & 0xFF) == 0xBB && (head[2] & 0xFF) == 0xBF) {
            i = 3;
        }
        while (i < head.length && (head[i] == ' ' || head[i] == '\t' || head[i] == '\r' || head[i] == '\n')) {
            i++;
        }
        if (i >= head.length || head[i] != '{') {
            return NONE;
        }
        if (name.endsWith("tokenizer_config.json") || name.equals("config.json")) {
            return NONE;
        }
        String text = new String(head, StandardCharsets.ISO_8859_1);
        if (BPE_RANKS_KEY.matcher(text).find()) {
            return new Guess(
                    TokenizerFormat.TIKTOKEN_JSON,
                    TIKTOKEN_JSON_KEY.matcher(text).find() ? 95 : 80);
        }
        boolean model = MODEL_KEY.matcher(text).find();
        boolean added = ADDED_KEY.matcher(text).find();
        boolean version = VERSION_KEY.matcher(text).find();
        boolean nameHint = name.contains("tokenizer") && name.endsWith(".json");
        if (model && (added || version)) {
            return new Guess(TokenizerFormat.TOKENIZER_JSON, 95);
        }
        if (model) {
            return new Guess(TokenizerFormat.TOKENIZER_JSON, nameHint ? 90 : 60);
        }
        if (added) {
            return new Guess(TokenizerFormat.TOKENIZER_JSON, nameHint ? 85 : 50);
        }
        if (version && nameHint) {
            return new Guess(TokenizerFormat.TOKENIZER_JSON, 70);
        }
        if (name.endsWith("vocab.json") && Files.isRegularFile(mergesBeside(file))) {
            return new Guess(TokenizerFormat.VOCAB_JSON_MERGES, 60);
        }
        return NONE;
    }

    /** {@code merges.txt} next to a {@code vocab.json}. */
    static Path mergesBeside(Path vocabJson) {
        Path dir = vocabJson.toAbsolutePath().getParent();
        return dir == null ? Path.of("merges.txt") : dir.resolve("merges.txt");
    }

    /** Field 1 (pieces) length-delimited, holding field 1 (piece) as a short UTF-8 string. */
    private static Guess sentencePiece(String name, byte[] head) {
        if (head.length < 4 || head[0] != 0x0A) {
            return NONE;
        }
        int[] pos = {1};
        long outer = varint(head, pos);
        if (outer < 3) {
            return NONE;
        }
        int outerStart = pos[0];
        if (pos[0] >= head.length || head[pos[0]] != 0x0A) {
            return NONE;
        }
        pos[0]++;
        long len = varint(head, pos);
        if (len < 1 || len > 4096 || len + (pos[0] - outerStart) > outer) {
            return NONE;
        }
        int end = (int) Math.min(head.length, pos[0] + len);
        for (int i = pos[0]; i < end; i++) {
            if (head[i] == 0) {
                return NONE;
            }
        }
        if (pos[0] + len < head.length && outer > len + (pos[0] - outerStart)) {
            byte next = head[(int) (pos[0] + len)];
            if (next != 0x15 && next != 0x18) {
                return NONE;
            }
        }
        return new Guess(TokenizerFormat.SENTENCEPIECE_MODEL, name.endsWith(".model") ? 95 : 80);
    }

    private static long varint(byte[] b, int[] pos) {
        long v = 0;
        for (int shift = 0; shift < 35 && pos[0] < b.length; shift += 7) {
            int x = b[pos[0]++] & 0xFF;
            v |= (long) (x & 0x7F) << shift;
            if ((x & 0x80) == 0) {
                return v;
            }
        }
        return -1;
    }

    /** Lines of {@code base64 SPACE digits}. */
    private static Guess tiktoken(String name, byte[] head) {
        int lines = 0;
        int start = 0;
        boolean whole = head.length < 4096;
        while (start < head.length) {
            int end = start;
            while (end < head.length && head[end] != '\n') {
                end++;
            }
            if (end == head.length && !whole) {
                break;
            }
            int lineEnd = end > start && head[end - 1] == '\r' ? end - 1 : end;
            if (lineEnd > start) {
                if (!tiktokenLine(head, start, lineEnd)) {
                    return NONE;
                }
                lines++;
            }
            start = end + 1;
        }
        if (lines == 0) {
            return NONE;
        }
        if (name.endsWith(".tiktoken")) {
            return new Guess(TokenizerFormat.TIKTOKEN, 95);
        }
        return lines >= 3 || whole ? new Guess(TokenizerFormat.TIKTOKEN, 80) : NONE;
    }

    private static boolean tiktokenLine(byte[] b, int start, int end) {
        int space = -1;
        for (int i = start; i < end; i++) {
            if (b[i] == ' ') {
                if (space >= 0) {
                    return false;
                }
                space = i;
            } else if (space < 0 ? !TiktokenReader.isBase64Char(b[i]) : (b[i] < '0' || b[i] > '9')) {
                return false;
            }
        }
        return space > start && space < end - 1 && (space - start) % 4 == 0;
    }

    private static Guess vocabTxt(String name, byte[] head) {
        if (!name.endsWith("vocab.txt") || head.length == 0 || head[0] == '\n') {
            return NONE;
        }
        for (byte b : head) {
            if (b == 0) {
                return NONE;
            }
        }
        return new Guess(TokenizerFormat.VOCAB_TXT, 50);
    }
}
