package dev.pedigree.stats.tests;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.SeededSample;
import dev.pedigree.stats.Synth;
import dev.pedigree.stats.TestResult;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.function.DoubleFunction;
import org.junit.jupiter.api.Test;

/**
 * Derived pairs: b = a + noise (entry sd = level × sd(a)), permuted rows + noise, signed-permuted residual columns.
 * Each test must reach log10p &lt; −12 at 10%, 50% and 100% noise where it is meant to detect; the sweep prints where
 * each stops detecting.
 */
class DetectionTest {

    private static final double[] LEVELS = {0.1, 0.5, 1, 2, 4, 8, 16, 32};

    /** Runs a sweep, prints it, asserts detection at the first three levels, returns the printed line. */
    private static void sweep(String name, boolean mustDetect, DoubleFunction<TestResult> at) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "detection %-34s", name));
        String stops12 = "never";
        String stops05 = "never";
        for (double lv : LEVELS) {
            TestResult r = at.apply(lv);
            sb.append(String.format(Locale.ROOT, " %5.0f%%:%9.1f", lv * 100, r.log10p()));
            if (stops12.equals("never") && r.log10p() > -12) {
                stops12 = (lv * 100) + "%";
            }
            if (stops05.equals("never") && r.log10p() > Math.log10(0.05)) {
                stops05 = (lv * 100) + "%";
            }
            if (mustDetect && lv <= 1) {
                assertThat(r.log10p())
                        .as(name + " at noise " + lv + ": " + r.note())
                        .isLessThan(-12);
            }
        }
        sb.append("  | log10p>-12 from ")
                .append(stops12)
                .append(", p>0.05 from ")
                .append(stops05);
        System.out.println(sb);
    }

    @Test
    void hiddenUnitMatchDetectsNoisyCopies() {
        SplittableRandom rng = new SplittableRandom(1);
        Matrix a = Synth.gaussian(rng, 256, 128, 0, 1);
        sweep(
                "zhu.match h=256 d=128",
                true,
                lv -> HiddenUnitMatchTest.match(a, Synth.noisy(a, lv, rng)).result());
        sweep(
                "zhu.sampled k=64 of h=256",
                true,
                lv -> HiddenUnitMatchTest.matchSampled(a, Synth.noisy(a, lv, rng), 64, 9)
                        .result());
        Matrix lowRank = Synth.lowRank(rng, 256, 128, 8);
        sweep(
                "zhu.match low-rank(8) h=256",
                true,
                lv -> HiddenUnitMatchTest.match(lowRank, Synth.noisy(lowRank, lv, rng))
                        .result());
    }

    @Test
    void rectangularMatchDetectsWidthPruning() {
        SplittableRandom rng = new SplittableRandom(11);
        Matrix a = Synth.gaussian(rng, 256, 128, 0, 1);
        // Keep a random 75% of the units in their order (width pruning).
        int[] keep = java.util.Arrays.stream(SeededSample.permutation(rng, 256))
                .limit(192)
                .sorted()
                .toArray();
        sweep(
                "zhu.rectangular pruned 192 of 256",
                true,
                lv -> HiddenUnitMatchTest.matchRectangular(Synth.noisy(a.rowsSubset(keep), lv, rng), a, 1024, 3)
                        .result());
        sweep(
                "zhu.rectangular reversed sides k=64",
                true,
                lv -> HiddenUnitMatchTest.matchRectangular(a, Synth.noisy(a.rowsSubset(keep), lv, rng), 64, 3)
                        .result());
        HiddenUnitMatchTest.Match m = HiddenUnitMatchTest.matchRectangular(a.rowsSubset(keep), a, 1024, 3);
        int[] asg = m.assignment();
        for (int i = 0; i < keep.length; i++) {
            assertThat(asg[i]).isEqualTo(keep[i]);
        }
        HiddenUnitMatchTest.Match back = HiddenUnitMatchTest.matchRectangular(a, a.rowsSubset(keep), 1024, 3);
        assertThat(java.util.Arrays.stream(back.assignment())
                        .filter(x -> x >= 0)
                        .count())
                .isEqualTo(192);
        for (int i = 0; i < keep.length; i++) {
            assertThat(back.assignment()[keep[i]]).isEqualTo(i);
        }
        assertThat(HiddenUnitMatchTest.matchRectangular(a.rowsSubset(new int[] {0, 1}), a, 10, 1)
                        .result()
                        .applicable())
                .isFalse();
        // Ties (one-column inputs: every cosine is ±1) are broken at random, not towards the identity.
        float[] ones = new float[300];
        java.util.Arrays.fill(ones, 1f);
        for (long seed = 0; seed < 20; seed++) {
            TestResult tie = HiddenUnitMatchTest.matchRectangular(
                            Matrix.of(200, 1, java.util.Arrays.copyOf(ones, 200)), Matrix.of(300, 1, ones), 1024, seed)
                    .result();
            assertThat(tie.log10p()).as(tie.note()).isGreaterThan(-4);
        }
    }

    @Test
    void permutedHiddenUnitsDefeatPhiUButNotGateUpAgreement() {
        SplittableRandom rng = new SplittableRandom(2);
        Matrix gate = Synth.gaussian(rng, 256, 128, 0, 1);
        Matrix up = Synth.gaussian(rng, 256, 128, 0, 1);
        int[] perm = SeededSample.permutation(rng, 256);
        // φ_U with a hidden permutation: a documented false negative
        sweep(
                "zhu.match rows permuted (expect none)",
                false,
                lv -> HiddenUnitMatchTest.match(up, Synth.noisy(up.rowsSubset(perm), lv, rng))
                        .result());
        TestResult r = HiddenUnitMatchTest.match(up, Synth.noisy(up.rowsSubset(perm), 0.1, rng))
                .result();
        assertThat(r.log10p()).isGreaterThan(-6); // a null draw: this particular permutation gives p ≈ 6e-4
        // φ_MATCH-style agreement of gate and up matchings survives the permutation
        sweep("zhu.agreement gate/up rows permuted", true, lv -> {
            int[] g = HiddenUnitMatchTest.match(gate, Synth.noisy(gate.rowsSubset(perm), lv, rng))
                    .assignment();
            int[] u = HiddenUnitMatchTest.match(up, Synth.noisy(up.rowsSubset(perm), lv, rng))
                    .assignment();
            return HiddenUnitMatchTest.agreement(g, u, "agree");
        });
    }

    @Test
    void alignedCorrelationDetectsNoisyCopies() {
        SplittableRandom rng = new SplittableRandom(3);
        Matrix a = Synth.gaussian(rng, 256, 128, 0, 1);
        sweep("aligned h=256 d=128", true, lv -> AlignedCorrelationTest.test("al", a, Synth.noisy(a, lv, rng)));
        Matrix heavy = Synth.heavy(rng, 256, 128);
        sweep(
                "aligned heavy-tailed h=256",
                true,
                lv -> AlignedCorrelationTest.test("al", heavy, Synth.noisy(heavy, lv, rng)));
        Matrix pos = Synth.gaussian(rng, 256, 128, 1, 0.01);
        sweep(
                "aligned positive-mean h=256",
                true,
                lv -> AlignedCorrelationTest.test("al", pos, Synth.noisy(pos, lv, rng)));
    }

    @Test
    void groupedAlignedCorrelationKeepsThePowerOfTheFullForm() {
        SplittableRandom rng = new SplittableRandom(4);
        Matrix a = Synth.gaussian(rng, 1536, 64, 0, 1);
        sweep("aligned grouped h=1536 d=64", true, lv -> AlignedCorrelationTest.test("al", a, Synth.noisy(a, lv, rng)));
        Matrix pos = Synth.gaussian(rng, 1536, 64, 1, 0.01);
        sweep(
                "aligned grouped positive-mean h=1536",
                true,
                lv -> AlignedCorrelationTest.test("al", pos, Synth.noisy(pos, lv, rng)));
        // Same pair through both forms: the grouped form detects wherever the full form does.
        for (double lv : new double[] {1, 4, 8}) {
            Matrix b = Synth.noisy(a, lv, rng);
            TestResult grouped = AlignedCorrelationTest.test("al", a, b);
            TestResult full = AlignedCorrelationTest.test(
                    "al",
                    a.rowsSubset(java.util.stream.IntStream.range(0, 512).toArray()),
                    b.rowsSubset(java.util.stream.IntStream.range(0, 512).toArray()));
            System.out.printf(
                    Locale.ROOT,
                    "detection aligned noise %.0f%%: grouped h=1536 log10p %.1f (z %.1f), full h=512 log10p %.1f (z %.1f)%n",
                    lv * 100,
                    grouped.log10p(),
                    grouped.statistic(),
                    full.log10p(),
                    full.statistic());
            assertThat(grouped.note()).contains("strided groups");
            assertThat(full.note()).doesNotContain("strided groups");
            // Where the full form detects, so does the grouped one (its CLT variance carries the large diagonal
            // correlations of a close copy, so its z is smaller there, but the wins bound is then far below).
            if (full.log10p() < -12) {
                assertThat(grouped.log10p()).as("noise " + lv).isLessThan(-12);
            }
        }
        // Every row wins its group and the bound is M log10 k − log10 M!.
        TestResult copy = AlignedCorrelationTest.test("al", a, a);
        int k = 1536 / AlignedCorrelationTest.GROUP;
        double bound = 1536 * Math.log10(k) - dev.pedigree.stats.LogP.log10Factorial(1536);
        assertThat(copy.log10p()).isCloseTo(Math.log10(2) + bound, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void residualSignedPermutationIsUndoneByAlignmentFittedOnEmbeddings() {
        SplittableRandom rng = new SplittableRandom(4);
        int d = 128;
        Matrix emb = Synth.gaussian(rng, 600, d, 0, 1);
        Matrix up = Synth.gaussian(rng, 256, d, 0, 1);
        int[] perm = SeededSample.permutation(rng, d);
        float[] sign = Synth.signs(rng, d);
        Matrix embB = Synth.noisy(Synth.signedPermuteCols(emb, perm, sign), 0.5, rng);
        // without alignment: no detection
        TestResult raw = HiddenUnitMatchTest.match(up, Synth.signedPermuteCols(up, perm, sign))
                .result();
        System.out.println("detection zhu.match residual signed-permuted, unaligned: log10p=" + raw.log10p());
        assertThat(raw.log10p()).isGreaterThan(-3);
        ResidualAlignment.SignedPermutation sp = ResidualAlignment.fit(emb, embB);
        assertThat(sp.index()).containsExactly(perm);
        assertThat(sp.sign()).containsExactly(sign);
        System.out.printf(
                Locale.ROOT,
                "detection residual alignment recovered %d/%d dims, mean|cos|=%.3f%n",
                d,
                d,
                sp.meanAbsCos());
        sweep(
                "zhu.match after residual alignment",
                true,
                lv -> HiddenUnitMatchTest.match(
                                sp.applyToColumns(up), Synth.noisy(Synth.signedPermuteCols(up, perm, sign), lv, rng))
                        .result());
        sweep(
                "aligned after residual alignment",
                true,
                lv -> AlignedCorrelationTest.test(
                        "al", sp.applyToColumns(up), Synth.noisy(Synth.signedPermuteCols(up, perm, sign), lv, rng)));
        // alignment recovery itself vs embedding noise
        StringBuilder sb = new StringBuilder("detection residual-alignment recovery vs embedding noise:");
        for (double lv : LEVELS) {
            ResidualAlignment.SignedPermutation f =
                    ResidualAlignment.fit(emb, Synth.noisy(Synth.signedPermuteCols(emb, perm, sign), lv, rng));
            int ok = 0;
            for (int j = 0; j < d; j++) {
                if (f.index()[j] == perm[j] && f.sign()[j] == sign[j]) {
                    ok++;
                }
            }
            sb.append(String.format(Locale.ROOT, " %.0f%%:%d/%d", lv * 100, ok, d));
        }
        System.out.println(sb);
        // narrower B (pruned): B keeps 96 of A's 128 dims
        int[] keep = java.util.Arrays.copyOf(perm, 96);
        ResidualAlignment.SignedPermutation pr = ResidualAlignment.fit(emb, emb.colsSubset(keep));
        assertThat(pr.index()).containsExactly(keep);
        ResidualAlignment.SignedPermutation wide = ResidualAlignment.fit(emb.colsSubset(keep), emb);
        assertThat(wide.index()).hasSize(d);
        assertThat(java.util.Arrays.stream(wide.index()).filter(i -> i < 0).count())
                .isEqualTo(d - 96);
    }

    /**
     * Above 4,096 × 4,096 the alignment matches each dimension among its 32 best candidates (memory O(d) instead of
     * O(d²)); forced onto that path at d = 128, it recovers what the dense solver recovers, also for pruned widths.
     */
    @Test
    void theSparseWideAlignmentRecoversWhatTheDenseOneDoes() {
        SplittableRandom rng = new SplittableRandom(5);
        int d = 128;
        Matrix emb = Synth.gaussian(rng, 600, d, 0, 1);
        int[] perm = SeededSample.permutation(rng, d);
        float[] sign = Synth.signs(rng, d);
        for (double lv : new double[] {0.5, 1, 2}) {
            Matrix embB = Synth.noisy(Synth.signedPermuteCols(emb, perm, sign), lv, rng);
            ResidualAlignment.SignedPermutation dense = ResidualAlignment.fit(emb, embB);
            ResidualAlignment.SignedPermutation sparse = ResidualAlignment.fit(emb, embB, 0);
            assertThat(agree(sparse, perm, sign)).as("noise %s", lv).isEqualTo(agree(dense, perm, sign));
        }
        int[] keep = java.util.Arrays.copyOf(perm, 96);
        assertThat(ResidualAlignment.fit(emb, emb.colsSubset(keep), 0).index()).containsExactly(keep);
        ResidualAlignment.SignedPermutation wide = ResidualAlignment.fit(emb.colsSubset(keep), emb, 0);
        assertThat(java.util.Arrays.stream(wide.index()).filter(i -> i < 0).count())
                .isEqualTo(d - 96);
        for (int x = 0; x < 96; x++) {
            assertThat(wide.index()[keep[x]]).isEqualTo(x);
        }
    }

    private static int agree(ResidualAlignment.SignedPermutation f, int[] perm, float[] sign) {
        int ok = 0;
        for (int j = 0; j < perm.length; j++) {
            if (f.index()[j] == perm[j] && f.sign()[j] == sign[j]) {
                ok++;
            }
        }
        return ok;
    }

    @Test
    void ckaDetectsHeadSpaceRotatedNoisyCopies() {
        SplittableRandom rng = new SplittableRandom(5);
        Matrix a = Synth.gaussian(rng, 128, 64, 0, 1); // rows = residual dims, cols = head space
        sweep(
                "cka n=128 rotated head space",
                true,
                lv -> Cka.test("cka", a, Synth.noisy(Synth.rotateCols(a, rng), lv, rng), 17));
        Matrix lr = Synth.lowRank(rng, 128, 64, 6);
        sweep(
                "cka low-rank(6) n=128",
                true,
                lv -> Cka.test("cka", lr, Synth.noisy(Synth.rotateCols(lr, rng), lv, rng), 17));
        assertThat(Cka.unbiasedLinear(a.multiplyTransposed(a), a.multiplyTransposed(a)))
                .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-6));
    }

    @Test
    void invariantSurvivesRotationAndGainFolding() {
        SplittableRandom rng = new SplittableRandom(6);
        int n = 96;
        int d = 64;
        Matrix e = Synth.gaussian(rng, n, d, 0, 1);
        float[] gamma = Synth.vector(rng, d, 1, 0.2);
        Matrix wq = Synth.gaussian(rng, 64, d, 0, 1);
        Matrix wk = Synth.gaussian(rng, 16, d, 0, 1);
        Matrix invA = InvariantTest.attentionInvariant(e, gamma, wq, wk, 8);
        // Model B: gains folded into Wq/Wk (T5), then a residual rotation (T3) applied to E, Wq, Wk; gains = 1.
        SplittableRandom rot = new SplittableRandom(99);
        Matrix eB = Synth.rotateCols(e, rot.split());
        long rs = 99;
        Matrix wqF = Synth.rotateCols(scaleCols(wq, gamma), new SplittableRandom(rs).split());
        Matrix wkF = Synth.rotateCols(scaleCols(wk, gamma), new SplittableRandom(rs).split());
        float[] ones = new float[d];
        java.util.Arrays.fill(ones, 1f);
        Matrix invB = InvariantTest.attentionInvariant(eB, ones, wqF, wkF, 8);
        double maxRel = 0;
        double scale = 0;
        for (float v : invA.data()) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < invA.data().length; i++) {
            maxRel = Math.max(maxRel, Math.abs(invA.data()[i] - invB.data()[i]) / scale);
        }
        System.out.printf(Locale.ROOT, "detection invariant under rotation+gain folding: max rel diff %.2e%n", maxRel);
        assertThat(maxRel).isLessThan(1e-4);
        sweep(
                "invariant n=96 rotated+folded",
                true,
                lv -> InvariantTest.test(
                        "inv",
                        invA,
                        InvariantTest.attentionInvariant(
                                eB, ones, Synth.noisy(wqF, lv, rng), Synth.noisy(wkF, lv, rng), 8)));
    }

    @Test
    void normGainTrap() {
        SplittableRandom rng = new SplittableRandom(7);
        float[] a = Synth.vector(rng, 4096, 1, 0.01);
        float[] b = Synth.vector(rng, 4096, 1, 0.01);
        double cos = CentredVectorTest.rawCosine(a, b);
        TestResult indep = CentredVectorTest.test("gain", a, b);
        System.out.printf(
                Locale.ROOT,
                "norm-gain trap: independent raw cos=%.6f, r=%.4f, log10p=%.3f%n",
                cos,
                indep.effectSize(),
                indep.log10p());
        assertThat(cos).isGreaterThan(0.99);
        assertThat(indep.log10p()).isGreaterThan(Math.log10(0.001));
        float[] tuned = Synth.noisy(a, 0.3, rng);
        TestResult derived = CentredVectorTest.test("gain", a, tuned);
        System.out.printf(
                Locale.ROOT,
                "norm-gain trap: fine-tuned (30%% noise) r=%.4f, log10p=%.1f%n",
                derived.effectSize(),
                derived.log10p());
        assertThat(derived.log10p()).isLessThan(-12);
        sweep("centred-vector n=4096 gains", true, lv -> CentredVectorTest.test("gain", a, Synth.noisy(a, lv, rng)));
    }

    private static Matrix scaleCols(Matrix w, float[] g) {
        float[] d = w.data().clone();
        for (int r = 0; r < w.rows(); r++) {
            for (int c = 0; c < w.cols(); c++) {
                d[r * w.cols() + c] *= g[c];
            }
        }
        return Matrix.of(w.rows(), w.cols(), d);
    }
}
