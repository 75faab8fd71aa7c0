package dev.pedigree.io.http;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLHandshakeException;

/**
 * The HTTP exchanges behind {@link HttpByteSource}: a size probe and validated range reads, with
 * bounded retries, the byte budget and the bearer token. Every read has an overall deadline
 * ({@link ReadDeadline}: all attempts, waits and partial answers together) and the session's
 * failures share one {@link RetryBudget}; an error that ends a read says which limit it hit. Redirects are followed by the {@link
 * HttpClient} ({@code Redirect.NORMAL}), which drops {@code Authorization} when the host changes,
 * so a token given for the hub never reaches a CDN. The token is sent only over HTTPS or to a
 * loopback host. Thread-safe.
 */
final class RangeClient {
    /** Receives the bytes of a range in order. */
    interface RangeSink {
        void accept(byte[] buffer, int offset, int length) throws IOException;
    }

    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes ([0-9]{1,19})-([0-9]{1,19})/([0-9]{1,19})");
    private static final Pattern UNSATISFIED_RANGE = Pattern.compile("bytes \\*/([0-9]{1,19})");
    /** Shorter-than-asked 206 answers accepted for one range before giving up. */
    private static final int MAX_PARTIAL_ANSWERS = 64;

    private static final String USER_AGENT = "pedigree/0.1 (java.net.http)";

    private final HttpClient client;
    private final BearerToken token;
    private final RetryPolicy retry;
    private final Duration requestTimeout;
    private final Duration idleTimeout;
    private final ByteBudget budget;
    private final ReadDeadline deadlines;
    private final RetryBudget retryBudget;

    RangeClient(
            HttpClient client,
            BearerToken token,
            RetryPolicy retry,
            Duration requestTimeout,
            Duration idleTimeout,
            ByteBudget budget,
            ReadDeadline deadlines,
            RetryBudget retryBudget) {
        this.client = client;
        this.token = token;
        this.retry = retry;
        this.requestTimeout = requestTimeout;
        this.idleTimeout = idleTimeout;
        this.budget = budget;
        this.deadlines = deadlines;
        this.retryBudget = retryBudget;
    }

    // ---- size probe ----

    /** HEAD the file (falling back to a one-byte range GET) and record size and validators. */
    RemoteFileInfo probe(URI uri, String url, TransferCounters counters) throws IOException {
        ReadDeadline.Deadline deadline = deadlines.start(0);
        return withRetries(
                url,
                "size probe",
                counters,
                deadline,
                NO_PROGRESS,
                () -> {
                    counters.request();
                    HttpResponse<Void> r = send(
                            request(uri, deadline)
                                    .method("HEAD", HttpRequest.BodyPublishers.noBody())
                                    .build(),
                            HttpResponse.BodyHandlers.discarding());
                    int st = r.statusCode();
                    if (st == 200 || st == 204) {
                        if ("none"
                                .equalsIgnoreCase(r.headers()
                                        .firstValue("Accept-Ranges")
                                        .orElse("")
                                        .strip())) {
                            throw new RemoteIOException(
                                    url,
                                    st,
                                    "server does not support Range requests (Accept-Ranges: none); refusing to download the whole file");
                        }
                        Optional<String> len = r.headers().firstValue("Content-Length");
                        if (len.isPresent()) {
                            return info(url, parseLength(url, len.get().strip()), r);
                        }
                        return null; // no length: ask with a range below
                    }
                    if (st == 403 || st == 405 || st == 501) {
                        return null; // HEAD refused (signed GET-only URLs, minimal servers)
                    }
                    throw failure(url, r, "HEAD");
                },
                () -> probeByRange(uri, url, counters, deadline));
    }

    private RemoteFileInfo probeByRange(URI uri, String url, TransferCounters counters, ReadDeadline.Deadline deadline)
            throws IOException {
        return withRetries(
                url,
                "size probe",
                counters,
                deadline,
                NO_PROGRESS,
                () -> {
                    budget.reserve(url, 0, 1);
                    long received = 0;
                    try {
                        counters.request();
                        HttpResponse<Flow.Publisher<List<ByteBuffer>>> r = send(
                                request(uri, deadline)
                                        .header("Range", "bytes=0-0")
                                        .GET()
                                        .build(),
                                HttpResponse.BodyHandlers.ofPublisher());
                        try (BodyStream body = subscribe(r, deadline)) {
                            int st = r.statusCode();
                            if (st == 206) {
                                long[] range = contentRange(url, r.headers(), 0, 0);
                                byte[] one = new byte[2];
                                while (received < 2) {
                                    int n = body.read(one, (int) received, 2 - (int) received);
                                    if (n < 0) {
                                        break;
                                    }
                                    received += n;
                                    counters.bytes(n);
                                }
                                if (received != 1) {
                                    throw new RemoteIOException(
                                            url, st, "answer to a 1-byte range request carried " + received + " bytes");
                                }
                                return info(url, range[2], r);
                            }
                            if (st == 200) {
                                throw new RemoteIOException(
                                        url,
                                        200,
                                        "server ignored the Range request for bytes 0-0: it answered 200 with the whole file; refusing to download it");
                            }
                            if (st == 416) {
                                Matcher m = UNSATISFIED_RANGE.matcher(
                                        r.headers().firstValue("Content-Range").orElse(""));
                                if (m.matches() && m.group(1).equals("0")) {
                                    return info(url, 0, r);
                                }
                            }
                            throw failure(url, r, "bytes=0-0");
                        }
                    } finally {
                        budget.release(1 - received);
                    }
                },
                null);
    }

    private static RemoteFileInfo info(String url, long size, HttpResponse<?> r) {
        HttpHeaders h = r.headers();
        String commit = null;
        String linked = null;
        for (Optional<? extends HttpResponse<?>> p = Optional.of(r);
                p.isPresent();
                p = p.get().previousResponse()) {
            HttpHeaders ph = p.get().headers();
            if (commit == null) commit = ph.firstValue("X-Repo-Commit").orElse(null);
            if (linked == null) linked = ph.firstValue("X-Linked-Etag").orElse(null);
        }
        return new RemoteFileInfo(
                url,
                size,
                h.firstValue("ETag").orElse(null),
                h.firstValue("Last-Modified").orElse(null),
                commit,
                linked);
    }

    // ---- range reads ----

    /**
     * Streams bytes {@code [start, endInclusive]} into {@code sink}. Accepts a server that answers
     * with a shorter prefix of the range (and asks again for the rest); refuses a {@code 200}.
     */
    void fetch(URI uri, RemoteFileInfo info, long start, long endInclusive, RangeSink sink, TransferCounters counters)
            throws IOException {
        long[] pos = {start};
        ReadDeadline.Deadline deadline = deadlines.start(endInclusive - start + 1);
        String what = "bytes " + start + "-" + endInclusive;
        for (int answers = 0; pos[0] <= endInclusive; answers++) {
            if (answers == MAX_PARTIAL_ANSWERS) {
                throw new RemoteIOException(
                        info.url(),
                        206,
                        "server answered " + answers + " times with only part of bytes " + start + "-" + endInclusive
                                + "; giving up at offset " + pos[0]);
            }
            withRetries(
                    info.url(),
                    what,
                    counters,
                    deadline,
                    () -> pos[0],
                    () -> {
                        fetchOnce(uri, info, pos, endInclusive, sink, counters, deadline);
                        return Boolean.TRUE;
                    },
                    null);
        }
    }

    private void fetchOnce(
            URI uri,
            RemoteFileInfo info,
            long[] pos,
            long end,
            RangeSink sink,
            TransferCounters counters,
            ReadDeadline.Deadline deadline)
            throws IOException, TransientFailure {
        String url = info.url();
        long from = pos[0];
        long want = end - from + 1;
        budget.reserve(url, from, want);
        long received = 0;
        try {
            counters.request();
            HttpResponse<Flow.Publisher<List<ByteBuffer>>> r = send(
                    request(uri, deadline)
                            .header("Range", "bytes=" + from + "-" + end)
                            .GET()
                            .build(),
                    HttpResponse.BodyHandlers.ofPublisher());
            try (BodyStream body = subscribe(r, deadline)) {
                int st = r.statusCode();
                if (st == 200) {
                    throw new RemoteIOException(
                            url,
                            200,
                            "server ignored the Range request for bytes " + from + "-" + end
                                    + ": it answered 200 with the whole file; refusing to download it");
                }
                if (st != 206) {
                    throw failure(url, r, "bytes=" + from + "-" + end);
                }
                long[] range = contentRange(url, r.headers(), from, end);
                if (range[2] != info.size()) {
                    throw new RemoteIOException(
                            url,
                            st,
                            "the file changed on the server during the session: size was " + info.size()
                                    + ", Content-Range now says " + range[2] + "; open it again");
                }
                String etag = r.headers().firstValue("ETag").orElse(null);
                if (info.etag() != null && etag != null && !etag.equals(info.etag())) {
                    throw new RemoteIOException(
                            url,
                            st,
                            "the file changed on the server during the session: ETag was " + info.etag() + ", now "
                                    + etag + "; open it again");
                }
                long len = range[1] - range[0] + 1;
                Optional<String> cl = r.headers().firstValue("Content-Length");
                if (cl.isPresent() && parseLength(url, cl.get().strip()) != len) {
                    throw new RemoteIOException(
                            url,
                            st,
                            "Content-Length " + cl.get().strip() + " disagrees with Content-Range bytes " + range[0]
                                    + "-" + range[1]);
                }
                byte[] buf = new byte[(int) Math.min(64 * 1024, len + 1)];
                while (received < len) {
                    int n = body.read(buf, 0, (int) Math.min(buf.length, len - received));
                    if (n < 0) {
                        throw new IOException("response ended after " + received + " of " + len + " bytes");
                    }
                    // counted before the sink sees them: the sink may complete a block that a reader (on
                    // another thread) is waiting for, and that reader's stats must include its bytes
                    counters.bytes(n);
                    sink.accept(buf, 0, n);
                    received += n;
                    pos[0] += n;
                }
                if (body.read(buf, 0, 1) >= 0) {
                    throw new RemoteIOException(
                            url,
                            st,
                            "server sent more than the " + len + " bytes of range " + range[0] + "-" + range[1]);
                }
            }
        } finally {
            budget.release(want - received);
        }
    }

    private BodyStream subscribe(HttpResponse<Flow.Publisher<List<ByteBuffer>>> r, ReadDeadline.Deadline deadline) {
        BodyStream body = new BodyStream(idleTimeout, deadline);
        r.body().subscribe(body);
        return body;
    }

    /** Parses {@code Content-Range: bytes a-b/total} and checks it against the request. */
    private static long[] contentRange(String url, HttpHeaders h, long from, long end) throws RemoteIOException {
        String v = h.firstValue("Content-Range").orElse(null);
        if (v == null) {
            throw new RemoteIOException(
                    url, 206, "206 response without Content-Range to a request for bytes " + from + "-" + end);
        }
        Matcher m = CONTENT_RANGE.matcher(v.strip());
        if (!m.matches()) {
            throw new RemoteIOException(
                    url, 206, "malformed Content-Range \"" + printable(v) + "\" for bytes " + from + "-" + end);
        }
        long a;
        long b;
        long total;
        try {
            a = Long.parseLong(m.group(1));
            b = Long.parseLong(m.group(2));
            total = Long.parseLong(m.group(3));
        } catch (NumberFormatException e) {
            throw new RemoteIOException(url, 206, "Content-Range number out of range: \"" + printable(v) + "\"");
        }
        if (a != from || b < a || b > end || b >= total) {
            throw new RemoteIOException(
                    url,
                    206,
                    "Content-Range \"" + printable(v) + "\" does not match the requested bytes " + from + "-" + end);
        }
        return new long[] {a, b, total};
    }

    private static String printable(String s) {
        String t = s.length() > 80 ? s.substring(0, 80) + "..." : s;
        return t.replaceAll("[^\\x20-\\x7e]", "?");
    }

    private static long parseLength(String url, String v) throws RemoteIOException {
        try {
            long n = Long.parseLong(v);
            if (n >= 0) {
                return n;
            }
        } catch (NumberFormatException e) {
            // fall through to the error below
        }
        throw new RemoteIOException(
                url, RemoteIOException.NO_STATUS, "malformed Content-Length \"" + printable(v) + "\"");
    }

    // ---- requests, failures and retries ----

    /** A request that waits for its response headers no longer than the read's deadline allows. */
    private HttpRequest.Builder request(URI uri, ReadDeadline.Deadline deadline) {
        Duration left = deadline.remaining();
        Duration timeout = left.compareTo(requestTimeout) < 0 ? left : requestTimeout;
        if (timeout.toMillis() < 1) {
            timeout = Duration.ofMillis(1);
        }
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", USER_AGENT);
        if (token != null && mayCarryToken(uri)) {
            b.header("Authorization", token.authorizationHeader());
        }
        return b;
    }

    /** HTTPS, or plain HTTP to this machine; never a token in clear text over the network. */
    static boolean mayCarryToken(URI uri) {
        String host = uri.getHost();
        if ("https".equalsIgnoreCase(uri.getScheme())) {
            return true;
        }
        return host != null
                && (host.equalsIgnoreCase("localhost")
                        || host.startsWith("127.")
                        || host.equals("[::1]")
                        || host.equals("::1"));
    }

    private <T> HttpResponse<T> send(HttpRequest req, HttpResponse.BodyHandler<T> handler) throws IOException {
        try {
            return client.send(req, handler);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for the server");
        }
    }

    private RemoteIOException failure(String url, HttpResponse<?> r, String what) throws TransientFailure {
        int st = r.statusCode();
        if (st == 408 || st == 425 || st == 429 || st == 500 || st == 502 || st == 503 || st == 504) {
            throw new TransientFailure(
                    new RemoteIOException(url, st, "HTTP " + st + " for " + what), retryAfter(r.headers()));
        }
        String detail = switch (st) {
            case 401, 403 ->
                "access denied (HTTP " + st + "); the repository may be gated or private: "
                        + (token == null
                                ? "set HF_TOKEN or PEDIGREE_HTTP_TOKEN"
                                : "the access token that was sent does not grant access");
            case 404, 410 -> "not found (HTTP " + st + ")";
            case 416 -> "range " + what + " not satisfiable (HTTP 416); the file may have changed on the server";
            default -> "unexpected HTTP status " + st + " for " + what;
        };
        return new RemoteIOException(url, st, detail);
    }

    private static Duration retryAfter(HttpHeaders h) {
        String v = h.firstValue("Retry-After").orElse(null);
        if (v == null) {
            return null;
        }
        v = v.strip();
        if (v.matches("[0-9]{1,9}")) {
            return Duration.ofSeconds(Long.parseLong(v));
        }
        try {
            Duration d =
                    Duration.between(ZonedDateTime.now(), ZonedDateTime.parse(v, DateTimeFormatter.RFC_1123_DATE_TIME));
            return d.isNegative() ? Duration.ZERO : d;
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** A failure worth another attempt; carries the error to report when attempts run out. */
    private static final class TransientFailure extends Exception {
        private static final long serialVersionUID = 1L;
        final transient RemoteIOException error;
        final transient Duration retryAfter;

        TransientFailure(RemoteIOException error, Duration retryAfter) {
            super(error.getMessage(), null, false, false);
            this.error = error;
            this.retryAfter = retryAfter;
        }
    }

    private interface Attempt<T> {
        T run() throws IOException, TransientFailure;
    }

    private interface Fallback<T> {
        T run() throws IOException;
    }

    /** How far a read has got (bytes delivered), to tell a failed attempt from a productive one. */
    private interface Progress {
        long position();
    }

    private static final Progress NO_PROGRESS = () -> 0;

    /**
     * Runs {@code attempt} until it succeeds, fails permanently, runs out of attempts, passes the
     * read's {@code deadline}, or would spend more than the session's retry budget has left. A null
     * result hands over to {@code fallback}.
     */
    private <T> T withRetries(
            String url,
            String what,
            TransferCounters counters,
            ReadDeadline.Deadline deadline,
            Progress progress,
            Attempt<T> attempt,
            Fallback<T> fallback)
            throws IOException {
        RemoteIOException last = null;
        for (int n = 1; ; n++) {
            if (deadline.expired()) {
                throw deadlinePassed(url, what, deadline, last);
            }
            long t0 = System.nanoTime();
            long p0 = progress.position();
            TransientFailure failure;
            try {
                T result = attempt.run();
                if (result == null && fallback != null) {
                    return fallback.run();
                }
                return result;
            } catch (TransientFailure t) {
                failure = t;
            } catch (DeadlineExceededException e) {
                throw deadlinePassed(url, what, deadline, last);
            } catch (RemoteIOException
                    | InterruptedIOException
                    | ByteBudgetExceededException
                    | SSLHandshakeException e) {
                throw e;
            } catch (IOException e) {
                if (deadline.expired()) {
                    throw deadlinePassed(
                            url,
                            what,
                            deadline,
                            new RemoteIOException(url, RemoteIOException.NO_STATUS, "network error: " + reason(e), e));
                }
                // connection refused or reset, premature end of body, stalled body, connect failure
                failure = new TransientFailure(
                        new RemoteIOException(url, RemoteIOException.NO_STATUS, "network error: " + reason(e), e),
                        null);
            }
            last = failure.error;
            if (progress.position() == p0) {
                retryBudget.spend(Duration.ofNanos(System.nanoTime() - t0));
            }
            if (n >= retry.maxAttempts()) {
                throw new RemoteIOException(
                        url, last.status(), stripUrl(last) + " (gave up after " + n + " attempts)", last.getCause());
            }
            Duration wait;
            if (failure.retryAfter != null) {
                if (failure.retryAfter.compareTo(retry.maxRetryAfter()) > 0) {
                    throw new RemoteIOException(
                            url,
                            last.status(),
                            stripUrl(last) + "; server asked to retry after " + failure.retryAfter.toSeconds()
                                    + " s, more than the allowed "
                                    + retry.maxRetryAfter().toSeconds() + " s");
                }
                wait = failure.retryAfter;
            } else {
                long ms = retry.backoff(n).toMillis();
                wait = Duration.ofMillis(
                        ms + (ms > 3 ? ThreadLocalRandom.current().nextLong(ms / 4 + 1) : 0));
            }
            String asked = failure.retryAfter != null
                    ? "; server asked to retry after " + ReadDeadline.seconds(wait)
                    : "; a retry after " + ReadDeadline.seconds(wait);
            if (wait.compareTo(deadline.remaining()) > 0) {
                if (failure.retryAfter == null) {
                    throw deadlinePassed(url, what, deadline, last);
                }
                throw new RemoteIOException(
                        url, last.status(), stripUrl(last) + asked + " would pass " + deadline.description(), last);
            }
            if (!retryBudget.tryTake(wait)) {
                throw new RemoteIOException(
                        url,
                        last.status(),
                        stripUrl(last) + asked + ", more than the " + ReadDeadline.seconds(retryBudget.left())
                                + " left of " + retryBudget.describe(),
                        last);
            }
            counters.retry();
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while waiting to retry " + url);
            }
        }
    }

    private static RemoteIOException deadlinePassed(
            String url, String what, ReadDeadline.Deadline deadline, RemoteIOException last) {
        String detail = what + " not read within " + deadline.description();
        if (last != null) {
            detail += "; last attempt: " + stripUrl(last);
        }
        return new RemoteIOException(url, last == null ? RemoteIOException.NO_STATUS : last.status(), detail, last);
    }

    /**
     * What went wrong, in words: the first message in the cause chain, or a name for the failures
     * the JDK reports without one (a refused connection is a {@code ConnectException} with a null
     * message, which printed as "network error: null").
     */
    static String reason(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = t.getMessage();
            if (m != null && !m.isBlank()) {
                return m.strip();
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            String known = switch (t) {
                case java.net.http.HttpConnectTimeoutException _ -> "connect timed out";
                case java.net.ConnectException _ -> "connection refused";
                case java.nio.channels.UnresolvedAddressException _ -> "host name not resolved";
                case java.net.UnknownHostException _ -> "host name not resolved";
                case java.nio.channels.ClosedChannelException _ -> "connection closed";
                case java.io.EOFException _ -> "connection closed by the server";
                default -> null;
            };
            if (known != null) {
                return known;
            }
        }
        return e.getClass().getSimpleName();
    }

    private static String stripUrl(RemoteIOException e) {
        String m = e.getMessage();
        String suffix = " (" + e.url() + ")";
        return m.endsWith(suffix) ? m.substring(0, m.length() - suffix.length()) : m;
    }
}
