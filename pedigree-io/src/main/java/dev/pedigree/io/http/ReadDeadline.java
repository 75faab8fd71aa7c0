package dev.pedigree.io.http;

import java.time.Duration;

/**
 * How long one remote read may take in all, every attempt, redirect, partial answer and wait
 * included: {@code base} plus {@code perMiB} for each MiB asked for (so a range that trickles in at
 * a byte a second, or a server that accepts and never answers, ends in seconds, while a large range
 * over a slow link keeps the time its size needs). Immutable.
 *
 * @param base the deadline of a read of zero bytes (a size probe)
 * @param perMiB added for each MiB of the range
 */
record ReadDeadline(Duration base, Duration perMiB) {
    /** 15 s plus 1 s per MiB: a 1 MiB block may take 16 s, at least 64 KiB/s past the base. */
    static final ReadDeadline DEFAULT = new ReadDeadline(Duration.ofSeconds(15), Duration.ofSeconds(1));

    /** System property that overrides {@link #ENV} (seconds of the base deadline). */
    static final String PROPERTY = "pedigree.http.deadline";
    /** Environment variable: the base deadline of a remote read, in seconds. */
    static final String ENV = "PEDIGREE_HTTP_DEADLINE";

    ReadDeadline {
        if (base.isNegative() || base.isZero() || perMiB.isNegative()) {
            throw new IllegalArgumentException("a read deadline must be positive: " + base + " + " + perMiB + "/MiB");
        }
    }

    /** A deadline starting now for a read of {@code bytes}. */
    Deadline start(long bytes) {
        long mib = (Math.max(0, bytes) + (1 << 20) - 1) >> 20;
        Duration total = base.plus(perMiB.multipliedBy(mib));
        return new Deadline(System.nanoTime() + total.toNanos(), total, describe(total));
    }

    private String describe(Duration total) {
        return "the " + seconds(total) + " deadline of this read ("
                + (perMiB.isZero() ? "" : seconds(base) + " + " + seconds(perMiB) + " per MiB; ") + ENV + ")";
    }

    static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(java.util.Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    /** One read's deadline. */
    record Deadline(long endNanos, Duration total, String description) {
        Duration remaining() {
            long left = endNanos - System.nanoTime();
            return left <= 0 ? Duration.ZERO : Duration.ofNanos(left);
        }

        boolean expired() {
            return System.nanoTime() - endNanos >= 0;
        }
    }
}
