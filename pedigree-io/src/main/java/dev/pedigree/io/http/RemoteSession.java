package dev.pedigree.io.http;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsafeModelException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Everything the remote files of one model (or one command) share: the {@link HttpClient}, the
 * byte budget, the caches, the access token and the transfer counters.
 *
 * <p>Settings read by {@link #fromEnvironment()} (a system property wins over the environment):
 *
 * <ul>
 *   <li>hub base URL: property {@code pedigree.hf.endpoint}, else {@code HF_ENDPOINT}, else {@code
 *       https://huggingface.co};
 *   <li>access token: see {@link BearerToken#fromEnvironment()} ({@code HF_TOKEN}, {@code
 *       PEDIGREE_HTTP_TOKEN});
 *   <li>range cache folder: property {@code pedigree.cache}, else {@code $PEDIGREE_CACHE}, else
 *       {@code $XDG_CACHE_HOME/pedigree}, else {@code ~/.cache/pedigree}; blocks go under its
 *       {@code ranges/} subfolder (so by default {@code ~/.cache/pedigree/ranges}).
 *   <li>deadline of one remote read: property {@code pedigree.http.deadline}, else {@code
 *       PEDIGREE_HTTP_DEADLINE}, in seconds (default 15), plus 1 s per MiB of the range;
 *   <li>retry budget of the session: property {@code pedigree.http.retryBudget}, else {@code
 *       PEDIGREE_HTTP_RETRY_BUDGET}, in seconds (default 20): the time all reads together may lose
 *       to failed attempts and waits before retries.
 * </ul>
 *
 * <p>Thread-safe. The session owns its HTTP client and its prefetch threads (at most {@link
 * Builder#prefetchConcurrency} daemon threads, created on demand and ended when idle); {@link
 * #close()} shuts both down, after which sources opened from it fail. Sources are owned (and closed) by whoever opened them.
 */
public final class RemoteSession implements AutoCloseable {
    /** System property that overrides {@code HF_ENDPOINT}. */
    public static final String ENDPOINT_PROPERTY = "pedigree.hf.endpoint";
    /** Environment variable naming the hub base URL. */
    public static final String ENDPOINT_ENV = "HF_ENDPOINT";
    /** System property that overrides {@code PEDIGREE_CACHE}. */
    public static final String CACHE_PROPERTY = "pedigree.cache";
    /** Environment variable naming Pedigree's cache root (range blocks go in its {@code ranges/}). */
    public static final String CACHE_ENV = "PEDIGREE_CACHE";
    /** The public hub. */
    public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
    /** Default block size: 1 MiB. */
    public static final int DEFAULT_BLOCK_SIZE = 1 << 20;
    /** Default number of range requests {@link HttpByteSource#prefetch} keeps in flight at most. */
    public static final int DEFAULT_PREFETCH_CONCURRENCY = 6;

    private final HttpClient client;
    private final RangeClient rangeClient;
    private final ByteBudget budget;
    private final DiskBlockCache diskCache;
    private final BlockMemory memory;
    private final int blockSize;
    private final URI hfEndpoint;
    private final boolean hasToken;
    private final TransferCounters counters = new TransferCounters(null);
    private final ExecutorService prefetchPool;
    private final int prefetchConcurrency;

    private RemoteSession(Builder b) {
        Function<String, String> env = b.environment;
        Function<String, String> props = b.properties;
        this.hfEndpoint = b.hfEndpoint != null
                ? endpointFrom(k -> k.equals(ENDPOINT_PROPERTY) ? b.hfEndpoint.toString() : null, k -> null)
                : endpointFrom(props, env);
        BearerToken token =
                b.tokenSet ? b.token : BearerToken.fromEnvironment(props, env).orElse(null);
        this.hasToken = token != null;
        Path cacheDir =
                b.diskCache ? (b.cacheDirectory != null ? b.cacheDirectory : defaultCacheDirectory(props, env)) : null;
        this.diskCache = cacheDir == null ? null : new DiskBlockCache(cacheDir);
        this.memory = new BlockMemory(b.memoryCacheBytes);
        this.blockSize = b.blockSize;
        this.budget = new ByteBudget(b.byteBudget);
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NORMAL)
                .connectTimeout(b.connectTimeout)
                .build();
        ReadDeadline deadline = b.deadline != null
                ? b.deadline
                : new ReadDeadline(
                        seconds(props, env, ReadDeadline.PROPERTY, ReadDeadline.ENV, ReadDeadline.DEFAULT.base()),
                        ReadDeadline.DEFAULT.perMiB());
        RetryBudget retryBudget = new RetryBudget(
                b.retryBudget != null
                        ? b.retryBudget
                        : seconds(props, env, RetryBudget.PROPERTY, RetryBudget.ENV, RetryBudget.DEFAULT));
        this.rangeClient =
                new RangeClient(client, token, b.retry, b.requestTimeout, b.idleTimeout, budget, deadline, retryBudget);
        this.prefetchConcurrency = b.prefetchConcurrency;
        this.prefetchPool = b.prefetchConcurrency == 0 ? null : prefetchThreads(b.prefetchConcurrency);
    }

    /** A pool of {@code n} named daemon threads that exist only while there is work. */
    private static ExecutorService prefetchThreads(int n) {
        ThreadPoolExecutor pool = new ThreadPoolExecutor(
                n,
                n,
                5,
                TimeUnit.SECONDS,
                new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name("pedigree-prefetch-", 0).daemon(true).factory());
        pool.allowCoreThreadTimeOut(true);
        return pool;
    }

    /** A duration in (possibly fractional) seconds from a system property or else the environment. */
    private static Duration seconds(
            Function<String, String> props,
            Function<String, String> env,
            String property,
            String variable,
            Duration d) {
        String v = props.apply(property);
        String from = property;
        if (v == null || v.isBlank()) {
            v = env.apply(variable);
            from = variable;
        }
        if (v == null || v.isBlank()) {
            return d;
        }
        try {
            double s = Double.parseDouble(v.strip());
            if (s >= 0 && s <= 86_400) {
                return Duration.ofMillis(Math.round(s * 1000));
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException(from + " must be a number of seconds between 0 and 86400, not '" + v + "'");
    }

    /** A session configured from system properties and the environment, with no byte budget. */
    public static RemoteSession fromEnvironment() {
        return builder().build();
    }

    /** A builder starting from the environment defaults. */
    public static Builder builder() {
        return new Builder();
    }

    private static URI endpointFrom(Function<String, String> props, Function<String, String> env) {
        String v = props.apply(ENDPOINT_PROPERTY);
        if (v == null || v.isBlank()) {
            v = env.apply(ENDPOINT_ENV);
        }
        if (v == null || v.isBlank()) {
            return DEFAULT_ENDPOINT;
        }
        URI u = URI.create(v.strip().replaceAll("/+$", ""));
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("https") || scheme.equals("http"))
                || u.getHost() == null
                || u.getRawUserInfo() != null
                || u.getRawQuery() != null) {
            throw new IllegalArgumentException(
                    "hub endpoint must be an http(s) URL with a host and no credentials or query: "
                            + SafeUrl.describe(u));
        }
        return u;
    }

    /** The default range cache folder for the given lookups (see the class comment). */
    public static Path defaultCacheDirectory(
            Function<String, String> systemProperties, Function<String, String> environment) {
        String root = systemProperties.apply(CACHE_PROPERTY);
        if (root == null || root.isBlank()) {
            root = environment.apply(CACHE_ENV);
        }
        if (root == null || root.isBlank()) {
            String xdg = environment.apply("XDG_CACHE_HOME");
            Path base = xdg != null && !xdg.isBlank()
                    ? Path.of(xdg)
                    : Path.of(systemProperties.apply("user.home"), ".cache");
            return base.resolve("pedigree").resolve("ranges");
        }
        return Path.of(root).resolve("ranges");
    }

    /**
     * Parses a MODEL argument ({@code hf:owner/name[@revision]}, a repository URL or a file URL)
     * against this session's hub endpoint. Fetches nothing.
     *
     * @throws IllegalArgumentException if the argument is not a valid remote location
     */
    public RemoteLocation resolve(String modelArgument) {
        return RemoteLocation.parse(modelArgument, hfEndpoint);
    }

    /**
     * Opens one remote file: probes its size and validators ({@code HEAD}, or a one-byte range GET
     * when {@code HEAD} is refused or gives no length). The caller owns and closes the source.
     *
     * @throws RemoteIOException if the file is absent ({@link RemoteIOException#isNotFound()}),
     *     access is denied, or the server does not support ranges
     * @throws IllegalArgumentException if the URI is not http(s) or carries credentials
     */
    public HttpByteSource open(URI uri) throws IOException {
        RemoteLocation checked = new RemoteLocation(RemoteLocation.Kind.FILE, uri, null);
        TransferCounters c = new TransferCounters(counters);
        RemoteFileInfo info = rangeClient.probe(checked.uri(), SafeUrl.describe(uri), c);
        return new HttpByteSource(this, uri, info, c);
    }

    /**
     * Opens a repository: probes {@code config.json}, {@code model.safetensors.index.json} (reading
     * it to learn the shards), else {@code model.safetensors}, and the tokenizer files. See {@link
     * RemoteRepository}.
     *
     * @throws CorruptModelException if the index is malformed
     * @throws UnsafeModelException if the index names a shard that is not a plain file name
     * @throws RemoteIOException if no config or weights are found, or a probe fails for another
     *     reason than 404
     */
    public RemoteRepository openRepository(RemoteLocation location) throws IOException, ModelFormatException {
        if (location.kind() != RemoteLocation.Kind.REPOSITORY) {
            throw new IllegalArgumentException("not a repository location: " + location.description());
        }
        return RemoteRepository.discover(this, location);
    }

    /** Everything transferred by sources of this session so far. */
    public TransferStats stats() {
        return counters.snapshot();
    }

    /** The byte budget ({@link Long#MAX_VALUE} when unlimited). */
    public long byteBudget() {
        return budget.limit();
    }

    /** The on-disk range cache folder, if the disk cache is on. */
    public Optional<Path> cacheDirectory() {
        return Optional.ofNullable(diskCache).map(DiskBlockCache::root);
    }

    /** The hub base URL used for {@code hf:} arguments. */
    public URI hfEndpoint() {
        return hfEndpoint;
    }

    int blockSize() {
        return blockSize;
    }

    DiskBlockCache diskCache() {
        return diskCache;
    }

    BlockMemory memory() {
        return memory;
    }

    RangeClient rangeClient() {
        return rangeClient;
    }

    /** The prefetch threads, or null when prefetching is off. */
    ExecutorService prefetchPool() {
        return prefetchPool;
    }

    /** Most range requests prefetching keeps in flight (0: prefetching is off). */
    public int prefetchConcurrency() {
        return prefetchConcurrency;
    }

    HttpByteSource open(URI uri, RemoteFileInfo known) {
        return new HttpByteSource(this, uri, known, new TransferCounters(counters));
    }

    TransferCounters counters() {
        return counters;
    }

    /** Stops the prefetch threads and shuts the HTTP client down; in-flight exchanges are aborted. */
    @Override
    public void close() {
        if (prefetchPool != null) {
            prefetchPool.shutdownNow();
        }
        client.shutdownNow();
    }

    @Override
    public String toString() {
        return "RemoteSession[endpoint=" + hfEndpoint + ", token=" + (hasToken ? "set" : "none") + ", budget="
                + (budget.limit() == Long.MAX_VALUE ? "unlimited" : budget.limit() + " bytes") + ", cache="
                + cacheDirectory().map(Path::toString).orElse("off") + "]";
    }

    /** Settings for a {@link RemoteSession}; not thread-safe. */
    public static final class Builder {
        private Function<String, String> environment = System::getenv;
        private Function<String, String> properties = System::getProperty;
        private BearerToken token;
        private boolean tokenSet;
        private Path cacheDirectory;
        private boolean diskCache = true;
        private long byteBudget = Long.MAX_VALUE;
        private int blockSize = DEFAULT_BLOCK_SIZE;
        private long memoryCacheBytes = 64L << 20;
        private RetryPolicy retry = RetryPolicy.DEFAULT;
        private Duration connectTimeout = Duration.ofSeconds(10);
        private Duration requestTimeout = Duration.ofSeconds(10);
        private Duration idleTimeout = Duration.ofSeconds(10);
        private ReadDeadline deadline;
        private Duration retryBudget;
        private URI hfEndpoint;
        private int prefetchConcurrency = DEFAULT_PREFETCH_CONCURRENCY;

        private Builder() {}

        /** Where environment variables and system properties are looked up (tests inject maps). */
        public Builder lookups(Function<String, String> systemProperties, Function<String, String> environment) {
            this.properties = Objects.requireNonNull(systemProperties);
            this.environment = Objects.requireNonNull(environment);
            return this;
        }

        /** Uses this token (or none, for null) instead of the one from the environment. */
        public Builder token(BearerToken token) {
            this.token = token;
            this.tokenSet = true;
            return this;
        }

        /** Keeps range blocks under this folder instead of the default. */
        public Builder cacheDirectory(Path dir) {
            this.cacheDirectory = Objects.requireNonNull(dir);
            this.diskCache = true;
            return this;
        }

        /** Turns the on-disk cache off (memory only). */
        public Builder noDiskCache() {
            this.diskCache = false;
            return this;
        }

        /** Limits the total bytes the session may fetch; a read past it fails before it is sent. */
        public Builder byteBudget(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("negative byte budget " + bytes);
            }
            this.byteBudget = bytes;
            return this;
        }

        /** Block size for range requests and caches: a multiple of 4096 between 4 KiB and 64 MiB. */
        public Builder blockSize(int bytes) {
            if (bytes < 4096 || bytes > (64 << 20) || bytes % 4096 != 0) {
                throw new IllegalArgumentException("block size must be a multiple of 4096 in 4 KiB..64 MiB: " + bytes);
            }
            this.blockSize = bytes;
            return this;
        }

        /** Bytes of blocks kept in memory by the session (LRU). */
        public Builder memoryCacheBytes(long bytes) {
            if (bytes < 0) {
                throw new IllegalArgumentException("negative memory cache size " + bytes);
            }
            this.memoryCacheBytes = bytes;
            return this;
        }

        public Builder retryPolicy(RetryPolicy policy) {
            this.retry = Objects.requireNonNull(policy);
            return this;
        }

        /**
         * Connect timeout, time to the response headers, and the longest pause allowed inside a body
         * (a stalled body counts as a transient failure).
         */
        public Builder timeouts(Duration connect, Duration request, Duration idle) {
            this.connectTimeout = Objects.requireNonNull(connect);
            this.requestTimeout = Objects.requireNonNull(request);
            this.idleTimeout = Objects.requireNonNull(idle);
            return this;
        }

        /**
         * The overall deadline of one remote read ({@code base} plus {@code perMiB} for each MiB of
         * the range, every attempt and wait included), overriding {@code PEDIGREE_HTTP_DEADLINE}.
         */
        public Builder deadline(Duration base, Duration perMiB) {
            this.deadline = new ReadDeadline(base, perMiB);
            return this;
        }

        /**
         * The time all reads of the session may lose to failed attempts and waits before retries,
         * overriding {@code PEDIGREE_HTTP_RETRY_BUDGET}; once spent, nothing is retried.
         */
        public Builder retryBudget(Duration total) {
            if (total.isNegative()) {
                throw new IllegalArgumentException("negative retry budget " + total);
            }
            this.retryBudget = total;
            return this;
        }

        /** The hub base URL for {@code hf:} arguments, overriding the property and environment. */
        public Builder hfEndpoint(URI endpoint) {
            this.hfEndpoint = Objects.requireNonNull(endpoint);
            return this;
        }

        /**
         * Most range requests that {@link HttpByteSource#prefetch} keeps in flight for the whole
         * session (0 turns prefetching off: hints are ignored and every read fetches for itself).
         */
        public Builder prefetchConcurrency(int requests) {
            if (requests < 0 || requests > 64) {
                throw new IllegalArgumentException("prefetch concurrency must be in 0..64: " + requests);
            }
            this.prefetchConcurrency = requests;
            return this;
        }

        public RemoteSession build() {
            return new RemoteSession(this);
        }
    }
}
