package dev.pedigree.io.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Servers that never finish (issue 18): a body that trickles a byte at a time, a server that
 * accepts and never answers, one that sends its headers a byte at a time, {@code Retry-After}
 * longer than what is left, a server that fails every request, and a refused connection. Each
 * read must end by its deadline or the session's retry budget with one message naming the URL and
 * the limit; the budgets here are a second or two so the tests stay fast.
 */
@Timeout(30)
class MisbehavingServerTest {
    static final long SIZE = 1 << 20;

    @TempDir
    Path tmp;

    RemoteSession.Builder session(Duration deadline, Duration retryBudget) {
        return TestSessions.builder(tmp)
                .noDiskCache()
                .memoryCacheBytes(0)
                .prefetchConcurrency(0)
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(5), Duration.ofSeconds(5))
                .deadline(deadline, Duration.ZERO)
                .retryBudget(retryBudget);
    }

    static long elapsedMs(long t0) {
        return (System.nanoTime() - t0) / 1_000_000;
    }

    @Test
    void aTricklingBodyEndsAtTheReadsDeadline() throws Exception {
        try (RawHttpServer server = new RawHttpServer((method, range, out) -> {
                    if (method.equals("HEAD")) {
                        RawHttpServer.head(out, SIZE);
                        return;
                    }
                    RawHttpServer.partialHeaders(out, range, SIZE);
                    for (long i = range[0]; i <= range[1]; i++) {
                        out.write(7);
                        out.flush();
                        Thread.sleep(20); // fifty bytes a second: never idle long enough to time out
                    }
                });
                RemoteSession s =
                        session(Duration.ofMillis(1500), Duration.ofSeconds(5)).build();
                HttpByteSource src = s.open(server.uri("/trickle"))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> src.readBytes(0, 4096))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("not read within the 1.5 s deadline of this read")
                    .hasMessageContaining(ReadDeadline.ENV)
                    .hasMessageContaining(server.uri("/trickle").toString());
            assertThat(elapsedMs(t0)).isBetween(1_000L, 4_000L);
        }
    }

    @Test
    void aServerThatAcceptsAndNeverAnswersEndsAtTheDeadline() throws Exception {
        CountDownLatch never = new CountDownLatch(1);
        try (RawHttpServer server = new RawHttpServer((method, range, out) -> never.await());
                RemoteSession s =
                        session(Duration.ofSeconds(1), Duration.ofSeconds(5)).build()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> s.open(server.uri("/silent")))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("size probe not read within the 1 s deadline of this read")
                    .hasMessageContaining(server.uri("/silent").toString());
            assertThat(elapsedMs(t0)).isLessThan(4_000L);
        }
    }

    @Test
    void headersSentAByteAtATimeEndAtTheDeadline() throws Exception {
        try (RawHttpServer server = new RawHttpServer((method, range, out) -> {
                    for (byte b : "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-Padding: ".getBytes()) {
                        out.write(b);
                        out.flush();
                        Thread.sleep(50);
                    }
                    for (int i = 0; i < 10_000; i++) {
                        out.write('a');
                        out.flush();
                        Thread.sleep(50);
                    }
                });
                RemoteSession s =
                        session(Duration.ofSeconds(1), Duration.ofSeconds(5)).build()) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> s.open(server.uri("/slow-headers")))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("deadline");
            assertThat(elapsedMs(t0)).isLessThan(4_000L);
        }
    }

    /** HEAD answers; every GET is 503 with {@code Retry-After: 59}. */
    static RawHttpServer.Handler retryAfter59() {
        return (method, range, out) -> {
            if (method.equals("HEAD")) {
                RawHttpServer.head(out, SIZE);
            } else {
                RawHttpServer.write(
                        out, "HTTP/1.1 503 Service Unavailable\r\nRetry-After: 59\r\nContent-Length: 0\r\n\r\n");
            }
        };
    }

    /** The production retry policy (4 attempts, Retry-After up to 60 s) with the given limits. */
    RemoteSession defaultRetries(Duration deadline, Duration retryBudget) {
        return TestSessions.builder(tmp)
                .noDiskCache()
                .prefetchConcurrency(0)
                .retryPolicy(RetryPolicy.DEFAULT)
                .deadline(deadline, Duration.ZERO)
                .retryBudget(retryBudget)
                .build();
    }

    @Test
    void retryAfterLongerThanTheRetryBudgetFailsAtOnce() throws Exception {
        try (RawHttpServer server = new RawHttpServer(retryAfter59());
                RemoteSession s = defaultRetries(Duration.ofSeconds(600), Duration.ofSeconds(2));
                HttpByteSource src = s.open(server.uri("/busy"))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> src.readBytes(0, 10))
                    .isInstanceOfSatisfying(
                            RemoteIOException.class, e -> assertThat(e.status()).isEqualTo(503))
                    .hasMessageContaining("server asked to retry after 59 s, more than the")
                    .hasMessageContaining("left of the session's retry budget of 2 s (" + RetryBudget.ENV + ")");
            assertThat(elapsedMs(t0)).isLessThan(2_000L);
            assertThat(server.requests.stream().filter(r -> r.startsWith("GET")))
                    .hasSize(1);
        }
    }

    @Test
    void retryAfterPastTheReadsDeadlineFailsAtOnce() throws Exception {
        try (RawHttpServer server = new RawHttpServer(retryAfter59());
                RemoteSession s = defaultRetries(Duration.ofSeconds(3), Duration.ofSeconds(600));
                HttpByteSource src = s.open(server.uri("/busy"))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> src.readBytes(0, 10))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("server asked to retry after 59 s would pass the 3 s deadline of this read");
            assertThat(elapsedMs(t0)).isLessThan(2_000L);
        }
    }

    @Test
    void aServerThatFailsEverythingSpendsTheRetryBudgetOnceForAllReads() throws Exception {
        try (RawHttpServer server = new RawHttpServer((method, range, out) -> {
                    if (method.equals("HEAD")) {
                        RawHttpServer.head(out, SIZE);
                    } else {
                        RawHttpServer.write(out, "HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n");
                    }
                });
                RemoteSession s = TestSessions.builder(tmp)
                        .noDiskCache()
                        .memoryCacheBytes(0)
                        .prefetchConcurrency(0)
                        .retryPolicy(
                                new RetryPolicy(100, Duration.ofMillis(100), Duration.ofMillis(100), Duration.ZERO))
                        .deadline(Duration.ofSeconds(60), Duration.ZERO)
                        .retryBudget(Duration.ofMillis(500))
                        .build();
                HttpByteSource src = s.open(server.uri("/down"))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> src.readBytes(0, 10))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("HTTP 502")
                    .hasMessageContaining("retry budget of 0.5 s");
            // later reads are not retried at all (the server thread may record the first read's last request after
            // the client gave up on it, and the second read's after it threw: counted once the log stops growing)
            int before = settledRequests(server);
            long t1 = System.nanoTime();
            assertThatThrownBy(() -> src.readBytes(SIZE / 2, 10))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("retry budget");
            assertThat(elapsedMs(t1)).isLessThan(1_000L);
            assertThat(settledRequests(server) - before).isEqualTo(1);
            assertThat(elapsedMs(t0)).isLessThan(4_000L);
        }
    }

    @Test
    void aRefusedConnectionNamesTheUrlAndTheReason() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        URI uri = URI.create("http://127.0.0.1:" + port + "/model.safetensors");
        try (RemoteSession s =
                session(Duration.ofSeconds(5), Duration.ofSeconds(2)).build()) {
            assertThatThrownBy(() -> s.open(uri))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("network error: connection refused")
                    .hasMessageContaining(uri.toString())
                    .hasMessageNotContaining("null");
        }
    }

    @Test
    void reasonNamesFailuresTheJdkReportsWithoutAMessage() {
        assertThat(RangeClient.reason(new java.net.ConnectException())).isEqualTo("connection refused");
        assertThat(RangeClient.reason(new IOException(null, new java.net.ConnectException())))
                .isEqualTo("connection refused");
        assertThat(RangeClient.reason(new java.net.http.HttpConnectTimeoutException(null)))
                .isEqualTo("connect timed out");
        assertThat(RangeClient.reason(new IOException("reset by peer"))).isEqualTo("reset by peer");
        assertThat(RangeClient.reason(new java.io.EOFException())).isEqualTo("connection closed by the server");
        assertThat(RangeClient.reason(new IOException())).isEqualTo("IOException");
    }

    @Test
    void deadlinesAndBudgetsComeFromTheEnvironmentOrProperties() throws Exception {
        try (RawHttpServer server =
                        new RawHttpServer((method, range, out) -> new CountDownLatch(1).await(5, TimeUnit.SECONDS));
                RemoteSession s = RemoteSession.builder()
                        .lookups(
                                k -> k.equals(ReadDeadline.PROPERTY) ? "0.5" : null,
                                k -> k.equals(ReadDeadline.ENV) ? "99" : null)
                        .noDiskCache()
                        .build()) {
            assertThatThrownBy(() -> s.open(server.uri("/x"))).hasMessageContaining("the 0.5 s deadline of this read");
        }
        assertThatThrownBy(() -> RemoteSession.builder()
                        .lookups(k -> null, k -> k.equals(RetryBudget.ENV) ? "soon" : null)
                        .noDiskCache()
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("PEDIGREE_HTTP_RETRY_BUDGET must be a number of seconds");
    }

    /** The server's request count once it has not changed for 100 ms (at most about 2 s). */
    private static int settledRequests(RawHttpServer server) throws InterruptedException {
        int n = server.requests.size();
        for (int i = 0; i < 20; i++) {
            Thread.sleep(100);
            int m = server.requests.size();
            if (m == n) {
                return m;
            }
            n = m;
        }
        return n;
    }
}
