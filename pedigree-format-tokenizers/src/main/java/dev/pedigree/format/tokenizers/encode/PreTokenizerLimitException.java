package dev.pedigree.format.tokenizers.encode;

/**
 * A pre-tokenizer regex from a tokenizer file read more of one text than its step budget allows
 * (catastrophic backtracking, such as {@code (a+)+$}): the text cannot be encoded the way the
 * tokenizer defines, so encoding stops instead of running for minutes or silently keeping a piece
 * whole. Thrown by {@link Encoder#encode}; {@link LanguageFitness} turns it into an input error
 * naming the corpus line. Unchecked because encoding is otherwise infallible.
 */
public final class PreTokenizerLimitException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final String regex;
    private final long steps;
    private final int textLength;

    /**
     * @param stackOverflow the regex engine recursed too deep (before the steps ran out)
     */
    PreTokenizerLimitException(String regex, long steps, int textLength, boolean stackOverflow) {
        super("pre-tokenizer regex '" + abbreviate(regex) + "' gave up "
                + (stackOverflow
                        ? "when it recursed too deep in the regex engine"
                        : "after " + steps + " regex steps (catastrophic backtracking)")
                + " on a text of " + textLength + " characters");
        this.regex = regex;
        this.steps = steps;
        this.textLength = textLength;
    }

    /** The regex that ran out of steps. */
    public String regex() {
        return regex;
    }

    /** The step budget of the text (exhausted, unless the engine recursed too deep first). */
    public long steps() {
        return steps;
    }

    /** Characters in the text being encoded. */
    public int textLength() {
        return textLength;
    }

    private static String abbreviate(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        StringBuilder b = new StringBuilder(t.length());
        t.codePoints().forEach(c -> {
            if (c < 0x20 || c == 0x7f || (c >= 0x80 && c < 0xa0)) {
                b.append(String.format("\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }
}
