package dev.pedigree.fingerprint;

import dev.pedigree.fingerprint.FingerprintTensor.RowSource;
import dev.pedigree.fingerprint.FingerprintTensor.Sample;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.RankStats;
import dev.pedigree.stats.TestResult;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * A test of shared lineage that a residual rotation or permutation cannot hide from two sampled
 * fingerprints: the norms of the MLP hidden units' input weights, compared unit by unit.
 *
 * <p><b>Why it is invariant.</b> A hidden unit {@code i} of block {@code l} reads the normalised
 * residual stream through row {@code i} of the gate and up projections. A change of residual basis
 * (a permutation, or a rotation {@code Q} after the norm gains γ are folded into the linears)
 * replaces that row {@code w} by {@code (w ⊙ γ)Qᵀ} and leaves the hidden units where they are, so
 * {@code ‖w ⊙ γ‖} is unchanged. A fingerprint keeps only some columns, which the change of basis
 * scrambles, but it can keep each sampled row's whole-row norm ({@link Sample#rowNorms()}: the
 * census reads whole rows anyway). A fine-tune moves those norms little; an independent model's are
 * unrelated.
 *
 * <p><b>Statistic and null.</b> For each group of hidden units, one (component, layer, expert), the
 * unit's value is the norm of its gate and up rows together ({@code √(‖g ⊙ γ‖² + ‖u ⊙ γ‖²)}, over
 * the roles both models keep), over the sampled unit indices both keep. The test is the one-sided
 * Spearman correlation of the two models' values, unit for unit ({@link RankStats#spearmanTest}).
 * Under H0 (independent initialisations, a hidden-unit-permutation-invariant initialisation and
 * equivariant training, Zhu et al.'s setting) one model's values are exchangeable over its units,
 * so every ranking is equally likely and the Spearman null holds whatever the other model is. The
 * groups' permutations are independent under H0 (Zhu et al., Theorem 3), so their p-values are
 * combined by Fisher per component. Only rows indexed by hidden units enter: attention rows are
 * not exchangeable within a head under rotary embeddings, and residual-indexed rows are what a
 * rotation moves.
 *
 * <p><b>Not covered.</b> A hidden-unit permutation moves the units out of line (other tests catch
 * it unless the residual basis is also changed); a model whose units were reordered by a
 * data-independent rule (e.g. sorted by norm after pruning) breaks the exchangeability the null
 * rests on. Stateless.
 */
public final class UnitNormTest {
    /** Test id of the per-component Fisher combination. */
    public static final String TEST_ID = "fingerprint.mlp.unit_norms";

    private UnitNormTest() {}

    /**
     * One component's result.
     *
     * @param component the component's name
     * @param log10p Fisher's combination over the groups
     * @param groups unit groups (layer, expert) tested
     * @param units units over all groups
     * @param medianR median Spearman correlation of the groups
     */
    public record Result(String component, double log10p, int groups, int units, double medianR) {
        public Result {
            Objects.requireNonNull(component, "component");
        }

        /** The result as a {@link TestResult} (statistic: the groups; effect: the median correlation). */
        public TestResult testResult() {
            return new TestResult(
                    TEST_ID,
                    groups,
                    log10p,
                    medianR,
                    units,
                    "Fisher over " + groups
                            + " MLP unit groups of one-sided Spearman tests of whole-row gate/up norms"
                            + " (gain-folded; invariant to residual rotations and permutations)");
        }
    }

    /**
     * The test per component, over the hidden-unit rows both fingerprints keep with norms (same
     * tensor name and shape, common row indices); components where no group has three common units
     * are absent.
     */
    public static Map<String, Result> compare(Fingerprint a, Fingerprint b) {
        Map<GroupKey, Map<Role, Rows>> mine = groups(a);
        Map<GroupKey, Map<Role, Rows>> theirs = groups(b);
        Map<String, List<TestResult>> perComponent = new TreeMap<>();
        for (Map.Entry<GroupKey, Map<Role, Rows>> e : mine.entrySet()) {
            Map<Role, Rows> other = theirs.get(e.getKey());
            if (other == null) {
                continue;
            }
            TestResult t = groupTest(e.getValue(), other);
            if (t != null) {
                perComponent
                        .computeIfAbsent(e.getKey().component(), k -> new ArrayList<>())
                        .add(t);
            }
        }
        Map<String, Result> out = new LinkedHashMap<>();
        for (Map.Entry<String, List<TestResult>> e : perComponent.entrySet()) {
            List<TestResult> ts = e.getValue();
            double[] l = ts.stream().mapToDouble(TestResult::log10p).toArray();
            double[] r =
                    ts.stream().mapToDouble(TestResult::effectSize).sorted().toArray();
            int units = ts.stream().mapToInt(TestResult::n).sum();
            double median = r.length % 2 == 1 ? r[r.length / 2] : (r[r.length / 2 - 1] + r[r.length / 2]) / 2;
            out.put(e.getKey(), new Result(e.getKey(), LogP.fisher(l), ts.size(), units, median));
        }
        return out;
    }

    /** One group's Spearman test over the units and roles both sides keep; null when fewer than three units. */
    static TestResult groupTest(Map<Role, Rows> a, Map<Role, Rows> b) {
        List<Role> roles = new ArrayList<>();
        int[] common = null;
        for (Map.Entry<Role, Rows> e : a.entrySet()) {
            Rows o = b.get(e.getKey());
            if (o == null || !o.shape().equals(e.getValue().shape())) {
                continue;
            }
            roles.add(e.getKey());
            int[] c = FingerprintPairComparator.intersect(e.getValue().rows(), o.rows());
            common = common == null ? c : FingerprintPairComparator.intersect(common, c);
        }
        if (common == null || common.length < 3) {
            return null;
        }
        double[] x = unitValues(a, roles, common);
        double[] y = unitValues(b, roles, common);
        if (x == null || y == null) {
            return null;
        }
        double r = RankStats.spearman(x, y);
        TestResult t = RankStats.spearmanTest(TEST_ID, r, common.length);
        return t.applicable() ? t : null;
    }

    /** Per common unit, the norm of its rows of the given roles together; null if a value is not finite. */
    private static double[] unitValues(Map<Role, Rows> side, List<Role> roles, int[] units) {
        double[] out = new double[units.length];
        for (Role role : roles) {
            Rows rs = side.get(role);
            Map<Integer, Integer> pos = new HashMap<>();
            for (int i = 0; i < rs.rows().length; i++) {
                pos.put(rs.rows()[i], i);
            }
            for (int k = 0; k < units.length; k++) {
                double n = rs.norms()[pos.get(units[k])];
                out[k] += n * n;
            }
        }
        for (int k = 0; k < out.length; k++) {
            if (!Double.isFinite(out[k])) {
                return null;
            }
            out[k] = Math.sqrt(out[k]);
        }
        return out;
    }

    /** The hidden-unit rows with norms of a fingerprint, by group and role. */
    private static Map<GroupKey, Map<Role, Rows>> groups(Fingerprint f) {
        Map<GroupKey, Map<Role, Rows>> out = new HashMap<>();
        for (FingerprintTensor t : f.tensors()) {
            TensorAddress a = t.address();
            Sample s = t.sample();
            if (s == null
                    || s.rowNormsNoCopy() == null
                    || s.rowSource() != RowSource.DIMENSION
                    || a.layer() == null
                    || a.part() != Part.WEIGHT
                    || (a.role() != Role.MLP_GATE && a.role() != Role.MLP_UP)
                    || t.shape().rank() != 2) {
                continue;
            }
            GroupKey k = new GroupKey(a.component().name(), a.layer(), a.expert() == null ? -1 : a.expert());
            out.computeIfAbsent(k, x -> new java.util.EnumMap<>(Role.class))
                    .putIfAbsent(a.role(), new Rows(s.rowsNoCopy(), s.rowNormsNoCopy(), t.shape()));
        }
        return out;
    }

    private record GroupKey(String component, int layer, int expert) {}

    /** Kept row indices, their whole-row norms, and the full shape (units are paired only between equal shapes). */
    record Rows(int[] rows, float[] norms, dev.pedigree.model.Shape shape) {}
}
