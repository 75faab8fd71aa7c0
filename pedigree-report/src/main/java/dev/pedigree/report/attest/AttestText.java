package dev.pedigree.report.attest;

import dev.pedigree.attest.AttestationReport;
import dev.pedigree.attest.CheckResult;
import dev.pedigree.attest.Finding;
import dev.pedigree.attest.StatementSigner;
import dev.pedigree.attest.Status;
import java.util.List;

/**
 * The terminal summary of {@code attest verify}: the ledger, one line per check (with up to five
 * failures each), the signature's outcome, the subject and the verdict. Computes nothing.
 * Stateless.
 */
public final class AttestText {
    /** Failures listed under a failed check; the rest are counted (the JSON has them all). */
    static final int FAILURES_SHOWN = 5;

    private AttestText() {}

    /** The summary, one line each ending in the system's line separator. */
    public static String render(AttestationReport r) {
        Lines out = new Lines();
        out.line("ledger " + r.ledger() + ": " + r.entries() + " entries (sha256 "
                + r.ledgerSha256().substring(0, 16) + ")");
        for (CheckResult c : r.checks()) {
            out.line(c.status() + "  " + c.id() + ": " + c.summary());
            if (c.status() == Status.FAIL) {
                List<Finding> f = c.failures();
                for (int i = 0; i < Math.min(FAILURES_SHOWN, f.size()); i++) {
                    out.line("        - " + f.get(i).subject() + " [" + f.get(i).test() + "]: "
                            + f.get(i).detail());
                }
                if (f.size() > FAILURES_SHOWN) {
                    out.line("        - … " + (f.size() - FAILURES_SHOWN) + " more failures (see --json)");
                }
            }
        }
        if (r.signature() != null) {
            out.line((r.signature().verified() ? "PASS" : "FAIL") + "  signature: "
                    + r.signature().detail());
        }
        if (r.subject() != null) {
            out.line("subject " + r.subject().name() + " model hash "
                    + r.subject().modelHash());
        }
        out.line("verdict: " + r.verdict() + (r.failedCheck() == null ? "" : " (" + r.failedCheck() + ")") + " — "
                + r.reason());
        return out.toString();
    }

    /** The line that says what signing did: the statement written, or none for a failed verification. */
    public static String signing(StatementSigner.Outcome o) {
        StatementSigner.Signed s = o.signed();
        return (s != null
                        ? "signed statement written to " + s.statement() + " (key id " + s.keyid() + ")"
                        : "verification failed: no statement signed")
                + System.lineSeparator();
    }

    private static final class Lines {
        private final StringBuilder sb = new StringBuilder();

        void line(String s) {
            sb.append(s).append(System.lineSeparator());
        }

        @Override
        public String toString() {
            return sb.toString();
        }
    }
}
