package dev.pedigree.attest;

import java.util.List;
import java.util.Objects;

/**
 * The result of {@code pedigree attest verify}: the verdict, the check that failed first and why,
 * every check with its evidence, the attested subject and (when a statement was verified) the
 * signature's outcome. Immutable; serialised as JSON with snake_case names.
 *
 * @param schema {@link #SCHEMA}
 * @param verdict PASS only when every check that ran passed and any statement given verified
 * @param failedCheck id of the first failed check, or null
 * @param reason one line: why the verdict is what it is
 * @param ledger the ledger's path
 * @param ledgerSha256 SHA-256 of the ledger file's bytes
 * @param entries entries read
 * @param subject what the attestation is about: the release when it was verified, otherwise the
 *     last checkpoint; null when the ledger could not be read
 * @param signature the verified statement, or null when none was given
 */
public record AttestationReport(
        String schema,
        Status verdict,
        String failedCheck,
        String reason,
        String ledger,
        String ledgerSha256,
        int entries,
        Subject subject,
        List<CheckResult> checks,
        SignatureCheck signature) {
    public static final String SCHEMA = "pedigree/attest-verify/v1";

    public AttestationReport {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(reason, "reason");
        checks = List.copyOf(checks);
    }

    /**
     * The attested model.
     *
     * @param name file name of the release or the last checkpoint
     * @param modelHash its {@link ModelHash}
     * @param step the last checkpoint's step
     */
    public record Subject(String name, String modelHash, long step) {}

    /**
     * The outcome of verifying a signed statement.
     *
     * @param verified signature valid for the key, payload an in-toto statement of this predicate
     *     type whose subject and verdict match this verification
     * @param keyid the key's id (SHA-256 of its SubjectPublicKeyInfo)
     * @param detail why it did or did not verify
     */
    public record SignatureCheck(String statement, boolean verified, String keyid, String detail) {}

    /** The check with this id, if it ran. */
    public java.util.Optional<CheckResult> check(String id) {
        return checks.stream().filter(c -> c.id().equals(id)).findFirst();
    }

    /** A copy with a statement's verification folded into the verdict. */
    public AttestationReport withSignature(SignatureCheck s) {
        Status v = verdict;
        String failed = failedCheck;
        String why = reason;
        if (verdict == Status.PASS && !s.verified()) {
            v = Status.FAIL;
            failed = "signature";
            why = "statement " + s.statement() + " does not verify: " + s.detail();
        }
        return new AttestationReport(schema, v, failed, why, ledger, ledgerSha256, entries, subject, checks, s);
    }
}
