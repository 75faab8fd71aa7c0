package dev.pedigree.format.tokenizers.encode;

import java.util.Objects;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * One regex step of a pre-tokenizer, with the Hugging Face {@code Split} semantics: the text is cut
 * into the regex's matches and the gaps between them, and {@link Behavior} says what is kept.
 * Several rules apply in sequence, each to every piece the previous rule left (llama.cpp's list of
 * regexes per {@code tokenizer.ggml.pre} works the same way with {@link Behavior#ISOLATED}).
 * Immutable and thread-safe.
 *
 * @param regex the pattern in the Oniguruma / fancy-regex dialect of the source file; Java's
 *     dialect agrees for the constructs tokenizers use ({@code \p{L}}, {@code \p{N}}, lookahead,
 *     {@code (?i:...)}, possessive quantifiers) once compiled with {@link
 *     Pattern#UNICODE_CHARACTER_CLASS} so that {@code \s} is Unicode white space
 * @param behavior what happens to the matches
 * @param invert when true the gaps play the role of the matches
 */
public record SplitRule(String regex, Behavior behavior, boolean invert) {

    /** Hugging Face {@code SplitDelimiterBehavior}. */
    public enum Behavior {
        /** Matches and gaps become separate pieces. */
        ISOLATED,
        /** Matches are dropped, gaps kept. */
        REMOVED,
        /** Each match is appended to the piece before it. */
        MERGED_WITH_PREVIOUS,
        /** Each match is prepended to the piece after it. */
        MERGED_WITH_NEXT,
        /** Runs of adjacent matches become one piece. */
        CONTIGUOUS
    }

    public SplitRule {
        Objects.requireNonNull(regex);
        Objects.requireNonNull(behavior);
    }

    /** An isolating rule: matches and gaps both kept (the common case). */
    public static SplitRule isolated(String regex) {
        return new SplitRule(regex, Behavior.ISOLATED, false);
    }

    /**
     * Compiles the regex with Unicode character classes.
     *
     * @throws PatternSyntaxException if Java cannot compile the pattern
     */
    Pattern compile() {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }
}
