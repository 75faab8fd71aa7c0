package dev.pedigree.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintOptions;
import dev.pedigree.fingerprint.FingerprintTensor;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.testkit.Mutations;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The SQLite registry: operations, packs with integrity checks, concurrent writers, location. */
public class RegistryTest {
    static Fingerprint small(long seed) throws Exception {
        return Fingerprint.of(
                SyntheticTransformer.random("m" + seed, Config.tinyDecoder(), seed)
                        .toView(),
                FingerprintOptions.DEFAULT.withUnits(16).withAnchorTokens(64));
    }

    @Test
    void addListShowRemove(@TempDir Path dir) throws Exception {
        try (Registry r = Registry.open(dir.resolve("r.db"))) {
            Fingerprint a = small(1);
            RegistryEntry e = r.add(a, new ModelMetadata("alpha", "Org", "Apache-2.0", "v1", List.of("base-model")));
            r.add(small(2), ModelMetadata.named("beta"));
            assertThat(r.list()).extracting(RegistryEntry::name).containsExactly("alpha", "beta");
            RegistryEntry got = r.find("alpha").orElseThrow();
            assertThat(got).isEqualTo(e);
            assertThat(got.metadata().parents()).containsExactly("base-model");
            assertThat(got.residualWidth()).isEqualTo(32);
            assertThat(r.fingerprint("alpha").toBytes()).isEqualTo(a.toBytes());
            assertThatThrownBy(() -> r.add(small(3), ModelMetadata.named("alpha")))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("already")
                    .hasMessageContaining("r.db");
            assertThat(r.remove("alpha")).isTrue();
            assertThat(r.remove("alpha")).isFalse();
            assertThat(r.list()).extracting(RegistryEntry::name).containsExactly("beta");
            assertThatThrownBy(() -> r.fingerprint("alpha"))
                    .isInstanceOf(RegistryException.class)
                    .hasMessageContaining("no model named 'alpha'");
            // Removal cascades to the index tables.
            assertThat(r.tensorsWithHashes(a.tensors().stream()
                            .map(FingerprintTensor::canonicalSha256)
                            .toList()))
                    .isEmpty();
        }
    }

    @Test
    void notARegistryIsRefused(@TempDir Path dir) throws Exception {
        Path junk = dir.resolve("junk.db");
        Files.writeString(
                junk,
                "this is not sqlite at all, just text that is long enough to be a header..............................");
        assertThatThrownBy(() -> Registry.open(junk))
                .isInstanceOf(RegistryException.class)
                .hasMessageContaining("junk.db");
    }

    @Test
    void exportImportRoundTripAndTamperedPackIsRefused(@TempDir Path dir) throws Exception {
        Path pack = dir.resolve("pack.zip");
        try (Registry r = Registry.open(dir.resolve("a.db"))) {
            r.add(small(1), new ModelMetadata("alpha", "Org", "MIT", null, List.of()));
            r.add(small(2), ModelMetadata.named("beta"));
            r.exportPack(pack);
            byte[] first = Files.readAllBytes(pack);
            r.exportPack(pack);
            assertThat(Files.readAllBytes(pack)).as("deterministic export").isEqualTo(first);
        }
        try (Registry r = Registry.open(dir.resolve("b.db"))) {
            Registry.ImportReport rep = r.importPack(pack);
            assertThat(rep.added()).containsExactly("alpha", "beta");
            assertThat(r.find("alpha").orElseThrow().metadata().license()).isEqualTo("MIT");
            assertThat(r.importPack(pack).skipped()).containsExactly("alpha", "beta");
        }
        // Tamper with one fingerprint entry: the import is refused and names the entry.
        Path bad = dir.resolve("bad.zip");
        Mutations.flipBitInZipEntry(pack, bad, "fingerprints/00001.pfp");
        try (Registry r = Registry.open(dir.resolve("c.db"))) {
            assertThatThrownBy(() -> r.importPack(bad))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("fingerprints/00001.pfp")
                    .hasMessageContaining("sha256 mismatch")
                    .hasMessageContaining("beta")
                    .hasMessageContaining("bad.zip");
            assertThat(r.size()).as("nothing imported").isZero();
        }
    }

    @Test
    void twoProcessesAddingAtOnceLoseNothing(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("shared.db");
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<Process> ps = new ArrayList<>();
        int each = 25;
        for (String prefix : new String[] {"procA", "procB"}) {
            ProcessBuilder pb = new ProcessBuilder(
                    javaBin,
                    "-Xmx256m",
                    "--enable-native-access=ALL-UNNAMED",
                    "-cp",
                    cp,
                    ConcurrentAdder.class.getName(),
                    db.toString(),
                    prefix,
                    String.valueOf(each));
            pb.redirectErrorStream(true);
            pb.redirectOutput(dir.resolve(prefix + ".log").toFile());
            ps.add(pb.start());
        }
        // And two threads of this JVM with their own connections at the same time.
        List<Thread> ts = new ArrayList<>();
        List<Throwable> errors = java.util.Collections.synchronizedList(new ArrayList<>());
        for (String prefix : new String[] {"threadA", "threadB"}) {
            Thread t = Thread.ofPlatform().name("adder-" + prefix).start(() -> {
                try {
                    ConcurrentAdder.add(db, prefix, each);
                } catch (Throwable e) {
                    errors.add(e);
                }
            });
            ts.add(t);
        }
        for (Process p : ps) {
            assertThat(p.waitFor(90, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue())
                    .as(Files.readString(dir.resolve(ps.indexOf(p) == 0 ? "procA.log" : "procB.log")))
                    .isZero();
        }
        for (Thread t : ts) {
            t.join(90_000);
        }
        assertThat(errors).isEmpty();
        try (Registry r = Registry.open(db)) {
            assertThat(r.size()).isEqualTo(4 * each);
            for (String prefix : new String[] {"procA", "procB", "threadA", "threadB"}) {
                for (int i = 0; i < each; i++) {
                    assertThat(r.find(prefix + "-" + i)).as(prefix + "-" + i).isPresent();
                }
            }
        }
        System.out.println(
                "concurrency: 2 JVM processes + 2 threads added " + 4 * each + " models to one registry; all present");
    }

    @Test
    void locationFlagWinsOverEnvironment() {
        Path home = Path.of("/home/u");
        assertThat(RegistryLocation.resolve(Path.of("/x/flag.db"), Map.of("PEDIGREE_REGISTRY", "/y/env.db"), home))
                .isEqualTo(Path.of("/x/flag.db"));
        assertThat(RegistryLocation.resolve(null, Map.of("PEDIGREE_REGISTRY", "/y/env.db"), home))
                .isEqualTo(Path.of("/y/env.db"));
        assertThat(RegistryLocation.resolve(null, Map.of(), home))
                .isEqualTo(Path.of("/home/u/.local/share/pedigree/registry.db"));
    }

    @Test
    void candidatesComeFromTokenizerHashesAndWidth(@TempDir Path dir) throws Exception {
        try (Registry r = Registry.open(dir.resolve("r.db"))) {
            Fingerprint a = small(1);
            r.add(a, ModelMetadata.named("alpha"));
            // Other tokenizer, other width: only found when it shares a tensor.
            Fingerprint far = Fingerprint.of(
                    SyntheticTransformer.random(
                                    "far",
                                    new Config(
                                            dev.pedigree.model.Component.TEXT_DECODER,
                                            0,
                                            48,
                                            4,
                                            4,
                                            64,
                                            1,
                                            true,
                                            false,
                                            false),
                                    9)
                            .toView(),
                    FingerprintOptions.DEFAULT.withUnits(16));
            r.add(far, ModelMetadata.named("far"));
            List<RegistryCandidate> c = r.candidates(
                    TokenSketch.minHash(a.regularKeys()), WeightSketch.of(a), Map.of(), a.residualWidth(), 10);
            assertThat(c).extracting(RegistryCandidate::name).containsExactly("alpha");
            assertThat(c.get(0).tokenJaccard()).isEqualTo(1.0);
            assertThat(c.get(0).weightCorrelation()).isCloseTo(1.0, org.assertj.core.api.Assertions.within(1e-6));
            assertThat(r.candidates(TokenSketch.minHash(List.of()), null, Map.of("far", 3), 0, 10))
                    .extracting(RegistryCandidate::name)
                    .containsExactly("far");
        }
    }

    @Test
    void seedsTheSharedFixturesAndRecognisesATokenizer(@TempDir Path dir) throws Exception {
        Path vocab = dev.pedigree.testkit.SharedFixtures.file("gguf-vocab");
        try (Registry r = Registry.open(dir.resolve("seed.db"))) {
            List<RegistrySeeder.Outcome> out = RegistrySeeder.seed(r, List.of(vocab));
            long added = out.stream()
                    .filter(o -> o.status() == RegistrySeeder.Status.ADDED)
                    .count();
            System.out.println("seeded from " + vocab + ": " + added + " added, "
                    + out.stream()
                            .filter(o -> o.status() == RegistrySeeder.Status.FAILED)
                            .map(o -> o.name() + ": " + o.detail())
                            .toList()
                    + " failed");
            assertThat(added).isGreaterThanOrEqualTo(10);
            assertThat(RegistrySeeder.seed(r, List.of(vocab))).allMatch(o -> o.status() != RegistrySeeder.Status.ADDED);
            // The same tokenizer is found by the MinHash pre-filter alone.
            Fingerprint gpt2 = r.fingerprint("ggml-vocab-gpt-2");
            List<RegistryCandidate> c = r.candidates(TokenSketch.minHash(gpt2.regularKeys()), null, Map.of(), 0, 0);
            assertThat(c.get(0).name())
                    .isIn(
                            "ggml-vocab-gpt-2",
                            "ggml-vocab-starcoder",
                            "ggml-vocab-refact",
                            "ggml-vocab-mpt",
                            "ggml-vocab-gpt-neox");
            assertThat(c).extracting(RegistryCandidate::name).contains("ggml-vocab-gpt-2");
        }
    }
}
