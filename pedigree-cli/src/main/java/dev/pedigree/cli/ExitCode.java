package dev.pedigree.cli;

/**
 * Process exit codes. Scripts depend on these numbers; they never change meaning.
 *
 * <pre>
 *  0  OK                 the command did what was asked (inspect, report, ...)
 *  1  INTERNAL_ERROR     a bug in Pedigree (please report it with --verbose output)
 *  2  USAGE              wrong command-line arguments
 *  3  INPUT_ERROR        an input is missing, unreadable, corrupt or unsupported
 *  4  UNSAFE_INPUT       an input asked for code execution or other unsafe behaviour and was refused
 * 10  SHARED_LINEAGE     compare/identify: weights share lineage with the reference
 * 11  INDEPENDENT        compare/identify: tests with power found no shared lineage
 * 12  INCONCLUSIVE       compare/identify: no test could decide (too small, no weights, ...)
 * </pre>
 */
public enum ExitCode {
    OK(0),
    INTERNAL_ERROR(1),
    USAGE(2),
    INPUT_ERROR(3),
    UNSAFE_INPUT(4),
    SHARED_LINEAGE(10),
    INDEPENDENT(11),
    INCONCLUSIVE(12),
    VERIFICATION_FAILED(20);

    private final int code;

    ExitCode(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** The table printed in {@code pedigree --help}. */
    public static String helpTable() {
        StringBuilder sb = new StringBuilder();
        for (ExitCode e : values()) {
            sb.append(String.format(java.util.Locale.ROOT, "  %2d  %s%n", e.code, e.name()));
        }
        return sb.toString();
    }
}
