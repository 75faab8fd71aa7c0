package dev.pedigree.format.tokenizers.encode;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import dev.pedigree.format.tokenizers.Tokenizers;
import dev.pedigree.testkit.RealModels;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * WordPiece encodings of the real BERT-family tokenizer.json files against the Hugging Face
 * tokenizers library itself (Rust, through DJL's JNI binding), on the Korean corpus and English
 * text.
 */
class WordPieceOracleTest {
    static final List<String> ENGLISH = List.of(
            "Hello world",
            "The quick brown fox jumps over the lazy dog.",
            "I've been 'told he's there, 'RE you sure? 'M not sure I'll make it, 'D you like some tea?",
            "Führer, naïve café — résumé; coöperate!",
            "Don't split e-mail addresses like john.doe@example.com or URLs such as https://example.org/a?b=c.",
            "Numbers: 3.14159, 1,000,000 and 2nd/3rd place; ½ of 4 months.",
            "   leading and trailing spaces   ",
            "Tabs\tand\nnewlines\r\nmixed",
            "CamelCaseIdentifiersAndsnake_case_names_with_numbers123",
            "Unbelievably, the antidisestablishmentarianism movement's supercalifragilisticexpialidocious.",
            "日本語のテキストと中文文本以及한국어 텍스트",
            "Emoji 🦙🦙 and symbols ∑∫√ ≠ ≤ ≥ → ← ©®™",
            "Ελληνικά, русский язык, עברית, العربية, हिन्दी",
            "",
            "a".repeat(150),
            "İstanbul ΣΊΣΥΦΟΣ straße ǅemal");

    @ParameterizedTest
    @ValueSource(
            strings = {
                RealModels.ALL_MINILM_L6_V2,
                RealModels.BGE_SMALL_EN_V15,
                RealModels.BGE_SMALL_ZH_V15,
                RealModels.E5_SMALL_V2
            })
    void matchesHuggingFaceTokenizers(String model) throws Exception {
        Path json = RealModels.tokenizer(model);
        HuggingFaceTokenizer oracle = oracle(json);
        Encoder ours = Encoders.of(Tokenizers.read(json));
        List<String> korean =
                Files.readAllLines(SharedFixtures.file("korean/korean_sample_200k.txt"), StandardCharsets.UTF_8);
        int[] k = compare(model, "korean", korean, ours, oracle);
        int[] en = compare(model, "english", ENGLISH, ours, oracle);
        System.out.printf(
                "WordPiece %s vs HF tokenizers: Korean %d/%d lines identical, English %d/%d%n",
                model, k[0], k[1], en[0], en[1]);
        assertThat(k[0]).as("Korean lines identical").isEqualTo(k[1]);
        assertThat(en[0]).as("English lines identical").isEqualTo(en[1]);
    }

    private static int[] compare(
            String model, String what, List<String> lines, Encoder ours, HuggingFaceTokenizer oracle) {
        int same = 0;
        List<String> diffs = new ArrayList<>();
        for (String line : lines) {
            int[] want = Arrays.stream(oracle.encode(line, false, false).getIds())
                    .mapToInt(x -> (int) x)
                    .toArray();
            int[] got = ours.encode(line);
            if (Arrays.equals(want, got)) {
                same++;
            } else if (diffs.size() < 3) {
                diffs.add(LlamaCppReference.escape(line) + "\n    want " + Arrays.toString(want) + "\n    got  "
                        + Arrays.toString(got));
            }
        }
        diffs.forEach(d -> System.out.println("  " + model + " " + what + " " + d));
        return new int[] {same, lines.size()};
    }

    /** The oracle; skips the test when the native library cannot be loaded on this platform. */
    static HuggingFaceTokenizer oracle(Path json) throws java.io.IOException {
        try {
            return HuggingFaceTokenizer.builder()
                    .optTokenizerPath(json)
                    .optAddSpecialTokens(false)
                    .optTruncation(false)
                    .optPadding(false)
                    .build();
        } catch (UnsatisfiedLinkError | ExceptionInInitializerError | NoClassDefFoundError e) {
            Assumptions.abort("skipped: Hugging Face tokenizers native library unavailable (" + e + ")");
            throw new AssertionError(e);
        }
    }
}
