package dev.pedigree.attest;

/**
 * A checkpoint the ledger refuses: no step given or found in its name, a negative step, a step
 * that does not follow the ledger's last one, or another writer that appended first. An input
 * error (the CLI exits 3); the message names the checkpoint or the ledger.
 */
public final class LedgerException extends Exception {
    private static final long serialVersionUID = 1L;

    public LedgerException(String message) {
        super(message);
    }
}
