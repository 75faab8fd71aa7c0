package dev.pedigree.attest;

/** Outcome of a check or of one finding; reports use {@link #name()}. */
public enum Status {
    PASS,
    FAIL,
    /** The check did not apply (no release given) or could not run (its input failed an earlier check). */
    SKIPPED,
    /** A finding recorded as evidence that decides nothing. */
    INFO
}
