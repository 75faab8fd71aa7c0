package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.forensics.simulate.TinyTrainer;
import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.DType;
import dev.pedigree.testkit.RealModels;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Golden outputs: the bytes that {@code compare --json}, {@code identify --json}, a dossier, a
 * fingerprint file, an attestation ledger and {@code inspect --json} write for the demo's real
 * models and for simulated pairs, recorded in {@code src/test/resources/golden/} and compared byte
 * for byte. A restructuring must leave every one unchanged; a change that means to alter an output
 * re-records them ({@code ./mvnw -pl pedigree-cli -am verify -Dtest=GoldenOutputsTest
 * -Dsurefire.failIfNoSpecifiedTests=false -Dpedigree.golden.record=true}) and says why in its commit.
 *
 * <p>Only what the machine or the clock decides is normalised: absolute paths of the inputs (to
 * {@code $WORK}, {@code $MODELS}, {@code $ROOT}) and, in ledgers, the recording time and the hashes
 * chained over it. Binary files are compared by SHA-256.
 */
class GoldenOutputsTest {
    private static final Path GOLDEN = Path.of("src", "test", "resources", "golden");
    private static final boolean RECORD = Boolean.getBoolean("pedigree.golden.record");
    private static Path work;
    private static Path sims;

    @BeforeAll
    static void models() throws Exception {
        work = Path.of("target", "golden-work").toAbsolutePath();
        deleteTree(work);
        Files.createDirectories(work);
        // Relative, so that the paths the outputs record (a fingerprint file and an attestation
        // sidecar store their source's path in binary form) are the same in every checkout.
        sims = Path.of("target", "golden-work", "models");
        SimModel base = SyntheticTransformer.random("base", Config.smallDecoder(), 31);
        writeHf(base, sims.resolve("sim-base"));
        writeHf(DerivationSimulator.noise(base, 0.2, 5), sims.resolve("sim-noise"));
        writeHf(DerivationSimulator.permuteHiddenAndHeads(base, 2), sims.resolve("sim-permuted"));
        writeHf(
                DerivationSimulator.restack(base, Component.TEXT_DECODER, new int[] {0, 2}),
                sims.resolve("sim-every-second"));
        writeHf(SyntheticTransformer.random("other", Config.smallDecoder(), 32), sims.resolve("sim-independent"));
        SimModel tiny = TinyTrainer.train("init", TinyTrainer.Config.DEFAULT.withSteps(0), 404, 7)
                .model();
        saveCheckpoint(tiny, sims.resolve("ckpt/step-000000.safetensors"));
        SimModel trained =
                TinyTrainer.fineTune(tiny, TinyTrainer.Config.DEFAULT, 8, 100).model();
        saveCheckpoint(trained, sims.resolve("ckpt/step-000100.safetensors"));
    }

    @TestFactory
    Stream<DynamicTest> outputsAreUnchanged() {
        String q = RealModels.directory(RealModels.ALL_MINILM_L6_V2_Q).toString();
        String minilm = RealModels.directory(RealModels.ALL_MINILM_L6_V2).toString();
        String bge = RealModels.directory(RealModels.BGE_SMALL_EN_V15).toString();
        String simBase = sims.resolve("sim-base").toString();
        List<DynamicTest> tests = new ArrayList<>();
        tests.add(compare("compare-demo-int8", q, minilm));
        tests.add(compare("compare-demo-unrelated", minilm, bge, "--sample", "256"));
        tests.add(compare("compare-sim-noise", sims.resolve("sim-noise").toString(), simBase));
        tests.add(compare("compare-sim-permuted", sims.resolve("sim-permuted").toString(), simBase));
        tests.add(compare(
                "compare-sim-every-second", sims.resolve("sim-every-second").toString(), simBase));
        tests.add(compare(
                "compare-sim-independent", sims.resolve("sim-independent").toString(), simBase));
        tests.add(DynamicTest.dynamicTest("dossier-demo-int8", () -> {
            Path d = work.resolve("dossier");
            Cli r = Cli.run("compare", q, minilm, "--sample", "128", "--dossier", d.toString());
            assertThat(r.exit()).as(r.err()).isIn(10, 11, 12);
            try (Stream<Path> files = Files.list(d)) {
                for (Path f : files.sorted().toList()) {
                    check("dossier-demo-int8/" + f.getFileName(), Files.readString(f));
                }
            }
        }));
        tests.add(DynamicTest.dynamicTest("identify", () -> {
            String db = work.resolve("registry.db").toString();
            assertThat(Cli.run("registry", "add", simBase, "--name", "sim-base", "--license", "MIT", "--registry", db)
                            .exit())
                    .isZero();
            assertThat(Cli.run("registry", "add", minilm, "--name", "all-minilm-l6-v2", "--registry", db)
                            .exit())
                    .isZero();
            for (String[] c : new String[][] {
                {"identify-sim-noise", sims.resolve("sim-noise").toString()}, {"identify-demo-int8", q}
            }) {
                Path json = work.resolve(c[0] + ".json");
                Cli r = Cli.run("identify", c[1], "--registry", db, "--json", json.toString());
                assertThat(r.exit()).as(r.err()).isIn(10, 11, 12);
                check(c[0] + ".json", Files.readString(json).replaceAll("\"(\\w+_ms)\"\\s*:\\s*\\d+", "\"$1\" : 0"));
            }
        }));
        tests.add(DynamicTest.dynamicTest("fingerprint", () -> {
            for (String[] c : new String[][] {{"fingerprint-demo", minilm}, {"fingerprint-sim-base", simBase}}) {
                Path f = work.resolve(c[0] + ".pfp");
                Cli r = Cli.run("fingerprint", c[1], "-o", f.toString());
                assertThat(r.exit()).as(r.err()).isZero();
                check(c[0] + ".sha256", sha256(Files.readAllBytes(f)) + "\n");
            }
        }));
        tests.add(DynamicTest.dynamicTest("attest", () -> {
            Path ledger = work.resolve("ledger/train.jsonl");
            Files.createDirectories(ledger.getParent());
            Cli r = Cli.run(
                    "attest",
                    "record",
                    "--ledger",
                    ledger.toString(),
                    "--seed",
                    "7",
                    sims.resolve("ckpt/step-000000.safetensors").toString(),
                    sims.resolve("ckpt/step-000100.safetensors").toString());
            assertThat(r.exit()).as(r.err()).isZero();
            check(
                    "attest-ledger.jsonl",
                    Files.readString(ledger)
                            .replaceAll("\"(recorded_at|entry_hash|prev_hash)\"\\s*:\\s*\"[^\"]*\"", "\"$1\":\"…\""));
            StringBuilder sidecars = new StringBuilder();
            try (Stream<Path> files = Files.list(ledger.resolveSibling("train.jsonl.fp"))) {
                for (Path f : files.sorted().toList()) {
                    sidecars.append(sha256(Files.readAllBytes(f)))
                            .append("  ")
                            .append(f.getFileName())
                            .append('\n');
                }
            }
            check("attest-sidecars.sha256", sidecars.toString());
            Path json = work.resolve("ledger/verify.json");
            Cli v = Cli.run(
                    "attest",
                    "verify",
                    ledger.toString(),
                    "--release",
                    sims.resolve("ckpt/step-000100.safetensors").toString(),
                    "--json",
                    json.toString());
            assertThat(v.exit()).as(v.err()).isIn(0, 20);
            check(
                    "attest-verify.json",
                    Files.readString(json)
                            .replaceAll(
                                    "\"(recorded_at|entry_hash|prev_hash|ledger_head|ledger_sha256|head)\"\\s*:\\s*\"[^\"]*\"",
                                    "\"$1\":\"…\"")
                            .replaceAll("hash [0-9a-f]{12}… chains to [0-9a-f]{12}…", "hash … chains to …"));
        }));
        tests.add(DynamicTest.dynamicTest("inspect", () -> {
            for (String[] c : new String[][] {
                {
                    "inspect-demo-int8",
                    RealModels.onnx(RealModels.ALL_MINILM_L6_V2_Q).toString()
                },
                {"inspect-sim-base", simBase}
            }) {
                Path json = work.resolve(c[0] + ".json");
                Cli r = Cli.run("inspect", c[1], "--json", json.toString());
                assertThat(r.exit()).as(r.err()).isZero();
                check(c[0] + ".json", Files.readString(json));
            }
        }));
        return tests.stream();
    }

    private static DynamicTest compare(String name, String suspect, String reference, String... extra) {
        return DynamicTest.dynamicTest(name, () -> {
            Path json = work.resolve(name + ".json");
            List<String> args = new ArrayList<>(List.of("compare", suspect, reference, "--json", json.toString()));
            args.addAll(List.of(extra));
            Cli r = Cli.run(args.toArray(String[]::new));
            assertThat(r.exit()).as(r.err()).isIn(10, 11, 12);
            check(name + ".json", Files.readString(json));
            check(name + ".txt", r.out());
        });
    }

    /** Compares {@code actual} (normalised) with the golden file, or records it. */
    private static void check(String name, String actual) throws IOException {
        String normal = normalise(actual);
        Path golden = GOLDEN.resolve(name);
        if (RECORD) {
            Files.createDirectories(golden.getParent());
            Files.writeString(golden, normal, StandardCharsets.UTF_8);
            return;
        }
        assertThat(golden)
                .as("golden file %s (record with -Dpedigree.golden.record=true)", golden)
                .exists();
        String expected = Files.readString(golden, StandardCharsets.UTF_8);
        if (!expected.equals(normal)) {
            Path seen = Path.of("target", "golden-actual", name);
            Files.createDirectories(seen.getParent());
            Files.writeString(seen, normal, StandardCharsets.UTF_8);
            assertThat(normal)
                    .as("%s differs from its golden file; the actual output is in %s", name, seen.toAbsolutePath())
                    .isEqualTo(expected);
        }
    }

    private static String normalise(String s) {
        String models =
                RealModels.directory(RealModels.ALL_MINILM_L6_V2).getParent().toString();
        String root = Path.of("").toAbsolutePath().getParent().toString();
        // Reports show input paths relative to the working directory: normalised like the absolute ones.
        String modelsRelative =
                Path.of("").toAbsolutePath().relativize(Path.of(models)).toString();
        return s.replace(work.toString(), "$WORK")
                .replace(modelsRelative, "$MODELS")
                .replace(models, "$MODELS")
                .replace(root, "$ROOT");
    }

    private static String sha256(byte[] b) throws NoSuchAlgorithmException {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    /** A simulated decoder as a Hugging Face Llama directory (model.safetensors + config.json); returns {@code dir}. */
    static Path writeHf(SimModel m, Path dir) throws IOException {
        Files.createDirectories(dir);
        SafetensorsWriter w = new SafetensorsWriter();
        for (ArrayTensor t : m.tensors()) {
            w.add(
                    t.name().replaceFirst("^text\\.lm_head", "lm_head").replaceFirst("^text\\.", "model."),
                    DType.F32,
                    t.shape(),
                    t.readAll());
        }
        w.write(dir.resolve("model.safetensors"));
        var h = m.hints();
        Files.writeString(
                dir.resolve("config.json"),
                String.format(
                        Locale.ROOT,
                        "{\"model_type\": \"llama\", \"architectures\": [\"LlamaForCausalLM\"], \"hidden_size\": %d, \"num_attention_heads\": %d, \"num_key_value_heads\": %d, "
                                + "\"intermediate_size\": %d, \"num_hidden_layers\": %d, \"vocab_size\": %d, \"tie_word_embeddings\": false}",
                        h.hiddenSize(),
                        h.numHeads(),
                        h.numKvHeads(),
                        h.intermediateSize(),
                        h.numLayers(),
                        m.vocabRows()));
        return dir;
    }

    /** A tiny trained checkpoint as one safetensors file, names as the trainer gives them. */
    static void saveCheckpoint(SimModel m, Path file) throws IOException {
        Files.createDirectories(file.getParent());
        SafetensorsWriter w = new SafetensorsWriter();
        for (ArrayTensor t : m.tensors()) {
            w.add(t.name(), DType.F32, t.shape(), t.readAll());
        }
        w.write(file);
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) {
            return;
        }
        try (Stream<Path> s = Files.walk(p)) {
            for (Path f : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
                Files.delete(f);
            }
        }
    }
}
