package dev.pedigree.bench;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A loopback "hub" serving huge Llama-shaped sharded safetensors repositories that exist only as
 * functions: headers are generated from the layout and every BF16 value is computed from (model
 * seed, tensor, element) on request, so a 100B-parameter model needs no disk. Repositories are
 * served in the {@code /<owner>/<name>/resolve/main/<file>} layout with HEAD, ETags and byte
 * ranges, like a real hub. A repository can be a noisy derivative of another (same base seed plus
 * seeded noise), giving pairs with a known answer.
 *
 * <p>Values are cheap to make, so the hub serves hundreds of MB/s and does not dominate a
 * benchmark: one SplitMix64 hash per four consecutive elements gives four 16-bit draws, each
 * looked up in a fixed table of 65,536 standard normal samples (already rounded to BF16 for the
 * noise-free case). A derivative hashes the same base draws as its parent plus draws from its own
 * noise seed. The server sets {@code TCP_NODELAY} ({@code sun.net.httpserver.nodelay}, read when
 * the JDK's server is first used), because otherwise Nagle's algorithm and delayed ACKs add ~40 ms
 * to every small range answer on loopback.
 *
 * <p>Loopback only; stopped with {@link #close()}.
 */
public final class SyntheticHub implements AutoCloseable {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");
    /** 65,536 standard normal draws (fixed seed): a 16-bit hash picks one. */
    private static final float[] NORMAL = new float[1 << 16];
    /** {@code 0.02 * NORMAL[i]} as BF16 bits: a weight matrix of a noise-free model. */
    private static final short[] WEIGHT_BF16 = new short[1 << 16];
    /** {@code 1 + 0.05 * NORMAL[i]} as BF16 bits: a norm vector of a noise-free model. */
    private static final short[] NORM_BF16 = new short[1 << 16];

    static {
        Random rng = new Random(0x5EED_0F_4E0BL);
        for (int i = 0; i < NORMAL.length; i++) {
            NORMAL[i] = (float) rng.nextGaussian();
            WEIGHT_BF16[i] = (short) bf16(0.02f * NORMAL[i]);
            NORM_BF16[i] = (short) bf16(1 + 0.05f * NORMAL[i]);
        }
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    /** Layout of a Llama-style model. */
    public record Layout(int layers, int hidden, int intermediate, int heads, int kvHeads, int vocab) {
        public long parameters() {
            long kv = (long) hidden / heads * kvHeads;
            long perLayer = 2L * hidden * hidden + 2L * kv * hidden + 3L * hidden * intermediate + 2L * hidden;
            return 2L * vocab * hidden + layers * perLayer + hidden;
        }
    }

    /** One served repository: base seed, optional noise (relative) with its own seed. */
    public record Repo(String id, Layout layout, long seed, double noise, long noiseSeed) {}

    private record TensorSpec(String name, long[] shape, long begin, long end, int index, boolean norm) {}

    private record ShardFile(String name, byte[] prefix, List<TensorSpec> tensors, long dataSize) {
        long size() {
            return prefix.length + dataSize;
        }
    }

    private record RepoFiles(Repo repo, Map<String, byte[]> small, Map<String, ShardFile> shards) {}

    private final HttpServer server;
    private final Map<String, RepoFiles> repos = new LinkedHashMap<>();
    private final AtomicLong bytesServed = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicInteger maxInFlight = new AtomicInteger();

    public SyntheticHub(List<Repo> served, long shardTarget) throws IOException {
        for (Repo r : served) {
            repos.put(r.id(), build(r, shardTarget));
        }
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 64);
        server.setExecutor(Executors.newFixedThreadPool(
                8, Thread.ofPlatform().name("synthetic-hub-", 0).daemon().factory()));
        server.createContext("/", this::handle);
        server.start();
    }

    /** Base URL to use as the hub endpoint. */
    public String endpoint() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public long bytesServed() {
        return bytesServed.get();
    }

    public long requests() {
        return requests.get();
    }

    /** The most requests the hub has been answering at the same time. */
    public int maxConcurrentRequests() {
        return maxInFlight.get();
    }

    /** Names of a repository's weight shards, in order. */
    public List<String> shardNames(String id) {
        return List.copyOf(repos.get(id).shards().keySet());
    }

    /** Total bytes of a repository's weight files. */
    public long weightBytes(String id) {
        return repos.get(id).shards().values().stream()
                .mapToLong(ShardFile::size)
                .sum();
    }

    @Override
    public void close() {
        server.stop(0);
    }

    private static RepoFiles build(Repo r, long shardTarget) {
        Layout l = r.layout();
        long kv = (long) l.hidden() / l.heads() * l.kvHeads();
        List<Object[]> all = new ArrayList<>();
        all.add(new Object[] {"model.embed_tokens.weight", new long[] {l.vocab(), l.hidden()}});
        for (int i = 0; i < l.layers(); i++) {
            String p = "model.layers." + i + ".";
            all.add(new Object[] {p + "input_layernorm.weight", new long[] {l.hidden()}});
            all.add(new Object[] {p + "self_attn.q_proj.weight", new long[] {l.hidden(), l.hidden()}});
            all.add(new Object[] {p + "self_attn.k_proj.weight", new long[] {kv, l.hidden()}});
            all.add(new Object[] {p + "self_attn.v_proj.weight", new long[] {kv, l.hidden()}});
            all.add(new Object[] {p + "self_attn.o_proj.weight", new long[] {l.hidden(), l.hidden()}});
            all.add(new Object[] {p + "post_attention_layernorm.weight", new long[] {l.hidden()}});
            all.add(new Object[] {p + "mlp.gate_proj.weight", new long[] {l.intermediate(), l.hidden()}});
            all.add(new Object[] {p + "mlp.up_proj.weight", new long[] {l.intermediate(), l.hidden()}});
            all.add(new Object[] {p + "mlp.down_proj.weight", new long[] {l.hidden(), l.intermediate()}});
        }
        all.add(new Object[] {"model.norm.weight", new long[] {l.hidden()}});
        all.add(new Object[] {"lm_head.weight", new long[] {l.vocab(), l.hidden()}});
        List<List<Object[]>> groups = new ArrayList<>();
        List<Object[]> cur = new ArrayList<>();
        long curBytes = 0;
        for (Object[] t : all) {
            long b = bytes((long[]) t[1]);
            if (!cur.isEmpty() && curBytes + b > shardTarget) {
                groups.add(cur);
                cur = new ArrayList<>();
                curBytes = 0;
            }
            cur.add(t);
            curBytes += b;
        }
        groups.add(cur);
        Map<String, ShardFile> shards = new LinkedHashMap<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        int index = 0;
        long total = 0;
        for (int s = 0; s < groups.size(); s++) {
            String name = "model-%05d-of-%05d.safetensors".formatted(s + 1, groups.size());
            StringBuilder json = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
            List<TensorSpec> specs = new ArrayList<>();
            long off = 0;
            for (Object[] t : groups.get(s)) {
                long[] shape = (long[]) t[1];
                long end = off + bytes(shape);
                specs.add(new TensorSpec((String) t[0], shape, off, end, index++, shape.length == 1));
                json.append(",\"")
                        .append(t[0])
                        .append("\":{\"dtype\":\"BF16\",\"shape\":")
                        .append(java.util.Arrays.toString(shape).replace(" ", ""));
                json.append(",\"data_offsets\":[")
                        .append(off)
                        .append(',')
                        .append(end)
                        .append("]}");
                weightMap.put((String) t[0], name);
                off = end;
            }
            json.append('}');
            while ((json.length() + 8) % 8 != 0) {
                json.append(' ');
            }
            byte[] header = json.toString().getBytes(StandardCharsets.UTF_8);
            byte[] prefix = ByteBuffer.allocate(8 + header.length)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length)
                    .put(header)
                    .array();
            shards.put(name, new ShardFile(name, prefix, specs, off));
            total += off;
        }
        StringBuilder idx = new StringBuilder("{\"metadata\":{\"total_size\":" + total + "},\"weight_map\":{");
        boolean first = true;
        for (Map.Entry<String, String> e : weightMap.entrySet()) {
            idx.append(first ? "" : ",")
                    .append('"')
                    .append(e.getKey())
                    .append("\":\"")
                    .append(e.getValue())
                    .append('"');
            first = false;
        }
        idx.append("}}");
        Map<String, byte[]> small = new LinkedHashMap<>();
        small.put("model.safetensors.index.json", idx.toString().getBytes(StandardCharsets.UTF_8));
        small.put(
                "config.json",
                ("{\"model_type\":\"llama\",\"hidden_size\":" + l.hidden() + ",\"intermediate_size\":"
                                + l.intermediate() + ",\"num_hidden_layers\":" + l.layers()
                                + ",\"num_attention_heads\":" + l.heads() + ",\"num_key_value_heads\":" + l.kvHeads()
                                + ",\"vocab_size\":" + l.vocab() + "}")
                        .getBytes(StandardCharsets.UTF_8));
        return new RepoFiles(r, small, shards);
    }

    private static long bytes(long[] shape) {
        long n = 2;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    private void handle(HttpExchange ex) throws IOException {
        requests.incrementAndGet();
        maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
        try (ex) {
            String path = ex.getRequestURI().getPath();
            int at = path.indexOf("/resolve/main/");
            RepoFiles repo = at < 0 ? null : repos.get(path.substring(1, at));
            String file = at < 0 ? null : path.substring(at + "/resolve/main/".length());
            if (repo == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            byte[] small = repo.small().get(file);
            ShardFile shard = repo.shards().get(file);
            if (small == null && shard == null) {
                ex.sendResponseHeaders(404, -1);
                return;
            }
            long size = small != null ? small.length : shard.size();
            ex.getResponseHeaders()
                    .add("ETag", "\"" + repo.repo().id().replace('/', '-') + "-" + file + "-" + size + "\"");
            ex.getResponseHeaders().add("Accept-Ranges", "bytes");
            if (ex.getRequestMethod().equals("HEAD")) {
                ex.getResponseHeaders().add("Content-Length", Long.toString(size));
                ex.sendResponseHeaders(200, -1);
                return;
            }
            String range = ex.getRequestHeaders().getFirst("Range");
            Matcher m = range == null ? null : RANGE.matcher(range);
            if (m == null || !m.matches()) {
                if (small == null) {
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.sendResponseHeaders(200, small.length);
                ex.getResponseBody().write(small);
                bytesServed.addAndGet(small.length);
                return;
            }
            serveRange(ex, m, repo, small, shard, size);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void serveRange(HttpExchange ex, Matcher m, RepoFiles repo, byte[] small, ShardFile shard, long size)
            throws IOException {
        long a = Long.parseLong(m.group(1));
        long b = Math.min(size - 1, Long.parseLong(m.group(2)));
        if (a > b) {
            ex.sendResponseHeaders(416, -1);
            return;
        }
        ex.getResponseHeaders().add("Content-Range", "bytes " + a + "-" + b + "/" + size);
        ex.sendResponseHeaders(206, b - a + 1);
        OutputStream o = ex.getResponseBody();
        byte[] buf = new byte[64 << 10];
        for (long off = a; off <= b; ) {
            int n = (int) Math.min(buf.length, b - off + 1);
            if (small != null) {
                System.arraycopy(small, (int) off, buf, 0, n);
            } else {
                fill(repo.repo(), shard, off, buf, n);
            }
            o.write(buf, 0, n);
            // counted as written, so a body the client abandons counts only what was sent
            bytesServed.addAndGet(n);
            off += n;
        }
    }

    /** Bytes of a shard from file offset {@code off}: header prefix, then BF16 values. */
    private static void fill(Repo r, ShardFile s, long off, byte[] buf, int n) {
        byte[] prefix = s.prefix();
        int i = 0;
        while (i < n) {
            long o = off + i;
            if (o < prefix.length) {
                int k = (int) Math.min(n - i, prefix.length - o);
                System.arraycopy(prefix, (int) o, buf, i, k);
                i += k;
                continue;
            }
            long d = o - prefix.length;
            TensorSpec t = find(s, d);
            int k = (int) Math.min(n - i, t.end() - d);
            fillTensor(r, t, d - t.begin(), buf, i, k);
            i += k;
        }
    }

    /** {@code k} bytes of tensor {@code t} from its byte {@code at}, little-endian BF16. */
    private static void fillTensor(Repo r, TensorSpec t, long at, byte[] buf, int pos, int k) {
        long baseKey = streamKey(r.seed(), t.index());
        long noiseKey = streamKey(r.noiseSeed(), t.index());
        boolean noisy = r.noise() > 0;
        float scale = t.norm() ? 0.05f : 0.02f;
        float noiseScale = (float) r.noise() * scale;
        short[] plain = t.norm() ? NORM_BF16 : WEIGHT_BF16;
        long group = -1;
        long h = 0;
        long hn = 0;
        long b = at;
        int p = pos;
        int end = pos + k;
        while (p < end) {
            long elem = b >>> 1;
            if (elem >>> 2 != group) {
                group = elem >>> 2;
                h = mix(baseKey + group);
                hn = noisy ? mix(noiseKey + group) : 0;
            }
            int lane = (int) (elem & 3) << 4;
            int u = (int) (h >>> lane) & 0xFFFF;
            int bf;
            if (noisy) {
                float v = scale * NORMAL[u] + noiseScale * NORMAL[(int) (hn >>> lane) & 0xFFFF];
                bf = bf16(t.norm() ? 1 + v : v);
            } else {
                bf = plain[u] & 0xFFFF;
            }
            if ((b & 1) == 0) {
                buf[p++] = (byte) bf;
                b++;
                if (p == end) {
                    break;
                }
            }
            buf[p++] = (byte) (bf >>> 8);
            b++;
        }
    }

    private static TensorSpec find(ShardFile s, long d) {
        List<TensorSpec> ts = s.tensors();
        int lo = 0;
        int hi = ts.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (ts.get(mid).begin() <= d) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return ts.get(lo);
    }

    /** Round-to-nearest-even BF16 bits of {@code v}. */
    private static int bf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        return (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
    }

    /** Start of the hash stream of one tensor of one seed; element group {@code g} hashes key + g. */
    private static long streamKey(long seed, int tensor) {
        return mix(seed * 0x9E3779B97F4A7C15L + tensor * 0xC2B2AE3D27D4EB4FL);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
