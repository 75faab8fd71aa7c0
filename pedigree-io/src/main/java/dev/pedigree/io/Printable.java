package dev.pedigree.io;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.Writer;

/**
 * Strings from a model file (tensor names, metadata, model names, the details of an error) may carry escape sequences,
 * carriage returns, newlines or NUL bytes that would rewrite the terminal, split one line into two or make a filter
 * such as {@code grep} treat the stream as binary. Everything Pedigree prints for a person passes through here: control
 * characters (C0, DEL, C1) and the bidirectional overrides become {@code \}{@code uXXXX} escapes, which read the same
 * in a JSON string, and a backslash stays as it is.
 *
 * <p>Stateless and thread-safe.
 */
public final class Printable {
    private Printable() {}

    /** {@code s} with every control character escaped, newlines and tabs included: one line of visible text. */
    public static String escape(String s) {
        if (s == null) {
            return "null";
        }
        int i = 0;
        while (i < s.length() && !unsafe(s.charAt(i), false)) {
            i++;
        }
        if (i == s.length()) {
            return s;
        }
        StringBuilder sb = new StringBuilder(s.length() + 16).append(s, 0, i);
        for (; i < s.length(); i++) {
            append(sb, s.charAt(i), false);
        }
        return sb.toString();
    }

    /** Whether {@code c} is escaped; {@code keepLines} spares the newline and the tab that terminal text is made of. */
    static boolean unsafe(char c, boolean keepLines) {
        if (c < 0x20) {
            return !(keepLines && (c == '\n' || c == '\t'));
        }
        return (c >= 0x7f && c <= 0x9f)
                || (c >= '\u202a' && c <= '\u202e')
                || (c >= '\u2066' && c <= '\u2069')
                || c == '\u200e'
                || c == '\u200f'
                || c == '\u061c';
    }

    private static void append(StringBuilder sb, char c, boolean keepLines) {
        if (unsafe(c, keepLines)) {
            sb.append("\\u").append(String.format(java.util.Locale.ROOT, "%04x", (int) c));
        } else {
            sb.append(c);
        }
    }

    /**
     * A writer for a terminal stream: escapes what {@link #escape} does except newlines and tabs, so that no file's
     * bytes reach the terminal as control sequences whichever command prints them.
     */
    public static Writer terminal(Writer out) {
        return new FilterWriter(out) {
            @Override
            public void write(int c) throws IOException {
                if (unsafe((char) c, true)) {
                    out.write(escapeOne((char) c));
                } else {
                    out.write(c);
                }
            }

            @Override
            public void write(char[] cbuf, int off, int len) throws IOException {
                int start = off;
                int end = off + len;
                for (int i = off; i < end; i++) {
                    if (unsafe(cbuf[i], true)) {
                        out.write(cbuf, start, i - start);
                        out.write(escapeOne(cbuf[i]));
                        start = i + 1;
                    }
                }
                out.write(cbuf, start, end - start);
            }

            @Override
            public void write(String str, int off, int len) throws IOException {
                char[] buf = new char[len];
                str.getChars(off, off + len, buf, 0);
                write(buf, 0, len);
            }
        };
    }

    private static String escapeOne(char c) {
        StringBuilder sb = new StringBuilder(6);
        append(sb, c, false);
        return sb.toString();
    }
}
