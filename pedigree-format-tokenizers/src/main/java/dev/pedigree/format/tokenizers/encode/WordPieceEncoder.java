package dev.pedigree.format.tokenizers.encode;

import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * WordPiece (BERT): {@link BertNormalization}, then words split at white space and around every
 * punctuation character, then greedy longest-match-first within each word, continuation pieces
 * looked up as {@code ##piece}. A word with a character no piece covers, or longer than {@code
 * maxInputCharsPerWord}, becomes the unknown token as a whole.
 *
 * <p>Pieces are looked up by their normalised bytes ({@link Token#bytes()}): a word-initial piece is
 * {@code " word"}, a continuation {@code "ing"}, which covers both {@code vocab.txt}/{@code
 * tokenizer.json} ({@code ##ing}) and llama.cpp's GGUF spelling ({@code ▁word}, bare continuation).
 * Immutable and thread-safe.
 */
final class WordPieceEncoder extends AbstractEncoder {
    private final BertNormalization norm;
    private final int maxInputCharsPerWord;
    private final Map<String, Integer> idOfBytes = new HashMap<>();
    private final int maxPieceBytes;
    private final int unkId;

    WordPieceEncoder(Vocabulary v, List<Token> splitTokens, BertNormalization norm, int maxInputCharsPerWord) {
        super(v, splitTokens);
        this.norm = norm;
        this.maxInputCharsPerWord = maxInputCharsPerWord;
        int longest = 1;
        for (Token t : v.tokens()) {
            if (t.kind() == TokenKind.NORMAL) {
                byte[] b = t.bytes();
                idOfBytes.putIfAbsent(new String(b, StandardCharsets.ISO_8859_1), t.id());
                longest = Math.max(longest, b.length);
            }
        }
        this.maxPieceBytes = longest;
        this.unkId = TokenTable.unknownId(v, "[UNK]", "<unk>");
    }

    @Override
    public String description() {
        return "WordPiece (" + (norm.lowercase() ? "uncased" : "cased")
                + (norm.stripAccents() ? ", accents stripped" : "") + ")";
    }

    @Override
    void encodeText(String raw, boolean first, PreTokenizer.IntBuffer out) {
        String s = normalize(raw);
        int wordStart = -1;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            int len = Character.charCount(cp);
            if (isWhitespace(cp)) {
                if (wordStart >= 0) {
                    word(s.substring(wordStart, i), out);
                    wordStart = -1;
                }
            } else if (isPunctuation(cp)) {
                if (wordStart >= 0) {
                    word(s.substring(wordStart, i), out);
                    wordStart = -1;
                }
                word(s.substring(i, i + len), out);
            } else if (wordStart < 0) {
                wordStart = i;
            }
            i += len;
        }
        if (wordStart >= 0) {
            word(s.substring(wordStart), out);
        }
    }

    private void word(String w, PreTokenizer.IntBuffer out) {
        if (w.codePointCount(0, w.length()) > maxInputCharsPerWord) {
            if (unkId >= 0) {
                out.add(unkId);
            }
            return;
        }
        byte[] b = w.getBytes(StandardCharsets.UTF_8);
        PreTokenizer.IntBuffer pieces = new PreTokenizer.IntBuffer(8);
        int start = 0;
        while (start < b.length) {
            int found = -1;
            int foundEnd = -1;
            for (int end = Math.min(b.length, start + maxPieceBytes); end > start; end--) {
                if (end < b.length && (b[end] & 0xC0) == 0x80) {
                    continue; // never cut inside a UTF-8 sequence
                }
                String key = (start == 0 ? " " : "") + new String(b, start, end - start, StandardCharsets.ISO_8859_1);
                Integer id = idOfBytes.get(key);
                if (id != null) {
                    found = id;
                    foundEnd = end;
                    break;
                }
            }
            if (found < 0) {
                if (unkId >= 0) {
                    out.add(unkId);
                }
                return;
            }
            pieces.add(found);
            start = foundEnd;
        }
        out.addAll(pieces.toArray());
    }

    private String normalize(String text) {
        StringBuilder sb = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            i += Character.charCount(cp);
            if (norm.cleanText()) {
                if (cp == 0 || cp == 0xFFFD || isControl(cp)) {
                    continue;
                }
                if (isWhitespace(cp)) {
                    sb.append(' ');
                    continue;
                }
            }
            if (norm.handleChineseChars() && isChinese(cp)) {
                sb.append(' ').appendCodePoint(cp).append(' ');
            } else {
                sb.appendCodePoint(cp);
            }
        }
        String s = sb.toString();
        if (norm.stripAccents()) {
            String nfd = Normalizer.normalize(s, Normalizer.Form.NFD);
            StringBuilder t = new StringBuilder(nfd.length());
            nfd.codePoints()
                    .filter(c -> Character.getType(c) != Character.NON_SPACING_MARK)
                    .forEach(t::appendCodePoint);
            s = t.toString();
        }
        if (norm.lowercase()) {
            StringBuilder t = new StringBuilder(s.length());
            for (int i = 0; i < s.length(); ) {
                int cp = s.codePointAt(i);
                i += Character.charCount(cp);
                if (cp == 0x130) {
                    t.append("i\u0307"); // full lower-case mapping, as Rust's char::to_lowercase gives
                } else {
                    t.appendCodePoint(Character.toLowerCase(cp));
                }
            }
            s = t.toString();
        }
        return s;
    }

    /** Unicode White_Space, as Rust's {@code char::is_whitespace}. */
    static boolean isWhitespace(int cp) {
        return (cp >= 9 && cp <= 13) || cp == 0x85 || Character.isSpaceChar(cp);
    }

    /** Control (Cc, Cf, Cn, Co, Cs) other than tab, newline and carriage return. */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        int t = Character.getType(cp);
        return t == Character.CONTROL
                || t == Character.FORMAT
                || t == Character.UNASSIGNED
                || t == Character.PRIVATE_USE
                || t == Character.SURROGATE;
    }

    /** ASCII punctuation (including {@code $+<=>^`|~}) or a Unicode punctuation category. */
    static boolean isPunctuation(int cp) {
        if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126)) {
            return true;
        }
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION
                || t == Character.DASH_PUNCTUATION
                || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION
                || t == Character.INITIAL_QUOTE_PUNCTUATION
                || t == Character.FINAL_QUOTE_PUNCTUATION
                || t == Character.OTHER_PUNCTUATION;
    }

    /** The CJK ideograph blocks BERT separates. */
    static boolean isChinese(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF)
                || (cp >= 0x3400 && cp <= 0x4DBF)
                || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F)
                || (cp >= 0x2B740 && cp <= 0x2B81F)
                || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF)
                || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
