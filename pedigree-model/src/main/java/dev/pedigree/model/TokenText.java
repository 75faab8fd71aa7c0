package dev.pedigree.model;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Normalises token strings from each tokenizer family to the raw bytes they stand for (see
 * {@link Token#bytes()}). Stateless and thread-safe.
 */
public final class TokenText {
    /** GPT-2 byte-level alphabet: byte value → code point. */
    private static final int[] BYTE_TO_CHAR = new int[256];
    /** Inverse of {@link #BYTE_TO_CHAR}; -1 for code points outside the alphabet. */
    private static final int[] CHAR_TO_BYTE = new int[512];

    static {
        java.util.Arrays.fill(CHAR_TO_BYTE, -1);
        int n = 0;
        for (int b = 0; b < 256; b++) {
            boolean printable = (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
            int c = printable ? b : 256 + n++;
            BYTE_TO_CHAR[b] = c;
            CHAR_TO_BYTE[c] = b;
        }
    }

    private TokenText() {}

    /** The byte-level BPE character that stands for byte {@code b} (space → {@code Ġ}). */
    public static int byteLevelChar(int b) {
        return BYTE_TO_CHAR[b & 0xFF];
    }

    /**
     * Maps a byte-level BPE token ({@code Ġhello}) back to its bytes; returns null if the string
     * contains characters outside the byte-level alphabet (then it is not a byte-level token).
     */
    public static byte[] fromByteLevel(String token) {
        byte[] out = new byte[token.length()];
        int n = 0;
        for (int i = 0; i < token.length(); ) {
            int cp = token.codePointAt(i);
            i += Character.charCount(cp);
            if (cp >= CHAR_TO_BYTE.length || CHAR_TO_BYTE[cp] < 0) {
                return null;
            }
            out[n++] = (byte) CHAR_TO_BYTE[cp];
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** Maps bytes to the byte-level BPE string. */
    public static String toByteLevel(byte[] bytes) {
        StringBuilder sb = new StringBuilder(bytes.length);
        for (byte b : bytes) {
            sb.appendCodePoint(BYTE_TO_CHAR[b & 0xFF]);
        }
        return sb.toString();
    }

    /**
     * Maps a SentencePiece piece to bytes: {@code ▁} (U+2581) becomes a space and a byte piece
     * {@code <0xNN>} becomes the single byte NN.
     */
    public static byte[] fromSentencePiece(String piece) {
        if (piece.length() == 6 && piece.startsWith("<0x") && piece.endsWith(">")) {
            try {
                return new byte[] {(byte) Integer.parseInt(piece.substring(3, 5), 16)};
            } catch (NumberFormatException e) {
                // not a byte piece; fall through
            }
        }
        return piece.replace('\u2581', ' ').getBytes(StandardCharsets.UTF_8);
    }

    /** True for SentencePiece byte pieces such as {@code <0x0A>}. */
    public static boolean isBytePiece(String piece) {
        return piece.length() == 6
                && piece.startsWith("<0x")
                && piece.endsWith(">")
                && fromSentencePiece(piece).length == 1;
    }

    /**
     * Maps a WordPiece token to bytes: a continuation ({@code ##ing}) loses its prefix, a
     * word-initial token gains a leading space, so the bytes match the other families' convention.
     */
    public static byte[] fromWordPiece(String token, String continuingPrefix) {
        if (continuingPrefix != null
                && !continuingPrefix.isEmpty()
                && token.startsWith(continuingPrefix)
                && token.length() > continuingPrefix.length()) {
            return token.substring(continuingPrefix.length()).getBytes(StandardCharsets.UTF_8);
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(token.length() + 1);
        out.write(' ');
        out.writeBytes(token.getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }
}
