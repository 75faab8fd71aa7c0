package dev.pedigree.attest;

/** A key file that is missing, not PEM, or not an Ed25519 key of the expected kind; names the file. */
public final class KeyFileException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeyFileException(String file, String detail, Throwable cause) {
        super(detail + " (" + file + ")", cause);
    }

    public KeyFileException(String file, String detail) {
        this(file, detail, null);
    }
}
