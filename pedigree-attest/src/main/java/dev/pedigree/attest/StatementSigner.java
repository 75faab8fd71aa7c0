package dev.pedigree.attest;

import dev.pedigree.io.CorruptModelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Instant;
import java.util.List;

/**
 * The signing workflow of {@code attest verify --statement FILE --key KEY}: the key's type
 * decides. With a private key (PKCS#8 PEM) a passing verification is signed as an in-toto
 * statement ({@link InTotoStatement}) in a DSSE envelope ({@link Dsse}) written to the statement
 * file, and a failing one is not signed. With a public key (X.509 PEM) the existing statement is
 * verified (size, envelope, payload type, signature, then subject and verdict against this
 * verification) and the outcome folded into the report ({@link AttestationReport#withSignature}).
 *
 * <p>The key is read by {@link #forKey} before the (expensive) verification, so that a bad key
 * fails first.
 */
public final class StatementSigner {
    /** Largest statement file read. */
    static final long MAX_STATEMENT_BYTES = 16 << 20;

    private final Path statement;
    private final PrivateKey signingKey;
    private final PublicKey verifyingKey;

    private StatementSigner(Path statement, PrivateKey signingKey, PublicKey verifyingKey) {
        this.statement = statement;
        this.signingKey = signingKey;
        this.verifyingKey = verifyingKey;
    }

    /**
     * Reads {@code key}: a private key signs into {@code statement}, a public key verifies it.
     *
     * @throws KeyFileException if the key file is not an Ed25519 PEM key of either kind
     */
    public static StatementSigner forKey(Path statement, Path key) throws IOException, KeyFileException {
        boolean signing = Ed25519Keys.typeOf(key).equals("PRIVATE KEY");
        return signing
                ? new StatementSigner(statement, Ed25519Keys.readPrivate(key), null)
                : new StatementSigner(statement, null, Ed25519Keys.readPublic(key));
    }

    /** Whether this signer signs (a private key) rather than verifies (a public key). */
    public boolean signs() {
        return signingKey != null;
    }

    /**
     * What {@link #apply} did.
     *
     * @param report the verification, with the statement's verification folded in when verifying
     * @param signed the envelope written when signing a passing verification; null otherwise
     */
    public record Outcome(AttestationReport report, Signed signed) {}

    /** A statement written: where, and the id of the key that signed it. */
    public record Signed(Path statement, String keyid) {}

    /**
     * Signs a passing {@code report} of {@code ledger} into the statement file (private key), or
     * verifies the statement file against {@code report} (public key).
     */
    public Outcome apply(AttestationReport report, Path ledger) throws IOException, CorruptModelException {
        if (verifyingKey != null) {
            return new Outcome(report.withSignature(verify(statement, verifyingKey, report)), null);
        }
        if (report.verdict() != Status.PASS) {
            return new Outcome(report, null);
        }
        List<Ledger.Line> lines = Ledger.read(ledger);
        byte[] payload = InTotoStatement.of(
                report,
                lines.getLast().entry().entryHash(),
                lines.getFirst().entry().step(),
                Instant.now());
        Dsse.Envelope env = Dsse.sign(Dsse.IN_TOTO, payload, signingKey);
        Files.writeString(statement, env.toJson(), StandardCharsets.UTF_8);
        return new Outcome(
                report, new Signed(statement, env.signatures().getFirst().keyid()));
    }

    /** Verifies the statement in {@code file} under {@code key} against {@code report}. */
    static AttestationReport.SignatureCheck verify(Path file, PublicKey key, AttestationReport report)
            throws IOException {
        String keyid = Ed25519Keys.keyId(key);
        Dsse.Envelope env;
        try {
            if (Files.size(file) > MAX_STATEMENT_BYTES) {
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
}
