package dev.pedigree.io;

/** The input is well-formed but uses a feature Pedigree does not read (for example an IQ quantisation when values are needed). */
public final class UnsupportedModelException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    public UnsupportedModelException(String source, long offset, String detail) {
        super(source, offset, detail, null);
    }

    public UnsupportedModelException(String source, long offset, String detail, Throwable cause) {
        super(source, offset, detail, cause);
    }

    public UnsupportedModelException(String source, String detail) {
        super(source, NO_OFFSET, detail, null);
    }

    @Override
    public String kind() {
        return "unsupported";
    }
}
