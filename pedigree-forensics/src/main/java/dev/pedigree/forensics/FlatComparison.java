package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.TestIds.Statistic;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.AlignedCorrelationTest;
import dev.pedigree.stats.tests.HiddenUnitMatchTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Tensors outside block stacks: components without blocks (projector, other) and a stack's own
 * tensors outside its blocks. Each tensor is paired with the partner of the same role, layer and
 * expert, and tested when the shapes agree: fixed-index correlation of a seeded row sample and, with
 * enough rows and features, the hidden-unit matching. Stateless.
 */
final class FlatComparison {
    private FlatComparison() {}

    /** A component without blocks: tensors with the same role and shape. */
    static ComponentEvidence compare(BatteryContext ctx, Component c, long params)
            throws IOException, ModelFormatException {
        List<TaggedTest> tests = new ArrayList<>();
        for (ModelIndex.Key k : ctx.s().keys(c.name())) {
            if (k.part() != Part.WEIGHT) {
                continue;
            }
            TensorRef a = ctx.s().byKey.get(k);
            TensorRef b = ctx.r().byKey.get(k);
            if (b == null) {
                continue;
            }
            tests.addAll(tensorPair(ctx, c.name(), TestIds.tensor(k.role(), k.layer(), k.expert()), a, b));
        }
        return ComponentEvidence.combined(c, params, tests, Map.of(), WhyNotCompared.flat(ctx.s(), ctx.r(), c.name()));
    }

    /**
     * The tests of one suspect tensor {@code a} against its reference partner {@code b}, with ids
     * {@code subject.pearson} and {@code subject.match}.
     */
    static List<TaggedTest> tensorPair(BatteryContext ctx, String comp, String subject, TensorRef a, TensorRef b)
            throws IOException, ModelFormatException {
        List<TaggedTest> out = new ArrayList<>();
        String pearsonId = TestIds.of(subject, Statistic.PEARSON);
        int[] sa = ModelIndex.matrixShape(a);
        int[] sb = ModelIndex.matrixShape(b);
        if (sa[0] != sb[0] || sa[1] != sb[1]) {
            out.add(new TaggedTest(
                    comp,
                    TestResult.notApplicable(pearsonId, "shapes differ: " + a.shape() + " vs " + b.shape()),
                    Kind.PRIMARY));
            return out;
        }
        if (sa[1] < BatteryContext.MIN_FEATURES && sa[0] < BatteryContext.MIN_FEATURES) {
            out.add(new TaggedTest(comp, TestResult.notApplicable(pearsonId, "too small: " + a.shape()), Kind.PRIMARY));
            return out;
        }
        int[] rows = ModelIndex.sample(sa[0], Math.max(ctx.maxUnits(), 1), ctx.seed() + sa[0]);
        Matrix ma = ctx.s().rows(a, rows);
        Matrix mb = ctx.r().rows(b, rows);
        out.add(new TaggedTest(comp, AlignedCorrelationTest.test(pearsonId, ma, mb), Kind.PRIMARY));
        if (ma.rows() >= 3 && ma.cols() >= BatteryContext.MIN_FEATURES) {
            HiddenUnitMatchTest.Match m = HiddenUnitMatchTest.match(ma, mb);
            TestResult t = m.result();
            out.add(new TaggedTest(
                    comp, TaggedTest.relabel(t, TestIds.of(subject, Statistic.MATCH), t.note()), Kind.EXACT));
        }
        return out;
    }
}
