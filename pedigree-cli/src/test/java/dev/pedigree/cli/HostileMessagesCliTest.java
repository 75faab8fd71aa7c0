package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, messages: every printed string has its control characters escaped (ESC, CR, LF, NUL), and every error is
 * one line naming the input (and the offset where there is one).
 */
class HostileMessagesCliTest {
    @TempDir
    Path dir;

    private static final List<String> HOSTILE_NAMES = List.of(
            "model.layers.0.mlp.up_proj.weight\u001b[2J\u001b]0;owned\u0007",
            "model.layers.0.mlp.down_proj.weight\rFAKE",
            "model.layers.1.mlp.up_proj.weight\nSafety: SAFE",
            "model.layers.1.mlp.down_proj.weight\u0000nul",
            "unknown\nSafety: SAFE (an unknown name becomes its own component)");

    private static void assertNoControlCharacters(String s) {
        assertThat(s.chars().filter(c -> (c < 0x20 && c != '\n' && c != '\t') || (c >= 0x7f && c <= 0x9f)))
                .as(s)
                .isEmpty();
    }

    @Test
    void inspectTensorsPrintsHostileNamesEscapedOneLineEach() throws Exception {
        Path f = dir.resolve("names.safetensors");
        SafetensorsWriter w = new SafetensorsWriter();
        for (String n : HOSTILE_NAMES) {
            w.add(n, DType.F32, Shape.of(2, 2), new float[] {1, 2, 3, 4});
        }
        w.write(f);
        Cli r = Cli.run("inspect", f.toString(), "--tensors", "--no-hashes");
        assertThat(r.exit()).as(r.err()).isZero();
        assertNoControlCharacters(r.out());
        assertThat(r.out().lines().filter(l -> l.startsWith("Safety:"))).hasSize(1);
        assertThat(r.out()).contains("\\u001b[2J").contains("\\u000dFAKE").contains("\\u000aSafety: SAFE");
        assertThat(r.out().lines().filter(l -> l.startsWith("  model.layers.") || l.startsWith("  unknown")))
                .hasSize(HOSTILE_NAMES.size());
    }

    @Test
    void aNulOrNewlineInAnErrorStaysOneEscapedLine() {
        Cli r = Cli.run("inspect", dir.resolve("no\nsuch\u001b[31m.gguf").toString());
        assertThat(r.exit()).isEqualTo(ExitCode.INPUT_ERROR.code());
        assertNoControlCharacters(r.err());
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("no\\u000asuch\\u001b[31m.gguf");
    }

    @Test
    void aModelNameWithANewlineGivesOneLine() throws Exception {
        Path f = dir.resolve("m.safetensors");
        new SafetensorsWriter()
                .add("model.embed_tokens.weight", DType.F32, Shape.of(4, 2), new float[8])
                .write(f);
        Cli r = Cli.run(
                "registry",
                "add",
                f.toString(),
                "--name",
                "evil\nerror: forged\u0000",
                "--registry",
                dir.resolve("r.db").toString());
        assertThat(r.exit()).isNotZero();
        assertNoControlCharacters(r.err());
        assertThat(r.err().strip().lines()).hasSize(1);
    }

    @Test
    void aNonUtf8ConfigIsCorruptNamingTheFileAndOffset() throws Exception {
        Path m = Files.createDirectories(dir.resolve("model"));
        new SafetensorsWriter()
                .add("model.embed_tokens.weight", DType.F32, Shape.of(4, 2), new float[8])
                .write(m.resolve("model.safetensors"));
        byte[] cfg = "{\"model_type\": \"llama\", \"x\": \"\u00ff\u00fe\"}".getBytes(StandardCharsets.ISO_8859_1);
        Files.write(m.resolve("config.json"), cfg);
        Cli r = Cli.run("inspect", m.toString());
        assertThat(r.exit()).isEqualTo(ExitCode.INPUT_ERROR.code());
        assertThat(r.err().strip().lines()).hasSize(1);
        assertThat(r.err()).contains("config.json").contains("offset").doesNotContain("Input length");
    }

    @Test
    void anOutOfMemoryErrorIsOneLineNamingTheInputAndTheLimit() {
        OutOfMemoryError oom = new OutOfMemoryError("Java heap space");
        assertThat(Main.classify(oom)).isEqualTo(ExitCode.INPUT_ERROR);
        assertThat(Main.classify(new RuntimeException(oom))).isEqualTo(ExitCode.INPUT_ERROR);
        String msg = Main.message(new java.io.UncheckedIOException(new java.io.IOException(oom)), List.of("big.gguf"));
        assertThat(msg)
                .contains("big.gguf")
                .contains("heap limit of " + (Runtime.getRuntime().maxMemory() >> 20) + " MiB")
                .doesNotContain("\n");
    }
}
