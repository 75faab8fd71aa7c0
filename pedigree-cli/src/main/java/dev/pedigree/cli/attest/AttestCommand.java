package dev.pedigree.cli.attest;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code pedigree attest}: prove "trained from scratch" with a hash-chained ledger of checkpoints
 * (see {@link dev.pedigree.attest.ChainVerifier}). The subcommands throw to the one handler of
 * {@link dev.pedigree.cli.Main}; exit codes are {@link dev.pedigree.cli.ExitCode}'s (a failed
 * verification is {@code VERIFICATION_FAILED}).
 */
@Command(
        name = "attest",
        mixinStandardHelpOptions = true,
        description = {
            "Training-lineage attestation: record checkpoints into an append-only, hash-chained ledger while training,",
            "then verify that step 0 was a fresh initialisation, that every checkpoint continues the previous one,",
            "and that the release comes from the last checkpoint; sign the result as an in-toto statement in a DSSE envelope.",
            "Exit codes: see 'pedigree --help'."
        },
        subcommands = {RecordCommand.class, VerifyCommand.class, KeygenCommand.class})
public final class AttestCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing subcommand: record, verify or keygen");
    }
}
