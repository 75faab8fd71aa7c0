package dev.pedigree.io.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Servers that misbehave: ignore ranges, redirect, fail, throttle, reset, require a token. */
class RemoteFailureTest {
    private static final int MIB = 1 << 20;
    private static final String SECRET = "hf_SeCrEtToKeN0123456789";

    @TempDir
    Path tmp;

    private RangeServer server;

    @BeforeEach
    void start() throws IOException {
        server = new RangeServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void serverIgnoringRangeIsRefusedAndItsBodyIsNotRead() throws Exception {
        long huge = 1L << 30; // 1 GiB the server would happily stream
        server.files.put("/whole", RangeServer.pattern(huge, 11, "\"w\""));
        server.ignoreRange = true;
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/whole"))) {
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> src.readBytes(500L * MIB, 10))
                    .isInstanceOfSatisfying(
                            RemoteIOException.class, e -> assertThat(e.status()).isEqualTo(200))
                    .hasMessageContaining("server ignored the Range request")
                    .hasMessageContaining(server.uri("/whole").toString());
            // the server's write fails once the client has cancelled the exchange
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (server.abortedBodies.get() == 0 && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
            System.out.printf(
                    "range ignored: refused in %d ms; server wrote %d bytes before the abort; client counted %d%n",
                    (System.nanoTime() - t0) / 1_000_000,
                    server.bytesServed.get(),
                    session.stats().bytesTransferred());
            assertThat(server.abortedBodies.get()).isEqualTo(1);
            assertThat(server.bytesServed.get()).isLessThan(64L * MIB);
            assertThat(session.stats().bytesTransferred()).isZero();
            assertThat(server.getCount()).isEqualTo(1); // not retried
        }
    }

    @Test
    void serverIgnoringRangeIsRefusedAtOpenWhenHeadIsRefused() throws Exception {
        server.files.put("/whole", RangeServer.pattern(64L * MIB, 11, "\"w\""));
        server.ignoreRange = true;
        server.refuseHead = true;
        try (RemoteSession session = TestSessions.builder(tmp).build()) {
            assertThatThrownBy(() -> session.open(server.uri("/whole")))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("server ignored the Range request");
            assertThat(session.stats().bytesTransferred()).isZero();
        }
    }

    @Test
    void acceptRangesNoneIsRefusedAtOpen() throws Exception {
        server.hook = (ex, req) -> {
            ex.getResponseHeaders().set("Accept-Ranges", "none");
            ex.getResponseHeaders().set("Content-Length", "1000");
            ex.sendResponseHeaders(200, -1);
            return true;
        };
        try (RemoteSession session = TestSessions.builder(tmp).build()) {
            assertThatThrownBy(() -> session.open(server.uri("/x")))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("Accept-Ranges: none");
        }
    }

    @Test
    void redirectsAreFollowed() throws Exception {
        server.files.put("/cdn/blob-123", RangeServer.pattern(3L * MIB, 21, "\"sha-123\""));
        server.redirects.put("/org/model/resolve/main/model.safetensors", "/cdn/blob-123");
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/org/model/resolve/main/model.safetensors"))) {
            assertThat(src.size()).isEqualTo(3L * MIB);
            assertThat(src.description()).endsWith("/org/model/resolve/main/model.safetensors");
            assertThat(src.readBytes(2L * MIB + 3, 33)).isEqualTo(RangeServer.pattern(21, 2L * MIB + 3, 33));
            assertThat(server.requests)
                    .extracting(RangeServer.Request::path)
                    .containsExactly(
                            "/org/model/resolve/main/model.safetensors",
                            "/cdn/blob-123",
                            "/org/model/resolve/main/model.safetensors",
                            "/cdn/blob-123");
        }
    }

    @Test
    void transient503IsRetriedThenSucceeds() throws Exception {
        server.files.put("/m", RangeServer.pattern(2L * MIB, 4, "\"m\""));
        AtomicInteger failures = new AtomicInteger(2);
        server.hook = (ex, req) -> {
            if (req.method().equals("GET") && failures.getAndDecrement() > 0) {
                ex.sendResponseHeaders(503, -1);
                return true;
            }
            return false;
        };
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/m"))) {
            assertThat(src.readBytes(77, 7)).isEqualTo(RangeServer.pattern(4, 77, 7));
            assertThat(session.stats().retries()).isEqualTo(2);
            assertThat(server.getCount()).isEqualTo(3);
        }
    }

    @Test
    void permanent503GivesUpAfterBoundedAttempts() throws Exception {
        server.files.put("/m", RangeServer.pattern(2L * MIB, 4, "\"m\""));
        server.hook = (ex, req) -> {
            if (req.method().equals("GET")) {
                ex.sendResponseHeaders(503, -1);
                return true;
            }
            return false;
        };
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/m"))) {
            assertThatThrownBy(() -> src.readBytes(0, 1))
                    .isInstanceOfSatisfying(
                            RemoteIOException.class, e -> assertThat(e.status()).isEqualTo(503))
                    .hasMessageContaining("HTTP 503")
                    .hasMessageContaining("gave up after 4 attempts")
                    .hasMessageContaining(server.uri("/m").toString());
            assertThat(server.getCount()).isEqualTo(4);
        }
    }

    @Test
    void tooManyRequestsHonoursRetryAfter() throws Exception {
        server.files.put("/m", RangeServer.pattern(MIB, 4, "\"m\""));
        AtomicInteger failures = new AtomicInteger(1);
        server.hook = (ex, req) -> {
            if (req.method().equals("GET") && failures.getAndDecrement() > 0) {
                ex.getResponseHeaders().set("Retry-After", "1");
                ex.sendResponseHeaders(429, -1);
                return true;
            }
            return false;
        };
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/m"))) {
            long t0 = System.nanoTime();
            assertThat(src.readBytes(5, 5)).isEqualTo(RangeServer.pattern(4, 5, 5));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("429 Retry-After: 1 -> succeeded after %d ms%n", ms);
            assertThat(ms).isGreaterThanOrEqualTo(950);
            assertThat(session.stats().retries()).isEqualTo(1);
        }
    }

    @Test
    void retryAfterLongerThanAllowedFailsAtOnce() throws Exception {
        server.files.put("/m", RangeServer.pattern(MIB, 4, "\"m\""));
        server.hook = (ex, req) -> {
            if (req.method().equals("GET")) {
                ex.getResponseHeaders().set("Retry-After", "3600");
                ex.sendResponseHeaders(429, -1);
                return true;
            }
            return false;
        };
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/m"))) {
            assertThatThrownBy(() -> src.readBytes(5, 5))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("retry after 3600 s");
            assertThat(server.getCount()).isEqualTo(1);
        }
    }

    @Test
    void notFoundNamesTheUrl() throws Exception {
        try (RemoteSession session = TestSessions.builder(tmp).build()) {
            RemoteIOException e = (RemoteIOException)
                    catchThrowable(() -> session.open(server.uri("/nothing/here.safetensors?sig=abc")));
            assertThat(e.isNotFound()).isTrue();
            assertThat(e.getMessage())
                    .contains("not found (HTTP 404)")
                    .contains(server.uri("/nothing/here.safetensors").toString())
                    .doesNotContain("sig=abc");
            assertThat(server.requests).hasSize(1); // 404 is not retried
        }
    }

    @Test
    void connectionResetMidBodyResumesWhereItStopped() throws Exception {
        server.files.put("/m", RangeServer.pattern(4L * MIB, 8, "\"m\""));
        AtomicInteger resets = new AtomicInteger(1);
        server.hook = (ex, req) -> {
            if (req.method().equals("GET") && resets.getAndDecrement() > 0) {
                // promise the whole range, send 300 KB, then drop the connection
                ex.getResponseHeaders().set("Content-Range", req.range().replace("=", " ") + "/" + (4L * MIB));
                ex.getResponseHeaders().set("ETag", "\"m\"");
                String[] ab = req.range().substring(6).split("-");
                long len = Long.parseLong(ab[1]) - Long.parseLong(ab[0]) + 1;
                ex.sendResponseHeaders(206, len);
                OutputStream out = ex.getResponseBody();
                out.write(RangeServer.pattern(8, Long.parseLong(ab[0]), 300 * 1024));
                out.flush();
                throw new IOException("simulated reset");
            }
            return false;
        };
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/m"))) {
            assertThat(src.readBytes(MIB - 10, 2 * MIB)).isEqualTo(RangeServer.pattern(8, MIB - 10, 2 * MIB));
            assertThat(session.stats().retries()).isEqualTo(1);
            RangeServer.Request second = server.requests.get(server.requests.size() - 1);
            System.out.printf("reset after 300 KB: resumed with Range %s; %s%n", second.range(), session.stats());
            assertThat(second.range()).isEqualTo("bytes=" + 300 * 1024 + "-" + (3 * MIB - 1));
            assertThat(session.stats().bytesTransferred()).isEqualTo(3L * MIB);
        }
    }

    @Test
    void tokenIsSentAsBearerAndNeverShown() throws Exception {
        server.files.put("/gated/config.json", RangeServer.ofBytes("{}".getBytes(), "\"c\""));
        try (RemoteSession session =
                        TestSessions.builder(tmp).token(BearerToken.of(SECRET)).build();
                HttpByteSource src = session.open(server.uri("/gated/config.json"))) {
            src.readBytes(0, 2);
            assertThat(server.requests)
                    .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + SECRET));
            assertThat(session.toString()).doesNotContain(SECRET).contains("token=set");
            assertThat(src.toString()).doesNotContain(SECRET);
            assertThat(BearerToken.of(SECRET).toString()).doesNotContain(SECRET);
        }
    }

    @Test
    void tokenFromInjectedEnvironmentAndProperty() throws Exception {
        server.files.put("/f", RangeServer.ofBytes(new byte[10], "\"f\""));
        for (Map<String, String> env : List.of(Map.of("HF_TOKEN", "hf_env"), Map.of("PEDIGREE_HTTP_TOKEN", "hf_env"))) {
            server.requests.clear();
            try (RemoteSession session = RemoteSession.builder()
                    .lookups(k -> null, env::get)
                    .noDiskCache()
                    .build()) {
                session.open(server.uri("/f")).close();
            }
            assertThat(server.requests.getFirst().authorization()).isEqualTo("Bearer hf_env");
        }
        server.requests.clear();
        try (RemoteSession session = RemoteSession.builder()
                .lookups(Map.of("pedigree.http.token", "hf_prop")::get, Map.of("HF_TOKEN", "hf_env")::get)
                .noDiskCache()
                .build()) {
            session.open(server.uri("/f")).close();
        }
        assertThat(server.requests.getFirst().authorization()).isEqualTo("Bearer hf_prop");
        server.requests.clear();
        try (RemoteSession session = RemoteSession.builder()
                .lookups(k -> null, k -> null)
                .noDiskCache()
                .build()) {
            session.open(server.uri("/f")).close();
        }
        assertThat(server.requests.getFirst().authorization()).isNull();
    }

    @Test
    void tokenNeverAppearsInErrors() throws Exception {
        server.files.put("/m", RangeServer.pattern(MIB, 1, "\"m\""));
        int[] statuses = {401, 403, 404, 500};
        for (int status : statuses) {
            server.hook = (ex, req) -> {
                ex.sendResponseHeaders(status, -1);
                return true;
            };
            try (RemoteSession session =
                    TestSessions.builder(tmp).token(BearerToken.of(SECRET)).build()) {
                Throwable t = catchThrowable(() -> session.open(server.uri("/m")));
                assertThat(t).isInstanceOf(RemoteIOException.class);
                for (Throwable c = t; c != null; c = c.getCause()) {
                    assertThat(String.valueOf(c.getMessage())).doesNotContain(SECRET);
                    assertThat(c.toString()).doesNotContain(SECRET);
                }
                if (status == 401 || status == 403) {
                    assertThat(t).hasMessageContaining("gated or private");
                }
            }
        }
        // a failure in the middle of a read, too
        server.hook = null;
        server.ignoreRange = true;
        try (RemoteSession session =
                        TestSessions.builder(tmp).token(BearerToken.of(SECRET)).build();
                HttpByteSource src = session.open(server.uri("/m"))) {
            Throwable t = catchThrowable(() -> src.readBytes(0, 1));
            assertThat(t).isInstanceOf(RemoteIOException.class);
            assertThat(t.getMessage()).doesNotContain(SECRET);
        }
        assertThatThrownBy(() -> BearerToken.of("bad token\n" + SECRET)).hasMessageNotContaining(SECRET);
    }

    @Test
    void tokenIsDroppedOnRedirectToAnotherHost() throws Exception {
        server.files.put("/cdn/x", RangeServer.pattern(1000, 2, "\"x\""));
        server.redirects.put("/hub/x", "http://localhost:" + server.port() + "/cdn/x");
        try (RemoteSession session =
                        TestSessions.builder(tmp).token(BearerToken.of(SECRET)).build();
                HttpByteSource src = session.open(server.uri("/hub/x"))) {
            assertThat(src.readBytes(0, 10)).isEqualTo(RangeServer.pattern(2, 0, 10));
        }
        assertThat(server.requests)
                .filteredOn(r -> r.path().equals("/hub/x"))
                .allSatisfy(r -> assertThat(r.authorization()).isEqualTo("Bearer " + SECRET));
        assertThat(server.requests)
                .filteredOn(r -> r.path().equals("/cdn/x"))
                .isNotEmpty()
                .allSatisfy(r -> assertThat(r.authorization()).isNull());
    }

    @Test
    void tokenIsNotSentOverPlainHttpToOtherHosts() {
        assertThat(RangeClient.mayCarryToken(java.net.URI.create("https://huggingface.co/x")))
                .isTrue();
        assertThat(RangeClient.mayCarryToken(java.net.URI.create("http://127.0.0.1:80/x")))
                .isTrue();
        assertThat(RangeClient.mayCarryToken(java.net.URI.create("http://mirror.example.com/x")))
                .isFalse();
    }
}
