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
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class TokenizerLineageAnalyzerTest {
    private static Vocabulary vocab(List<String> strings, List<String> specials) {
        List<Token> t = new ArrayList<>();
        int id = 0;
        for (String s : specials) {
            t.add(new Token(id++, s.getBytes(StandardCharsets.UTF_8), s, TokenKind.SPECIAL, Float.NaN));
        }
        for (String s : strings) {
            t.add(new Token(id++, s.getBytes(StandardCharsets.UTF_8), s, TokenKind.NORMAL, Float.NaN));
        }
        return new Vocabulary(TokenizerType.BPE, t, List.of(), null, "test");
    }

    private static List<String> strings(int from, int n) {
        List<String> out = new ArrayList<>();
        for (int i = from; i < from + n; i++) {
            out.add(SyntheticTransformer.tokenString(i));
        }
        return out;
    }

    @Test
    void identicalDespiteDifferentSpecials() {
        TokenizerLineage r = TokenizerLineageAnalyzer.compare(
                vocab(strings(0, 2000), List.of("<s>")), vocab(strings(0, 2000), List.of("[CLS]", "[SEP]")));
        assertThat(r.relation()).isEqualTo(Relation.IDENTICAL);
        assertThat(r.jaccard()).isEqualTo(1.0);
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

    @Test
    void correlatedOrderWithoutInheritanceIsIndependent() {
        // Two BPEs trained on similar text: the same frequent strings early, but only 60% shared and
        // locally reordered.
        List<String> a = strings(0, 5000);
        List<String> b = new ArrayList<>();
        Random r = new Random(2);
        for (int i = 0; i < 5000; i++) {
            b.add(r.nextDouble() < 0.6 ? a.get(i) : " x" + i + "y");
        }
        for (int i = 0; i + 10 < b.size(); i += 10) {
            Collections.shuffle(b.subList(i, i + 10), r);
        }
        TokenizerLineage l = TokenizerLineageAnalyzer.compare(vocab(b, List.of()), vocab(a, List.of()));
        assertThat(l.relation()).isEqualTo(Relation.INDEPENDENT);
        assertThat(l.jaccard()).isBetween(0.3, 0.6);
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

    @Test
    void missingTokenizerIsAbsent() {
        assertThat(TokenizerLineageAnalyzer.compare(Optional.empty(), Optional.of(vocab(strings(0, 10), List.of())))
                        .relation())
                .isEqualTo(Relation.ABSENT);
    }

    @Test
    void longestIncreasingSubsequence() {
        assertThat(TokenizerLineageAnalyzer.longestIncreasing(new int[] {3, 1, 2, 5, 4, 6}))
                .isEqualTo(4);
        assertThat(TokenizerLineageAnalyzer.longestIncreasing(new int[] {})).isZero();
    }
}
