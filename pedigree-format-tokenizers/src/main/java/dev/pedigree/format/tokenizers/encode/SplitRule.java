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
     * Longest pre-tokenizer regex accepted from a file: the longest real one (DeepSeek's letter
     * classes) is about 1.5 KB; java.util.regex compiles recursively, so a regex of nested groups
     * deep enough overflows the stack.
     */
    public static final int MAX_REGEX_CHARS = 16_384;

    /**
     * Compiles the regex with Unicode character classes.
     *
     * @throws PatternSyntaxException if Java cannot compile the pattern
     */
    Pattern compile() {
        return Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
    }

    /**
     * Why {@code regex} (from a tokenizer file) cannot be used, or empty if it compiles: longer than
     * {@link #MAX_REGEX_CHARS}, not valid in Java's dialect, or nested too deeply to compile.
     */
    public static java.util.Optional<String> problem(String regex) {
        if (regex.length() > MAX_REGEX_CHARS) {
            return java.util.Optional.of(
                    "is " + regex.length() + " characters long, more than the " + MAX_REGEX_CHARS + " accepted");
        }
        try {
            Pattern.compile(regex, Pattern.UNICODE_CHARACTER_CLASS);
            return java.util.Optional.empty();
        } catch (PatternSyntaxException e) {
            return java.util.Optional.of("does not compile in Java: " + e.getDescription());
        } catch (StackOverflowError e) {
            return java.util.Optional.of("is nested too deeply to compile");
        }
    }
}
