package dev.pedigree.attest.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pedigree.attest.AttestationReport;
import dev.pedigree.attest.ChainVerifier;
import dev.pedigree.attest.CheckResult;
import dev.pedigree.attest.Dsse;
import dev.pedigree.attest.Ed25519Keys;
import dev.pedigree.attest.Finding;
import dev.pedigree.attest.ForensicsLineageOracle;
import dev.pedigree.attest.InTotoStatement;
import dev.pedigree.attest.KeyFileException;
import dev.pedigree.attest.Ledger;
import dev.pedigree.attest.Status;
import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;
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
            "with a PUBLIC key, verify the statement in FILE (signature, subject, verdict). --registry: for now a directory of reference models."
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
            paramLabel = "DIR",
            description = "Directory of reference models step 0 must not derive from.")
    Path registry;

    @Option(names = "--json", paramLabel = "FILE", description = "Write the full report as JSON.")
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
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if ((statement == null) != (key == null)) {
            err.println("error: --statement and --key go together");
            return AttestExit.USAGE;
        }
        try {
            boolean signing = key != null && Ed25519Keys.typeOf(key).equals("PRIVATE KEY");
            PrivateKey priv = signing ? Ed25519Keys.readPrivate(key) : null;
            PublicKey pub = key != null && !signing ? Ed25519Keys.readPublic(key) : null;
            AttestationReport report = new ChainVerifier(new ForensicsLineageOracle(), threads)
                    .verify(new ChainVerifier.Request(ledger, release, registry));
            String signNote = null;
            if (pub != null) {
                report = report.withSignature(verifyStatement(statement, pub, report));
            } else if (priv != null) {
                if (report.verdict() == Status.PASS) {
                    List<Ledger.Line> lines = Ledger.read(ledger);
                    byte[] payload = InTotoStatement.of(
                            report,
                            lines.getLast().entry().entryHash(),
                            lines.getFirst().entry().step(),
                            Instant.now());
                    Dsse.Envelope env = Dsse.sign(Dsse.IN_TOTO, payload, priv);
                    Files.writeString(statement, env.toJson(), StandardCharsets.UTF_8);
                    signNote = "signed statement written to " + statement + " (key id "
                            + env.signatures().getFirst().keyid() + ")";
                } else {
                    signNote = "verification failed: no statement signed";
                }
            }
            if (json != null) {
                writeJson(report, json);
            }
            print(out, report);
            if (signNote != null) {
                out.println(signNote);
            }
            out.flush();
            return report.verdict() == Status.PASS ? AttestExit.PASS : AttestExit.VERIFY_FAILED;
        } catch (NoSuchFileException e) {
            err.println("error: no such file: " + e.getFile());
            return AttestExit.INPUT_ERROR;
        } catch (IOException | ModelFormatException | KeyFileException e) {
            err.println("error: " + e.getMessage());
            return AttestExit.INPUT_ERROR;
        }
    }

    static AttestationReport.SignatureCheck verifyStatement(Path file, PublicKey key, AttestationReport report)
            throws IOException {
        String keyid = Ed25519Keys.keyId(key);
        Dsse.Envelope env;
        try {
            if (Files.size(file) > 16 << 20) {
                return new AttestationReport.SignatureCheck(
                        file.toString(), false, keyid, "statement file is larger than 16 MiB");
            }
            env = Dsse.parse(Files.readAllBytes(file));
        } catch (Dsse.EnvelopeException e) {
            return new AttestationReport.SignatureCheck(
                    file.toString(), false, keyid, "not a DSSE envelope: " + e.getMessage());
        }
        if (!Dsse.IN_TOTO.equals(env.payloadType())) {
            return new AttestationReport.SignatureCheck(
                    file.toString(), false, keyid, "payloadType is " + env.payloadType() + ", not " + Dsse.IN_TOTO);
        }
        if (!Dsse.verify(env, key)) {
            return new AttestationReport.SignatureCheck(
                    file.toString(), false, keyid, "no signature verifies under key " + keyid);
        }
        String why = InTotoStatement.mismatch(env.payload(), report);
        return why == null
                ? new AttestationReport.SignatureCheck(
                        file.toString(),
                        true,
                        keyid,
                        "signature verifies; statement attests "
                                + report.subject().name() + " with verdict PASS")
                : new AttestationReport.SignatureCheck(file.toString(), false, keyid, "signature verifies but " + why);
    }

    static void writeJson(AttestationReport report, Path file) throws IOException {
        ObjectMapper m = new ObjectMapper()
                .setPropertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
                .enable(SerializationFeature.INDENT_OUTPUT);
        Files.writeString(file, m.writeValueAsString(report) + "\n", StandardCharsets.UTF_8);
    }

    static void print(PrintWriter out, AttestationReport r) {
        out.println("ledger " + r.ledger() + ": " + r.entries() + " entries (sha256 "
                + r.ledgerSha256().substring(0, 16) + ")");
        for (CheckResult c : r.checks()) {
            out.println(c.status() + "  " + c.id() + ": " + c.summary());
            if (c.status() == Status.FAIL) {
                List<Finding> f = c.failures();
                for (int i = 0; i < Math.min(5, f.size()); i++) {
                    out.println("        - " + f.get(i).subject() + " ["
                            + f.get(i).test() + "]: " + f.get(i).detail());
                }
                if (f.size() > 5) {
                    out.println("        - … " + (f.size() - 5) + " more failures (see --json)");
                }
            }
        }
        if (r.signature() != null) {
            out.println((r.signature().verified() ? "PASS" : "FAIL") + "  signature: "
                    + r.signature().detail());
        }
        if (r.subject() != null) {
            out.println("subject " + r.subject().name() + " model hash "
                    + r.subject().modelHash());
        }
        out.println("verdict: " + r.verdict() + (r.failedCheck() == null ? "" : " (" + r.failedCheck() + ")") + " — "
                + r.reason());
    }
}
