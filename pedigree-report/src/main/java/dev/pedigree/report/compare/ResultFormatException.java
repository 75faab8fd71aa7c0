package dev.pedigree.report.compare;

/**
 * A saved result file that cannot be read back: malformed JSON, a wrong schema id, a missing or
 * mistyped field. The message names the file and where in it (JSON path, or line, column and byte
 * offset for syntax errors).
 */
public final class ResultFormatException extends Exception {
    private static final long serialVersionUID = 1L;

    public ResultFormatException(String message) {
        super(message);
    }

    public ResultFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
