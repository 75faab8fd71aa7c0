package dev.pedigree.io.http;

import java.io.IOException;

/**
 * A read would have pushed the bytes fetched by one {@link RemoteSession} past its byte budget.
 * The request is refused before it is sent, so the budget is never overrun.
 */
public final class ByteBudgetExceededException extends IOException {
    private static final long serialVersionUID = 1L;

    private final long budget;
    private final long alreadyFetched;
    private final long requested;

    ByteBudgetExceededException(String url, long offset, long requested, long budget, long alreadyFetched) {
        super("byte budget of "
                + budget
                + " bytes exceeded: fetching "
                + requested
                + " bytes of "
                + url
                + " at offset "
                + offset
                + " would bring the session total from "
                + alreadyFetched
                + " to "
                + saturatedSum(alreadyFetched, requested)
                + " bytes; raise the budget or read fewer tensors");
        this.budget = budget;
        this.alreadyFetched = alreadyFetched;
        this.requested = requested;
    }

    private static long saturatedSum(long a, long b) {
        long s = a + b;
        return s < 0 ? Long.MAX_VALUE : s;
    }

    /** The session's budget in bytes. */
    public long budget() {
        return budget;
    }

    /** Bytes the session had fetched (or reserved) before the refused request. */
    public long alreadyFetched() {
        return alreadyFetched;
    }

    /** Bytes the refused request asked for. */
    public long requested() {
        return requested;
    }
}
