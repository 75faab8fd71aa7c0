package dev.pedigree.io.http;

import java.time.Duration;

/**
 * How transient failures (HTTP 5xx, 429, connection resets, stalled bodies) are retried:
 * at most {@code maxAttempts} exchanges per request, waiting {@code initialBackoff} doubled after
 * each failure up to {@code maxBackoff} (with a little jitter), or the server's {@code Retry-After}
 * when it sends one, refused when it asks for more than {@code maxRetryAfter}.
 *
 * @param maxAttempts total exchanges per request, at least 1
 * @param initialBackoff wait before the first retry
 * @param maxBackoff cap on the computed wait
 * @param maxRetryAfter the longest {@code Retry-After} honoured; longer requests fail at once
 */
public record RetryPolicy(int maxAttempts, Duration initialBackoff, Duration maxBackoff, Duration maxRetryAfter) {

    /** Four attempts, 250 ms doubling to 8 s, honour Retry-After up to 60 s. */
    public static final RetryPolicy DEFAULT =
            new RetryPolicy(4, Duration.ofMillis(250), Duration.ofSeconds(8), Duration.ofSeconds(60));

    public RetryPolicy {
        if (maxAttempts < 1 || maxAttempts > 100) {
            throw new IllegalArgumentException("maxAttempts must be 1..100: " + maxAttempts);
        }
        if (initialBackoff.isNegative() || maxBackoff.isNegative() || maxRetryAfter.isNegative()) {
            throw new IllegalArgumentException("durations must not be negative");
        }
    }

    /** The computed wait before retry number {@code retry} (1-based), without jitter. */
    Duration backoff(int retry) {
        long ms = initialBackoff.toMillis();
        for (int i = 1; i < retry && ms < maxBackoff.toMillis(); i++) {
            ms *= 2;
        }
        return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
    }
}
