package dev.pedigree.io.http;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The time one session may spend on failures in all: waits before retries (back-off or a server's
 * {@code Retry-After}) and attempts that failed without delivering a byte. Once it is spent no
 * read of the session is retried, so a server that fails every request cannot hold a command for
 * minutes through many reads each retrying within its own deadline. Thread-safe.
 */
final class RetryBudget {
    /** 20 s in all. */
    static final Duration DEFAULT = Duration.ofSeconds(20);
    /** System property that overrides {@link #ENV}. */
    static final String PROPERTY = "pedigree.http.retryBudget";
    /** Environment variable: the session's retry budget, in seconds. */
    static final String ENV = "PEDIGREE_HTTP_RETRY_BUDGET";

    private final Duration total;
    private final AtomicLong leftNanos;

    RetryBudget(Duration total) {
        if (total.isNegative()) {
            throw new IllegalArgumentException("negative retry budget " + total);
        }
        this.total = total;
        this.leftNanos = new AtomicLong(total.toNanos());
    }

    Duration total() {
        return total;
    }

    Duration left() {
        return Duration.ofNanos(Math.max(0, leftNanos.get()));
    }

    /** Records time lost to a failed attempt. */
    void spend(Duration d) {
        leftNanos.addAndGet(-d.toNanos());
    }

    /** Takes {@code wait} from the budget if that much is left; false (and nothing taken) if not. */
    boolean tryTake(Duration wait) {
        long w = wait.toNanos();
        while (true) {
            long left = leftNanos.get();
            if (left <= 0 || w > left) {
                return false;
            }
            if (leftNanos.compareAndSet(left, left - w)) {
                return true;
            }
        }
    }

    String describe() {
        return "the session's retry budget of " + ReadDeadline.seconds(total) + " (" + ENV + ")";
    }
}
