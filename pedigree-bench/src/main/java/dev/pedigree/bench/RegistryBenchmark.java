package dev.pedigree.bench;

import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintOptions;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.Component;
import dev.pedigree.registry.Identifier;
import dev.pedigree.registry.IdentifyOptions;
import dev.pedigree.registry.IdentifyResult;
import dev.pedigree.registry.ModelMetadata;
import dev.pedigree.registry.Registry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Lookup time of identify's pre-filter as the registry grows: fills a registry with N synthetic
 * entries (default 10,000; tiny random decoders of four widths, 500 tokenizer families) and times
 * the pre-filter and the whole identify for a derivative of one entry and for an unrelated model.
 * Run: {@code ./bench main RegistryBenchmark [entries]} (default 10,000). Numbers are printed, never asserted.
 */
public final class RegistryBenchmark {
    static final int[] WIDTHS = {32, 48, 64, 96};

    static SimModel entry(int i) {
        int d = WIDTHS[i % WIDTHS.length];
        Config c = new Config(Component.TEXT_DECODER, 0, d, 4, 4, 2 * d, 1, true, false, false);
        SimModel m = SyntheticTransformer.random("entry" + i, c, 1_000_003L * i);
        int family = (i * 7919) % 500;
        // Embedding rows for a 256-token vocabulary of this family (token strings offset by the family).
        java.util.List<dev.pedigree.model.ArrayTensor> ts = m.mutableTensors();
        java.util.SplittableRandom rnd = new java.util.SplittableRandom(i);
        float[] e = new float[256 * d];
        for (int k = 0; k < e.length; k++) {
            e[k] = (float) (0.02 * (rnd.nextDouble() * 2 - 1));
        }
        ts.add(new dev.pedigree.model.ArrayTensor(
                "text.embed_tokens.weight",
                dev.pedigree.model.Shape.of(256, d),
                dev.pedigree.model.TensorAddress.of(
                        Component.TEXT_DECODER,
                        null,
                        dev.pedigree.model.Role.EMBEDDING,
                        dev.pedigree.model.Part.WEIGHT),
                e));
        return new SimModel("entry" + i, c.hints(), ts, SyntheticTransformer.vocabulary(256, family * 180));
    }

    public static void main(String[] args) throws Exception {
        run(args.length > 0 ? Integer.parseInt(args[0]) : 10_000);
    }

    static void run(int n) throws Exception {
        Path dir = Files.createTempDirectory("pedigree-registry-bench");
        Path db = dir.resolve("bench.db");
        long t0 = System.nanoTime();
        long fpNanos = 0;
        try (Registry r = Registry.open(db)) {
            for (int i = 0; i < n; i++) {
                long a = System.nanoTime();
                Fingerprint fp = Fingerprint.of(
                        entry(i).toView(),
                        FingerprintOptions.DEFAULT.withUnits(16).withAnchorTokens(64));
                fpNanos += System.nanoTime() - a;
                r.add(fp, ModelMetadata.named("entry-" + i));
            }
            long t1 = System.nanoTime();
            System.out.printf(
                    Locale.ROOT,
                    "filled %d entries in %.1f s (fingerprinting %.1f s, inserts %.1f s = %.2f ms per add); database %,d bytes%n",
                    n,
                    (t1 - t0) / 1e9,
                    fpNanos / 1e9,
                    (t1 - t0 - fpNanos) / 1e9,
                    (t1 - t0 - fpNanos) / 1e6 / n,
                    Files.size(db) + sizeOrZero(dir.resolve("bench.db-wal")));
            int target = n / 2;
            SimModel derived = DerivationSimulator.noise(entry(target), 0.2, 9).named("derived");
            SimModel unrelated = entry(n + 17).named("unrelated");
            for (int rep = 0; rep < 3; rep++) {
                for (SimModel s : new SimModel[] {derived, unrelated}) {
                    IdentifyResult res = Identifier.identify(s.toView(), r, IdentifyOptions.DEFAULT);
                    System.out.printf(
                            Locale.ROOT,
                            "%-9s rep %d: %s, best %s; %d pre-filter hits of %d; probe %d ms, pre-filter look-ups %d ms, tests %d ms (%d candidates)%n",
                            s.name(),
                            rep,
                            res.verdict(),
                            res.best().map(c -> c.entry().name()).orElse("-"),
                            res.prefilterHits(),
                            res.registryModels(),
                            res.timings().probeMillis(),
                            res.timings().prefilterMillis(),
                            res.timings().compareMillis(),
                            res.candidates().size());
                }
            }
        } finally {
            try (var s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.deleteIfExists(p);
                }
            }
            Files.deleteIfExists(dir);
        }
    }

    private static long sizeOrZero(Path p) throws java.io.IOException {
        return Files.exists(p) ? Files.size(p) : 0;
    }
}
