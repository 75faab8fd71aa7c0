package dev.pedigree.cli;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.report.TokenizerOnly;
import java.util.Locale;

/**
 * The one table of process exit codes, for every command. Scripts depend on these numbers; they
 * never change meaning. {@code pedigree --help} prints {@link #helpTable()}, so the help, the
 * commands and this enum cannot drift apart; the name is the one used everywhere (help, text,
 * README).
 */
public enum ExitCode {
    OK(0, "the command did what was asked"),
    INTERNAL_ERROR(1, "a bug in Pedigree (rerun with --verbose and report it)"),
    USAGE(2, "wrong command-line arguments"),
    INPUT_ERROR(3, "an input is missing, unreadable, corrupt or unsupported"),
    UNSAFE_INPUT(4, "an input asked for code execution or other unsafe behaviour and was refused"),
    SHARED_LINEAGE(
            10,
            "compare/identify: the weights share lineage with the reference (two tokenizers without weights: they are"
                    + " IDENTICAL or DERIVED)"),
    INDEPENDENT(
            11,
            "compare/identify: tests with power found no shared lineage (two tokenizers without weights: they are"
                    + " INDEPENDENT)"),
    INCONCLUSIVE(12, "compare/identify: no test could decide"),
    VERIFICATION_FAILED(20, "attest verify: a check failed or the statement did not verify (the output names it)");

    private final int code;
    private final String meaning;

    ExitCode(int code, String meaning) {
        this.code = code;
        this.meaning = meaning;
    }

    public int code() {
        return code;
    }

    /** One line: what the code means. */
    public String meaning() {
        return meaning;
    }

    /**
     * The exit code of a comparison: its verdict's, or for two tokenizers without weights the tokenizer relation's
     * ({@link TokenizerOnly}), which is then the answer.
     */
    public static ExitCode of(ComparisonResult r) {
        return of(TokenizerOnly.applies(r) ? TokenizerOnly.verdict(r.tokenizer()) : r.verdict());
    }

    /** The exit code of a lineage verdict (compare, identify). */
    public static ExitCode of(dev.pedigree.forensics.result.Verdict verdict) {
        return switch (verdict) {
            case SHARED_LINEAGE -> SHARED_LINEAGE;
            case INDEPENDENT -> INDEPENDENT;
            case INCONCLUSIVE -> INCONCLUSIVE;
        };
    }

    /** Width of the help's lines (picocli's default usage width): longer meanings wrap under themselves. */
    public static final int HELP_WIDTH = 80;

    /**
     * The table printed under "Exit codes:" in {@code pedigree --help}: one row per code (number,
     * name, meaning), meanings wrapped at {@link #HELP_WIDTH} columns under their own start.
     */
    public static String helpTable() {
        int width = 0;
        for (ExitCode e : values()) {
            width = Math.max(width, e.name().length());
        }
        String indent = " ".repeat(6 + width + 2);
        StringBuilder sb = new StringBuilder();
        for (ExitCode e : values()) {
            StringBuilder line =
                    new StringBuilder(String.format(Locale.ROOT, "  %2d  %-" + width + "s ", e.code, e.name()));
            for (String word : e.meaning.split(" ")) {
                if (line.length() + 1 + word.length() > HELP_WIDTH && line.length() > indent.length()) {
                    sb.append(line).append(System.lineSeparator());
                    line = new StringBuilder(indent).append(word);
                } else {
                    line.append(' ').append(word);
                }
            }
            sb.append(line).append(System.lineSeparator());
        }
        return sb.toString();
    }
}
