package dev.pedigree.io;

/** The input asks for something Pedigree never does, such as executing code from a pickle. Reading stops at the first such request. */
public final class UnsafeModelException extends ModelFormatException {
    private static final long serialVersionUID = 1L;

    public UnsafeModelException(String source, long offset, String detail) {
        super(source, offset, detail, null);
    }

    public UnsafeModelException(String source, long offset, String detail, Throwable cause) {
        super(source, offset, detail, cause);
    }

    public UnsafeModelException(String source, String detail) {
        super(source, NO_OFFSET, detail, null);
    }

    @Override
    public String kind() {
        return "unsafe";
    }
}
