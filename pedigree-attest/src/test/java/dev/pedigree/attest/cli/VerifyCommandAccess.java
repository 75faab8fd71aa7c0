package dev.pedigree.attest.cli;

import dev.pedigree.attest.AttestationReport;
import java.io.PrintWriter;

/** Test access to the verify command's printer. */
public final class VerifyCommandAccess {
    private VerifyCommandAccess() {}

    public static void print(PrintWriter out, AttestationReport r) {
        VerifyCommand.print(out, r);
    }
}
