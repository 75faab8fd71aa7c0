package dev.pedigree.formats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.model.Component;
import dev.pedigree.model.DType;
import dev.pedigree.model.LineageClaim;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.TokenizerType;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HfDirectoryTest {
    @TempDir
    Path dir;

    private static final String VOCAB_TXT =
            String.join("\n", "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "the", "##s", "cat", "dog") + "\n";

    @Test
    void readsConfigShardedWeightsTokenizerAndModelCardClaims() throws Exception {
        TinyLlama m = new TinyLlama(3);
        Files.writeString(dir.resolve("config.json"), """
        {"model_type": "llama", "architectures": ["LlamaForCausalLM"], "hidden_size": 64, "num_attention_heads": 4,
         "num_key_value_heads": 2, "intermediate_size": 128, "num_hidden_layers": 2, "vocab_size": 96, "tie_word_embeddings": false}
        """);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        m.tensors.forEach((n, t) -> w.add(n, DType.F32, Shape.of(t.shape()), t.values()));
        w.writeSharded(dir, "model", 40_000);
        Files.writeString(dir.resolve("vocab.txt"), VOCAB_TXT);
        Files.writeString(dir.resolve("README.md"), """
        ---
        license: apache-2.0
        base_model:
          - meta-llama/Llama-3.1-8B
          - "Qwen/Qwen2.5-7B"  # merged
        base_model_relation: merge
        ---
        # A model
        base_model: not-front-matter
        """);
        try (ModelView v = ModelOpener.open(dir)) {
            assertThat(v.format()).isEqualTo(ModelFormat.HF_DIRECTORY);
            assertThat(v.architecture()).isEqualTo("llama");
            assertThat(v.hints().numKvHeads()).isEqualTo(2);
            assertThat(v.tensors()).hasSize(m.tensors.size());
            assertThat(v.files().size()).isGreaterThan(2);
            TensorRef q = v.tensors().stream()
                    .filter(t -> t.name().equals("model.layers.1.self_attn.q_proj.weight"))
                    .findFirst()
                    .orElseThrow();
            assertThat(q.address().component()).isEqualTo(Component.TEXT_DECODER);
            assertThat(q.address().layer()).isEqualTo(1);
            assertThat(q.address().role()).isEqualTo(Role.ATTN_Q);
            assertThat(q.readAll()).isEqualTo(m.tensors.get(q.name()).values());
            assertThat(v.vocabulary()).isPresent();
            assertThat(v.vocabulary().get().type()).isEqualTo(TokenizerType.WORDPIECE);
            assertThat(v.vocabulary().get().size()).isEqualTo(9);
            assertThat(v.claims())
                    .containsExactly(
                            new LineageClaim("base_model:merge", "meta-llama/Llama-3.1-8B", "README.md front matter"),
                            new LineageClaim("base_model:merge", "Qwen/Qwen2.5-7B", "README.md front matter"));
        }
    }

    @Test
    void directoryWithoutModelFilesIsRefusedClearly() throws Exception {
        Files.writeString(dir.resolve("notes.txt"), "hello");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelOpener.open(dir))
                .isInstanceOf(dev.pedigree.io.UnsupportedModelException.class)
                .hasMessageContaining(dir.toString());
    }

    @Test
    void unknownFileContentIsUnsupportedWithOffset() throws Exception {
        Path f = dir.resolve("mystery.bin");
        Files.write(f, "this is not a model".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ModelOpener.open(f))
                .isInstanceOf(dev.pedigree.io.ModelFormatException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("offset 0");
    }
}
