package dev.pedigree.census.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pedigree.census.hub.HubModel.HubFile;
import dev.pedigree.io.Sha256;
import java.io.IOException;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Serves a simulated hub directory ({@link dev.pedigree.census.sim.SimulatedHub}) over loopback
 * HTTP the way the Hugging Face hub serves models, so the census fetcher runs against the same
 * protocol it meets on the real hub:
 *
 * <ul>
 *   <li>{@code GET /api/models?limit=N[&cursor=C]}: a page of the listing (id, sha, createdAt,
 *       cardData.base_model, sibling file names), the next page in a {@code Link: <…>; rel="next"}
 *       header;
 *   <li>{@code GET /api/models/OWNER/NAME/revision/SHA?blobs=true}: the files with size and LFS
 *       SHA-256;
 *   <li>{@code HEAD|GET /OWNER/NAME/resolve/REV/PATH}: for an LFS file a 302 to a signed CDN location
 *       that expires (a "resolver" call, counted), for other files the bytes themselves;
 *   <li>{@code GET /cdn/…?expires=…&sig=…}: the file's bytes with {@code Range} support (206), 403
 *       once the signature has expired.
 * </ul>
 *
 * Every {@code rateLimitEvery}-th request is answered 429 with {@code Retry-After}, as the hub does
 * when a client exceeds its budget. Counters of requests, resolutions and bytes are kept per model
 * ({@link #stats}). Thread-safe; loopback only; stopped with {@link #close()}.
 */
public final class LoopbackHub implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        // Without TCP_NODELAY, Nagle's algorithm and delayed ACKs add ~40 ms to every small range answer.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /**
     * How the server behaves.
     *
     * @param rateLimitEvery every this many requests one is refused with 429 (0: never)
     * @param retryAfterSeconds the {@code Retry-After} of a 429
     * @param urlTtlSeconds lifetime of a signed CDN location
     */
    public record Options(int rateLimitEvery, int retryAfterSeconds, int urlTtlSeconds) {
        public static final Options DEFAULT = new Options(0, 1, 3600);

        public Options {
            if (rateLimitEvery < 0 || retryAfterSeconds < 0 || urlTtlSeconds < 1) {
                throw new IllegalArgumentException("negative rate limit or retry, or no URL lifetime");
            }
        }
    }

    /** Requests and bytes the server answered for one model. */
    public record ModelStats(long resolves, long rangeRequests, long bytes, Map<String, Long> resolvesPerFile) {}

    private final Path dir;
    private final List<HubModel> models;
    private final Map<String, HubModel> byId = new LinkedHashMap<>();
    private final Options options;
    private final HttpServer server;
    private final Clock clock;
    private final String secret;
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong refused = new AtomicLong();
    private final AtomicLong apiRequests = new AtomicLong();
    private final Map<String, Counters> perModel = new ConcurrentHashMap<>();

    private static final class Counters {
        final AtomicLong resolves = new AtomicLong();
        final AtomicLong ranges = new AtomicLong();
        final AtomicLong bytes = new AtomicLong();
        final Map<String, AtomicLong> perFile = new ConcurrentHashMap<>();
        final Map<String, List<long[]>> served = new ConcurrentHashMap<>();
    }

    private LoopbackHub(Path dir, Options options, Clock clock) throws IOException {
        this.dir = dir;
        // Oldest first, as the hub lists with sort=createdAt&direction=1.
        List<HubModel> listed = new java.util.ArrayList<>(HubListing.read(dir.resolve(HubListing.FILE)));
        listed.sort(java.util.Comparator.comparing(HubModel::createdAt).thenComparing(HubModel::id));
        this.models = List.copyOf(listed);
        for (HubModel m : models) {
            byId.put(m.id(), m);
        }
        this.options = options;
        this.clock = clock;
        this.secret = Sha256.hex(dir.toAbsolutePath().toString().getBytes(StandardCharsets.UTF_8));
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        server.createContext("/", this::handle);
        server.setExecutor(Executors.newFixedThreadPool(8, r -> {
            Thread t = new Thread(r, "loopback-hub");
            t.setDaemon(true);
            return t;
        }));
        server.start();
    }

    /** Starts serving the simulated hub in {@code dir} on a free loopback port. */
    public static LoopbackHub start(Path dir, Options options) throws IOException {
        return new LoopbackHub(dir, options, Clock.systemUTC());
    }

    /** The hub's endpoint, e.g. {@code http://127.0.0.1:PORT}. */
    public URI endpoint() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The models served. */
    public List<HubModel> models() {
        return models;
    }

    /** What the server answered for {@code modelId} so far. */
    public ModelStats stats(String modelId) {
        Counters c = perModel.get(modelId);
        if (c == null) {
            return new ModelStats(0, 0, 0, Map.of());
        }
        Map<String, Long> files = new HashMap<>();
        c.perFile.forEach((k, v) -> files.put(k, v.get()));
        return new ModelStats(c.resolves.get(), c.ranges.get(), c.bytes.get(), Map.copyOf(files));
    }

    /** The byte ranges {@code [from, to]} of {@code file} served for {@code modelId}, in order. */
    public List<long[]> servedRanges(String modelId, String file) {
        Counters c = perModel.get(modelId);
        List<long[]> r = c == null ? null : c.served.get(file);
        if (r == null) {
            return List.of();
        }
        synchronized (r) {
            return List.copyOf(r);
        }
    }

    /** Requests refused with 429 so far. */
    public long refused() {
        return refused.get();
    }

    /** Listing and model-info API requests answered so far. */
    public long apiRequests() {
        return apiRequests.get();
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            long n = requests.incrementAndGet();
            if (options.rateLimitEvery() > 0 && n % options.rateLimitEvery() == 0) {
                refused.incrementAndGet();
                ex.getResponseHeaders().set("Retry-After", Integer.toString(options.retryAfterSeconds()));
                ex.sendResponseHeaders(429, -1);
                return;
            }
            String path = ex.getRequestURI().getRawPath();
            Map<String, String> query = query(ex.getRequestURI().getRawQuery());
            if (path.equals("/api/models")) {
                listing(ex, query);
            } else if (path.startsWith("/api/models/")) {
                info(ex, path.substring("/api/models/".length()));
            } else if (path.startsWith("/cdn/")) {
                cdn(ex, path.substring("/cdn/".length()), query);
            } else {
                resolve(ex, path.substring(1));
            }
        } catch (RuntimeException e) {
            // A handler bug must not look like a network problem to the client: answer 500 and say why on stderr.
            System.err.println("loopback hub: " + e);
            ex.sendResponseHeaders(500, -1);
        }
    }

    private void listing(HttpExchange ex, Map<String, String> q) throws IOException {
        apiRequests.incrementAndGet();
        int limit = Math.max(1, Math.min(1000, Integer.parseInt(q.getOrDefault("limit", "100"))));
        int start = Integer.parseInt(q.getOrDefault("cursor", "0"));
        ArrayNode page = JSON.createArrayNode();
        int end = Math.min(models.size(), start + limit);
        for (int i = start; i < end; i++) {
            HubModel m = models.get(i);
            ObjectNode o = page.addObject();
            o.put("id", m.id());
            o.put("sha", m.sha());
            o.put("createdAt", m.createdAt());
            if (m.declaredBase() != null) {
                o.putObject("cardData").put("base_model", m.declaredBase());
            }
            ArrayNode sib = o.putArray("siblings");
            for (HubFile f : m.files()) {
                sib.addObject().put("rfilename", f.path());
            }
        }
        if (end < models.size()) {
            ex.getResponseHeaders()
                    .set(
                            "Link",
                            "<" + endpoint() + "/api/models?limit=" + limit + "&cursor=" + end + ">; rel=\"next\"");
        }
        sendJson(ex, JSON.writeValueAsBytes(page));
    }

    private void info(HttpExchange ex, String rest) throws IOException {
        apiRequests.incrementAndGet();
        int r = rest.indexOf("/revision/");
        HubModel m = r < 0 ? null : byId.get(rest.substring(0, r));
        if (m == null) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        ObjectNode o = JSON.createObjectNode();
        o.put("id", m.id());
        o.put("sha", m.sha());
        o.put("createdAt", m.createdAt());
        ArrayNode sib = o.putArray("siblings");
        for (HubFile f : m.files()) {
            ObjectNode s = sib.addObject();
            s.put("rfilename", f.path());
            s.put("size", f.size());
            if (f.sha256() != null) {
                s.putObject("lfs").put("sha256", f.sha256()).put("size", f.size());
            }
        }
        sendJson(ex, JSON.writeValueAsBytes(o));
    }

    /** {@code OWNER/NAME/resolve/REV/PATH}. */
    private void resolve(HttpExchange ex, String rest) throws IOException {
        String[] p = rest.split("/", 5);
        if (p.length < 5 || !p[2].equals("resolve")) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        String id = p[0] + "/" + p[1];
        HubModel m = byId.get(id);
        String file = URLDecoder.decode(p[4], StandardCharsets.UTF_8);
        HubFile f = m == null ? null : m.file(file);
        if (f == null || !(p[3].equals(m.sha()) || p[3].equals("main"))) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        Counters c = perModel.computeIfAbsent(id, k -> new Counters());
        c.resolves.incrementAndGet();
        c.perFile.computeIfAbsent(file, k -> new AtomicLong()).incrementAndGet();
        if (f.sha256() == null) {
            serveBytes(ex, id, file, c);
            return;
        }
        long expires = clock.instant().getEpochSecond() + options.urlTtlSeconds();
        String target = id + "/" + m.sha() + "/" + p[4];
        ex.getResponseHeaders()
                .set("Location", "/cdn/" + target + "?expires=" + expires + "&sig=" + sign(target, expires));
        ex.getResponseHeaders().set("X-Linked-Size", Long.toString(f.size()));
        ex.getResponseHeaders().set("X-Linked-Etag", "\"" + f.sha256() + "\"");
        ex.sendResponseHeaders(302, -1);
    }

    /** {@code OWNER/NAME/SHA/PATH?expires=…&sig=…}. */
    private void cdn(HttpExchange ex, String rest, Map<String, String> q) throws IOException {
        String[] p = rest.split("/", 4);
        long expires;
        try {
            expires = Long.parseLong(q.getOrDefault("expires", "0"));
        } catch (NumberFormatException e) {
            expires = 0;
        }
        if (p.length < 4
                || !sign(rest, expires).equals(q.get("sig"))
                || expires < clock.instant().getEpochSecond()) {
            ex.sendResponseHeaders(403, -1);
            return;
        }
        String id = p[0] + "/" + p[1];
        Counters c = perModel.computeIfAbsent(id, k -> new Counters());
        serveBytes(ex, id, URLDecoder.decode(p[3], StandardCharsets.UTF_8), c);
    }

    private void serveBytes(HttpExchange ex, String id, String file, Counters c) throws IOException {
        Path f = dir.resolve("repos").resolve(id).resolve(file).normalize();
        if (!f.startsWith(dir.resolve("repos")) || !Files.isRegularFile(f)) {
            ex.sendResponseHeaders(404, -1);
            return;
        }
        long size = Files.size(f);
        long from = 0;
        long to = size - 1;
        int status = 200;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null) {
            Matcher mt = RANGE.matcher(range);
            if (!mt.matches() || Long.parseLong(mt.group(1)) >= size) {
                ex.getResponseHeaders().set("Content-Range", "bytes */" + size);
                ex.sendResponseHeaders(416, -1);
                return;
            }
            from = Long.parseLong(mt.group(1));
            to = Math.min(size - 1, Long.parseLong(mt.group(2)));
            status = 206;
            ex.getResponseHeaders().set("Content-Range", "bytes " + from + "-" + to + "/" + size);
        }
        ex.getResponseHeaders().set("Accept-Ranges", "bytes");
        long len = to - from + 1;
        boolean head = ex.getRequestMethod().equals("HEAD");
        c.ranges.incrementAndGet();
        if (!head) {
            c.bytes.addAndGet(len);
            List<long[]> log = c.served.computeIfAbsent(file, k -> new java.util.ArrayList<>());
            synchronized (log) {
                log.add(new long[] {from, to});
            }
        }
        ex.sendResponseHeaders(status, head ? -1 : len);
        if (head) {
            return;
        }
        try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "r");
                OutputStream out = ex.getResponseBody()) {
            raf.seek(from);
            byte[] buf = new byte[(int) Math.min(len, 1 << 16)];
            long left = len;
            while (left > 0) {
                int k = raf.read(buf, 0, (int) Math.min(buf.length, left));
                if (k < 0) {
                    break;
                }
                out.write(buf, 0, k);
                left -= k;
            }
        }
    }

    private String sign(String target, long expires) {
        return Sha256.hex((secret + "|" + target + "|" + expires).getBytes(StandardCharsets.UTF_8))
                .substring(0, 32);
    }

    private static void sendJson(HttpExchange ex, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", "application/json");
        ex.sendResponseHeaders(200, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> out = new HashMap<>();
        if (raw == null) {
            return out;
        }
        for (String kv : raw.split("&")) {
            int eq = kv.indexOf('=');
            if (eq > 0) {
                out.put(
                        URLDecoder.decode(kv.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    @Override
    public void close() {
        server.stop(0);
        ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
    }
}
