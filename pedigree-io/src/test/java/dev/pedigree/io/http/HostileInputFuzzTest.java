package dev.pedigree.io.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.sun.net.httpserver.HttpExchange;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.ShardIndex;
import dev.pedigree.testkit.Mutations;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded fuzzing of what comes from the network: a server that mangles its range answers, and
 * mutated index files. Every case must either return exactly the right bytes or fail with a
 * checked exception of the documented kind; nothing else, and nothing may hang.
 */
class HostileInputFuzzTest {
    private static final long SIZE = 3L << 20;
    private static final long SEED = 77;
    private static final String PUNCTUATION = "{}[]\",:\\0 ./";

    @TempDir
    Path tmp;

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void manglingServerNeverYieldsWrongBytesOrUncheckedErrors() throws Exception {
        Random rnd = new Random(20260528L);
        Map<String, Integer> outcomes = new TreeMap<>();
        int cases = 400;
        try (RangeServer server = new RangeServer();
                RemoteSession session = RemoteSession.builder()
                        .lookups(k -> null, k -> null)
                        .noDiskCache()
                        .memoryCacheBytes(0)
                        .blockSize(256 * 1024)
                        .retryPolicy(
                                new RetryPolicy(2, Duration.ofMillis(1), Duration.ofMillis(2), Duration.ofMillis(10)))
                        .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), Duration.ofMillis(200))
                        .build()) {
            RangeServer.Resource res = RangeServer.pattern(SIZE, SEED, "\"fuzz\"");
            server.files.put("/f", res);
            server.hook = (ex, req) -> req.method().equals("GET") && mangle(ex, req, res, rnd);
            HttpByteSource src = session.open(server.uri("/f"));
            for (int c = 0; c < cases; c++) {
                long off = rnd.nextLong(SIZE);
                int len = (int) Math.min(SIZE - off, 1 + rnd.nextInt(rnd.nextBoolean() ? 100 : 700_000));
                try {
                    byte[] got = src.readBytes(off, len);
                    if (!Arrays.equals(got, RangeServer.pattern(SEED, off, len))) {
                        fail("case " + c + ": wrong bytes at " + off + "+" + len);
                    }
                    outcomes.merge("ok", 1, Integer::sum);
                } catch (RemoteIOException e) {
                    assertThat(e.getMessage()).contains(server.uri("/f").toString());
                    String msg = e.getMessage();
                    String kind = msg.contains("ignored the Range")
                            ? "range ignored"
                            : msg.contains("Content-Range")
                                    ? "bad Content-Range"
                                    : msg.contains("changed on the server")
                                            ? "changed"
                                            : msg.contains("more than")
                                                    ? "extra bytes"
                                                    : msg.contains("HTTP ")
                                                            ? "http status"
                                                            : msg.contains("network error")
                                                                    ? "network/short body/stall"
                                                                    : "other: " + msg;
                    outcomes.merge(kind, 1, Integer::sum);
                }
            }
            src.close();
        }
        System.out.printf("hostile server fuzz: %d cases -> %s%n", cases, outcomes);
        assertThat(outcomes.getOrDefault("ok", 0)).isGreaterThan(cases / 10);
        assertThat(outcomes.keySet()).noneMatch(k -> k.startsWith("other"));
    }

    /** Answers one GET in a randomly broken (or occasionally correct) way. */
    private static boolean mangle(HttpExchange ex, RangeServer.Request req, RangeServer.Resource res, Random rnd)
            throws IOException {
        String[] ab = req.range().substring("bytes=".length()).split("-");
        long a = Long.parseLong(ab[0]);
        long b = Long.parseLong(ab[1]);
        long len = b - a + 1;
        int kind;
        synchronized (rnd) {
            kind = rnd.nextInt(16);
        }
        var h = ex.getResponseHeaders();
        h.set("ETag", "\"fuzz\"");
        switch (kind) {
            case 0, 1, 2 -> {
                return false; // served correctly
            }
            case 3 -> { // a shorter prefix of the range: legal, the client asks for the rest
                long shortEnd = a + Math.max(0, len / 2 - 1);
                h.set("Content-Range", "bytes " + a + "-" + shortEnd + "/" + SIZE);
                ex.sendResponseHeaders(206, shortEnd - a + 1);
                res.write(ex.getResponseBody(), a, shortEnd - a + 1);
            }
            case 4 -> send(ex, res, "bytes " + (a + 1) + "-" + b + "/" + SIZE, a, len);
            case 5 -> send(ex, res, "bytes " + a + "-" + (b + 1) + "/" + SIZE, a, len);
            case 6 -> send(ex, res, "bytes " + a + "-" + b + "/" + (SIZE + 1), a, len);
            case 7 -> send(ex, res, null, a, len);
            case 8 ->
                send(
                        ex,
                        res,
                        new String[] {
                                    "bytes=0-1/2",
                                    "bytes " + a + "-" + b + "/*",
                                    "bytes -1-5/9",
                                    "items 0-1/2",
                                    "bytes 99999999999999999999-1/2",
                                    "bytes  " + a + "-" + b + "/" + SIZE
                                }
                                [(int) (len % 6)],
                        a,
                        len);
            case 9 -> { // promise everything, send a part, drop the connection
                h.set("Content-Range", "bytes " + a + "-" + b + "/" + SIZE);
                ex.sendResponseHeaders(206, len);
                res.write(ex.getResponseBody(), a, len / 3);
                throw new IOException("simulated reset");
            }
            case 10 -> { // chunked body with extra bytes after the range
                h.set("Content-Range", "bytes " + a + "-" + b + "/" + SIZE);
                ex.sendResponseHeaders(206, 0);
                OutputStream out = ex.getResponseBody();
                res.write(out, a, len);
                out.write(new byte[] {1, 2, 3});
            }
            case 11 -> { // chunked body of exactly the range: fine
                h.set("Content-Range", "bytes " + a + "-" + b + "/" + SIZE);
                ex.sendResponseHeaders(206, 0);
                res.write(ex.getResponseBody(), a, len);
            }
            case 12 -> {
                h.set("ETag", "\"other\"");
                send(ex, res, "bytes " + a + "-" + b + "/" + SIZE, a, len);
            }
            case 13 -> { // a whole-file 200
                ex.sendResponseHeaders(200, SIZE);
                res.write(ex.getResponseBody(), 0, Math.min(SIZE, 65536));
                throw new IOException("client should have gone");
            }
            case 14 -> ex.sendResponseHeaders(new int[] {204, 301, 400, 416, 418, 500, 503}[(int) (len % 7)], -1);
            default -> { // stall in the middle of the body, longer than the idle timeout
                if (len % 4 != 0) {
                    return false;
                }
                h.set("Content-Range", "bytes " + a + "-" + b + "/" + SIZE);
                ex.sendResponseHeaders(206, len);
                res.write(ex.getResponseBody(), a, len / 2);
                ex.getResponseBody().flush();
                try {
                    Thread.sleep(450);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                throw new IOException("stalled");
            }
        }
        return true;
    }

    private static void send(HttpExchange ex, RangeServer.Resource res, String contentRange, long a, long len)
            throws IOException {
        if (contentRange != null) {
            ex.getResponseHeaders().set("Content-Range", contentRange);
        }
        ex.sendResponseHeaders(206, len);
        res.write(ex.getResponseBody(), a, len);
    }

    @Test
    void mutatedIndexFilesParseOrFailAsCorrupt() {
        SyntheticLlama model = new SyntheticLlama(4, 64, 128, 4, 2, 100, 40_000);
        byte[] valid = model.indexJson;
        Random rnd = new Random(12345);
        int ok = 0;
        int corrupt = 0;
        int cases = 4000;
        for (int c = 0; c < cases; c++) {
            byte[] m = Mutations.mutate(valid, valid.length, PUNCTUATION.getBytes(StandardCharsets.US_ASCII), rnd);
            try {
                Map<String, String> map = ShardIndex.parse("https://hub/x/model.safetensors.index.json", m)
                        .weightMap();
                assertThat(map).isNotEmpty();
                ok++;
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).contains("https://hub/x/model.safetensors.index.json");
                assertThat(e.offset()).isBetween(0L, (long) m.length);
                corrupt++;
            }
        }
        System.out.printf(
                "index fuzz: %d mutations of a %d-byte index -> %d parsed, %d ModelFormatException%n",
                cases, valid.length, ok, corrupt);
        assertThat(ok + corrupt).isEqualTo(cases);
        assertThat(corrupt).isGreaterThan(cases / 4);
    }

    @Test
    void hostileJsonShapes() {
        String[] inputs = {
            "[".repeat(100_000),
            "{\"a\":".repeat(10_000),
            "\"\\u12",
            "{\"a\":1,\"a\":2}",
            "1e99999999999",
            "-",
            "{\"weight_map\":[]}",
            "{\"weight_map\":{\"t\":5}}",
            "{\"weight_map\":{\"t\":\"/abs\"}}",
            "{\"weight_map\":{\"t\":\"a\\u0000b\"}}",
            "\u0000",
            "{\"weight_map\":{}}",
        };
        for (String in : inputs) {
            try {
                ShardIndex.parse("idx", in.getBytes(java.nio.charset.StandardCharsets.UTF_8));
                fail("accepted " + in.substring(0, Math.min(40, in.length())));
            } catch (ModelFormatException e) {
                assertThat(e.source()).isEqualTo("idx");
            }
        }
    }
}
