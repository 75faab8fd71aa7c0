package dev.pedigree.format.tokenizers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.testkit.Mutations;
import dev.pedigree.testkit.RealModels;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutation fuzzing: byte flips, truncations, insertions, deletions and duplicated ranges of
 * valid files. Each mutant must either read fully or throw a {@link ModelFormatException}; any
 * other exception, a hang or running out of memory fails the test.
 */
class TokenizerFuzzTest {
    private static final String ALPHABET = "{}[]\":, 0123456789\n=";

    @FunctionalInterface
    interface Reader {
        Object read(ByteSource in) throws Exception;
    }

    private record Outcome(int read, int rejected) {}

    private static Outcome fuzz(String label, byte[] valid, Reader reader, int cases, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int ok = 0;
        int rejected = 0;
        for (int i = 0; i < cases; i++) {
            byte[] m = Mutations.mutate(valid, valid.length, ALPHABET.getBytes(StandardCharsets.US_ASCII), rnd);
            String source = label + "#" + i;
            try {
                Object r = reader.read(ByteSource.ofBytes(source, m));
                if (r instanceof Vocabulary v) {
                    v.regularTokensInCreationOrder();
                }
                ok++;
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).as("message of case %d", i).contains(source);
                rejected++;
            } catch (Throwable t) {
                throw new AssertionError(label + " case " + i + " (seed " + seed + ") threw " + t, t);
            }
            // the probe must never throw either
            Tokenizers.probe(Path.of(label), Arrays.copyOf(m, Math.min(m.length, Tokenizers.PROBE_BYTES)));
        }
        System.out.printf("fuzz %-32s %5d cases: %5d read, %5d ModelFormatException%n", label, cases, ok, rejected);
        return new Outcome(ok, rejected);
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void generatedFiles() {
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            int total = 0;
            int rejected = 0;
            Reader json = TokenizerJsonReader::read;
            Outcome[] outcomes = {
                fuzz(
                        "tokenizer.json byte-level \"a b\"",
                        utf8(SamplesForTests.byteLevelTokenizerJson(false)),
                        json,
                        800,
                        11),
                fuzz(
                        "tokenizer.json byte-level pairs",
                        utf8(SamplesForTests.byteLevelTokenizerJson(true)),
                        json,
                        800,
                        12),
                fuzz(
                        "tokenizer.json sentencepiece-bpe",
                        utf8(SamplesForTests.sentencePieceBpeTokenizerJson()),
                        json,
                        500,
                        13),
                fuzz("tokenizer.json unigram", utf8(SamplesForTests.unigramTokenizerJson()), json, 500, 14),
                fuzz("tokenizer.json wordpiece", utf8(SamplesForTests.wordPieceTokenizerJson(true)), json, 500, 15),
                fuzz("tiktoken", SamplesForTests.tiktoken(), TiktokenReader::read, 1500, 16),
                fuzz(
                        "tokenizer.model",
                        SamplesForTests.sentencePieceModel(40),
                        SentencePieceModelReader::read,
                        2000,
                        17),
                fuzz(
                        "vocab.txt",
                        utf8("[PAD]\n[unused0]\n[UNK]\n[CLS]\nthe\n##ing\n中\n"),
                        VocabTxtReader::read,
                        500,
                        18),
                fuzz(
                        "tokenizer_config.json",
                        utf8("{\"added_tokens_decoder\":{\"0\":{\"content\":\"<unk>\",\"special\":true}}}"),
                        TokenizerConfig::addedTokensDecoder,
                        500,
                        19)
            };
            for (Outcome o : outcomes) {
                total += o.read() + o.rejected();
                rejected += o.rejected();
            }
            System.out.printf(
                    "fuzz generated total: %d cases, %d rejected, %d read%n", total, rejected, total - rejected);
            // a floor on typed rejections (92% when the suite was written): readers that stop
            // checking, or accept damaged files, fall below it
            assertThat(rejected).as("typed rejections of %d cases", total).isGreaterThanOrEqualTo(total * 85 / 100);
        });
    }

    @Test
    void realFiles() throws Exception {
        Path sp = SharedFixtures.file("sentencepiece/llama2-tokenizer.model");
        Path tik = SharedFixtures.file("tiktoken/r50k_base.tiktoken");
        Path gpt = SharedFixtures.file("hf-tokenizers/gpt-3.5-turbo.tokenizer.json");
        byte[] spBytes = Files.readAllBytes(sp);
        byte[] tikBytes = Files.readAllBytes(tik);
        byte[] gptBytes = Files.readAllBytes(gpt);
        byte[] bertBytes = Files.readAllBytes(RealModels.tokenizer(RealModels.BGE_SMALL_ZH_V15));
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            fuzz("llama2-tokenizer.model", spBytes, SentencePieceModelReader::read, 200, 21);
            fuzz("r50k_base.tiktoken", tikBytes, TiktokenReader::read, 100, 22);
            fuzz("bge-small-zh tokenizer.json", bertBytes, TokenizerJsonReader::read, 100, 23);
            fuzz("gpt-3.5-turbo.tokenizer.json", gptBytes, TokenizerJsonReader::read, 20, 24);
        });
    }
}
