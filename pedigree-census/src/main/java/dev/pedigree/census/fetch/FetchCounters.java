package dev.pedigree.census.fetch;

import java.util.concurrent.atomic.AtomicLong;

/**
 * What a {@link HubClient} has asked of the hub: API pages, resolutions of file locations (the
 * hub's rate-limited "resolver" calls), range requests to the file store, bytes received, and the
 * 429/503 answers it waited out, and the requests sent again after a transport failure (a reset or closed
 * connection: the server may have counted the failed attempt). Thread-safe.
 */
public final class FetchCounters {
    final AtomicLong api = new AtomicLong();
    final AtomicLong resolves = new AtomicLong();
    final AtomicLong ranges = new AtomicLong();
    final AtomicLong bytes = new AtomicLong();
    final AtomicLong throttled = new AtomicLong();
    final AtomicLong waitedMillis = new AtomicLong();
    final AtomicLong resent = new AtomicLong();

    /** A snapshot of the counters. */
    public Snapshot snapshot() {
        return new Snapshot(
                api.get(),
                resolves.get(),
                ranges.get(),
                bytes.get(),
                throttled.get(),
                waitedMillis.get(),
                resent.get());
    }

    /**
     * Counter values at one moment.
     *
     * @param api listing and model-info requests
     * @param resolves resolutions of a file's location through the hub
     * @param ranges byte-range requests to a file's location
     * @param bytes bytes received in those ranges
     * @param throttled answers 429/503 that were waited out and retried
     * @param waitedMillis time spent waiting on {@code Retry-After} or back-off
     * @param resent requests sent again after a transport failure (the server may have counted and answered the
     *     failed attempt, so a server's counts can exceed these by at most this many requests)
     */
    public record Snapshot(
            long api, long resolves, long ranges, long bytes, long throttled, long waitedMillis, long resent) {
        /** The difference {@code this - earlier}. */
        public Snapshot since(Snapshot earlier) {
            return new Snapshot(
                    api - earlier.api,
                    resolves - earlier.resolves,
                    ranges - earlier.ranges,
                    bytes - earlier.bytes,
                    throttled - earlier.throttled,
                    waitedMillis - earlier.waitedMillis,
                    resent - earlier.resent);
        }
    }
}
