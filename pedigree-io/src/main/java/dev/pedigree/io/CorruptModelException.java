package dev.pedigree.io;

/** The bytes contradict the format: truncated, out of bounds, inconsistent or implausible. */
public final class CorruptModelException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    public CorruptModelException(String source, long offset, String detail) {
        super(source, offset, detail, null);
    }

    public CorruptModelException(String source, long offset, String detail, Throwable cause) {
        super(source, offset, detail, cause);
    }

    public CorruptModelException(String source, String detail) {
        super(source, NO_OFFSET, detail, null);
    }

    @Override
    public String kind() {
        return "corrupt";
    }
}
