package dev.pedigree.io.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Pulls a response body one buffer list at a time, so the reader controls how much is received:
 * it never asks for more than it will use, gives up when no data arrives within the idle timeout or
 * when the read's overall deadline passes (however slowly data keeps coming), and {@link #close()}
 * cancels the exchange (the server's remaining bytes are never read). Used by
 * one thread at a time.
 */
final class BodyStream implements Flow.Subscriber<List<ByteBuffer>>, AutoCloseable {
    private static final Object END = new Object();

    private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
    private final ArrayDeque<ByteBuffer> current = new ArrayDeque<>();
    private final Duration idleTimeout;
    private final ReadDeadline.Deadline deadline;
    private volatile Flow.Subscription subscription;
    private boolean finished;
    private volatile boolean closed;

    BodyStream(Duration idleTimeout, ReadDeadline.Deadline deadline) {
        this.idleTimeout = idleTimeout;
        this.deadline = deadline;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        subscription = s;
        if (closed) {
            s.cancel();
        } else {
            s.request(1);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> item) {
        queue.add(item);
    }

    @Override
    public void onError(Throwable t) {
        queue.add(t);
    }

    @Override
    public void onComplete() {
        queue.add(END);
    }

    /**
     * Reads up to {@code len} bytes into {@code b}; returns -1 at the end of the body.
     *
     * @throws IOException if the exchange failed or stalled longer than the idle timeout
     * @throws DeadlineExceededException if the read's deadline passed
     */
    int read(byte[] b, int off, int len) throws IOException {
        if (closed) {
            throw new IOException("body stream closed");
        }
        while (true) {
            if (deadline.expired()) {
                close();
                throw new DeadlineExceededException("response body still arriving at the deadline");
            }
            ByteBuffer head = current.peek();
            if (head != null) {
                if (!head.hasRemaining()) {
                    current.poll();
                    if (current.isEmpty() && !finished) {
                        subscription.request(1);
                    }
                    continue;
                }
                int n = Math.min(len, head.remaining());
                head.get(b, off, n);
                return n;
            }
            if (finished) {
                return -1;
            }
            Object next;
            long waitMs = Math.min(idleTimeout.toMillis(), deadline.remaining().toMillis() + 1);
            try {
                next = queue.poll(waitMs, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                close();
                throw new InterruptedIOException("interrupted while reading a response body");
            }
            if (next == null) {
                close();
                if (deadline.expired()) {
                    throw new DeadlineExceededException("no response data before the deadline");
                }
                throw new HttpTimeoutException("no response data for " + idleTimeout.toMillis() + " ms");
            }
            if (next == END) {
                finished = true;
            } else if (next instanceof Throwable t) {
                finished = true;
                throw t instanceof IOException io ? io : new IOException("response body failed: " + t, t);
            } else {
                @SuppressWarnings("unchecked")
                List<ByteBuffer> list = (List<ByteBuffer>) next;
                current.addAll(list);
                if (current.isEmpty()) {
                    subscription.request(1);
                }
            }
        }
    }

    /** Cancels the exchange unless the body was read to its end. */
    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Flow.Subscription s = subscription;
            if (s != null && !finished) {
                s.cancel();
            }
        }
    }
}
