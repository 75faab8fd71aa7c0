package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 §3: the token rows (embeddings, untied head) of an obfuscated copy (residual, head and unit
 * permutations, new norm gains, noise) are judged after undoing the residual permutation that the held-out
 * matchings of the text stack found, on held-out probe rows that took no part in fitting it; the headline share
 * reads all of the model. Token rows taken from an independent model stay not shared even when the stack is a copy.
 */
class TokenRowCarryTest {
    private static final Config CFG = Config.tinyDecoder();

    private static ComparisonResult compare(SimModel s, SimModel r) throws Exception {
        return LineageComparator.compare(s.toView(), r.toView(), CompareOptions.DEFAULT);
    }

    private static ComponentResult component(ComparisonResult r, String name) {
        return r.component(name).orElseThrow(() -> new AssertionError("no " + name + " in " + r.components()));
    }

    private static void assertCarried(ComparisonResult r, String name, double minR, double maxR) {
        ComponentResult c = component(r, name);
        System.out.println("  " + name + ": " + c.verdict() + " log10p " + c.log10p() + ", " + c.closeness());
        assertThat(c.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(c.evidence()).anySatisfy(e -> assertThat(e.test()).isEqualTo(name + ".columns.match_heldout"));
        assertThat(c.log10p()).isLessThanOrEqualTo(-6.0);
        assertThat(c.closeness().permutationUndone()).isTrue();
        assertThat(c.closeness().correlation()).isBetween(minR, maxR);
    }

    /** {@code m} with the embeddings and head of {@code donor}. */
    private static SimModel withTokenRowsOf(SimModel m, SimModel donor) {
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            out.add(
                    tokenRows(t)
                            ? donor.tensors().stream()
                                    .filter(d -> d.address().equals(t.address()))
                                    .findFirst()
                                    .orElseThrow()
                            : t);
        }
        return m.withTensors(out).named(m.name() + "+token-rows-of-" + donor.name());
    }

    /** {@code m} with its text blocks filed under component {@code to} (a name Pedigree does not read as text). */
    private static SimModel textBlocksFiledAs(SimModel m, Component to) {
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            TensorAddress a = t.address();
            if (!a.component().equals(CFG.component()) || a.layer() == null) {
                out.add(t);
                continue;
            }
            out.add(new ArrayTensor(
                    to.name() + "." + t.name(),
                    t.shape(),
                    new TensorAddress(to, a.layer(), a.role(), a.expert(), a.part()),
                    t.readAll()));
        }
        return m.withTensors(out).named(m.name() + "-text-blocks-as-" + to.name());
    }

    private static boolean tokenRows(ArrayTensor t) {
        return t.address().role() == Role.EMBEDDING || t.address().role() == Role.LM_HEAD;
    }

    @Test
    void obfuscatedCopiesReadSharedInEveryComponentAtSigmaOneTwoAndFour() throws Exception {
        SimModel base = SyntheticTransformer.random("base", CFG, 905);
        // Per-entry r of noise σ×k is 1/√(1+k²): 0.71, 0.45, 0.24 (a few coordinates may stay misaligned at σ×4).
        double[][] cases = {{1, 0.6, 0.8}, {2, 0.35, 0.5}, {4, 0.12, 0.3}};
        for (double[] c : cases) {
            ComparisonResult r = compare(ObfuscationCarryThroughTest.obfuscated(base, c[0], 11), base);
            System.out.println("obfuscated σ×" + c[0] + ": " + r.verdict() + ", share " + r.sharedParameterFraction()
                    + ", map " + r.layerMap().size());
            assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(r.layerMap())
                    .extracting(m -> m.suspect().layer() + ">" + m.reference().layer())
                    .contains("0>0", "1>1", "2>2");
            assertCarried(r, "embeddings", c[1], c[2]);
            assertCarried(r, "lm_head", c[1], c[2]);
            assertThat(r.sharedParameterFraction()).isGreaterThan(0.99);
        }
    }

    @Test
    void tokenRowsOfAnIndependentModelStayNotSharedBesideAnObfuscatedStack() throws Exception {
        SimModel base = SyntheticTransformer.random("base", CFG, 905);
        SimModel other =
                ObfuscationCarryThroughTest.obfuscated(SyntheticTransformer.random("other", CFG, 906), 0.3, 11);
        SimModel copy = ObfuscationCarryThroughTest.obfuscated(base, 0.3, 11);
        // Same residual permutation (same seed), so the stack's alignment fits these rows' basis as well.
        SimModel mixed = withTokenRowsOf(copy, other);
        ComparisonResult r = compare(mixed, base);
        System.out.println("obfuscated σ×0.3 stack, independent token rows: " + r.verdict() + ", share "
                + r.sharedParameterFraction());
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(component(r, "text").verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        for (String name : new String[] {"embeddings", "lm_head"}) {
            ComponentResult c = component(r, name);
            System.out.println("  " + name + ": " + c.verdict() + " " + c.evidence());
            assertThat(c.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        }
        assertThat(r.sharedParameterFraction()).isLessThan(0.7);

        // The same obfuscation of an independent model: nothing is shared, so nothing is carried.
        ComparisonResult n = compare(other, base);
        assertThat(n.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(component(n, "embeddings").verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(n.sharedParameterFraction()).isZero();
    }

    /**
     * The validity of the test itself: the probes' fit half (which starts the alignment) keeps the copy's rows, so
     * the alignment is the copy's; only the held-out test rows come from an independent model given the same
     * obfuscation. They must not read as shared; the untouched copy must.
     */
    @Test
    void heldOutRowsFromAnIndependentModelStayNotSharedWhenTheAlignmentIsRight() throws Exception {
        SimModel base = SyntheticTransformer.random("base", CFG, 905);
        SimModel copy = ObfuscationCarryThroughTest.obfuscated(base, 1, 11);
        SimModel other = ObfuscationCarryThroughTest.obfuscated(SyntheticTransformer.random("other", CFG, 906), 1, 11);
        TokenProbes probes = TokenProbes.prepare(
                new ModelIndex(copy.toView()),
                new ModelIndex(base.toView()),
                CompareOptions.DEFAULT,
                new ArrayList<>());
        int[] test = probes.testS();
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : copy.tensors()) {
            if (!tokenRows(t)) {
                out.add(t);
                continue;
            }
            float[] v = t.readAll().clone();
            float[] w = other.tensors().stream()
                    .filter(d -> d.address().equals(t.address()))
                    .findFirst()
                    .orElseThrow()
                    .readAll();
            int d = (int) t.shape().dim(1);
            for (int row : test) {
                System.arraycopy(w, row * d, v, row * d, d);
            }
            out.add(new ArrayTensor(t.name(), t.shape(), t.address(), v));
        }
        SimModel mixed = copy.withTensors(out).named("copy-with-test-rows-of-other");
        ComparisonResult r = compare(mixed, base);
        System.out.println("obfuscated σ×1, held-out probe rows of an independent model: " + r.verdict() + ", share "
                + r.sharedParameterFraction());
        assertThat(component(r, "text").verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        for (String name : new String[] {"embeddings", "lm_head"}) {
            ComponentResult c = component(r, name);
            System.out.println(
                    "  " + name + ": " + c.verdict() + " " + c.evidence().getLast());
            assertThat(c.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(c.evidence().getLast().test()).isEqualTo(name + ".columns.match_heldout");
            assertThat(c.evidence().getLast().log10p()).isGreaterThan(-2.0);
        }
        assertThat(component(compare(copy, base), "embeddings").verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
    }

    /**
     * An obfuscated copy whose embeddings and head come from another model: the token rows give the held-out
     * matchings no start, so each fold's residual alignment is started from its blocks' own residual correlations.
     * The text layers read SHARED with their layer map, the foreign token rows do not; an independent model given the
     * same obfuscation and the same foreign token rows reads nothing shared.
     * Found at σ×1; at σ×2 only in part, not at σ×4 (see the loop).
     */
    @Test
    void obfuscatedStackWithAnotherModelsTokenRowsReadsSharedForItsTextLayers() throws Exception {
        SimModel base = SyntheticTransformer.random("base", CFG, 905);
        SimModel donor = SyntheticTransformer.random("donor", CFG, 907);
        // Asserted at σ×1. Measured, not asserted: σ×2 text SHARED (log10 p about -40) with 1 of 3 blocks in the map;
        // σ×4 INDEPENDENT: the residual correlations are second order in the weights (per-entry r about 0.2 at σ×2,
        // 0.06 at σ×4), too little to match 32 coordinates from two blocks. The nulls are asserted at every σ.
        for (double sigma : new double[] {1, 2, 4}) {
            SimModel copy = withTokenRowsOf(ObfuscationCarryThroughTest.obfuscated(base, sigma, 11), donor);
            ComparisonResult r = compare(copy, base);
            ComponentResult text = component(r, "text");
            System.out.println("obfuscated σ×" + sigma + ", token rows of another model: " + r.verdict() + ", text "
                    + text.verdict() + " log10p " + text.log10p() + ", map "
                    + r.layerMap().size() + ", share "
                    + r.sharedParameterFraction());
            text.evidence().stream()
                    .filter(e -> e.test().endsWith("match_heldout"))
                    .forEach(e -> System.out.println("    " + e.test() + " " + e.log10p() + " " + e.note()));
            for (String name : new String[] {"embeddings", "lm_head"}) {
                ComponentResult c = component(r, name);
                System.out.println("  " + name + ": " + c.verdict() + " log10p " + c.log10p());
                assertThat(c.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
            }

            SimModel independent = withTokenRowsOf(
                    ObfuscationCarryThroughTest.obfuscated(SyntheticTransformer.random("other", CFG, 906), sigma, 11),
                    donor);
            ComparisonResult n = compare(independent, base);
            System.out.println("  independent, same obfuscation and token rows: " + n.verdict() + " log10p "
                    + n.log10p() + ", text " + component(n, "text").log10p());
            assertThat(n.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(component(n, "text").verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(n.sharedParameterFraction()).isZero();
            if (sigma > 1) {
                continue;
            }
            assertThat(text.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(text.evidence()).anySatisfy(e -> assertThat(e.test()).isEqualTo("blocks.match_heldout"));
            assertThat(r.layerMap())
                    .extracting(m -> m.suspect().layer() + ">" + m.reference().layer())
                    .contains("0>0", "1>1", "2>2");
        }
    }

    /**
     * The token-row carry under a differently named reference stack: the obfuscated copy's text blocks are compared
     * with the reference's blocks filed under another component (paired by structure), and the other way round. The
     * carry uses the held-out matchings of the pair that was compared, whatever its name (before: skipped, so the
     * copy's embeddings and head read INDEPENDENT). The same construction from an independent model shares nothing.
     */
    @Test
    void tokenRowsAreCarriedWhenTheStackIsComparedUnderAnotherName() throws Exception {
        SimModel base = SyntheticTransformer.random("base", CFG, 905);
        Component decoder = Component.other("decoder");
        SimModel copy = ObfuscationCarryThroughTest.obfuscated(base, 1, 11);
        SimModel other = ObfuscationCarryThroughTest.obfuscated(SyntheticTransformer.random("other", CFG, 906), 1, 11);
        SimModel[][] pairs = {{copy, textBlocksFiledAs(base, decoder)}, {textBlocksFiledAs(copy, decoder), base}};
        for (SimModel[] p : pairs) {
            ComparisonResult r = compare(p[0], p[1]);
            System.out.println(p[0].name() + " vs " + p[1].name() + ": " + r.verdict() + ", share "
                    + r.sharedParameterFraction() + ", map " + r.layerMap().size());
            assertThat(r.warnings()).anyMatch(w -> w.contains("paired by structure"));
            assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
            assertCarried(r, "embeddings", 0.6, 0.8);
            assertCarried(r, "lm_head", 0.6, 0.8);
            assertThat(r.sharedParameterFraction()).isGreaterThan(0.99);
        }
        ComparisonResult n = compare(other, textBlocksFiledAs(base, decoder));
        System.out.println(
                "independent vs renamed reference: " + n.verdict() + ", share " + n.sharedParameterFraction());
        assertThat(n.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(component(n, "embeddings").verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(n.sharedParameterFraction()).isZero();
    }
}
