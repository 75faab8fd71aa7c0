package dev.pedigree.format.pytorch;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.util.Optional;

/**
 * The Python literal syntax that protocol-0 pickles carry as text, parsed the way CPython's
 * unpickler parses it: {@code int(text, base)} for INT, LONG, GET and PUT, {@code float(text)} for
 * FLOAT, {@code codecs.escape_decode} for STRING and the {@code raw-unicode-escape} codec for
 * UNICODE. Anything CPython would reject is empty, so the caller reports it as corrupt. Stateless.
 */
final class PythonLiterals {
    private PythonLiterals() {}

    /** Characters {@code str.strip()} and {@code int()} treat as white space in ASCII text. */
    private static boolean space(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f);
    }

    private static String strip(String s) {
        int a = 0;
        int b = s.length();
        while (a < b && space(s.charAt(a))) {
            a++;
        }
        while (b > a && space(s.charAt(b - 1))) {
            b--;
        }
        return s.substring(a, b);
    }

    /**
     * {@code int(text, base)} for base 0 (prefixes {@code 0x}, {@code 0o}, {@code 0b}; otherwise
     * decimal without leading zeros) or 10, with sign, surrounding white space and single
     * underscores between digits; at most {@code maxDigits} digits.
     */
    static Optional<BigInteger> parseInt(String text, int base, int maxDigits) {
        String s = strip(text);
        boolean negative = false;
        if (!s.isEmpty() && (s.charAt(0) == '+' || s.charAt(0) == '-')) {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        int radix = 10;
        boolean prefixed = false;
        if (base == 0 && s.length() >= 2 && s.charAt(0) == '0') {
            char p = Character.toLowerCase(s.charAt(1));
            radix = switch (p) {
                case 'x' -> 16;
                case 'o' -> 8;
                case 'b' -> 2;
                default -> 10;
            };
            if (radix != 10) {
                s = s.substring(2);
                prefixed = true;
            }
        }
        if (base != 0 && base != 10 && s.length() >= 2 && s.charAt(0) == '0') {
            char p = Character.toLowerCase(s.charAt(1));
            if ((base == 16 && p == 'x') || (base == 8 && p == 'o') || (base == 2 && p == 'b')) {
                s = s.substring(2);
                prefixed = true;
            }
            radix = base;
        } else if (base != 0) {
            radix = base;
        }
        // after a base prefix one underscore may precede the first digit ("0x_1f")
        if (prefixed && s.startsWith("_")) {
            s = s.substring(1);
        }
        if (s.isEmpty() || s.startsWith("_") || s.endsWith("_") || s.contains("__")) {
            return Optional.empty();
        }
        String digits = s.replace("_", "");
        if (digits.length() > maxDigits) {
            return Optional.empty();
        }
        for (int i = 0; i < digits.length(); i++) {
            if (Character.digit(digits.charAt(i), radix) < 0 || digits.charAt(i) > 0x7f) {
                return Optional.empty();
            }
        }
        if (base == 0 && radix == 10 && digits.length() > 1 && digits.charAt(0) == '0') {
            // base 0 forbids leading zeros unless the number is all zeros
            if (!digits.chars().allMatch(c -> c == '0')) {
                return Optional.empty();
            }
        }
        BigInteger v = new BigInteger(digits, radix);
        return Optional.of(negative ? v.negate() : v);
    }

    /** {@code float(text)}: decimal or exponent notation, {@code inf}, {@code infinity}, {@code nan}. */
    static Optional<Double> parseFloat(String text) {
        String s = strip(text);
        String body = s.startsWith("+") || s.startsWith("-") ? s.substring(1) : s;
        double sign = s.startsWith("-") ? -1 : 1;
        String lower = body.toLowerCase(java.util.Locale.ROOT);
        if (lower.equals("inf") || lower.equals("infinity")) {
            return Optional.of(sign * Double.POSITIVE_INFINITY);
        }
        if (lower.equals("nan")) {
            return Optional.of(Double.NaN);
        }
        if (!body.matches("(?:[0-9](?:_?[0-9])*)?(?:\\.(?:[0-9](?:_?[0-9])*)?)?(?:[eE][+-]?[0-9](?:_?[0-9])*)?")
                || !body.matches(".*[0-9].*")
                || body.startsWith("e")
                || body.startsWith("E")
                || body.startsWith(".e")
                || body.startsWith(".E")) {
            return Optional.empty();
        }
        return Optional.of(sign * Double.parseDouble(body.replace("_", "")));
    }

    /**
     * {@code codecs.escape_decode} of {@code b[from, to)}: backslash escapes {@code \\ \' \" \a \b
     * \f \n \r \t \v}, octal {@code \ooo}, {@code \xhh} (exactly two hex digits), a backslash-newline
     * that continues the line, and any other backslash kept as it is.
     */
    static Optional<byte[]> escapeDecode(byte[] b, int from, int to) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(to - from);
        for (int i = from; i < to; i++) {
            int c = b[i] & 0xFF;
            if (c != '\\') {
                out.write(c);
                continue;
            }
            if (++i >= to) {
                return Optional.empty(); // CPython: "Trailing \ in string"
            }
            int e = b[i] & 0xFF;
            switch (e) {
                case '\n' -> {}
                case '\\', '\'', '"' -> out.write(e);
                case 'a' -> out.write(7);
                case 'b' -> out.write(8);
                case 'f' -> out.write(12);
                case 'n' -> out.write(10);
                case 'r' -> out.write(13);
                case 't' -> out.write(9);
                case 'v' -> out.write(11);
                case '0', '1', '2', '3', '4', '5', '6', '7' -> {
                    int v = e - '0';
                    for (int k = 0; k < 2 && i + 1 < to && b[i + 1] >= '0' && b[i + 1] <= '7'; k++) {
                        v = v * 8 + (b[++i] - '0');
                    }
                    out.write(v & 0xFF);
                }
                case 'x' -> {
                    int hi = i + 1 < to ? Character.digit(b[i + 1], 16) : -1;
                    int lo = i + 2 < to ? Character.digit(b[i + 2], 16) : -1;
                    if (hi < 0 || lo < 0) {
                        return Optional.empty();
                    }
                    out.write(hi * 16 + lo);
                    i += 2;
                }
                default -> {
                    out.write('\\');
                    out.write(e);
                }
            }
        }
        return Optional.of(out.toByteArray());
    }

    /**
     * The {@code raw-unicode-escape} codec: bytes are Latin-1 characters, except that {@code \\uXXXX}
     * and {@code \\UXXXXXXXX} after an odd number of backslashes are code points.
     */
    static Optional<String> rawUnicodeEscape(byte[] b) {
        StringBuilder out = new StringBuilder(b.length);
        int i = 0;
        while (i < b.length) {
            char c = (char) (b[i] & 0xFF);
            if (c != '\\') {
                out.append(c);
                i++;
                continue;
            }
            int run = 0;
            while (i < b.length && b[i] == '\\') {
                out.append('\\');
                run++;
                i++;
            }
            if (run % 2 == 0 || i >= b.length || (b[i] != 'u' && b[i] != 'U')) {
                continue;
            }
            out.setLength(out.length() - 1);
            int digits = b[i] == 'u' ? 4 : 8;
            i++;
            int cp = 0;
            for (int k = 0; k < digits; k++, i++) {
                int d = i < b.length ? Character.digit(b[i], 16) : -1;
                if (d < 0) {
                    return Optional.empty();
                }
                cp = cp * 16 + d;
                if (cp > 0x10FFFF || cp < 0) {
                    return Optional.empty();
                }
            }
            out.appendCodePoint(cp);
        }
        return Optional.of(out.toString());
    }
}
