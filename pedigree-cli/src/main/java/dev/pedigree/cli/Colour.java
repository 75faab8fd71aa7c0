package dev.pedigree.cli;

import java.io.PrintWriter;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Verdict words in colour on a terminal ({@link Terminal#colour()}): SHARED_LINEAGE and a related tokenizer (IDENTICAL,
 * DERIVED after "TOKENIZER ") in bold red, INDEPENDENT in bold green, INCONCLUSIVE in bold yellow; the attestation's
 * PASS green and FAIL and VERIFICATION_FAILED red. Only the words change: the text is the same with colour off.
 *
 * <p>The text goes through the escaping writer as always; only the escape sequences of the colours, which come from
 * here and never from an input, are written to the raw stream beneath it (the escaping writer does not buffer, so the
 * order holds).
 */
final class Colour {
    private Colour() {}

    private static final Pattern WORDS = Pattern.compile(
            "\\b(SHARED_LINEAGE|INDEPENDENT|INCONCLUSIVE|VERIFICATION_FAILED|PASS|FAIL|TOKENIZER (?:IDENTICAL|DERIVED|INDEPENDENT|ABSENT))\\b");

    static final String RESET = "\u001b[0m";

    /** The escape sequence that starts {@code word}'s colour. */
    static String of(String word) {
        return switch (word) {
            case "SHARED_LINEAGE", "TOKENIZER IDENTICAL", "TOKENIZER DERIVED" -> "\u001b[1;31m";
            case "INDEPENDENT", "TOKENIZER INDEPENDENT" -> "\u001b[1;32m";
            case "PASS" -> "\u001b[32m";
            case "FAIL", "VERIFICATION_FAILED" -> "\u001b[1;31m";
            default -> "\u001b[1;33m"; // INCONCLUSIVE, TOKENIZER ABSENT
        };
    }

    /**
     * Prints {@code text} to {@code out} (the escaping writer); with {@code colour}, each verdict word is wrapped in its
     * colour written to {@code raw} (the stream {@code out} writes to).
     */
    static void print(PrintWriter out, PrintWriter raw, String text, boolean colour) {
        if (!colour) {
            out.print(text);
            return;
        }
        Matcher m = WORDS.matcher(text);
        int last = 0;
        while (m.find()) {
            out.write(text, last, m.start() - last);
            out.flush();
            raw.write(of(m.group(1)));
            raw.write(m.group(1));
            raw.write(RESET);
            last = m.end();
        }
        out.write(text, last, text.length() - last);
        out.flush();
    }
}
