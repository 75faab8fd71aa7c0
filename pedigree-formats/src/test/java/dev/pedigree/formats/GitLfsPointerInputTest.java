package dev.pedigree.formats;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A clone without Git LFS holds pointers in place of the weights: every local route names the pointer as such instead
 * of "unrecognised content" or a corrupt header (the remote routes are in {@link RemoteModelTest}).
 */
class GitLfsPointerInputTest {
    static final String POINTER = """
            version https://git-lfs.github.com/spec/v1
            oid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393
            size 133466304
            """;
    static final String SAYS = "this is a Git LFS pointer, not the model";

    @TempDir
    Path dir;

    @Test
    void aPointerFileIsNamedWhateverItsName() throws Exception {
        for (String name : new String[] {
            "model.safetensors",
            "model.gguf",
            "model.onnx",
            "pytorch_model.bin",
            "tokenizer.json",
            "tokenizer.model",
            "vocab.txt",
            "cl100k_base.tiktoken"
        }) {
            Path f = dir.resolve(name);
            Files.writeString(f, POINTER);
            assertThatThrownBy(() -> ModelOpener.open(f))
                    .as(name)
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageStartingWith(SAYS)
                    .hasMessageContaining("133,466,304 bytes")
                    .hasMessageContaining(f.toString());
        }
    }

    @Test
    void aPointerInsideADirectoryIsNamed() throws Exception {
        Files.writeString(dir.resolve("config.json"), "{\"model_type\": \"bert\", \"hidden_size\": 8}");
        Files.writeString(dir.resolve("model.safetensors"), POINTER);
        assertThatThrownBy(() -> ModelOpener.open(dir))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith(SAYS)
                .hasMessageContaining(dir.resolve("model.safetensors").toString());
    }

    @Test
    void aPointerTokenizerBesideRealWeightsIsNamed() throws Exception {
        TinyLlama m = new TinyLlama(4);
        m.writeSafetensors(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("tokenizer.json"), POINTER);
        assertThatThrownBy(() -> ModelOpener.open(dir))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith(SAYS)
                .hasMessageContaining("tokenizer.json");
    }

    @Test
    void pointerShardsOfAShardedCheckpointAreNamed() throws Exception {
        TinyLlama m = new TinyLlama(5);
        SafetensorsWriter w = new SafetensorsWriter();
        m.tensors.forEach((n, t) -> w.add(n, DType.F32, Shape.of(t.shape()), t.values()));
        w.writeSharded(dir, "model", 40_000);
        Path shard;
        try (Stream<Path> s = Files.list(dir)) {
            shard = s.filter(p -> p.getFileName().toString().matches("model-\\d+-of-\\d+\\.safetensors"))
                    .sorted()
                    .findFirst()
                    .orElseThrow();
        }
        Files.writeString(shard, POINTER);
        assertThatThrownBy(() -> ModelOpener.open(dir))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith(SAYS)
                .hasMessageContaining(shard.getFileName().toString());
    }
}
