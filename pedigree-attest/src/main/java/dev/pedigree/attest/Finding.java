package dev.pedigree.attest;

import java.util.Objects;

/**
 * One piece of evidence of a check.
 *
 * @param subject what was examined: an entry ({@code entry 3 (step 300)}), a tensor address, a
 *     registry model
 * @param test short test id ({@code prev_hash}, {@code kurtosis}, {@code mp_edge}, ...)
 * @param status PASS, FAIL or INFO
 * @param detail the measured values and the bound they were held to
 */
public record Finding(String subject, String test, Status status, String detail) {
    public Finding {
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(test, "test");
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(detail, "detail");
    }

    public static Finding pass(String subject, String test, String detail) {
        return new Finding(subject, test, Status.PASS, detail);
    }

    public static Finding fail(String subject, String test, String detail) {
        return new Finding(subject, test, Status.FAIL, detail);
    }

    public static Finding info(String subject, String test, String detail) {
        return new Finding(subject, test, Status.INFO, detail);
    }
}
