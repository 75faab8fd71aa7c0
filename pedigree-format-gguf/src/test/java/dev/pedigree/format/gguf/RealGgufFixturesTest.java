package dev.pedigree.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.testkit.SharedFixtures;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** llama.cpp's vocab-only GGUFs and a tiny random Llama 2 GGUF from ../shared/fixtures. */
class RealGgufFixturesTest {
    static Stream<Path> vocabFiles() throws Exception {
        Path dir = SharedFixtures.find();
        if (dir == null || !Files.isDirectory(dir.resolve("gguf-vocab"))) {
            // One placeholder invocation, which skips itself with SharedFixtures' message: a
            // parameterised test with no arguments at all would be an error, not a skip.
            return Stream.of((Path) null);
        }
        try (Stream<Path> s = Files.list(dir.resolve("gguf-vocab"))) {
            return s.filter(p -> p.getFileName().toString().endsWith(".gguf")).sorted().toList().stream();
        }
    }

    @Test
    void fixturesArePresent() throws Exception {
        SharedFixtures.require();
        assertThat(vocabFiles().count()).isEqualTo(14);
    }

    @ParameterizedTest
    @MethodSource("vocabFiles")
    void everyVocabOnlyFileOpens(Path file) throws Exception {
        SharedFixtures.require();
        try (ModelView v = new GgufReader().open(file)) {
            assertThat(v.format()).isEqualTo(ModelFormat.GGUF);
            assertThat(v.tensors()).isEmpty();
            Vocabulary voc = v.vocabulary().orElseThrow();
            assertThat(v.metadata().get("tokenizer.ggml.tokens")).isEqualTo("array<string>[" + voc.size() + "]");
            String model = (String) v.metadata().get("tokenizer.ggml.model");
            assertThat(voc.preTokenizer()).isEqualTo(v.metadata().get("tokenizer.ggml.pre"));
            switch (model) {
                case "gpt2" -> {
                    assertThat(voc.type()).isEqualTo(TokenizerType.BPE);
                    assertThat(voc.merges()).hasSizeGreaterThan(voc.size() / 2);
                    // byte-level: every normal token maps back to bytes; "Ġ" stands for a space
                    assertThat(voc.tokens().stream()
                                    .filter(t -> t.text().startsWith("Ġ") && t.kind() == TokenKind.NORMAL)
                                    .findFirst()
                                    .orElseThrow()
                                    .bytes()[0])
                            .isEqualTo((byte) ' ');
                    assertThat(v.warnings()).noneMatch(w -> w.contains("byte-level alphabet"));
                }
                case "llama" -> {
                    assertThat(voc.type()).isEqualTo(TokenizerType.SENTENCEPIECE_BPE);
                    assertThat(voc.tokens().stream()
                                    .filter(t -> t.kind() == TokenKind.BYTE)
                                    .count())
                            .isEqualTo(256);
                }
                case "bert" -> assertThat(voc.type()).isEqualTo(TokenizerType.WORDPIECE);
                default -> throw new AssertionError("unexpected tokenizer model " + model);
            }
            assertThat(GgufReader.readVocabulary(file)).contains(voc);
        }
    }

    @Test
    void knownVocabularies() throws Exception {
        Vocabulary gpt2 = GgufReader.readVocabulary(SharedFixtures.file("gguf-vocab/ggml-vocab-gpt-2.gguf"))
                .orElseThrow();
        assertThat(gpt2.size()).isEqualTo(50257);
        assertThat(gpt2.merges()).hasSize(50000);
        assertThat(gpt2.merges().getFirst()).isEqualTo(new Vocabulary.Merge("Ġ", "t"));
        assertThat(gpt2.tokens().get(50256).text()).isEqualTo("<|endoftext|>");
        assertThat(gpt2.tokens().get(50256).kind()).isEqualTo(TokenKind.SPECIAL);
        assertThat(new String(gpt2.tokens().get(300).bytes(), StandardCharsets.UTF_8))
                .isEqualTo(" l");
        assertThat(gpt2.preTokenizer()).isEqualTo("gpt-2");

        Vocabulary spm = GgufReader.readVocabulary(SharedFixtures.file("gguf-vocab/ggml-vocab-llama-spm.gguf"))
                .orElseThrow();
        assertThat(spm.size()).isEqualTo(32000);
        assertThat(spm.tokens().get(0).kind()).isEqualTo(TokenKind.UNKNOWN);
        assertThat(spm.tokens().get(1).kind()).isEqualTo(TokenKind.SPECIAL);
        Token nl = spm.tokens().get(13);
        assertThat(nl.text()).isEqualTo("<0x0A>");
        assertThat(nl.kind()).isEqualTo(TokenKind.BYTE);
        assertThat(nl.bytes()).containsExactly('\n');
        assertThat(spm.tokens().stream()
                        .filter(t -> t.text().equals("▁the"))
                        .findFirst()
                        .orElseThrow()
                        .bytes())
                .isEqualTo(" the".getBytes(StandardCharsets.UTF_8));
        assertThat(Float.isNaN(spm.tokens().get(500).score())).isFalse();

        Vocabulary bert = GgufReader.readVocabulary(SharedFixtures.file("gguf-vocab/ggml-vocab-bert-bge.gguf"))
                .orElseThrow();
        assertThat(bert.size()).isEqualTo(30522);
        assertThat(bert.tokens().get(0).text()).isEqualTo("[PAD]");
        assertThat(bert.tokens().get(0).kind()).isEqualTo(TokenKind.SPECIAL);
        // llama.cpp stores BERT continuations bare ("ing" for "##ing") and word starts as "▁the"
        Token cont = bert.tokens().stream()
                .filter(t -> t.text().equals("ing"))
                .findFirst()
                .orElseThrow();
        assertThat(cont.bytes()).isEqualTo("ing".getBytes(StandardCharsets.UTF_8));
        Token word = bert.tokens().stream()
                .filter(t -> t.text().equals("▁the"))
                .findFirst()
                .orElseThrow();
        assertThat(word.bytes()).isEqualTo(" the".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void duplicateKeysInARealFileAreAWarning() throws Exception {
        try (ModelView v = new GgufReader().open(SharedFixtures.file("gguf-vocab/ggml-vocab-dbrx.gguf"))) {
            assertThat(v.warnings()).anyMatch(w -> w.contains("duplicate metadata key 'general.file_type'"));
        }
    }

    @Test
    void tinyLlamaWeights() throws Exception {
        Path file = SharedFixtures.file("gguf-weights/llama-2-tiny-random.gguf");
        try (ModelView v = new GgufReader().open(file)) {
            assertThat(v.architecture()).isEqualTo("llama");
            assertThat(v.tensors()).hasSize(12);
            assertThat(v.tensors())
                    .extracting(TensorRef::name)
                    .containsExactly(
                            "token_embd.weight",
                            "blk.0.attn_q.weight",
                            "blk.0.attn_k.weight",
                            "blk.0.attn_v.weight",
                            "blk.0.attn_output.weight",
                            "blk.0.ffn_gate.weight",
                            "blk.0.ffn_up.weight",
                            "blk.0.ffn_down.weight",
                            "blk.0.attn_norm.weight",
                            "blk.0.ffn_norm.weight",
                            "output_norm.weight",
                            "output.weight");
            assertThat(v.tensors().get(0).shape().dims()).containsExactly(32000, 8);
            assertThat(v.tensors().get(5).shape().dims()).containsExactly(32, 8);
            assertThat(v.tensors().get(7).shape().dims()).containsExactly(8, 32);
            assertThat(v.tensors().get(8).shape().dims()).containsExactly(8);
            assertThat(v.hints().hiddenSize()).isEqualTo(8);
            assertThat(v.hints().numHeads()).isEqualTo(2);
            assertThat(v.hints().intermediateSize()).isEqualTo(32);
            assertThat(v.hints().tiedEmbeddings()).isFalse();
            assertThat(v.vocabulary().orElseThrow().size()).isEqualTo(32000);
            for (TensorRef t : v.tensors()) {
                float[] all = t.readAll();
                for (float x : all)
                    assertThat(Float.isFinite(x) && Math.abs(x) < 100)
                            .as(t.name())
                            .isTrue();
                // compare with an independent decoding of the raw bytes (F16 / F32, little-endian),
                // mapping canonical rows to stored rows for the permuted Q/K
                var raw = t.storedBytes();
                GgufTensor g = (GgufTensor) t;
                long cols = t.shape().columns();
                for (long r = 0;
                        r < t.shape().rows();
                        r += Math.max(1, t.shape().rows() / 7)) {
                    long sr = g.storedRow(r);
                    for (int c = 0; c < cols; c++) {
                        long idx = sr * cols + c;
                        float expect = g.ggmlType() == GgmlType.F16
                                ? Float.float16ToFloat(raw.get(
                                        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 2 * idx))
                                : raw.get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 4 * idx);
                        assertThat(all[(int) (r * cols + c)]).isEqualTo(expect);
                    }
                }
            }
            GgufTensor q = (GgufTensor) v.tensors().get(1);
            assertThat(q.permutedHeads()).isEqualTo(2);
            assertThat(q.storedRow(1)).isEqualTo(2); // head dim 4: rows 0,1 | 2,3 stored as 0,2,1,3
            assertThat(q.storedRow(2)).isEqualTo(1);
            // norms of a random-init model are all ones
            assertThat(v.tensors().get(8).readAll()).containsOnly(1f);
        }
    }

    @Test
    void tinyLlamaRolesWhenNamingIsAvailable() throws Exception {
        Path file = SharedFixtures.file("gguf-weights/llama-2-tiny-random.gguf");
        try (ModelView v = new GgufReader().open(file)) {
            List<Role> roles = v.tensors().stream().map(t -> t.address().role()).toList();
            Assumptions.assumeTrue(
                    roles.stream().anyMatch(r -> r != Role.OTHER),
                    "skipped: TensorNaming.classify is still the placeholder");
            assertThat(roles)
                    .containsExactly(
                            Role.EMBEDDING,
                            Role.ATTN_Q,
                            Role.ATTN_K,
                            Role.ATTN_V,
                            Role.ATTN_O,
                            Role.MLP_GATE,
                            Role.MLP_UP,
                            Role.MLP_DOWN,
                            Role.ATTN_NORM,
                            Role.MLP_NORM,
                            Role.FINAL_NORM,
                            Role.LM_HEAD);
            assertThat(v.tensors().get(1).address().layer()).isEqualTo(0);
        }
    }
}
