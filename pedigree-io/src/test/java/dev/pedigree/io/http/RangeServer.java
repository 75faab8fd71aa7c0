package dev.pedigree.io.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback HTTP server for tests: serves {@link Resource}s with real single-range support
 * ({@code bytes=a-b}, {@code a-}, {@code -n}), ETags and {@code HEAD}; records every request;
 * lets a test intercept requests ({@link Hook}) to script failures. Bound to 127.0.0.1 on a free
 * port; {@link #close()} stops it.
 */
final class RangeServer implements AutoCloseable {
    /** Bytes served at a path. */
    interface Resource {
        long size();

        String etag();

        /** Writes {@code length} bytes from {@code offset}; may be called concurrently. */
        void write(OutputStream out, long offset, long length) throws IOException;
    }

    /** Handles a request itself (returns true) or lets the server serve it (false). */
    interface Hook {
        boolean handle(HttpExchange ex, Request request) throws IOException;
    }

    record Request(String method, String path, String range, String authorization) {}

    private static final Pattern RANGE = Pattern.compile("bytes=([0-9]*)-([0-9]*)");

    final Map<String, Resource> files = new ConcurrentHashMap<>();
    final Map<String, String> redirects = new ConcurrentHashMap<>();
    final List<Request> requests = new CopyOnWriteArrayList<>();
    final AtomicLong bytesServed = new AtomicLong();
    final AtomicInteger abortedBodies = new AtomicInteger();
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicInteger maxInFlight = new AtomicInteger();
    volatile Hook hook;
    volatile boolean ignoreRange;
    volatile boolean refuseHead;
    volatile long getDelayMillis;

    private final HttpServer server;
    private final ExecutorService executor;

    RangeServer() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        executor = Executors.newFixedThreadPool(
                16, Thread.ofPlatform().name("range-server-", 0).daemon(true).factory());
        server.setExecutor(executor);
        server.createContext("/", this::serve);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    URI base() {
        return URI.create("http://127.0.0.1:" + port());
    }

    long getCount() {
        return requests.stream().filter(r -> r.method().equals("GET")).count();
    }

    private void serve(HttpExchange ex) throws IOException {
        int now = inFlight.incrementAndGet();
        maxInFlight.accumulateAndGet(now, Math::max);
        try (ex) {
            ex.getRequestBody().readAllBytes();
            Request req = new Request(
                    ex.getRequestMethod(),
                    ex.getRequestURI().getRawPath(),
                    ex.getRequestHeaders().getFirst("Range"),
                    ex.getRequestHeaders().getFirst("Authorization"));
            requests.add(req);
            if (req.method().equals("GET") && getDelayMillis > 0) {
                Thread.sleep(getDelayMillis);
            }
            Hook h = hook;
            if (h != null && h.handle(ex, req)) {
                return;
            }
            String target = redirects.get(req.path());
            if (target != null) {
                ex.getResponseHeaders().set("Location", target);
                ex.sendResponseHeaders(302, -1);
                return;
            }
            Resource res = files.get(req.path());
            if (res == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            serveResource(ex, req, res);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            inFlight.decrementAndGet();
        }
    }

    void serveResource(HttpExchange ex, Request req, Resource res) throws IOException {
        long size = res.size();
        ex.getResponseHeaders().set("ETag", res.etag());
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        if (req.method().equals("HEAD")) {
            if (refuseHead) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            ex.getResponseHeaders().set("Content-Length", Long.toString(size));
            ex.sendResponseHeaders(200, -1);
            return;
        }
        if (req.range() == null || ignoreRange) {
            sendBody(ex, 200, res, 0, size);
            return;
        }
        Matcher m = RANGE.matcher(req.range());
        long from;
        long to;
        if (!m.matches() || (m.group(1).isEmpty() && m.group(2).isEmpty())) {
            ex.sendResponseHeaders(400, -1);
            return;
        }
        if (m.group(1).isEmpty()) {
            long n = Long.parseLong(m.group(2));
            from = Math.max(0, size - n);
            to = size - 1;
        } else {
            from = Long.parseLong(m.group(1));
            to = m.group(2).isEmpty() ? size - 1 : Math.min(Long.parseLong(m.group(2)), size - 1);
        }
        if (from >= size || to < from) {
            ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
            ex.sendResponseHeaders(416, -1);
            return;
        }
        ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
        sendBody(ex, 206, res, from, to - from + 1);
    }

    private void sendBody(HttpExchange ex, int status, Resource res, long from, long length) throws IOException {
        ex.sendResponseHeaders(status, length == 0 ? -1 : length);
        OutputStream counting = new OutputStream() {
            private final OutputStream out = ex.getResponseBody();

            @Override
            public void write(int b) throws IOException {
                out.write(b);
                bytesServed.incrementAndGet();
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                out.write(b, off, len);
                bytesServed.addAndGet(len);
            }
        };
        try {
            res.write(counting, from, length);
        } catch (IOException e) {
            abortedBodies.incrementAndGet();
            throw e;
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- resources ----

    static Resource ofBytes(byte[] bytes, String etag) {
        return new Resource() {
            @Override
            public long size() {
                return bytes.length;
            }

            @Override
            public String etag() {
                return etag;
            }

            @Override
            public void write(OutputStream out, long offset, long length) throws IOException {
                out.write(bytes, (int) offset, (int) length);
            }
        };
    }

    static Resource ofFile(Path file, String etag) throws IOException {
        long size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            size = ch.size();
        }
        return new Resource() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public String etag() {
                return etag;
            }

            @Override
            public void write(OutputStream out, long offset, long length) throws IOException {
                try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
                    ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
                    long pos = offset;
                    long end = offset + length;
                    while (pos < end) {
                        buf.clear().limit((int) Math.min(buf.capacity(), end - pos));
                        int n = ch.read(buf, pos);
                        if (n < 0) {
                            throw new IOException("file shorter than expected");
                        }
                        out.write(buf.array(), 0, n);
                        pos += n;
                    }
                }
            }
        };
    }

    /** {@code size} bytes where byte {@code i} is {@link #patternByte(long, long)}. */
    static Resource pattern(long size, long seed, String etag) {
        return new Resource() {
            @Override
            public long size() {
                return size;
            }

            @Override
            public String etag() {
                return etag;
            }

            @Override
            public void write(OutputStream out, long offset, long length) throws IOException {
                byte[] buf = new byte[64 * 1024];
                long pos = offset;
                long end = offset + length;
                while (pos < end) {
                    int n = (int) Math.min(buf.length, end - pos);
                    for (int i = 0; i < n; i++) {
                        buf[i] = patternByte(seed, pos + i);
                    }
                    out.write(buf, 0, n);
                    pos += n;
                }
            }
        };
    }

    static byte patternByte(long seed, long offset) {
        return (byte) (mix(seed * 0x9E3779B97F4A7C15L + (offset >>> 3)) >>> ((offset & 7) * 8));
    }

    static byte[] pattern(long seed, long offset, int length) {
        byte[] out = new byte[length];
        for (int i = 0; i < length; i++) {
            out[i] = patternByte(seed, offset + i);
        }
        return out;
    }

    /** SplitMix64 finaliser: cheap, deterministic, well mixed. */
    static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
