package dev.pedigree.format.tokenizers.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.UnsupportedModelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The step budget of pre-tokenisation (issue 18: {@code tokens --corpus} with the pre-tokenizer
 * regex {@code (a+)+$} took 74 s on a 4 MB line). Hostile regexes end in a typed error within the
 * budget whatever the line's length; the well-known regexes never reach it, even on long runs of
 * one character class; and {@code LanguageFitness} names the corpus line it gave up on.
 */
@Timeout(60)
class PreTokenizerBudgetTest {
    static final String[] RUNS = {" ", "a", "7", "\n", "!", "\u2581", "\ud55c", "\t ", "'s", "\ud83e\udd99", "\u0301"};

    /** Every rule list Pedigree knows: tiktoken files and llama.cpp's pre-tokenizer table. */
    static Stream<Map.Entry<String, List<SplitRule>>> knownRules() {
        Map<String, List<SplitRule>> all = new LinkedHashMap<>();
        for (String t : List.of("r50k_base", "cl100k_base", "o200k_base")) {
            all.put(t, SplitPatterns.forTiktoken(t + ".tiktoken").orElseThrow());
        }
        for (String pre : List.of(
                "default",
                "llama3",
                "gpt-4o",
                "deepseek-llm",
                "deepseek-coder",
                "deepseek-v3",
                "falcon",
                "starcoder",
                "gpt-2",
                "qwen2",
                "bloom",
                "viking",
                "tekken")) {
            all.put("gguf " + pre, SplitPatterns.forGgufPre(pre).orElseThrow());
        }
        return all.entrySet().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("knownRules")
    void wellKnownRegexesStayInsideTheBudgetOnLongRuns(Map.Entry<String, List<SplitRule>> rules) {
        PreTokenizer pre = new PreTokenizer(rules.getValue());
        for (String run : RUNS) {
            String line = "x" + run.repeat(60_000) + "y z";
            int[] pieces = pre.split(line);
            assertThat(pieces.length).as(run).isPositive();
        }
    }

    static Stream<String> hostileRegexes() {
        return Stream.of("(a+)+$", "(a|a)*$", "(a|aa)+$", "(.*a){12}$", "(\\w+\\s?)+$", "([a-z]+)*=", "(a*)*b");
    }

    /**
     * On short lines a hostile regex may finish inside the budget (java.util.regex cuts some loops
     * short); whatever the length it returns or throws the typed error, and within a second or two.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRegexes")
    void hostileRegexesEndWithinTheBudget(String regex) {
        PreTokenizer pre = new PreTokenizer(List.of(SplitRule.isolated(regex)));
        for (int len : new int[] {40, 5_000, 200_000}) {
            String line = "a".repeat(len) + "!";
            long t0 = System.nanoTime();
            String outcome;
            try {
                pre.split(line);
                outcome = "split";
            } catch (PreTokenizerLimitException p) {
                assertThat(p.regex()).isEqualTo(regex);
                assertThat(p.textLength()).isEqualTo(len + 1);
                assertThat(p.steps()).isEqualTo(PreTokenizer.BUDGET_BASE + PreTokenizer.BUDGET_PER_CHAR * (len + 1));
                outcome = "gave up";
            }
            long ms = (System.nanoTime() - t0) / 1_000_000;
            System.out.printf("%s on %d characters: %s in %d ms%n", regex, len + 1, outcome, ms);
            assertThat(ms).isLessThan(10_000);
        }
    }

    @Test
    void theIssuesRegexGivesUpOnALongLine() {
        PreTokenizer pre = new PreTokenizer(List.of(SplitRule.isolated("(a+)+$")));
        assertThatThrownBy(() -> pre.split("a".repeat(200_000) + "!"))
                .isInstanceOf(PreTokenizerLimitException.class)
                .hasMessageContaining("gave up after " + (PreTokenizer.BUDGET_BASE + 64L * 200_001));
    }

    @Test
    void tokensCorpusNamesTheLineItGaveUpOn(@TempDir Path dir) throws Exception {
        Path tok = dir.resolve("tokenizer.json");
        Files.writeString(tok, EncoderErrorsTest.byteLevelJson("(a+)+$"), StandardCharsets.UTF_8);
        Encoder e = Encoders.forTokenizer(tok);
        List<String> lines = new ArrayList<>(List.of("ab ab", "a".repeat(100_000) + "!", "ab"));
        assertThatThrownBy(() -> LanguageFitness.measure("corpus.txt", lines, Map.of("hostile", e)))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("pre-tokenizer regex '(a+)+$' gave up after")
                .hasMessageContaining("on a text of 100001 characters (line 2 of corpus.txt)")
                .hasMessageContaining(tok.toString());
    }
}
