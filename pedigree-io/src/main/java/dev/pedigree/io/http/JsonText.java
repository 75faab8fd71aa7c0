package dev.pedigree.io.http;

import dev.pedigree.io.CorruptModelException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small strict JSON parser for the index and header files this package must read without a JSON
 * library. Objects become {@link LinkedHashMap}s (duplicate keys are rejected), arrays {@link
 * ArrayList}s, numbers {@link Long} or {@link BigDecimal}, {@code null} becomes {@link #NULL}.
 * Errors are {@link CorruptModelException}s naming the source and the absolute byte offset. Nesting
 * is limited, so hostile input cannot exhaust the stack.
 */
final class JsonText {
    /** The JSON {@code null} literal. */
    static final Object NULL = new Object() {
        @Override
        public String toString() {
            return "null";
        }
    };

    private static final int MAX_DEPTH = 64;

    private final byte[] in;
    private final String source;
    private final long base;
    private int pos;

    private JsonText(byte[] in, String source, long base) {
        this.in = in;
        this.source = source;
        this.base = base;
    }

    /**
     * Parses one JSON value that fills {@code utf8} (surrounding whitespace allowed).
     *
     * @param base the file offset of {@code utf8[0]}, added to offsets in error messages
     */
    static Object parse(byte[] utf8, String source, long base) throws CorruptModelException {
        JsonText p = new JsonText(utf8, source, base);
        p.skipSpace();
        Object v = p.value(0);
        p.skipSpace();
        if (p.pos != utf8.length) {
            throw p.error("unexpected data after the JSON value");
        }
        return v;
    }

    private CorruptModelException error(String detail) {
        return new CorruptModelException(source, base + pos, "malformed JSON: " + detail);
    }

    private void skipSpace() {
        while (pos < in.length && (in[pos] == ' ' || in[pos] == '\t' || in[pos] == '\n' || in[pos] == '\r')) {
            pos++;
        }
    }

    private Object value(int depth) throws CorruptModelException {
        if (depth > MAX_DEPTH) {
            throw error("nesting deeper than " + MAX_DEPTH);
        }
        if (pos >= in.length) {
            throw error("unexpected end of input");
        }
        return switch (in[pos]) {
            case '{' -> object(depth);
            case '[' -> array(depth);
            case '"' -> string();
            case 't' -> literal("true", Boolean.TRUE);
            case 'f' -> literal("false", Boolean.FALSE);
            case 'n' -> literal("null", NULL);
            default -> number();
        };
    }

    private Object literal(String word, Object result) throws CorruptModelException {
        for (int i = 0; i < word.length(); i++) {
            if (pos + i >= in.length || in[pos + i] != word.charAt(i)) {
                throw error("unknown literal");
            }
        }
        pos += word.length();
        return result;
    }

    private Map<String, Object> object(int depth) throws CorruptModelException {
        pos++;
        Map<String, Object> map = new LinkedHashMap<>();
        skipSpace();
        if (pos < in.length && in[pos] == '}') {
            pos++;
            return map;
        }
        while (true) {
            skipSpace();
            if (pos >= in.length || in[pos] != '"') {
                throw error("expected a string key");
            }
            int keyAt = pos;
            String key = string();
            skipSpace();
            expect(':');
            skipSpace();
            Object v = value(depth + 1);
            if (map.putIfAbsent(key, v) != null) {
                pos = keyAt;
                throw error("duplicate key \"" + key + "\"");
            }
            skipSpace();
            if (pos < in.length && in[pos] == ',') {
                pos++;
                continue;
            }
            expect('}');
            return map;
        }
    }

    private List<Object> array(int depth) throws CorruptModelException {
        pos++;
        List<Object> list = new ArrayList<>();
        skipSpace();
        if (pos < in.length && in[pos] == ']') {
            pos++;
            return list;
        }
        while (true) {
            skipSpace();
            list.add(value(depth + 1));
            skipSpace();
            if (pos < in.length && in[pos] == ',') {
                pos++;
                continue;
            }
            expect(']');
            return list;
        }
    }

    private void expect(char c) throws CorruptModelException {
        if (pos >= in.length || in[pos] != c) {
            throw error("expected '" + c + "'");
        }
        pos++;
    }

    private String string() throws CorruptModelException {
        int start = pos;
        pos++;
        StringBuilder sb = null;
        int runStart = pos;
        while (true) {
            if (pos >= in.length) {
                pos = start;
                throw error("unterminated string");
            }
            byte b = in[pos];
            if (b == '"') {
                String tail = decode(runStart, pos);
                pos++;
                return sb == null ? tail : sb.append(tail).toString();
            }
            if ((b & 0xff) < 0x20) {
                throw error("control character in string");
            }
            if (b == '\\') {
                if (sb == null) {
                    sb = new StringBuilder();
                }
                sb.append(decode(runStart, pos));
                pos++;
                if (pos >= in.length) {
                    throw error("unterminated escape");
                }
                byte e = in[pos++];
                switch (e) {
                    case '"' -> sb.append('"');
                    case '\\' -> sb.append('\\');
                    case '/' -> sb.append('/');
                    case 'b' -> sb.append('\b');
                    case 'f' -> sb.append('\f');
                    case 'n' -> sb.append('\n');
                    case 'r' -> sb.append('\r');
                    case 't' -> sb.append('\t');
                    case 'u' -> {
                        if (pos + 4 > in.length) {
                            throw error("truncated \\u escape");
                        }
                        int cp = 0;
                        for (int i = 0; i < 4; i++) {
                            int d = Character.digit(in[pos + i], 16);
                            if (d < 0) {
                                throw error("bad hex digit in \\u escape");
                            }
                            cp = cp * 16 + d;
                        }
                        pos += 4;
                        sb.append((char) cp);
                    }
                    default -> {
                        pos--;
                        throw error("unknown escape");
                    }
                }
                runStart = pos;
                continue;
            }
            pos++;
        }
    }

    private String decode(int from, int to) throws CorruptModelException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(in, from, to - from))
                    .toString();
        } catch (CharacterCodingException e) {
            pos = from;
            throw error("invalid UTF-8 in string");
        }
    }

    private Object number() throws CorruptModelException {
        int start = pos;
        if (pos < in.length && in[pos] == '-') pos++;
        int digits = pos;
        while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') pos++;
        if (pos == digits) {
            throw error("unexpected character");
        }
        boolean integral = true;
        if (pos < in.length && in[pos] == '.') {
            integral = false;
            pos++;
            int frac = pos;
            while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') pos++;
            if (pos == frac) throw error("digit expected after '.'");
        }
        if (pos < in.length && (in[pos] == 'e' || in[pos] == 'E')) {
            integral = false;
            pos++;
            if (pos < in.length && (in[pos] == '+' || in[pos] == '-')) pos++;
            int exp = pos;
            while (pos < in.length && in[pos] >= '0' && in[pos] <= '9') pos++;
            if (pos == exp) throw error("digit expected in exponent");
        }
        if (pos - start > 400) {
            pos = start;
            throw error("number literal too long");
        }
        String text = new String(in, start, pos - start, StandardCharsets.US_ASCII);
        try {
            if (integral) {
                BigInteger bi = new BigInteger(text);
                return bi.bitLength() < 64 ? (Object) bi.longValue() : new BigDecimal(bi);
            }
            return new BigDecimal(text);
        } catch (NumberFormatException | ArithmeticException e) {
            pos = start;
            throw error("number out of range");
        }
    }
}
