package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.TokenizerLineage.Direction;
import dev.pedigree.forensics.result.TokenizerLineage.Relation;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Generated vocabularies with known answers, one case per rule; the real vocabularies are in RealVocabularyLineageTest. */
class TokenizerLineageAnalyzerTest {
    /** An entry: its text and kind. */
    private record E(String text, TokenKind kind) {}

    private static E n(String s) {
        return new E(s, TokenKind.NORMAL);
    }

    private static E sp(String s) {
        return new E(s, TokenKind.SPECIAL);
    }

    private static Vocabulary vocab(List<E> entries) {
        return vocab(entries, true);
    }

    private static Vocabulary vocab(List<E> entries, boolean specialsRecorded) {
        List<Token> t = new ArrayList<>();
        for (E e : entries) {
            t.add(new Token(t.size(), e.text.getBytes(StandardCharsets.UTF_8), e.text, e.kind, Float.NaN));
        }
        return new Vocabulary(TokenizerType.BPE, t, List.of(), null, "test", specialsRecorded);
    }

    private static Vocabulary vocab(List<String> strings, List<String> specials) {
        List<E> e = new ArrayList<>();
        specials.forEach(s -> e.add(sp(s)));
        strings.forEach(s -> e.add(n(s)));
        return vocab(e);
    }

    private static List<String> strings(int from, int n) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(SyntheticTransformer.tokenString(i));
        }
        return out;
    }

    private static List<E> normal(List<String> strings) {
        return strings.stream().map(TokenizerLineageAnalyzerTest::n).toList();
    }

    @Test
    void sameTokensInTheSameOrderAreIdentical() {
        TokenizerLineage r = TokenizerLineageAnalyzer.compare(
                vocab(strings(0, 2000), List.of("<s>")), vocab(strings(0, 2000), List.of("<s>")));
        assertThat(r.relation()).isEqualTo(Relation.IDENTICAL);
        assertThat(r.jaccard()).isEqualTo(1.0);
        // the 26 single letters " a".." z" are alphabet, outside the order test
        assertThat(r.order().sharedTokens()).isEqualTo(2000 - 26);
        assertThat(r.specials().flagChanges()).isZero();
    }

    /** Gemma / Gemma 2 / Gemini, BERT in tokenizer.json and GGUF: the same entries, flagged differently. */
    @Test
    void flagsAreNotLineage() {
        List<E> base = new ArrayList<>();
        base.add(sp("[PAD]"));
        for (int i = 0; i < 50; i++) {
            base.add(n("[unused" + i + "]"));
        }
        base.addAll(normal(strings(0, 2000)));
        List<E> reflagged = new ArrayList<>(base);
        for (int i = 1; i <= 50; i++) {
            reflagged.set(i, new E(base.get(i).text, i % 2 == 0 ? TokenKind.UNUSED : TokenKind.ADDED));
        }
        reflagged.set(0, n("[PAD]"));
        TokenizerLineage r = TokenizerLineageAnalyzer.compare(vocab(reflagged), vocab(base));
        assertThat(r.relation()).isEqualTo(Relation.IDENTICAL);
        assertThat(r.addedTokens()).isZero();
        assertThat(r.removedTokens()).isZero();
        assertThat(r.specials().added()).isZero();
        assertThat(r.specials().removed()).isZero();
        assertThat(r.specials().flagChanges()).isEqualTo(51);
        assertThat(r.note()).contains("51 token(s) differ only in their special/regular flag");
    }

    /** Phi-3 on Llama 2, Qwen 3 (or MiniCPM-V) on Qwen 2.5: control tokens appended to the same vocabulary. */
    @Test
    void addedControlTokensMakeTheExtensionDerivedAndAreListed() {
        List<E> base = new ArrayList<>(List.of(sp("<unk>"), sp("<s>"), sp("</s>")));
        base.addAll(normal(strings(0, 3000)));
        List<E> ext = new ArrayList<>(base);
        List<String> controls = List.of("<think>", "</think>", "<tool_response>", "</tool_response>");
        controls.forEach(c -> ext.add(new E(c, TokenKind.ADDED)));
        TokenizerLineage r = TokenizerLineageAnalyzer.compare(vocab(ext), vocab(base));
        assertThat(r.relation()).isEqualTo(Relation.DERIVED);
        assertThat(r.direction()).isEqualTo(Direction.SUSPECT_FROM_REFERENCE);
        assertThat(r.addedTokens()).isZero();
        assertThat(r.removedTokens()).isZero();
        assertThat(r.specials().added()).isEqualTo(4);
        assertThat(r.specials().addedTexts()).containsExactlyElementsOf(controls);
        assertThat(r.specials().removed()).isZero();
        TokenizerLineage back = TokenizerLineageAnalyzer.compare(vocab(base), vocab(ext));
        assertThat(back.relation()).isEqualTo(Relation.DERIVED);
        assertThat(back.direction()).isEqualTo(Direction.REFERENCE_FROM_SUSPECT);
        assertThat(back.specials().addedTexts()).containsExactlyElementsOf(controls);
    }

    /** MiniCPM-V: a regular token re-declared as the unknown token is a flag change, not a removal. */
    @Test
    void aRedeclaredRegularTokenIsNotRemoved() {
        List<E> base = normal(strings(0, 3000));
        List<E> ext = new ArrayList<>(base);
        ext.set(1234, new E(base.get(1234).text, TokenKind.UNKNOWN));
        ext.add(sp("<image>"));
        ext.add(sp("</image>"));
        TokenizerLineage r = TokenizerLineageAnalyzer.compare(vocab(ext), vocab(base));
        assertThat(r.relation()).isEqualTo(Relation.DERIVED);
        assertThat(r.direction()).isEqualTo(Direction.SUSPECT_FROM_REFERENCE);
        assertThat(r.removedTokens()).isZero();
        assertThat(r.specials().added()).isEqualTo(2);
        assertThat(r.specials().flagChanges()).isEqualTo(1);
    }

    @Test
    void extensionIsDerivedWithDirectionAndCounts() {
        List<String> base = strings(0, 2000);
        List<String> ext = new ArrayList<>(base);
        for (int i = 0; i < 300; i++) {
            ext.add(" 한국" + i);
        }
        TokenizerLineage r = TokenizerLineageAnalyzer.compare(vocab(ext, List.of()), vocab(base, List.of()));
        assertThat(r.relation()).isEqualTo(Relation.DERIVED);
        assertThat(r.direction()).isEqualTo(Direction.SUSPECT_FROM_REFERENCE);
        assertThat(r.addedTokens()).isEqualTo(300);
        assertThat(r.removedTokens()).isZero();
        assertThat(r.inheritedFraction()).isEqualTo(1.0);
        assertThat(r.addedExamples()).first().asString().contains("한국");
        TokenizerLineage back = TokenizerLineageAnalyzer.compare(vocab(base, List.of()), vocab(ext, List.of()));
        assertThat(back.direction()).isEqualTo(Direction.REFERENCE_FROM_SUSPECT);
        assertThat(back.addedTokens()).isEqualTo(300);
    }

    @Test
    void pruningIsDerived() {
        List<String> base = strings(0, 3000);
        List<String> pruned = new ArrayList<>();
        Random r = new Random(1);
        for (String s : base) {
            if (r.nextDouble() > 0.2) {
                pruned.add(s);
            }
        }
        TokenizerLineage l = TokenizerLineageAnalyzer.compare(vocab(pruned, List.of()), vocab(base, List.of()));
        assertThat(l.relation()).isEqualTo(Relation.DERIVED);
        assertThat(l.direction()).isEqualTo(Direction.SUSPECT_FROM_REFERENCE);
        assertThat(l.removedTokens()).isEqualTo(base.size() - pruned.size());
    }

    /** InternLM2's shape: the parent's top 60% in order, then as many tokens of its own (63% inherited). */
    @Test
    void anOrderedPrefixPlusAdditionsIsDerived() {
        List<String> parent = strings(0, 10_000);
        List<String> child = new ArrayList<>(parent.subList(0, 6000));
        for (int i = 0; i < 3500; i++) {
            child.add(" 中" + i);
        }
        TokenizerLineage l = TokenizerLineageAnalyzer.compare(vocab(child, List.of()), vocab(parent, List.of()));
        assertThat(l.relation()).isEqualTo(Relation.DERIVED);
        assertThat(l.inheritedFraction()).isBetween(0.6, 0.65);
        assertThat(l.order().inheritedInOrder()).isEqualTo(6000 - 26);
        // Each side could be the other's prefix plus additions: the order alone does not say which came first.
        assertThat(l.direction()).isEqualTo(Direction.UNKNOWN);
        assertThat(l.addedTokens()).isEqualTo(3500);
        assertThat(l.removedTokens()).isEqualTo(4000);
    }

    /**
     * Whatever the share added: 1,500 inherited tokens in order, then 10,000 of the parent's other tokens in a foreign
     * order and 8,000 new ones. Only 15% of the shared tokens are in order, but far more than chance allows.
     */
    @Test
    void aSmallOrderedCoreAmongManySharedTokensIsStillDerived() {
        List<String> parent = strings(0, 20_000);
        List<String> child = new ArrayList<>(parent.subList(0, 1500));
        List<String> foreign = new ArrayList<>(parent.subList(1500, 11_500));
        Collections.shuffle(foreign, new Random(4));
        child.addAll(foreign);
        for (int i = 0; i < 8000; i++) {
            child.add(" x" + i + "y");
        }
        TokenizerLineage l = TokenizerLineageAnalyzer.compare(vocab(child, List.of()), vocab(parent, List.of()));
        assertThat(l.order().inheritedInOrder() / (double) l.order().sharedTokens())
                .isLessThan(0.2);
        assertThat(l.order().score()).isGreaterThan(TokenizerLineageAnalyzer.ORDER_FACTOR);
        assertThat(l.relation()).isEqualTo(Relation.DERIVED);
    }

    /**
     * The null: two vocabularies built independently from one pool of strings, each ordered by its own noisy estimate
     * of the strings' frequency ranks (log rank + Gaussian noise), so frequent strings come first in both. With noise
     * 0.25 the order agreement matches the unrelated real pairs (order score about 4, ordered share about 0.03);
     * with 0.1 (frequency estimates within 10%) the score is about 6, half the threshold. Only estimates within about
     * 2% of each other (the same corpus statistics) reach it.
     */
    @Test
    void frequencyCorrelatedOrderWithoutInheritanceIsIndependent() {
        for (double sigma : new double[] {0.25, 0.1}) {
            TokenizerLineage l = TokenizerLineageAnalyzer.compare(
                    noisyFrequencyOrder(60_000, 20_000, sigma, 1), noisyFrequencyOrder(60_000, 20_000, sigma, 2));
            assertThat(l.relation()).as("sigma %s", sigma).isEqualTo(Relation.INDEPENDENT);
            assertThat(l.order().score())
                    .as("sigma %s", sigma)
                    .isLessThan(TokenizerLineageAnalyzer.ORDER_FACTOR * (sigma < 0.2 ? 0.6 : 0.5));
            assertThat(l.order().sharedTokens()).isGreaterThan(10_000);
        }
    }

    private static Vocabulary noisyFrequencyOrder(int pool, int take, double sigma, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        double[] key = new double[pool];
        Integer[] idx = new Integer[pool];
        for (int i = 0; i < pool; i++) {
            key[i] = Math.log(i + 1) + sigma * gaussian(rnd);
            idx[i] = i;
        }
        Arrays.sort(idx, (a, b) -> Double.compare(key[a], key[b]));
        List<String> s = new ArrayList<>();
        for (int i = 0; i < take; i++) {
            s.add(SyntheticTransformer.tokenString(idx[i]));
        }
        return vocab(s, List.of());
    }

    private static double gaussian(SplittableRandom rnd) {
        double u = 1 - rnd.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd.nextDouble());
    }

    @Test
    void smallVocabularyContainedInABigOneIsNotLineage() {
        // A WordPiece-like vocabulary whose strings all occur in a big BPE vocabulary, in another order.
        List<String> big = strings(0, 20_000);
        List<String> small = new ArrayList<>(big.subList(0, 3000));
        Collections.shuffle(small, new Random(3));
        TokenizerLineage l = TokenizerLineageAnalyzer.compare(vocab(small, List.of()), vocab(big, List.of()));
        assertThat(l.relation()).isEqualTo(Relation.INDEPENDENT);
        assertThat(l.inheritedFraction()).isLessThan(0.2);
    }

    @Test
    void tinyOverlapOfSingleBytesIsNotLineage() {
        List<String> a = new ArrayList<>();
        for (char c = 'a'; c <= 'z'; c++) {
            a.add(String.valueOf(c));
        }
        List<String> b = new ArrayList<>(a);
        b.add("zz");
        TokenizerLineage l = TokenizerLineageAnalyzer.compare(vocab(a, List.of()), vocab(b, List.of()));
        assertThat(l.relation()).isEqualTo(Relation.INDEPENDENT);
    }

    /** A .tiktoken file cannot name its specials: the other side's are neither added nor removed. */
    @Test
    void specialsAreNotComparedWhenOneFormatRecordsNone() {
        List<E> json = new ArrayList<>(normal(strings(0, 2000)));
        json.add(sp("<|endoftext|>"));
        TokenizerLineage r =
                TokenizerLineageAnalyzer.compare(vocab(normal(strings(0, 2000)), false), vocab(json, true));
        assertThat(r.relation()).isEqualTo(Relation.IDENTICAL);
        assertThat(r.specials().compared()).isFalse();
        assertThat(r.note()).contains("special tokens not compared (the suspect's format records none)");
    }

    @Test
    void missingTokenizerIsAbsent() {
        assertThat(TokenizerLineageAnalyzer.compare(Optional.empty(), Optional.of(vocab(strings(0, 10), List.of())))
                        .relation())
                .isEqualTo(Relation.ABSENT);
    }

    @Test
    void singleCharactersAreAlphabetAndStayOutOfTheOrderTest() {
        assertThat(TokenizerLineageAnalyzer.merged("a")).isFalse();
        assertThat(TokenizerLineageAnalyzer.merged(" a")).isFalse();
        assertThat(TokenizerLineageAnalyzer.merged(key(" \u4e2d"))).isFalse();
        assertThat(TokenizerLineageAnalyzer.merged(key("\ud83d\ude00"))).isFalse();
        assertThat(TokenizerLineageAnalyzer.merged("ab")).isTrue();
        assertThat(TokenizerLineageAnalyzer.merged(" ab")).isTrue();
        assertThat(TokenizerLineageAnalyzer.merged(key("\u4e2d\u6587"))).isTrue();
        assertThat(TokenizerLineageAnalyzer.merged(
                        new String(new byte[] {(byte) 0xE4, (byte) 0xB8}, StandardCharsets.ISO_8859_1)))
                .as("a partial character is a byte merge")
                .isTrue();
    }

    private static String key(String text) {
        return new String(text.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    @Test
    void longestIncreasingSubsequence() {
        assertThat(TokenizerLineageAnalyzer.longestIncreasing(new int[] {3, 1, 2, 5, 4, 6}))
                .isEqualTo(4);
        assertThat(TokenizerLineageAnalyzer.longestIncreasing(new int[] {})).isZero();
    }
}
