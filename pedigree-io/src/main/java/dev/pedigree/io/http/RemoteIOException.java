package dev.pedigree.io.http;

import java.io.IOException;

/**
 * A remote file could not be read: an HTTP error status, a server that ignores {@code Range}, a
 * malformed or inconsistent response, a file that changed on the server during the session, or a
 * network failure that outlasted the retries. The message names the URL (never a token or a query
 * string) and, where it applies, the byte range.
 */
public final class RemoteIOException extends IOException {
    private static final long serialVersionUID = 1L;

    /** {@link #status()} value when no HTTP status applies (network failure, bad headers). */
    public static final int NO_STATUS = -1;

    private final String url;
    private final int status;

    RemoteIOException(String url, int status, String detail) {
        this(url, status, detail, null);
    }

    RemoteIOException(String url, int status, String detail, Throwable cause) {
        super(detail + " (" + url + ")", cause);
        this.url = url;
        this.status = status;
    }

    /** The URL, without credentials or query string. */
    public String url() {
        return url;
    }

    /** The HTTP status that caused the failure, or {@link #NO_STATUS}. */
    public int status() {
        return status;
    }

    /** True when the server answered 404 or 410 (the file does not exist). */
    public boolean isNotFound() {
        return status == 404 || status == 410;
    }
}
