package dev.pedigree.format.tokenizers.encode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The Llama 2 {@code tokenizer.model} against llama.cpp's reference ids for its GGUF conversion
 * (same 32,000 pieces), and the three ways to reach a Llama 2 vocabulary agreeing on the Korean corpus.
 */
class SentencePieceEncoderTest {
    @Test
    void tokenizerModelMatchesLlamaCppReference() throws Exception {
        Path dir = SharedFixtures.file("gguf-vocab");
        LlamaCppReference ref = LlamaCppReference.read(dir, "llama-spm");
        Encoder e = Encoders.forTokenizer(SharedFixtures.file("sentencepiece/llama2-tokenizer.model"));
        int ok = ref.matches(e, 4);
        System.out.println("llama2 tokenizer.model vs llama.cpp llama-spm reference: " + ok + "/"
                + ref.texts().size());
        assertThat(ok).isEqualTo(ref.texts().size());
        assertThat(e.encode("Hello world")).containsExactly(15043, 3186);
    }

    @Test
    void tokenizerModelGgufVocabAndGgufWeightsAgreeOnKorean() throws Exception {
        Encoder model = Encoders.forTokenizer(SharedFixtures.file("sentencepiece/llama2-tokenizer.model"));
        Encoder vocabOnly = Encoders.forTokenizer(SharedFixtures.file("gguf-vocab/ggml-vocab-llama-spm.gguf"));
        Encoder weights = Encoders.forTokenizer(SharedFixtures.file("gguf-weights/llama-2-tiny-random.gguf"));
        List<String> lines = TiktokenEncoderTest.koreanLines(300);
        int same = 0;
        for (String line : lines) {
            int[] a = model.encode(line);
            if (Arrays.equals(a, vocabOnly.encode(line)) && Arrays.equals(a, weights.encode(line))) {
                same++;
            }
            // Byte fallback keeps every byte: the pieces spell the dummy prefix and the line.
            assertThat(RoundTrip.bytesOf(model, a)).isEqualTo((" " + line).getBytes(StandardCharsets.UTF_8));
        }
        System.out.println("Llama 2 tokenizer.model / GGUF vocab / GGUF weights: " + same + "/" + lines.size()
                + " Korean lines identical");
        assertThat(same).isEqualTo(lines.size());
    }
}
