package dev.pedigree.format.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.model.DType;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.ServiceLoader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Content probing and service registration. */
class SafetensorsProbeTest {
    @TempDir
    Path dir;

    private static byte[] head(byte[] file) {
        return Arrays.copyOf(file, Math.min(file.length, 4096));
    }

    @Test
    void registeredAsAModelReader() {
        assertThat(ServiceLoader.load(ModelReader.class).stream().map(ServiceLoader.Provider::type))
                .contains(SafetensorsReader.class);
        assertThat(new SafetensorsReader().name()).isEqualTo("safetensors");
    }

    @Test
    void probesByContent() throws Exception {
        SafetensorsReader r = new SafetensorsReader();
        byte[] valid = new SafetensorsWriter()
                .add("a", DType.F32, Shape.of(2), new float[] {1, 2})
                .toBytes();
        Path named = Files.write(dir.resolve("model.safetensors"), valid);
        Path unnamed = Files.write(dir.resolve("weights.bin"), valid);
        assertThat(r.probe(named, head(valid))).isEqualTo(100);
        assertThat(r.probe(unnamed, head(valid))).isBetween(60, 99);

        byte[] gguf =
                "GGUF\u0003\u0000\u0000\u0000\u0000\u0000\u0000\u0000\u0000".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(r.probe(Files.write(dir.resolve("m.gguf"), gguf), gguf)).isZero();
        byte[] zip = {'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0, 0};
        assertThat(r.probe(Files.write(dir.resolve("m.pt"), zip), zip)).isZero();
        byte[] json = "{\"model\": {}}".getBytes(StandardCharsets.UTF_8);
        assertThat(r.probe(Files.write(dir.resolve("tokenizer.json"), json), json))
                .isZero();
        // A length claiming more bytes than the file has is not plausible.
        byte[] lying = RawFiles.withLength(5000, "{}".getBytes(StandardCharsets.UTF_8));
        assertThat(r.probe(Files.write(dir.resolve("lying.safetensors"), lying), lying))
                .isZero();
        assertThat(r.probe(Files.write(dir.resolve("tiny.safetensors"), new byte[3]), new byte[3]))
                .isZero();
    }

    @Test
    void probesIndexFilesByNameAndContent() throws Exception {
        SafetensorsReader r = new SafetensorsReader();
        Path index = new SafetensorsWriter()
                .add("a", DType.F32, Shape.of(2), new float[] {1, 2})
                .writeSharded(dir, "model", 1 << 20);
        assertThat(r.probe(index, head(Files.readAllBytes(index)))).isEqualTo(100);
        byte[] other = "{\"metadata\": {}}".getBytes(StandardCharsets.UTF_8);
        assertThat(r.probe(dir.resolve("model.safetensors.index.json"), other)).isEqualTo(70);
        assertThat(r.probe(dir.resolve("pytorch_model.bin.index.json"), head(Files.readAllBytes(index))))
                .isZero();
    }
}
