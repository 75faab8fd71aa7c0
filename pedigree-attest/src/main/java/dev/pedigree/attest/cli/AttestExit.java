package dev.pedigree.attest.cli;

/**
 * Exit codes of {@code pedigree attest}; they match the main CLI's table.
 *
 * <pre>
 *  0  PASS           record/keygen succeeded; verify: every check passed (and the statement verified)
 *  2  USAGE          wrong command-line arguments (picocli)
 *  3  INPUT_ERROR    an input is missing, unreadable, corrupt or unsupported
 * 20  VERIFY_FAILED  verify: a check failed or the statement did not verify
 * </pre>
 */
public final class AttestExit {
    public static final int PASS = 0;
    public static final int USAGE = 2;
    public static final int INPUT_ERROR = 3;
    public static final int VERIFY_FAILED = 20;

    private AttestExit() {}
}
