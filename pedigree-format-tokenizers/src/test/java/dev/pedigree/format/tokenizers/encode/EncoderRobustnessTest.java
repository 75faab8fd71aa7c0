package dev.pedigree.format.tokenizers.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pedigree.format.tokenizers.Tokenizers;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.testkit.RealModels;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random Unicode strings (2,000 per encoder, including long runs that would make a
 * backtracking regex or a quadratic merge loop blow up) never make an encoder throw or hang (so the
 * well-known pre-tokenizer regexes stay within {@link PreTokenizer}'s step budget), and byte-level
 * encoders always spell the input's exact bytes.
 */
class EncoderRobustnessTest {
    private static final int CASES = 2000;

    @Test
    void randomUnicodeNeverThrowsOrHangs() throws Exception {
        Map<String, Encoder> encoders = new LinkedHashMap<>();
        encoders.put("gpt-2 (gguf)", Encoders.forTokenizer(SharedFixtures.file("gguf-vocab/ggml-vocab-gpt-2.gguf")));
        encoders.put(
                "deepseek-llm (gguf)",
                Encoders.forTokenizer(SharedFixtures.file("gguf-vocab/ggml-vocab-deepseek-llm.gguf")));
        encoders.put("falcon (gguf)", Encoders.forTokenizer(SharedFixtures.file("gguf-vocab/ggml-vocab-falcon.gguf")));
        encoders.put("cl100k_base", Encoders.forTokenizer(SharedFixtures.file("tiktoken/cl100k_base.tiktoken")));
        encoders.put("o200k_base", Encoders.forTokenizer(SharedFixtures.file("tiktoken/o200k_base.tiktoken")));
        encoders.put(
                "llama2 tokenizer.model",
                Encoders.forTokenizer(SharedFixtures.file("sentencepiece/llama2-tokenizer.model")));
        encoders.put(
                "bert-bge (gguf)", Encoders.forTokenizer(SharedFixtures.file("gguf-vocab/ggml-vocab-bert-bge.gguf")));
        encoders.put(
                "all-minilm tokenizer.json",
                Encoders.of(Tokenizers.read(RealModels.tokenizer(RealModels.ALL_MINILM_L6_V2))));
        Random rnd = new Random(20261128L);
        for (Map.Entry<String, Encoder> e : encoders.entrySet()) {
            Encoder enc = e.getValue();
            // Byte-level encoders spell the input exactly when every byte has a token (falcon lacks 26).
            boolean byteLevel = (enc.vocabulary().type() == TokenizerType.BPE
                            || enc.vocabulary().type() == TokenizerType.TIKTOKEN)
                    && enc.vocabulary().tokens().stream()
                                    .filter(t -> t.kind().regular() && t.bytes().length == 1)
                                    .map(t -> t.bytes()[0])
                                    .distinct()
                                    .count()
                            == 256;
            long[] stats = new long[3]; // cases, tokens, longest input
            long start = System.nanoTime();
            assertTimeoutPreemptively(
                    Duration.ofSeconds(60),
                    () -> {
                        for (int i = 0; i < CASES; i++) {
                            String s = randomText(rnd, i);
                            int[] ids = enc.encode(s);
                            stats[0]++;
                            stats[1] += ids.length;
                            stats[2] = Math.max(stats[2], s.length());
                            for (int id : ids) {
                                assertThat(enc.token(id))
                                        .as("id %d of case %d", id, i)
                                        .isPresent();
                            }
                            if (byteLevel) {
                                assertThat(RoundTrip.bytesOf(enc, ids))
                                        .as("case %d", i)
                                        .isEqualTo(AbstractEncoder.sanitize(s).getBytes(StandardCharsets.UTF_8));
                            }
                        }
                    },
                    e.getKey() + " took too long");
            System.out.printf(
                    "fuzz %-26s %d cases, %d tokens, longest input %d chars, %d ms%n",
                    e.getKey(), stats[0], stats[1], stats[2], (System.nanoTime() - start) / 1_000_000);
        }
    }

    /** Mostly short mixed-script strings; every 50th case a long run of one character class. */
    static String randomText(Random rnd, int i) {
        if (i % 50 == 49) {
            String[] runs = {" ", "a", "7", "\n", "!", "\u2581", "한", "\t ", "'s", "\uD83E\uDD99", "\u0301"};
            return "x" + runs[rnd.nextInt(runs.length)].repeat(2000 + rnd.nextInt(3000)) + "y";
        }
        StringBuilder sb = new StringBuilder();
        int len = rnd.nextInt(64);
        for (int k = 0; k < len; k++) {
            int kind = rnd.nextInt(10);
            int cp = switch (kind) {
                case 0 -> 0x20 + rnd.nextInt(0x5F); // printable ASCII
                case 1 -> " \t\n\r\u00A0\u3000\u2028".charAt(rnd.nextInt(7));
                case 2 -> 0xAC00 + rnd.nextInt(11172); // Hangul syllables
                case 3 -> 0x4E00 + rnd.nextInt(0x5200); // CJK
                case 4 -> 0x1F300 + rnd.nextInt(0x300); // emoji
                case 5 -> 0x300 + rnd.nextInt(0x70); // combining marks
                case 6 -> rnd.nextInt(0x20); // controls
                case 7 -> 0xD800 + rnd.nextInt(0x800); // lone surrogates
                case 8 -> rnd.nextInt(0x110000); // anything
                default -> 0x400 + rnd.nextInt(0x100); // Cyrillic
            };
            if (cp >= 0xD800 && cp <= 0xDFFF) {
                sb.append((char) cp);
            } else {
                sb.appendCodePoint(cp);
            }
        }
        return sb.toString();
    }
}
