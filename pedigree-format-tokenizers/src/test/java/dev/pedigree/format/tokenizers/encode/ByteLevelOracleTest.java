package dev.pedigree.format.tokenizers.encode;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.pedigree.format.tokenizers.Tokenizers;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The byte-level BPE tokenizer.json of gpt-3.5-turbo (a Split regex with {@code Removed}/{@code
 * invert}, then ByteLevel without regex, 100k merges, special added tokens) against the Hugging
 * Face tokenizers library, on the Korean corpus, English text, llama.cpp's test texts and random
 * strings.
 */
class ByteLevelOracleTest {
    @Test
    void gpt35TurboMatchesHuggingFace() throws Exception {
        Path json = SharedFixtures.file("hf-tokenizers/gpt-3.5-turbo.tokenizer.json");
        HuggingFaceTokenizer oracle = WordPieceOracleTest.oracle(json);
        Encoder ours = Encoders.of(Tokenizers.read(json));
        List<String> texts = new ArrayList<>(
                Files.readAllLines(SharedFixtures.file("korean/korean_sample_200k.txt"), StandardCharsets.UTF_8));
        texts.addAll(WordPieceOracleTest.ENGLISH);
        texts.addAll(LlamaCppReference.read(SharedFixtures.file("gguf-vocab"), "gpt-2")
                .texts());
        texts.add("<|endoftext|>Hello<|fim_prefix|> world<|endofprompt|>");
        Random rnd = new Random(11);
        for (int i = 0; i < 1000; i++) {
            String s = EncoderRobustnessTest.randomText(rnd, i % 49); // no long runs, which the JNI copy makes slow
            texts.add(AbstractEncoder.sanitize(s));
        }
        int same = 0;
        String firstDiff = null;
        for (String t : texts) {
            int[] want = Arrays.stream(oracle.encode(t, false, false).getIds())
                    .mapToInt(x -> (int) x)
                    .toArray();
            int[] got = ours.encode(t);
            if (Arrays.equals(want, got)) {
                same++;
            } else if (firstDiff == null) {
                firstDiff = LlamaCppReference.escape(t) + "\n  want " + Arrays.toString(want) + "\n  got  "
                        + Arrays.toString(got);
            }
        }
        System.out.println("gpt-3.5-turbo tokenizer.json vs HF tokenizers: " + same + "/" + texts.size()
                + " texts identical" + (firstDiff == null ? "" : "; first difference " + firstDiff));
        assertThat(same).isEqualTo(texts.size());
        assertThat(ours.encode("<|endoftext|>")).containsExactly(100257);
    }
}
