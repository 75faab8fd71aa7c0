package dev.pedigree.census.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.census.hub.HubModel;
import dev.pedigree.census.hub.HubModel.HubFile;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The census's client of a model hub (the Hugging Face hub or {@link
 * dev.pedigree.census.hub.LoopbackHub}): pages through the model listing, reads each revision's
 * files with their LFS SHA-256, and reads byte ranges of files.
 *
 * <p>Unlike {@link dev.pedigree.io.http.RangeClient}, which lets the HTTP client follow the hub's
 * redirect on every range request, this client resolves each file's location through the hub
 * <em>once</em> (a {@code HEAD} without following redirects) and sends every later range request
 * straight to the signed location it was given, until that location expires or is refused: the hub
 * counts every resolution against a rate limit much smaller than the file store's. Answers 429 and
 * 503 are waited out, honouring {@code Retry-After} (seconds or an HTTP date, capped by {@code
 * maxWait}), otherwise with exponential back-off.
 *
 * <p>Thread-safe; one client per executor is enough. Closing it releases the HTTP client.
 */
public final class HubClient implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"next\"");
    private static final Pattern EXPIRES = Pattern.compile("[?&](?:expires|Expires|X-Amz-Expires)=(\\d+)");
    /** A signed location is reused until this long before its stated expiry (or this long at all when it states none). */
    static final Duration LOCATION_MARGIN = Duration.ofMinutes(1);

    static final Duration UNSTATED_LIFETIME = Duration.ofMinutes(10);

    private final URI endpoint;
    private final String token;
    private final HttpClient http;
    private final int maxAttempts;
    private final Duration maxWait;
    private final FetchCounters counters = new FetchCounters();
    private final Map<String, Location> locations = new ConcurrentHashMap<>();

    private record Location(URI uri, Instant validUntil) {}

    /**
     * A client of the hub at {@code endpoint}.
     *
     * @param token a bearer token sent to the hub's own host only (never to the file store), or null
     * @param maxAttempts attempts per request, at least 1
     * @param maxWait the longest single wait on {@code Retry-After}; a longer one fails the request
     */
    public HubClient(URI endpoint, String token, int maxAttempts, Duration maxWait) {
        if (maxAttempts < 1) {
            throw new IllegalArgumentException("maxAttempts must be at least 1");
        }
        this.endpoint = endpoint;
        this.token = token;
        this.maxAttempts = maxAttempts;
        this.maxWait = maxWait;
        this.http = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(20))
                .build();
    }

    /** The counters of everything this client asked. */
    public FetchCounters counters() {
        return counters;
    }

    /**
     * Lists up to {@code limit} models with their files (one listing page per 1,000 models, one
     * model-info request per model for the file sizes and LFS hashes).
     *
     * @param filter a listing filter (e.g. {@code safetensors}), or null
     */
    public List<HubModel> list(int limit, String filter) throws IOException {
        List<HubModel> out = new ArrayList<>();
        URI next =
                endpoint.resolve("/api/models?limit=" + Math.min(limit, 1000) + "&full=true&sort=createdAt&direction=1"
                        + (filter == null ? "" : "&filter=" + URLEncoder.encode(filter, StandardCharsets.UTF_8)));
        while (next != null && out.size() < limit) {
            HttpResponse<byte[]> r = send(HttpRequest.newBuilder(next).GET(), true, next.toString());
            counters.api.incrementAndGet();
            JsonNode page = JSON.readTree(r.body());
            for (JsonNode m : page) {
                if (out.size() >= limit) {
                    break;
                }
                out.add(info(
                        m.path("id").asText(),
                        m.path("sha").asText(),
                        m.path("createdAt").asText(),
                        declared(m)));
            }
            next = r.headers()
                    .firstValue("Link")
                    .map(HubClient::nextLink)
                    .map(URI::create)
                    .orElse(null);
        }
        return out;
    }

    private static String nextLink(String link) {
        Matcher m = NEXT.matcher(link);
        return m.find() ? m.group(1) : null;
    }

    private static String declared(JsonNode m) {
        JsonNode b = m.path("cardData").path("base_model");
        if (b.isArray()) {
            return b.isEmpty() ? null : b.get(0).asText();
        }
        return b.isTextual() ? b.asText() : null;
    }

    /** The files of one revision, with sizes and LFS SHA-256. */
    public HubModel info(String id, String sha, String createdAt, String declaredBase) throws IOException {
        URI u = endpoint.resolve("/api/models/" + id + "/revision/" + sha + "?blobs=true");
        HttpResponse<byte[]> r = send(HttpRequest.newBuilder(u).GET(), true, u.toString());
        counters.api.incrementAndGet();
        JsonNode o = JSON.readTree(r.body());
        List<HubFile> files = new ArrayList<>();
        for (JsonNode s : o.path("siblings")) {
            JsonNode lfs = s.path("lfs");
            files.add(new HubFile(
                    s.path("rfilename").asText(),
                    lfs.isObject() ? lfs.path("size").asLong() : s.path("size").asLong(),
                    lfs.isObject() ? lfs.path("sha256").asText() : null));
        }
        return new HubModel(id, sha, createdAt, declaredBase, files);
    }

    /** Reads a whole (small) file. */
    public byte[] readAll(HubModel model, HubFile file) throws IOException {
        return readRange(model, file, 0, file.size());
    }

    /**
     * Reads {@code [offset, offset+length)} of a file: one range request to the file's location,
     * resolved through the hub on first use only.
     *
     * @throws IOException if the hub or the store fails, or answers with other bytes than asked
     */
    public byte[] readRange(HubModel model, HubFile file, long offset, long length) throws IOException {
        if (offset < 0 || length < 0 || offset + length > file.size() || length > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(
                    "range " + offset + "+" + length + " outside " + file.path() + " (" + file.size() + " bytes)");
        }
        if (length == 0) {
            return new byte[0];
        }
        String key = model.id() + "@" + model.sha() + "/" + file.path();
        for (int attempt = 0; ; attempt++) {
            Location loc = location(model, file, key);
            HttpRequest.Builder b = HttpRequest.newBuilder(loc.uri())
                    .header("Range", "bytes=" + offset + "-" + (offset + length - 1))
                    .GET();
            boolean hub = sameHost(loc.uri());
            HttpResponse<byte[]> r = send(b, hub, key);
            if (r.statusCode() == 403 && attempt == 0 && !hub) {
                // The signed location expired or was revoked early: resolve once more.
                locations.remove(key);
                continue;
            }
            if (r.statusCode() != 206 && !(r.statusCode() == 200 && offset == 0 && length == file.size())) {
                throw new IOException(key + ": range " + offset + "+" + length + " answered HTTP " + r.statusCode());
            }
            byte[] body = r.body();
            if (body.length != length) {
                throw new IOException(key + ": asked " + length + " bytes at " + offset + ", got " + body.length);
            }
            counters.ranges.incrementAndGet();
            counters.bytes.addAndGet(body.length);
            return body;
        }
    }

    private Location location(HubModel model, HubFile file, String key) throws IOException {
        Location cached = locations.get(key);
        if (cached != null && Instant.now().isBefore(cached.validUntil())) {
            return cached;
        }
        URI resolve = endpoint.resolve("/" + model.id() + "/resolve/" + model.sha() + "/"
                + URLEncoder.encode(file.path(), StandardCharsets.UTF_8).replace("%2F", "/"));
        counters.resolves.incrementAndGet();
        if (file.sha256() == null) {
            // Not in LFS: the hub serves the bytes itself, so the read is the resolution (no HEAD first).
            return new Location(resolve, Instant.EPOCH);
        }
        HttpResponse<byte[]> r =
                send(HttpRequest.newBuilder(resolve).method("HEAD", HttpRequest.BodyPublishers.noBody()), true, key);
        if (r.statusCode() / 100 != 3) {
            throw new IOException(key + ": resolving an LFS file answered HTTP " + r.statusCode() + ", not a redirect");
        }
        String to = r.headers()
                .firstValue("Location")
                .orElseThrow(() -> new IOException(key + ": redirect without a Location"));
        URI target = resolve.resolve(to);
        Matcher m = EXPIRES.matcher(target.getRawQuery() == null ? "" : "?" + target.getRawQuery());
        Instant until = m.find()
                ? Instant.ofEpochSecond(Long.parseLong(m.group(1))).minus(LOCATION_MARGIN)
                : Instant.now().plus(UNSTATED_LIFETIME);
        Location loc = new Location(target, until);
        locations.put(key, loc);
        return loc;
    }

    private boolean sameHost(URI u) {
        return u.getHost() == null || (u.getHost().equals(endpoint.getHost()) && u.getPort() == endpoint.getPort());
    }

    /** Sends with retries on 429/503/502/504 and connection failures; other statuses are returned. */
    private HttpResponse<byte[]> send(HttpRequest.Builder b, boolean toHub, String what) throws IOException {
        if (toHub && token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        b.timeout(Duration.ofSeconds(60));
        HttpRequest req = b.build();
        IOException last = null;
        for (int attempt = 1; attempt <= maxAttempts; attempt++) {
            HttpResponse<byte[]> r;
            try {
                r = http.send(req, HttpResponse.BodyHandlers.ofByteArray());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(what + ": interrupted", e);
            } catch (IOException e) {
                last = e;
                if (attempt < maxAttempts) {
                    counters.resent.incrementAndGet();
                }
                pause(backoff(attempt));
                continue;
            }
            int st = r.statusCode();
            if (st == 429 || st == 502 || st == 503 || st == 504) {
                Duration wait = retryAfter(r).orElse(backoff(attempt));
                if (wait.compareTo(maxWait) > 0) {
                    throw new IOException(what + ": HTTP " + st + " asks to wait " + wait.toSeconds()
                            + " s, more than the " + maxWait.toSeconds() + " s allowed");
                }
                counters.throttled.incrementAndGet();
                last = new IOException(what + ": HTTP " + st + " after " + attempt + " attempts");
                pause(wait);
                continue;
            }
            return r;
        }
        throw last;
    }

    private static Duration backoff(int attempt) {
        return Duration.ofMillis(Math.min(30_000, 250L << Math.min(attempt, 7)));
    }

    /** {@code Retry-After} as seconds or an HTTP date. */
    static Optional<Duration> retryAfter(HttpResponse<?> r) {
        Optional<String> v = r.headers().firstValue("Retry-After");
        if (v.isEmpty()) {
            return Optional.empty();
        }
        String s = v.get().trim();
        try {
            return Optional.of(Duration.ofSeconds(Math.max(0, Long.parseLong(s))));
        } catch (NumberFormatException e) {
            try {
                Instant at = ZonedDateTime.parse(s, DateTimeFormatter.RFC_1123_DATE_TIME)
                        .toInstant();
                Duration d = Duration.between(Instant.now(), at);
                return Optional.of(d.isNegative() ? Duration.ZERO : d);
            } catch (DateTimeParseException e2) {
                return Optional.empty();
            }
        }
    }

    private void pause(Duration d) throws IOException {
        counters.waitedMillis.addAndGet(d.toMillis());
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting to retry", e);
        }
    }

    @Override
    public void close() {
        http.close();
    }
}
