package dev.pedigree.format.tokenizers.encode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pedigree.format.tokenizers.Tokenizers;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenText;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.testkit.RealModels;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LanguageFitnessTest {
    /** A SentencePiece BPE vocabulary: unk, the 256 byte pieces, then {@code pieces} with their scores. */
    static Vocabulary spm(Object... piecesAndScores) {
        List<Token> tokens = new ArrayList<>();
        tokens.add(new Token(0, "<unk>".getBytes(StandardCharsets.UTF_8), "<unk>", TokenKind.UNKNOWN, 0f));
        for (int b = 0; b < 256; b++) {
            String text = String.format("<0x%02X>", b);
            tokens.add(new Token(tokens.size(), new byte[] {(byte) b}, text, TokenKind.BYTE, 0f));
        }
        for (int i = 0; i < piecesAndScores.length; i += 2) {
            String p = (String) piecesAndScores[i];
            float s = ((Number) piecesAndScores[i + 1]).floatValue();
            tokens.add(new Token(tokens.size(), TokenText.fromSentencePiece(p), p, TokenKind.NORMAL, s));
        }
        return new Vocabulary(TokenizerType.SENTENCEPIECE_BPE, tokens, List.of(), null, "generated");
    }

    static final Object[] ANCESTOR = {"▁", -1, "a", -2, "b", -2, "가", -3, "나", -3, "▁a", -1.5};

    static Vocabulary descendantVocab() {
        Object[] more = new Object[ANCESTOR.length + 4];
        System.arraycopy(ANCESTOR, 0, more, 0, ANCESTOR.length);
        more[ANCESTOR.length] = "가나";
        more[ANCESTOR.length + 1] = -0.5;
        more[ANCESTOR.length + 2] = "▁가나";
        more[ANCESTOR.length + 3] = -0.4;
        return spm(more);
    }

    @Test
    void knownAnswersOnAGeneratedPair() throws Exception {
        Encoder ancestor = Encoders.of(spm(ANCESTOR));
        Encoder descendant = Encoders.of(descendantVocab());
        assertThat(descendant.encodeToPieces("a 가나")).containsExactly("▁a", "▁가나");
        assertThat(descendant.encodeToPieces("가나 b")).containsExactly("▁가나", "▁", "b");
        assertThat(descendant.encodeToPieces("z")).containsExactly("▁", "<0x7A>");
        List<String> corpus = List.of("a 가나", "가나 b", "z");
        Map<String, Encoder> encoders = new LinkedHashMap<>();
        encoders.put("ancestor", ancestor);
        encoders.put("descendant", descendant);
        FitnessReport r = LanguageFitness.measure("generated", corpus, encoders, "descendant", "ancestor", 10);
        assertThat(r.lines()).isEqualTo(3);
        assertThat(r.characters()).isEqualTo(9);
        assertThat(r.words()).isEqualTo(5);
        assertThat(r.bytes()).isEqualTo(17);
        TokenizerFitness a = r.tokenizers().get(0);
        TokenizerFitness d = r.tokenizers().get(1);
        assertThat(a.tokens()).isEqualTo(11);
        assertThat(d.tokens()).isEqualTo(7);
        assertThat(d.tokensPerWord()).isCloseTo(7 / 5.0, within(1e-12));
        assertThat(d.tokensPerCharacter()).isCloseTo(7 / 9.0, within(1e-12));
        assertThat(d.bytesPerToken()).isCloseTo(17 / 7.0, within(1e-12));
        assertThat(d.byteFallbackTokens()).isEqualTo(1);
        assertThat(d.unknownTokens()).isZero();
        assertThat(d.fallbackShare()).isCloseTo(1 / 7.0, within(1e-12));
        VocabularyGain g = r.gainAnalysis().orElseThrow();
        assertThat(g.descendantOnlyEntries()).isEqualTo(2);
        assertThat(g.descendantOnlyOccurrences()).isEqualTo(2);
        assertThat(g.descendantOnlyShare()).isCloseTo(2 / 7.0, within(1e-12));
        assertThat(g.occurrencesByScript()).containsExactly(Map.entry("HANGUL", 2L));
        assertThat(g.top()).hasSize(1);
        GainToken top = g.top().getFirst();
        assertThat(top.text()).isEqualTo("▁가나");
        assertThat(top.decoded()).isEqualTo(" 가나");
        assertThat(top.script()).isEqualTo("HANGUL");
        assertThat(top.occurrences()).isEqualTo(2);
        assertThat(top.ancestorTokens()).isEqualTo(3);
        assertThat(top.tokensSaved()).isEqualTo(4);
    }

    @Test
    void scriptOfTokens() {
        assertThat(LanguageFitness.script(" 한국어".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("HANGUL");
        assertThat(LanguageFitness.script("中文".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("HAN");
        assertThat(LanguageFitness.script("hello".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("LATIN");
        assertThat(LanguageFitness.script(", 12".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("COMMON");
        assertThat(LanguageFitness.script("a한".getBytes(StandardCharsets.UTF_8)))
                .isEqualTo("MIXED");
        assertThat(LanguageFitness.script(new byte[] {(byte) 0xED, (byte) 0x95}))
                .isEqualTo("BYTES");
    }

    @Test
    void koreanCorpusAcrossRealTokenizers() throws Exception {
        List<String> corpus = LanguageFitness.readCorpus(SharedFixtures.file("korean/korean_sample_200k.txt"));
        Map<String, Encoder> encoders = new LinkedHashMap<>();
        encoders.put("cl100k_base", Encoders.forTokenizer(SharedFixtures.file("tiktoken/cl100k_base.tiktoken")));
        encoders.put("o200k_base", Encoders.forTokenizer(SharedFixtures.file("tiktoken/o200k_base.tiktoken")));
        encoders.put("llama2", Encoders.forTokenizer(SharedFixtures.file("sentencepiece/llama2-tokenizer.model")));
        encoders.put("bge-small-zh", Encoders.of(Tokenizers.read(RealModels.tokenizer(RealModels.BGE_SMALL_ZH_V15))));
        encoders.put("all-minilm", Encoders.of(Tokenizers.read(RealModels.tokenizer(RealModels.ALL_MINILM_L6_V2))));
        FitnessReport r =
                LanguageFitness.measure("korean_sample_200k.txt", corpus, encoders, "o200k_base", "cl100k_base", 10);

        long chars = corpus.stream().mapToLong(l -> l.codePoints().count()).sum();
        long bytes = corpus.stream()
                .mapToLong(l -> l.getBytes(StandardCharsets.UTF_8).length)
                .sum();
        long words = corpus.stream()
                .mapToLong(l -> l.isBlank() ? 0 : l.strip().split("\\s+").length)
                .sum();
        assertThat(r.lines()).isEqualTo(1940);
        assertThat(r.characters()).isEqualTo(chars);
        assertThat(r.bytes()).isEqualTo(bytes);
        assertThat(r.words()).isEqualTo(words);
        System.out.printf(
                "corpus %s: %d lines, %d chars, %d words (eojeol), %d bytes%n",
                r.corpus(), r.lines(), r.characters(), r.words(), r.bytes());
        for (TokenizerFitness f : r.tokenizers()) {
            long tokens = corpus.stream()
                    .mapToLong(l -> encoders.get(f.name()).encode(l).length)
                    .sum();
            assertThat(f.tokens()).isEqualTo(tokens);
            System.out.printf(
                    "  %-13s tokens=%7d tok/char=%.3f tok/word=%.3f bytes/tok=%.3f fallback=%.4f partial-char=%.4f unk=%d  [%s]%n",
                    f.name(),
                    f.tokens(),
                    f.tokensPerCharacter(),
                    f.tokensPerWord(),
                    f.bytesPerToken(),
                    f.fallbackShare(),
                    f.partialCharacterShare(),
                    f.unknownTokens(),
                    f.description());
        }
        TokenizerFitness cl = r.tokenizers().get(0);
        TokenizerFitness o200 = r.tokenizers().get(1);
        TokenizerFitness llama = r.tokenizers().get(2);
        assertThat(o200.tokens()).isLessThan(cl.tokens());
        assertThat(cl.partialCharacterShare()).isGreaterThan(0.1);
        assertThat(llama.byteFallbackTokens()).isPositive();
        assertThat(cl.byteFallbackTokens()).isZero();
        VocabularyGain g = r.gainAnalysis().orElseThrow();
        System.out.printf(
                "  gain o200k over cl100k: %d own entries, %d occurrences (%.1f%% of tokens), by script %s%n",
                g.descendantOnlyEntries(),
                g.descendantOnlyOccurrences(),
                100 * g.descendantOnlyShare(),
                g.occurrencesByScript());
        g.top()
                .forEach(t -> System.out.printf(
                        "    %6d %-10s %-8s x%d (ancestor needs %d, saves %d)%n",
                        t.id(), t.decoded(), t.script(), t.occurrences(), t.ancestorTokens(), t.tokensSaved()));
        assertThat(g.occurrencesByScript().keySet().iterator().next()).isEqualTo("HANGUL");
        assertThat(g.top()).hasSize(10);
        assertThat(g.top().getFirst().occurrences())
                .isGreaterThanOrEqualTo(g.top().getLast().occurrences());
    }
}
