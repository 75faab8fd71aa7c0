package dev.pedigree.io;

/**
 * A model or tokenizer file that Pedigree cannot or will not read. Every instance names the source
 * (a path or URL) and, where it applies, the byte offset at which the problem was found, so that
 * the one-line error a user sees is enough to locate the problem.
 *
 * <p>Subclasses say why: {@link CorruptModelException} (the bytes contradict the format),
 * {@link UnsupportedModelException} (valid, but a feature Pedigree does not handle) and
 * {@link UnsafeModelException} (the file asks for code execution or other unsafe behaviour).
 */
public abstract sealed class ModelFormatException extends Exception
        permits CorruptModelException, UnsupportedModelException, UnsafeModelException {

    /** Offset value used when no single byte offset applies. */
    public static final long NO_OFFSET = -1;

    private final String source;
    private final long offset;
    private final String detail;

    protected ModelFormatException(String source, long offset, String detail, Throwable cause) {
        super(compose(source, offset, detail), cause);
        this.source = source == null ? "<unknown>" : source;
        this.offset = offset;
        this.detail = Printable.escape(detail);
    }

    /** One line: the detail, the source and the offset, with any control character from the input escapes. */
    private static String compose(String source, long offset, String rawDetail) {
        String where = source == null ? "<unknown>" : Printable.escape(source);
        String detail = Printable.escape(rawDetail);
        return offset >= 0 ? detail + " (" + where + " at offset " + offset + ")" : detail + " (" + where + ")";
    }

    /** The path or URL of the input that failed. */
    public String source() {
        return source;
    }

    /** The byte offset at which the problem was detected, or {@link #NO_OFFSET}. */
    public long offset() {
        return offset;
    }

    /** The message without the source and offset (control characters escaped, see {@link Printable}). */
    public String detail() {
        return detail;
    }

    /** Short name of the failure class used in reports: corrupt, unsupported or unsafe. */
    public abstract String kind();
}
