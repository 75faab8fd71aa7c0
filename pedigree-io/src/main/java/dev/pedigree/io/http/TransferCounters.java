package dev.pedigree.io.http;

import java.util.concurrent.atomic.LongAdder;

/** Mutable, thread-safe counters behind {@link TransferStats}; each update also reaches the parent. */
final class TransferCounters {
    private final TransferCounters parent;
    private final LongAdder bytes = new LongAdder();
    private final LongAdder requests = new LongAdder();
    private final LongAdder memoryHits = new LongAdder();
    private final LongAdder diskHits = new LongAdder();
    private final LongAdder blocks = new LongAdder();
    private final LongAdder retries = new LongAdder();

    TransferCounters(TransferCounters parent) {
        this.parent = parent;
    }

    void bytes(long n) {
        bytes.add(n);
        if (parent != null) parent.bytes(n);
    }

    void request() {
        requests.increment();
        if (parent != null) parent.request();
    }

    void memoryHit() {
        memoryHits.increment();
        if (parent != null) parent.memoryHit();
    }

    void diskHit() {
        diskHits.increment();
        if (parent != null) parent.diskHit();
    }

    void blockFetched() {
        blocks.increment();
        if (parent != null) parent.blockFetched();
    }

    void retry() {
        retries.increment();
        if (parent != null) parent.retry();
    }

    TransferStats snapshot() {
        return new TransferStats(
                bytes.sum(), requests.sum(), memoryHits.sum(), diskHits.sum(), blocks.sum(), retries.sum());
    }
}
