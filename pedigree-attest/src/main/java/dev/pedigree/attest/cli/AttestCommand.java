package dev.pedigree.attest.cli;

import java.io.PrintWriter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code pedigree attest}: prove "trained from scratch" with a hash-chained ledger of checkpoints
 * (see {@link dev.pedigree.attest.ChainVerifier}). Subcommands print one {@code error:} line and
 * return {@link AttestExit#INPUT_ERROR} for bad inputs themselves, so the command behaves the same
 * standalone and registered under the main CLI.
 */
@Command(
        name = "attest",
        mixinStandardHelpOptions = true,
        description = {
            "Training-lineage attestation: record checkpoints into an append-only, hash-chained ledger while training,",
            "then verify that step 0 was a fresh initialisation, that every checkpoint continues the previous one,",
            "and that the release comes from the last checkpoint; sign the result as an in-toto statement in a DSSE envelope."
        },
        subcommands = {RecordCommand.class, VerifyCommand.class, KeygenCommand.class},
        footerHeading = "%nExit codes:%n",
        footer = {
            "   0  PASS            the command succeeded; verify: every check passed",
            "   2  USAGE           wrong command-line arguments",
            "   3  INPUT_ERROR     an input is missing, unreadable, corrupt or unsupported",
            "  20  VERIFY_FAILED   verify: a check failed or the statement did not verify"
        })
public final class AttestCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: record, verify or keygen");
    }

    /** Runs {@code attest ARGS...} standalone and returns the exit code (used by tests). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new AttestCommand());
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler((ex, a) -> {
            err.println("error: " + ex.getMessage());
            err.flush();
            return AttestExit.USAGE;
        });
        int code = cl.execute(args);
        out.flush();
        err.flush();
        return code;
    }

    public static void main(String[] args) {
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }
}
