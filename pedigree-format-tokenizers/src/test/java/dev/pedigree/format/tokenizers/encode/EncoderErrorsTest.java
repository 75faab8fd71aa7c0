package dev.pedigree.format.tokenizers.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.testkit.Mutations;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input to the factories, hostile regexes, and a mutation fuzz over generated tokenizer.json files. */
class EncoderErrorsTest {
    /** A byte-level BPE tokenizer.json: the 256-byte alphabet, a few merges, a Split regex. */
    static String byteLevelJson(String regex) {
        StringBuilder vocab = new StringBuilder();
        for (int b = 0; b < 256; b++) {
            vocab.append(b == 0 ? "" : ",")
                    .append(jsonString(dev.pedigree.model.TokenText.toByteLevel(new byte[] {(byte) b})))
                    .append(':')
                    .append(b);
        }
        vocab.append(",\"ab\":256,\"\u0120a\":257,\"\u0120ab\":258");
        return """
        {"version":"1.0","added_tokens":[{"id":259,"content":"<|end|>","special":true}],"normalizer":null,
         "pre_tokenizer":{"type":"Sequence","pretokenizers":[{"type":"Split","pattern":{"Regex":%s},"behavior":"Isolated","invert":false},
                          {"type":"ByteLevel","add_prefix_space":false,"use_regex":false}]},
         "model":{"type":"BPE","vocab":{%s},"merges":["\u0120 a","a b","\u0120a b"]}}
        """.formatted(jsonString(regex), vocab);
    }

    private static String jsonString(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20 || c > 0x7E) {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        return sb.append('"').toString();
    }

    @Test
    void generatedByteLevelFileEncodesAsExpected(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, byteLevelJson(SplitPatterns.GPT2), StandardCharsets.UTF_8);
        Encoder e = Encoders.forTokenizer(f);
        assertThat(e.encodeToPieces("ab ab<|end|>b")).containsExactly("ab", "\u0120ab", "<|end|>", "b");
        assertThat(e.encode("ab ab<|end|>b")).containsExactly(256, 258, 259, 98);
    }

    @Test
    void notATokenizer(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("noise.bin");
        Files.write(f, new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThatThrownBy(() -> Encoders.forTokenizer(f))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(f.toString());
    }

    @Test
    void truncatedTokenizerJsonNamesFileAndOffset(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tokenizer.json");
        String json = byteLevelJson(SplitPatterns.GPT2);
        Files.writeString(f, json.substring(0, json.length() / 2), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Encoders.forTokenizer(f))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("at offset");
        // The settings reader on its own reports the same way.
        assertThatThrownBy(() -> TokenizerJsonSettings.read(f, EncoderOptions.DEFAULTS))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("at offset");
    }

    @Test
    void regexJavaCannotCompileIsUnsupported(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tokenizer.json");
        Files.writeString(f, byteLevelJson("\\p{Han}+"), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Encoders.forTokenizer(f))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(f.toString())
                .hasMessageContaining("does not compile");
    }

    @Test
    void catastrophicRegexEndsInATypedErrorWithinItsStepBudget(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("tokenizer.json");
        // Polynomial backtracking that java.util.regex does not memoise: about 3 s at 26 characters,
        // hours at 40.
        Files.writeString(f, byteLevelJson("(.*a){12}$"), StandardCharsets.UTF_8);
        Encoder e = Encoders.forTokenizer(f);
        String text = "a".repeat(40) + "!";
        assertTimeoutPreemptively(
                Duration.ofSeconds(20),
                () -> assertThatThrownBy(() -> e.encode(text))
                        .isInstanceOf(PreTokenizerLimitException.class)
                        .hasMessageContaining("pre-tokenizer regex '(.*a){12}$' gave up after 1002624 regex steps")
                        .hasMessageContaining("a text of 41 characters"));
        // the well-known patterns on the same text stay far inside the budget
        assertThat(e.encode("plain words, 123 and more")).isNotEmpty();
    }

    @Test
    void regexesTooLongOrTooDeepToCompileAreUnsupported(@TempDir Path dir) throws Exception {
        Path deep = dir.resolve("deep.json");
        Files.writeString(deep, byteLevelJson("(".repeat(12_000) + "a" + ")".repeat(12_000)), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Encoders.forTokenizer(deep))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(deep.toString())
                .hasMessageContaining("more than the 16384 accepted");
        Path nested = dir.resolve("nested.json");
        Files.writeString(nested, byteLevelJson("(?:".repeat(4_000) + "a" + ")".repeat(4_000)), StandardCharsets.UTF_8);
        assertThatThrownBy(() -> Encoders.forTokenizer(nested))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(nested.toString());
        assertThat(SplitRule.problem("(".repeat(5_000) + ")".repeat(5_000))).isPresent();
        assertThat(SplitRule.problem(SplitPatterns.O200K)).isEmpty();
    }

    @Test
    void otherAlgorithmsAreUnsupported() {
        Vocabulary v = new Vocabulary(
                TokenizerType.OTHER,
                List.of(new Token(0, new byte[] {'a'}, "a", TokenKind.NORMAL, Float.NaN)),
                List.of(),
                null,
                "words.json");
        assertThatThrownBy(() -> Encoders.of(v))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("words.json");
    }

    @Test
    void mutatedTokenizerJsonEitherEncodesOrFailsCleanly(@TempDir Path dir) throws Exception {
        byte[] base = byteLevelJson(SplitPatterns.CL100K).getBytes(StandardCharsets.UTF_8);
        byte[] unigram = UnigramOracleTest.JSON.getBytes(StandardCharsets.UTF_8);
        Random rnd = new Random(4242);
        int cases = 2000;
        int opened = 0;
        int rejected = 0;
        Path f = dir.resolve("tokenizer.json");
        for (int i = 0; i < cases; i++) {
            byte[] src = i % 2 == 0 ? base : unigram;
            byte[] m = Mutations.mutate(src, src.length, Mutations.JSON_TOKENS, rnd);
            Files.write(f, m);
            try {
                Encoder e = Encoders.forTokenizer(f);
                for (String s : List.of("ab ab", "hello, 세계!", "", "<|end|>x", "aaaa\n\n  b")) {
                    int[] ids = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> e.encode(s));
                    for (int id : ids) {
                        assertThat(e.token(id)).isPresent();
                    }
                }
                opened++;
            } catch (ModelFormatException x) {
                assertThat(x.getMessage()).contains(f.toString());
                rejected++;
            }
        }
        System.out.printf(
                "tokenizer.json mutation fuzz: %d cases, %d encoded, %d rejected with ModelFormatException%n",
                cases, opened, rejected);
        assertThat(opened + rejected).isEqualTo(cases);
    }
}
