package dev.pedigree.format.tokenizers.encode;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.format.tokenizers.Tokenizers;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** tiktoken rank files against published encodings, and the cl100k tokenizer.json against the rank file. */
class TiktokenEncoderTest {
    private static Encoder tiktoken(String name) throws Exception {
        return Encoders.forTokenizer(SharedFixtures.file("tiktoken/" + name + ".tiktoken"));
    }

    @Test
    void cl100kKnownEncodings() throws Exception {
        Encoder e = tiktoken("cl100k_base");
        assertThat(e.encode("hello world")).containsExactly(15339, 1917);
        assertThat(e.encode("tiktoken is great!")).containsExactly(83, 1609, 5963, 374, 2294, 0);
        assertThat(e.encode("Hello, world!")).containsExactly(9906, 11, 1917, 0);
        assertThat(e.encode("")).isEmpty();
    }

    @Test
    void o200kKnownEncodings() throws Exception {
        Encoder e = tiktoken("o200k_base");
        assertThat(e.encode("hello world")).containsExactly(24912, 2375);
        assertThat(e.encode("Hello, world!")).containsExactly(13225, 11, 2375, 0);
    }

    @Test
    void gpt2FamilyKnownEncodings() throws Exception {
        assertThat(tiktoken("r50k_base").encode("hello world")).containsExactly(31373, 995);
        assertThat(tiktoken("p50k_base").encode("hello world")).containsExactly(31373, 995);
    }

    @Test
    void everyEncodingSpellsTheInputBytes() throws Exception {
        for (String name : List.of("r50k_base", "p50k_base", "cl100k_base", "o200k_base")) {
            Encoder e = tiktoken(name);
            for (String line : koreanLines(50)) {
                assertThat(RoundTrip.bytesOf(e, e.encode(line)))
                        .as(name + ": " + line)
                        .isEqualTo(line.getBytes(StandardCharsets.UTF_8));
            }
        }
    }

    @Test
    void gpt35TurboTokenizerJsonEqualsCl100kOnKoreanCorpus() throws Exception {
        Encoder json = Encoders.of(Tokenizers.read(SharedFixtures.file("hf-tokenizers/gpt-3.5-turbo.tokenizer.json")));
        Encoder ranks = tiktoken("cl100k_base");
        List<String> lines = koreanLines(200);
        int same = 0;
        long tokens = 0;
        for (String line : lines) {
            int[] a = json.encode(line);
            int[] b = ranks.encode(line);
            tokens += b.length;
            if (Arrays.equals(a, b)) {
                same++;
            }
        }
        System.out.println("gpt-3.5-turbo tokenizer.json vs cl100k_base.tiktoken: " + same + "/" + lines.size()
                + " Korean lines identical (" + tokens + " tokens)");
        assertThat(same).isEqualTo(lines.size());
    }

    static List<String> koreanLines(int n) throws Exception {
        Path corpus = SharedFixtures.file("korean/korean_sample_200k.txt");
        return Files.readAllLines(corpus, StandardCharsets.UTF_8).stream()
                .limit(n)
                .toList();
    }
}
