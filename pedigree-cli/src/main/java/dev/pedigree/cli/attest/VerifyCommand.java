package dev.pedigree.cli.attest;

import dev.pedigree.attest.AttestationReport;
import dev.pedigree.attest.ChainVerifier;
import dev.pedigree.attest.ForensicsLineageOracle;
import dev.pedigree.attest.StatementSigner;
import dev.pedigree.attest.Status;
import dev.pedigree.cli.CliException;
import dev.pedigree.cli.ExitCode;
import dev.pedigree.cli.JsonOption;
import dev.pedigree.cli.Main;
import dev.pedigree.cli.Progress;
import dev.pedigree.report.attest.AttestJson;
import dev.pedigree.report.attest.AttestText;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code attest verify LEDGER [--release MODEL] [--registry DIR] [--json FILE] [--statement FILE
 * --key KEY]}. With a private key, a passing verification is signed and written to the statement
 * file; with a public key, the existing statement's signature is verified and its subject and
 * verdict are matched against this verification.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Verify a training ledger: hash chain, fresh initialisation at step 0 (and no lineage with registry models), continuity of every checkpoint, release from the last checkpoint.",
            "--statement FILE --key KEY: with a PRIVATE key, sign a passing result as an in-toto statement in a DSSE envelope written to FILE;",
            "with a PUBLIC key, verify the statement in FILE (signature, subject, verdict).",
            "--registry DB: identify's registry database (step 0 is identified against it as 'pedigree identify' would), or a directory of reference models."
        })
public final class VerifyCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "LEDGER", description = "The ledger file.")
    Path ledger;

    @Option(names = "--release", paramLabel = "MODEL", description = "The released model (file or directory).")
    Path release;

    @Option(
            names = "--registry",
            paramLabel = "DB",
            description =
                    "Models step 0 must not derive from: the registry database of 'pedigree identify' (e.g. ~/.local/share/pedigree/registry.db), or a directory of reference models.")
    Path registry;

    @Option(
            names = "--json",
            paramLabel = "FILE",
            description = "Write the full report as JSON; - writes it to standard output instead of the summary.")
    Path json;

    @Option(
            names = "--statement",
            paramLabel = "FILE",
            description = "DSSE envelope to write (with a private --key) or verify (with a public --key).")
    Path statement;

    @Option(
            names = "--key",
            paramLabel = "KEY",
            description = "Ed25519 key: PKCS#8 PEM private key to sign, X.509 PEM public key to verify.")
    Path key;

    @Option(
            names = "--threads",
            defaultValue = "4",
            paramLabel = "N",
            description = "Hashing threads for the release and registry (default ${DEFAULT-VALUE}).")
    int threads;

    @Override
    public Integer call() throws Exception {
        if ((statement == null) != (key == null)) {
            throw new CliException(ExitCode.USAGE, "--statement and --key go together");
        }
        StatementSigner signer = key == null ? null : StatementSigner.forKey(statement, key);
        AttestationReport report;
        try (Progress progress = Main.of(spec).progress("attest verify")) {
            report = new ChainVerifier(new ForensicsLineageOracle(), threads, new RegistryDatabaseCheck())
                    .withStages(progress::phase)
                    .verify(new ChainVerifier.Request(ledger, release, registry));
        }
        StatementSigner.Outcome signed = signer == null ? null : signer.apply(report, ledger);
        if (signed != null) {
            report = signed.report();
        }
        PrintWriter out = spec.commandLine().getOut();
        boolean toStdout = JsonOption.toStdout(json);
        if (toStdout) {
            out.print(AttestJson.write(report));
        } else if (json != null) {
            AttestJson.write(report, json);
        }
        StringBuilder text = new StringBuilder();
        if (!toStdout) {
            text.append(AttestText.render(report));
        }
        if (signer != null && signer.signs()) {
            // with --json -, standard output carries only the JSON
            if (toStdout) {
                spec.commandLine().getErr().print(AttestText.signing(signed));
            } else {
                text.append(AttestText.signing(signed));
            }
        }
        // PASS, FAIL and the verdict coloured on a terminal
        Main.of(spec).print(spec, text.toString());
        spec.commandLine().getErr().flush();
        return (report.verdict() == Status.PASS ? ExitCode.OK : ExitCode.VERIFICATION_FAILED).code();
    }
}
