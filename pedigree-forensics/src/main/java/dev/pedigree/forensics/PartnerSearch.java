package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Tensors whose names or labels give no partner (every tensor renamed, a custom {@code model_type},
 * a component the reference does not have): each suspect matrix is paired by structure and values
 * with a reference matrix of the same shape, wherever it sits in the reference.
 *
 * <p>For one suspect matrix the candidates are the K reference matrices of its shape. The partner is
 * the candidate whose seeded sample of rows correlates best with the suspect's (the same rows on both
 * sides); the tensor's tests ({@link FlatComparison#tensorPair}) then run on that pair, and their
 * Cauchy combination is Bonferroni-corrected by K. That is valid whatever chose the partner: the
 * chosen pair's p-value is at most α only if some candidate's is, which under H0 has probability at
 * most K·α. The component's value is the Cauchy combination of its tensors' corrected values (valid
 * under dependence). Vectors (norm gains, biases) are left out: their evidence is weak. Stateless.
 */
final class PartnerSearch {
    private PartnerSearch() {}

    /** Rows of each tensor read to choose its partner. */
    static final int SCREEN_ROWS = 64;

    /**
     * The evidence of suspect component {@code c} from partners found by structure; null when no
     * matrix of it has a reference matrix of its shape. Each pair found is added to {@code found}
     * with its corrected log10 p.
     */
    static ComponentEvidence compare(BatteryContext ctx, Component c, long params, List<Readdressing.Partner> found)
            throws IOException, ModelFormatException {
        ModelIndex s = ctx.s();
        ModelIndex r = ctx.r();
        List<TaggedTest> tests = new ArrayList<>();
        List<Double> values = new ArrayList<>();
        int paired = 0;
        for (ModelIndex.Key k : s.keys(c.name())) {
            TensorRef a = s.byKey.get(k);
            if (k.part() != Part.WEIGHT || a.shape().rank() < 2) {
                continue;
            }
            List<TensorRef> cands = new ArrayList<>();
            for (TensorRef b : r.logical) {
                if (b.address().part() == Part.WEIGHT && b.shape().equals(a.shape()) && !r.isTable(b)) {
                    cands.add(b);
                }
            }
            if (cands.isEmpty()) {
                continue;
            }
            int[] rc = ModelIndex.matrixShape(a);
            if (rc[0] < 3 || rc[1] < BatteryContext.MIN_FEATURES) {
                continue;
            }
            int[] rows = ModelIndex.sample(rc[0], SCREEN_ROWS, ctx.seed() + 17L * rc[0]);
            Matrix ma = s.rows(a, rows);
            TensorRef best = null;
            double bestR = Double.NEGATIVE_INFINITY;
            for (TensorRef b : cands) {
                double cor = Kernels.pearson(ma.data(), r.rows(b, rows).data());
                if (cor > bestR || best == null) {
                    bestR = cor;
                    best = b;
                }
            }
            TensorAddress pa = best.address();
            String subject = TestIds.tensor(pa.role(), pa.layer(), pa.expert());
            List<TaggedTest> t = FlatComparison.tensorPair(ctx, c.name(), subject, a, best);
            Double v = Combination.cauchy(t);
            if (v == null) {
                continue;
            }
            double corrected = Math.min(0, v + Math.log10(cands.size()));
            paired++;
            values.add(corrected);
            found.add(new Readdressing.Partner(a, best, corrected));
            tests.addAll(t);
            tests.add(new TaggedTest(
                    c.name(),
                    new TestResult(
                            TestIds.of(subject + ".partner", TestIds.Statistic.CAUCHY_ALL),
                            bestR,
                            corrected,
                            bestR,
                            rc[0],
                            String.format(
                                    Locale.ROOT,
                                    "%s paired by shape and values with reference %s (%s) among %d candidates of shape %s;"
                                            + " its tests combined and Bonferroni-corrected by %d",
                                    a.name(),
                                    best.name(),
                                    ReportComponents.of(pa).name(),
                                    cands.size(),
                                    a.shape(),
                                    cands.size())),
                    Kind.WEAK));
        }
        if (values.isEmpty()) {
            return null;
        }
        double p = Combination.cauchyOf(values);
        return new ComponentEvidence(c, params, tests, p, Combination.hasPower(tests), "", Map.of());
    }
}
