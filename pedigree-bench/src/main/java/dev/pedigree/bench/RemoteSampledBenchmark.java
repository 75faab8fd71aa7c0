package dev.pedigree.bench;

import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.format.safetensors.SafetensorsReader;
import dev.pedigree.formats.RemoteModelOpener;
import dev.pedigree.io.http.HttpByteSource;
import dev.pedigree.io.http.RemoteSession;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Sampled compare of synthetic remote models served by {@link SyntheticHub} over loopback: a
 * ~100B-parameter base, a noisy derivative of it and an independent model. Reports wall time,
 * bytes transferred (counted by the server), the fraction of the weight bytes that is, and the
 * process's peak RSS. Then a row-fetch phase reads the same kind of sample (seeded rows of every
 * matrix of the base model's first shards, opened directly as safetensors) once row by row and
 * once with {@link TensorRef#prefetchRows} first, to show what overlapping the range requests
 * gains on its own ({@code -Dpedigree.bench.fetchShards=N}, default 4; 0 skips it).
 *
 * <p>Usage: {@code RemoteSampledBenchmark [sampleRows] [layers hidden intermediate]} (default 64
 * rows, 96 × 9216 × 32768 ≈ 107B parameters).
 */
public final class RemoteSampledBenchmark {
    private RemoteSampledBenchmark() {}

    public static void main(String[] args) throws Exception {
        int sample = args.length > 0 ? Integer.parseInt(args[0]) : 64;
        int layers = args.length > 3 ? Integer.parseInt(args[1]) : 96;
        int hidden = args.length > 3 ? Integer.parseInt(args[2]) : 9216;
        int inter = args.length > 3 ? Integer.parseInt(args[3]) : 32768;
        SyntheticHub.Layout layout = new SyntheticHub.Layout(
                layers, hidden, inter, 72, 8, Integer.getInteger("pedigree.bench.vocab", 32_000));
        List<SyntheticHub.Repo> repos = List.of(
                new SyntheticHub.Repo("acme/base", layout, 1, 0, 0),
                new SyntheticHub.Repo("acme/derived", layout, 1, 0.1, 7),
                new SyntheticHub.Repo("other/independent", layout, 2, 0, 0));
        try (SyntheticHub hub = new SyntheticHub(repos, 5L << 30)) {
            System.out.printf(
                    Locale.ROOT,
                    "synthetic models: %.1f B parameters, %.1f GB of BF16 weights each, served from %s%n",
                    layout.parameters() / 1e9,
                    hub.weightBytes("acme/base") / 1e9,
                    hub.endpoint());
            for (String[] pair : List.of(
                    new String[] {"acme/derived", "acme/base"}, new String[] {"other/independent", "acme/base"})) {
                long before = hub.bytesServed();
                long requestsBefore = hub.requests();
                long t0 = System.nanoTime();
                ComparisonResult r;
                try (ModelView s = RemoteModelOpener.open(
                                "hf:" + pair[0], session(hub, RemoteSession.DEFAULT_PREFETCH_CONCURRENCY));
                        ModelView b = RemoteModelOpener.open(
                                "hf:" + pair[1], session(hub, RemoteSession.DEFAULT_PREFETCH_CONCURRENCY))) {
                    r = LineageComparator.compare(s, b, CompareOptions.DEFAULT.withSampleRows(sample));
                }
                double secs = (System.nanoTime() - t0) / 1e9;
                long bytes = hub.bytesServed() - before;
                System.out.printf(
                        Locale.ROOT,
                        "%s vs %s: %s (log10 p %s), %.1f s, %.1f MB transferred = %.4f%% of both models' weight bytes, %d requests (max %d at once), peak RSS %d MB%n",
                        pair[0],
                        pair[1],
                        r.verdict(),
                        r.log10p() == null ? "n/a" : String.format(Locale.ROOT, "%.1f", r.log10p()),
                        secs,
                        bytes / 1e6,
                        100.0 * bytes / (2.0 * hub.weightBytes("acme/base")),
                        hub.requests() - requestsBefore,
                        hub.maxConcurrentRequests(),
                        peakRssMb());
            }
            int shards = Math.min(
                    Integer.getInteger("pedigree.bench.fetchShards", 4),
                    hub.shardNames("acme/base").size());
            for (int prefetch : new int[] {0, RemoteSession.DEFAULT_PREFETCH_CONCURRENCY}) {
                if (shards > 0) {
                    fetchRows(hub, "acme/base", shards, sample, prefetch);
                }
            }
        }
    }

    /** Reads {@code sample} seeded rows of every matrix in the first shards, timing the transfer. */
    private static void fetchRows(SyntheticHub hub, String repo, int shards, int sample, int prefetch)
            throws Exception {
        long before = hub.bytesServed();
        long requestsBefore = hub.requests();
        long t0 = System.nanoTime();
        long rowsRead = 0;
        double check = 0;
        try (RemoteSession session = session(hub, prefetch)) {
            for (String shard : hub.shardNames(repo).subList(0, shards)) {
                try (HttpByteSource src =
                                session.open(URI.create(hub.endpoint() + "/" + repo + "/resolve/main/" + shard));
                        ModelView m = new SafetensorsReader().open(src, ArchitectureHints.NONE)) {
                    for (TensorRef t : m.tensors()) {
                        if (t.shape().rank() != 2) {
                            continue;
                        }
                        int cols = Math.toIntExact(t.shape().columns());
                        int[] rows = new SplittableRandom(t.name().hashCode())
                                .ints(Math.min(sample, t.shape().rows()), 0, (int)
                                        t.shape().rows())
                                .toArray();
                        float[] out = new float[rows.length * cols];
                        t.prefetchRows(rows);
                        for (int i = 0; i < rows.length; i++) {
                            t.readRows(rows[i], 1, out, i * cols);
                        }
                        rowsRead += rows.length;
                        check += out[out.length - 1];
                    }
                }
            }
        }
        double secs = (System.nanoTime() - t0) / 1e9;
        long bytes = hub.bytesServed() - before;
        System.out.printf(
                Locale.ROOT,
                "row fetch, %d shards of %s, prefetch concurrency %d: %d rows in %.1f s, %.1f MB = %.1f MB/s, %d requests (checksum %.3f)%n",
                shards,
                repo,
                prefetch,
                rowsRead,
                secs,
                bytes / 1e6,
                bytes / 1e6 / secs,
                hub.requests() - requestsBefore,
                check);
    }

    private static RemoteSession session(SyntheticHub hub, int prefetch) {
        // Small blocks: sampled rows are scattered, and each row is only a few KB.
        return RemoteSession.builder()
                .hfEndpoint(URI.create(hub.endpoint()))
                .noDiskCache()
                .blockSize(Integer.getInteger("pedigree.bench.block", 16 << 10))
                .prefetchConcurrency(prefetch)
                .build();
    }

    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
                }
            }
        } catch (java.io.IOException e) {
            return -1;
        }
        return -1;
    }
}
