package dev.pedigree.io.http;

import java.net.http.HttpTimeoutException;

/** A read's overall deadline passed while a body was being received; never retried. */
final class DeadlineExceededException extends HttpTimeoutException {
    private static final long serialVersionUID = 1L;

    DeadlineExceededException(String message) {
        super(message);
    }
}
