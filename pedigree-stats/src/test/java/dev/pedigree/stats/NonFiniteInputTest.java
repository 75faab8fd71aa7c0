package dev.pedigree.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.stats.tests.AlignedCorrelationTest;
import dev.pedigree.stats.tests.CentredVectorTest;
import dev.pedigree.stats.tests.Cka;
import dev.pedigree.stats.tests.GroupedCorrelation;
import dev.pedigree.stats.tests.HiddenUnitMatchTest;
import dev.pedigree.stats.tests.InvariantTest;
import dev.pedigree.stats.tests.ResidualAlignment;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Non-finite weights (issue 18: a single +Inf in one embedding row made compare fail with "internal error:
 * non-finite score NaN" from the LAP). Every test of this package, given a derived pair or an independent pair in
 * which one value, one row or all of a row's neighbours are NaN, +Inf, -Inf or finite but too large to square in
 * float, must return a valid result (an applicable p-value in range, or not applicable with a reason), still find a
 * derived pair where the rest of the weights carry the evidence, and never turn an independent pair into evidence.
 */
class NonFiniteInputTest {
    static final int H = 64;
    static final int D = 48;

    record Poison(String name, UnaryOperator<Matrix> apply) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Matrix with(Matrix m, int index, float v) {
        float[] d = m.data().clone();
        d[index] = v;
        return Matrix.of(m.rows(), m.cols(), d);
    }

    static Matrix withRow(Matrix m, int row, float v) {
        float[] d = m.data().clone();
        java.util.Arrays.fill(d, row * m.cols(), (row + 1) * m.cols(), v);
        return Matrix.of(m.rows(), m.cols(), d);
    }

    static Stream<Arguments> poisons() {
        List<Poison> p = new ArrayList<>();
        for (float v : new float[] {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY}) {
            p.add(new Poison("one " + v, m -> with(m, 5 * D + 3, v)));
            p.add(new Poison("a row of " + v, m -> withRow(m, 7, v)));
            p.add(new Poison("three scattered " + v, m -> with(with(with(m, 1, v), 20 * D + 9, v), 63 * D + 47, v)));
        }
        p.add(new Poison(
                "+Inf and -Inf in one row",
                m -> with(with(m, 9 * D, Float.POSITIVE_INFINITY), 9 * D + 1, Float.NEGATIVE_INFINITY)));
        p.add(new Poison("finite 1e30 in one row", m -> withRow(m, 11, 1e30f)));
        p.add(new Poison("Float.MAX_VALUE once", m -> with(m, 12 * D + 4, Float.MAX_VALUE)));
        return p.stream().map(Arguments::of);
    }

    static Matrix base(long seed) {
        return Synth.gaussian(new SplittableRandom(seed), H, D, 0, 1);
    }

    static Matrix noisy(Matrix a, long seed) {
        Matrix n = Synth.gaussian(new SplittableRandom(seed), a.rows(), a.cols(), 0, 0.05);
        float[] d = a.data().clone();
        for (int i = 0; i < d.length; i++) {
            d[i] += n.data()[i];
        }
        return Matrix.of(a.rows(), a.cols(), d);
    }

    static void valid(TestResult r) {
        if (r.applicable()) {
            assertThat(r.log10p()).as(r.testId() + ": " + r.note()).isBetween(-1e6, 0.0);
            assertThat(r.statistic()).as(r.testId() + " statistic").isNotNaN();
        } else {
            assertThat(r.note()).as(r.testId()).isNotBlank();
        }
    }

    /** Every test on (a, b); returns the results, each checked valid. */
    static List<TestResult> runAll(Matrix a, Matrix b) {
        List<TestResult> out = new ArrayList<>();
        out.add(HiddenUnitMatchTest.match(a, b).result());
        out.add(HiddenUnitMatchTest.matchSampled(a, b, 32, 7).result());
        out.add(HiddenUnitMatchTest.matchRectangular(a, b.rowsSubset(range(60)), 64, 7)
                .result());
        out.add(AlignedCorrelationTest.test("aligned", a, b));
        out.add(Cka.test("cka", a, b, 7, 49));
        out.add(InvariantTest.test("invariant", a.multiplyTransposed(a), b.multiplyTransposed(b), 7, 49));
        out.add(CentredVectorTest.test("vector", a.data(), b.data()));
        GroupedCorrelation rows = new GroupedCorrelation(H);
        rows.addUnitRows(0, a.data(), b.data(), D);
        out.add(rows.result("grouped.rows"));
        GroupedCorrelation features = new GroupedCorrelation(D);
        features.addFeatureRows(a.data(), b.data(), H);
        out.add(features.result("grouped.features"));
        TestResult vector = out.get(6);
        if (a.nonFinite().any() || b.nonFinite().any()) {
            assertThat(vector.note()).contains("non-finite values");
        }
        assertThat(vector.applicable()).as(vector.note()).isTrue();
        ResidualAlignment.SignedPermutation fit = ResidualAlignment.fit(a, b);
        assertThat(fit.meanAbsCos()).isNotNaN();
        out.forEach(NonFiniteInputTest::valid);
        return out;
    }

    static int[] range(int n) {
        int[] r = new int[n];
        for (int i = 0; i < n; i++) {
            r[i] = i;
        }
        return r;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poisons")
    void derivedPairsStayDetectedAndEveryResultIsValid(Poison poison) {
        Matrix a = base(1);
        Matrix b = poison.apply().apply(noisy(a, 2));
        List<TestResult> r = runAll(a, b);
        // the unit matchings still find the derived pair on the other units
        assertThat(r.get(0).log10p()).as(r.get(0).note()).isLessThan(-6);
        assertThat(r.get(1).log10p()).as(r.get(1).note()).isLessThan(-6);
        assertThat(r.get(2).log10p()).as(r.get(2).note()).isLessThan(-6);
        // and say why some units carried nothing
        if (b.nonFinite().any()) {
            assertThat(r.get(0).note()).contains("non-finite weights");
        }
        // the same with the poison on the other side
        List<TestResult> swapped = runAll(poison.apply().apply(a), noisy(a, 2));
        assertThat(swapped.get(0).log10p()).isLessThan(-6);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poisons")
    void independentPairsGainNoEvidence(Poison poison) {
        Matrix a = base(3);
        Matrix b = poison.apply().apply(base(4));
        for (TestResult t : runAll(a, b)) {
            if (t.applicable()) {
                assertThat(t.log10p()).as(t.testId() + ": " + t.note()).isGreaterThan(-4);
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("poisons")
    void streamedCosineMatricesWithNonFiniteEntriesAreMatched(Poison poison) {
        Matrix a = base(1);
        Matrix b = noisy(a, 2);
        int[] s = HiddenUnitMatchTest.sampledRows(H, 32, 7);
        // a streaming caller's cosines of every unit of a with every unit of b, poisoned, then the sampled rows
        Matrix all = poison.apply().apply(a.normaliseRows().multiplyTransposed(b.normaliseRows()));
        float[] cross = all.rowsSubset(s).data();
        TestResult sampled = HiddenUnitMatchTest.matchSampled(s, H, cross, 7).result();
        valid(sampled);
        assertThat(sampled.log10p()).isLessThan(-6);
        if (NonFiniteCount.of(cross).any()) {
            assertThat(sampled.note()).contains("non-finite cosine(s) from non-finite weights counted as 0");
        }
    }

    @org.junit.jupiter.api.Test
    void nonFiniteCountsDescribeThemselves() {
        float[] v = {1, Float.NaN, Float.POSITIVE_INFINITY, Float.NaN, Float.NEGATIVE_INFINITY, 2};
        NonFiniteCount c = NonFiniteCount.of(v);
        assertThat(c).isEqualTo(new NonFiniteCount(2, 1, 1));
        assertThat(c.describe()).isEqualTo("2 NaN, 1 +Inf, 1 -Inf");
        assertThat(NonFiniteCount.of(new float[] {1, 2}).describe()).isEqualTo("none");
        assertThat(c.plus(c).total()).isEqualTo(8);
        assertThat(Matrix.of(2, 3, v).nonFiniteRows()).isEqualTo(2);
        assertThat(Matrix.of(2, 3, v).normaliseRows().data()).containsOnly(0f);
        // finite values whose squares overflow float are normalised in double, not dropped
        assertThat(Matrix.of(1, 2, new float[] {3e30f, 4e30f}).normaliseRows().data())
                .containsExactly(new float[] {0.6f, 0.8f}, org.assertj.core.data.Offset.offset(1e-6f));
    }
}
