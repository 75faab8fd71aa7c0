package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.TestIds.Statistic;
import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.AlignedCorrelationTest;
import dev.pedigree.stats.tests.HiddenUnitMatchTest;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The token embeddings or the output head: their rows of the probe tokens ({@link TokenProbes}),
 * tested with the residual coordinates as units (fixed basis: correlation and hidden-unit matching,
 * or the rectangular matching when the widths differ), never with tokens as units: tokens are not
 * exchangeable, because independent models trained on the same data learn the same token
 * geometry. The held-out rows after the alignment are reported as an effect size only. Stateless.
 */
final class TokenRowComparison {
    private TokenRowComparison() {}

    /** Embeddings ({@link Role#EMBEDDING}) or head ({@link Role#LM_HEAD}) of the text context {@code ctx}. */
    static ComponentEvidence compare(BatteryContext ctx, Component c, long params, Role role)
            throws IOException, ModelFormatException {
        ModelIndex s = ctx.s();
        ModelIndex r = ctx.r();
        TokenProbes probes = ctx.probes();
        TensorRef a = s.weight(c.name(), null, role);
        TensorRef b = r.weight(c.name(), null, role);
        if (b == null && role == Role.LM_HEAD && r.tied) {
            return ComponentEvidence.none(
                    c, params, "the reference ties its head to the embeddings; the suspect's head is untied");
        }
        if (a == null || b == null || !probes.present()) {
            return ComponentEvidence.none(c, params, WhyNotCompared.tokenRows(s, r, role, a, b));
        }
        List<TaggedTest> tests = new ArrayList<>();
        // Fixed-basis tests take the residual dimensions as units (columns of the token rows): under
        // H0 the residual coordinates of independently initialised models are exchangeable (Zhu et
        // al.'s Π), whatever the data. Tokens are not exchangeable (both models learn the same data),
        // so token-indexed nulls are not used for evidence.
        int[] rowsS = probes.suspectRows();
        int[] rowsR = probes.referenceRows();
        int haveS = ModelIndex.matrixShape(a)[0];
        int haveR = ModelIndex.matrixShape(b)[0];
        if (Arrays.stream(rowsS).anyMatch(x -> x >= haveS)
                || Arrays.stream(rowsR).anyMatch(x -> x >= haveR)) {
            return ComponentEvidence.none(
                    c,
                    params,
                    "the " + c.name() + " rows do not cover the shared tokens of the embeddings (shapes " + a.shape()
                            + " vs " + b.shape() + ")");
        }
        Matrix ma = s.rows(a, rowsS);
        Matrix mb = r.rows(b, rowsR);
        String pearsonId = TestIds.tokenColumns(c.name(), Statistic.PEARSON);
        String matchId = TestIds.tokenColumns(c.name(), Statistic.MATCH);
        int maxUnits = ctx.maxUnits();
        if (ma.rows() < BatteryContext.MIN_FEATURES) {
            tests.add(new TaggedTest(
                    c.name(),
                    TestResult.notApplicable(pearsonId, "too few shared tokens: " + ma.rows()),
                    Kind.PRIMARY));
        } else if (ma.cols() == mb.cols()) {
            Matrix ta = ma.transpose();
            Matrix tb = mb.transpose();
            tests.add(new TaggedTest(c.name(), AlignedCorrelationTest.test(pearsonId, ta, tb), Kind.PRIMARY));
            if (ta.rows() >= 3) {
                HiddenUnitMatchTest.Match m = ta.rows() > maxUnits
                        ? HiddenUnitMatchTest.matchSampled(ta, tb, maxUnits, ctx.seed())
                        : HiddenUnitMatchTest.match(ta, tb);
                TestResult t = m.result();
                tests.add(new TaggedTest(c.name(), TaggedTest.relabel(t, matchId, t.note()), Kind.EXACT));
            }
        } else {
            tests.add(new TaggedTest(
                    c.name(),
                    TestResult.notApplicable(pearsonId, "widths differ: " + ma.cols() + " vs " + mb.cols()),
                    Kind.PRIMARY));
            if (ma.rows() >= 3 && Math.min(ma.cols(), mb.cols()) >= 3) {
                // Residual widths differ (residual pruning or another model): match the narrower model's
                // residual dimensions into the wider one's over the same tokens; exact under H0 because
                // residual coordinates are exchangeable (see HiddenUnitMatchTest.matchRectangular).
                HiddenUnitMatchTest.Match m =
                        HiddenUnitMatchTest.matchRectangular(ma.transpose(), mb.transpose(), maxUnits, ctx.seed());
                TestResult t = m.result();
                tests.add(new TaggedTest(
                        c.name(),
                        TaggedTest.relabel(t, matchId, "widths " + ma.cols() + " vs " + mb.cols() + ": " + t.note()),
                        Kind.EXACT));
            }
        }
        if (ctx.aligns(ma.cols(), mb.cols())) {
            // Held-out token rows after the alignment: reported as an effect size only. Independent
            // models trained on the same data learn the same token geometry up to a change of basis,
            // and an alignment fitted on some tokens transfers to the others, so its p-value is not
            // valid under H0 (calibration: tiny models trained from different seeds reach 1e-6).
            int[] held = probes.heldOut();
            Matrix ha = ma.rowsSubset(held);
            Matrix hb = ctx.alignCols(mb.rowsSubset(held));
            tests.add(new TaggedTest(
                    c.name(), AlignedCorrelationTest.test(TestIds.heldOutTokenRows(c.name()), ha, hb), Kind.WEAK));
        }
        return ComponentEvidence.combined(
                c, params, tests, Map.of(), WhyNotCompared.tokenRowsUntested(ma.rows(), ma.cols(), mb.cols()));
    }

    /** A held-out test of token rows after a residual alignment, and their closeness measured through it. */
    record Carried(TestResult test, Closeness closeness) {}

    /**
     * Issue 14 §3: the held-out probe rows (the test half of {@link TokenProbes}) of the embeddings or
     * the head {@code comp}, after the residual alignment {@code al} that the held-out matchings of the
     * text stack give ({@link HeldOutMatching#blockAlignment}: fitted on the stack's blocks, starting
     * from the alignment of the probes' fit half, so the test rows took no part in it). Tested with the
     * residual coordinates as units, as the fixed-basis tests are: the diagonal wins of the aligned
     * columns over the test tokens ({@link HeldOutMatching#wins}: P(M ≥ m) ≤ 1/m!, or 1/(m − c)! with the convergent budget c it allows above 33 coordinates). Under H0 the
     * reference's test rows are independent of everything the alignment was fitted on, so its aligned
     * columns stay exchangeable (exactly so for independently initialised rows). Null when the rows
     * cannot be compared this way.
     */
    static Carried heldOutColumns(BatteryContext ctx, String comp, Role role, SignedPermutation al)
            throws IOException, ModelFormatException {
        TokenProbes probes = ctx.probes();
        TensorRef a = ctx.s().weight(comp, null, role);
        TensorRef b = ctx.r().weight(comp, null, role);
        if (al == null || a == null || b == null || probes == null || !probes.present()) {
            return null;
        }
        int[] rowsS = probes.testS();
        int[] rowsR = probes.testR();
        if (rowsS.length < BatteryContext.MIN_FEATURES
                || Arrays.stream(rowsS).anyMatch(x -> x >= ModelIndex.matrixShape(a)[0])
                || Arrays.stream(rowsR).anyMatch(x -> x >= ModelIndex.matrixShape(b)[0])) {
            return null;
        }
        Matrix ma = ctx.s().rows(a, rowsS);
        Matrix mb = ctx.r().rows(b, rowsR);
        if (ma.cols() != mb.cols() || al.index().length != mb.cols()) {
            return null;
        }
        Matrix aligned = al.applyToColumns(mb);
        TestResult t = HeldOutMatching.wins(
                TestIds.tokenColumns(comp, Statistic.MATCH_HELD_OUT), ma.transpose(), aligned.transpose());
        return new Carried(t, ClosenessMeasure.tokenRows(ma, mb, aligned));
    }
}
