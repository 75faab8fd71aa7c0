package dev.pedigree.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class GgufVocabularyTest {
    private static Vocabulary vocab(GgufWriter w) throws Exception {
        try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:vocab", w.toBytes()))) {
            return v.vocabulary().orElseThrow();
        }
    }

    @Test
    void gpt2TokenTypesScoresAndMerges() throws Exception {
        Vocabulary v = vocab(new GgufWriter()
                .putString("tokenizer.ggml.model", "gpt2")
                .putString("tokenizer.ggml.pre", "qwen2")
                .putArray(
                        "tokenizer.ggml.tokens",
                        GgufArray.ofStrings(List.of("a", "Ġb", "<unk>", "<|im_start|>", "<user>", "<unused>", "Ċ")))
                .putArray(
                        "tokenizer.ggml.token_type",
                        GgufArray.ofInts(GgufValueType.INT32, new int[] {1, 1, 2, 3, 4, 5, 6}))
                .putArray("tokenizer.ggml.scores", GgufArray.ofFloats(new float[] {0, -1, -2, -3, -4, -5, -6}))
                .putArray("tokenizer.ggml.merges", GgufArray.ofStrings(List.of("Ġ b", "a Ġb"))));
        assertThat(v.type()).isEqualTo(TokenizerType.BPE);
        assertThat(v.preTokenizer()).isEqualTo("qwen2");
        assertThat(v.tokens())
                .extracting(t -> t.kind())
                .containsExactly(
                        TokenKind.NORMAL,
                        TokenKind.NORMAL,
                        TokenKind.UNKNOWN,
                        TokenKind.SPECIAL,
                        TokenKind.ADDED,
                        TokenKind.UNUSED,
                        TokenKind.BYTE);
        assertThat(v.tokens().get(1).bytes()).isEqualTo(" b".getBytes(StandardCharsets.UTF_8));
        assertThat(v.tokens().get(6).bytes()).containsExactly('\n');
        assertThat(v.tokens().get(3).bytes()).isEqualTo("<|im_start|>".getBytes(StandardCharsets.UTF_8));
        assertThat(v.tokens().get(4).score()).isEqualTo(-4f);
        assertThat(v.merges()).containsExactly(new Vocabulary.Merge("Ġ", "b"), new Vocabulary.Merge("a", "Ġb"));
    }

    @Test
    void t5IsUnigramAndOldStyleBertKeepsTheHashPrefixRule() throws Exception {
        Vocabulary t5 = vocab(new GgufWriter()
                .putString("tokenizer.ggml.model", "t5")
                .putArray("tokenizer.ggml.tokens", GgufArray.ofStrings(List.of("▁x", "<0x41>"))));
        assertThat(t5.type()).isEqualTo(TokenizerType.UNIGRAM);
        assertThat(t5.tokens().get(0).bytes()).isEqualTo(" x".getBytes(StandardCharsets.UTF_8));
        assertThat(Float.isNaN(t5.tokens().get(0).score())).isTrue();
        Vocabulary bert = vocab(new GgufWriter()
                .putString("tokenizer.ggml.model", "bert")
                .putArray("tokenizer.ggml.tokens", GgufArray.ofStrings(List.of("the", "##ing"))));
        assertThat(bert.type()).isEqualTo(TokenizerType.WORDPIECE);
        assertThat(bert.tokens().get(0).bytes()).isEqualTo(" the".getBytes(StandardCharsets.UTF_8));
        assertThat(bert.tokens().get(1).bytes()).isEqualTo("ing".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void mismatchedArrayLengthsAreCorrupt() {
        GgufWriter w = new GgufWriter()
                .putString("tokenizer.ggml.model", "llama")
                .putArray("tokenizer.ggml.tokens", GgufArray.ofStrings(List.of("a", "b")))
                .putArray("tokenizer.ggml.scores", GgufArray.ofFloats(new float[] {1}));
        assertThatThrownBy(() -> vocab(w))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("tokenizer.ggml.scores")
                .hasMessageContaining("mem:vocab at offset");
    }

    @Test
    void noVocabModel() throws Exception {
        try (ModelView v = GgufReader.open(ByteSource.ofBytes(
                "m",
                new GgufWriter().putString("tokenizer.ggml.model", "no_vocab").toBytes()))) {
            assertThat(v.vocabulary()).isEmpty();
        }
    }
}
