package dev.pedigree.io.http;

import java.util.concurrent.atomic.AtomicLong;

/**
 * The session-wide limit on bytes fetched. A request reserves its full length before it is sent
 * and gives back what it did not receive, so concurrent readers can never overrun the budget.
 */
final class ByteBudget {
    private final long limit;
    private final AtomicLong used = new AtomicLong();

    ByteBudget(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative byte budget " + limit);
        }
        this.limit = limit;
    }

    long limit() {
        return limit;
    }

    void reserve(String url, long offset, long bytes) throws ByteBudgetExceededException {
        while (true) {
            long u = used.get();
            if (bytes > limit - u) {
                throw new ByteBudgetExceededException(url, offset, bytes, limit, u);
            }
            if (used.compareAndSet(u, u + bytes)) {
                return;
            }
        }
    }

    void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }
}
