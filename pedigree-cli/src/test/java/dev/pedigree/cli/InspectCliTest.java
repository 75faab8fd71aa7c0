package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import dev.pedigree.testkit.JsonContracts;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Black-box tests of {@code pedigree inspect}: exit codes, output, the JSON contract. */
class InspectCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private Path smallSafetensors() throws Exception {
        Path f = dir.resolve("model.safetensors");
        new SafetensorsWriter()
                .add("model.embed_tokens.weight", DType.BF16, Shape.of(8, 4), new float[] {
                    1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8
                })
                .add("model.layers.0.mlp.up_proj.weight", DType.F32, Shape.of(2, 4), new float[] {1, 2, 3, 4, 5, 6, 7, 8
                })
                .add("model.layers.0.mlp.up_proj.bias", DType.F16, Shape.of(2), new float[] {0.5f, -0.5f})
                .write(f);
        return f;
    }

    @Test
    void inspectWritesValidJsonAndReadableSummary() throws Exception {
        Path model = smallSafetensors();
        Path out = dir.resolve("out/inspect.json");
        Cli r = Cli.run("inspect", model.toString(), "--json", out.toString());
        assertThat(r.exit()).as(r.err()).isEqualTo(0);
        assertThat(r.out())
                .contains("Format:        safetensors")
                .contains("Parameters:    42")
                .contains("Safety:        SAFE");
        String json = Files.readString(out);
        assertThat(JsonContracts.validate(JsonContracts.INSPECT, json)).isEmpty();
        JsonNode n = JSON.readTree(json);
        assertThat(n.get("parameters").asLong()).isEqualTo(42);
        // Same bytes in every run: the file entries keep one key order (Map.of's changes from JVM to JVM).
        assertThat(json).containsPattern("\\{\\s*\"path\" : [^}]*\"bytes\" : \\d+\\s*}");
        JsonNode up = null;
        for (JsonNode t : n.get("tensors")) {
            if (t.get("name").asText().equals("model.layers.0.mlp.up_proj.weight")) {
                up = t;
            }
        }
        assertThat(up).isNotNull();
        assertThat(up.get("role").asText()).isEqualTo("MLP_UP");
        assertThat(up.get("layer").asInt()).isEqualTo(0);
        assertThat(up.get("component").asText()).isEqualTo("text");
        assertThat(up.get("sha256").asText()).hasSize(64);
        assertThat(up.get("canonical_sha256").asText()).hasSize(64);
    }

    @Test
    void theSummaryAloneIsTheSummaryPrintedBesideTheHashedJson() throws Exception {
        // Without --json the hashes are not computed (the summary shows none): the summary must not change.
        Path model = smallSafetensors();
        Cli hashed = Cli.run(
                "inspect",
                model.toString(),
                "--tensors",
                "--json",
                dir.resolve("h.json").toString());
        Cli plain = Cli.run("inspect", model.toString(), "--tensors");
        assertThat(plain.exit()).as(plain.err()).isZero();
        assertThat(hashed.exit()).as(hashed.err()).isZero();
        assertThat(plain.out()).isEqualTo(hashed.out()).contains("model.layers.0.mlp.up_proj.weight");
        assertThat(plain.err()).isEqualTo(hashed.err());
    }

    @Test
    void jsonToStdoutIsPureJson() throws Exception {
        Cli r = Cli.run("inspect", smallSafetensors().toString(), "--json", "-", "--no-hashes");
        assertThat(r.exit()).isEqualTo(0);
        assertThat(JsonContracts.validate(JsonContracts.INSPECT, r.out())).isEmpty();
    }

    @Test
    void missingFileIsInputErrorWithOneLine() {
        Cli r = Cli.run("inspect", dir.resolve("nope.gguf").toString());
        assertThat(r.exit()).isEqualTo(ExitCode.INPUT_ERROR.code());
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).startsWith("error: ").contains("nope.gguf").contains("no such file");
    }

    @Test
    void corruptFileNamesFileAndOffset() throws Exception {
        Path model = smallSafetensors();
        byte[] b = Files.readAllBytes(model);
        Path cut = dir.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(b, b.length - 10));
        Cli r = Cli.run("inspect", cut.toString());
        assertThat(r.exit()).isEqualTo(ExitCode.INPUT_ERROR.code());
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("cut.safetensors").contains("offset");
    }

    @Test
    void hostilePickleIsRefusedAndReportedAsUnsafe() throws Exception {
        Path f = HostileInputs.torchCallingOsSystem(dir.resolve("evil.pt"));
        Path out = dir.resolve("evil.json");
        Cli r = Cli.run("inspect", f.toString(), "--json", out.toString());
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(ExitCode.UNSAFE_INPUT.code());
        assertThat(r.err()).contains("os.system");
        JsonNode n = JSON.readTree(Files.readString(out));
        assertThat(JsonContracts.validate(JsonContracts.INSPECT, Files.readString(out)))
                .isEmpty();
        assertThat(n.get("safety").get("status").asText()).isEqualTo("REFUSED");
        assertThat(n.get("safety").get("detail").asText()).contains("os.system");
    }

    @Test
    void inspectsTheRealOnnxModelsWithRolesAndEqualParameterCounts() throws Exception {
        long[] params = new long[2];
        int i = 0;
        for (String name : List.of(
                dev.pedigree.testkit.RealModels.ALL_MINILM_L6_V2, dev.pedigree.testkit.RealModels.ALL_MINILM_L6_V2_Q)) {
            Cli r = Cli.run(
                    "inspect", dev.pedigree.testkit.RealModels.onnx(name).toString(), "--json", "-", "--no-hashes");
            assertThat(r.exit()).as(r.err()).isEqualTo(0);
            assertThat(JsonContracts.validate(JsonContracts.INSPECT, r.out())).isEmpty();
            JsonNode n = JSON.readTree(r.out());
            assertThat(n.get("format").asText()).isEqualTo("onnx");
            params[i++] = n.get("parameters").asLong();
            boolean sawQuery = false;
            for (JsonNode t : n.get("tensors")) {
                if (t.get("name").asText().equals("encoder.layer.5.attention.self.query.weight")) {
                    sawQuery = true;
                    assertThat(t.get("role").asText()).isEqualTo("ATTN_Q");
                    assertThat(t.get("layer").asInt()).isEqualTo(5);
                    assertThat(t.get("shape").toString()).isEqualTo("[384,384]");
                }
            }
            assertThat(sawQuery).as(name).isTrue();
        }
        assertThat(params[0]).isEqualTo(22_565_376L).isEqualTo(params[1]);
    }

    @Test
    void helpDocumentsExitCodes() {
        Cli r = Cli.run("--help");
        assertThat(r.exit()).isEqualTo(0);
        // The footer is the one table, generated: every code with its number, name and meaning.
        assertThat(r.out()).contains("Exit codes:" + System.lineSeparator() + ExitCode.helpTable());
        String words = r.out().replaceAll("\\s+", " ");
        for (ExitCode c : ExitCode.values()) {
            assertThat(r.out()).containsPattern("(?m)^ +" + c.code() + "  " + c.name() + " ");
            assertThat(words).contains(c.name() + " " + c.meaning());
        }
        assertThat(ExitCode.helpTable().lines()).allMatch(l -> l.length() <= ExitCode.HELP_WIDTH);
        // Subcommands have no table of their own.
        assertThat(Cli.run("attest", "--help").out()).doesNotContain("Exit codes:" + System.lineSeparator());
    }

    @Test
    void unknownOptionIsUsageError() {
        Cli r = Cli.run("inspect", "--bogus");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code());
        assertThat(r.err()).startsWith("error: ");
    }

    /** Every model or tokenizer file in ../shared/fixtures inspects cleanly; other files fail cleanly. */
    @Test
    void inspectsEveryFixture() throws Exception {
        Path fixtures = SharedFixtures.require();
        List<Path> files;
        try (Stream<Path> s = Files.walk(fixtures)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<String> failures = new ArrayList<>();
        int models = 0;
        for (Path f : files) {
            String name = f.getFileName().toString();
            boolean modelFile = name.endsWith(".gguf")
                    || name.endsWith(".json")
                    || name.endsWith(".model")
                    || name.endsWith(".tiktoken");
            Cli r = Cli.run("inspect", f.toString(), "--json", "-");
            if (modelFile) {
                models++;
                if (r.exit() != 0) {
                    failures.add(f + ": exit " + r.exit() + " " + r.err());
                } else {
                    List<String> errors = JsonContracts.validate(JsonContracts.INSPECT, r.out());
                    if (!errors.isEmpty()) {
                        failures.add(f + ": " + errors);
                    }
                }
            } else if (r.exit() != ExitCode.INPUT_ERROR.code()
                    || r.err().strip().lines().count() != 1) {
                failures.add(f + ": expected one clean input error, got exit " + r.exit() + " " + r.err());
            }
        }
        System.out.println("inspected " + files.size() + " fixture files (" + models + " models/tokenizers)");
        assertThat(failures).isEmpty();
        assertThat(models).isGreaterThanOrEqualTo(20);
    }

    @Test
    void bundledContractsEqualSharedOnes() throws Exception {
        Path shared = SharedFixtures.require().getParent().resolve("contracts");
        for (String s : List.of(JsonContracts.INSPECT, JsonContracts.COMPARE)) {
            assertThat(JsonContracts.schemaText(s)).as(s).isEqualTo(Files.readString(shared.resolve(s)));
        }
    }
}
