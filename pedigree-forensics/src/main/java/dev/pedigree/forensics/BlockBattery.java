package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.TestIds.Statistic;
import dev.pedigree.forensics.TestIds.Sublayer;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Role;
import dev.pedigree.stats.TestResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The tests run on one suspect block against one reference block of the same stacked component,
 * in data-flow order. The screening battery ({@link #screen}) is cheap: aligned correlations on the
 * per-block sketches of {@link ScreeningSketches}, for the full block × block matrix. The full
 * battery ({@link #full}) runs two stages: the fixed-index correlations of {@link FixedIndexStage},
 * then, unless they already decide a sublayer, the permutation-robust tests of {@link
 * PermutationStage} (hidden-unit matchings, their agreement, aligned CKA, attention invariants),
 * plus experts and the weak norm and bias statistics. How the tests count is {@link
 * Combination}'s. Screening may run on several threads once {@link #prepareScreening} has built the
 * sketches; the full battery runs on one.
 */
final class BlockBattery {
    private static final List<Role> ATTN_ROLES = List.of(Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V, Role.ATTN_O);

    private final BatteryContext ctx;
    private final String component;
    private final String refComponent;
    private final ScreeningSketches sketches;
    private final FixedIndexStage fixedIndex;
    private final PermutationStage permutation;

    /**
     * The battery of one stacked component against the reference's {@code refComponent} (the same
     * name, or the stack paired with it by structure), read through {@code ctx}.
     */
    BlockBattery(BatteryContext ctx, String component, String refComponent) {
        this.ctx = ctx;
        this.component = component;
        this.refComponent = refComponent;
        this.sketches = new ScreeningSketches(ctx, component, refComponent);
        this.fixedIndex = new FixedIndexStage(ctx, component);
        this.permutation = new PermutationStage(ctx, component, refComponent);
    }

    /**
     * Builds every sketch that screening suspect blocks {@code ls} against reference blocks {@code lr}
     * needs, in the order a sequential screen would build them, so that {@link #screen} can then run
     * for many pairs at once without reading.
     */
    void prepareScreening(List<Integer> ls, List<Integer> lr) throws IOException, ModelFormatException {
        sketches.prepare(ls, lr);
    }

    /**
     * Screening tests of block pair (i, j): block-specific statistics only (rows at fixed unit
     * indices, before and after the residual alignment). Gram CKA is left out on purpose: every
     * block of a derived model shares the residual basis, so CKA links a block to all blocks of its
     * parent and would blur the layer map.
     */
    List<TaggedTest> screen(int i, int j) throws IOException, ModelFormatException {
        List<TaggedTest> out = new ArrayList<>();
        String p = TestIds.blockPair(i, j);
        for (Role role : sketches.roles()) {
            ScreeningSketches.Pair sk = sketches.pair(i, j, role);
            if (sk == null) {
                continue;
            }
            String plainId = TestIds.ofRole(p, role, Statistic.PEARSON);
            if (sk.plain() != null) {
                out.add(primary(FixedIndexStage.pearsonSameRows(plainId, sk.suspect(), sk.plain())));
            } else {
                out.add(primary(TestResult.notApplicable(plainId, "residual widths differ")));
            }
            if (sk.aligned() != null) {
                out.add(primary(FixedIndexStage.pearsonSameRows(
                        TestIds.ofRole(p, role, Statistic.PEARSON_ALIGNED), sk.suspect(), sk.aligned())));
            }
        }
        return out;
    }

    /**
     * Tests of one block pair.
     *
     * @param tests every test run (ids prefixed with the block pair)
     * @param fixedIndexLog10p Cauchy combination of the fixed-index stage (null: none applied)
     * @param complete whether every second-stage test ran (nothing was skipped as decided)
     */
    record BlockTests(List<TaggedTest> tests, Double fixedIndexLog10p, boolean complete) {
        /** The block pair's value ({@link Combination#blockPair}); null if no test applied. */
        Double log10p() {
            return Combination.blockPair(tests, fixedIndexLog10p, complete);
        }
    }

    /**
     * Full battery of block pair (i, j), in two stages. First the fixed-index row correlations of
     * every attention and MLP matrix (plain and after the residual alignment). Then, for the
     * attention and the MLP separately, the permutation-robust second stage unless that part's
     * fixed-index tests already decide it ({@link Combination#DECISIVE_LOG10P}): aligned Gram CKA and
     * the attention invariant (weak) for attention, Zhu's hidden-unit matchings and their agreement
     * (exact) for the MLP. Experts and the norm and bias statistics always run.
     */
    BlockTests full(int i, int j) throws IOException, ModelFormatException {
        List<TaggedTest> out = new ArrayList<>();
        String p = TestIds.blockPair(i, j);
        // Stage 1: fixed-index correlations. Units are head dimensions or hidden units, exchangeable
        // under H0 whatever the alignment: valid with and without it.
        List<TaggedTest> attn = new ArrayList<>();
        for (Role role : ATTN_ROLES) {
            attn.addAll(fixedIndex.tests(
                    p, role, ctx.s().weight(component, i, role), ctx.r().weight(refComponent, j, role)));
        }
        List<TaggedTest> mlp = new ArrayList<>();
        for (Role role : PermutationStage.MLP_ROLES) {
            mlp.addAll(fixedIndex.tests(
                    p, role, ctx.s().weight(component, i, role), ctx.r().weight(refComponent, j, role)));
        }
        out.addAll(attn);
        out.addAll(mlp);
        Double fixed = Combination.cauchy(out);
        Double pa = Combination.cauchy(attn);
        Double pm = Combination.cauchy(mlp);
        boolean attnDecided = pa != null && pa <= Combination.DECISIVE_LOG10P;
        boolean mlpDecided = pm != null && pm <= Combination.DECISIVE_LOG10P;
        // Stage 2, per sublayer unless decided.
        if (attnDecided) {
            out.add(skipped(TestIds.stageSkipped(p, Sublayer.ATTENTION), pa, "aligned CKA and attention invariants"));
        } else {
            permutation.attention(out, p, i, j);
        }
        if (mlpDecided) {
            out.add(skipped(TestIds.stageSkipped(p, Sublayer.MLP), pm, "hidden-unit matchings"));
        } else {
            // MLP of the dense block (text or other stack).
            out.addAll(permutation.denseMlp(p, i, j));
        }
        permutation.experts(out, p, i, j);
        permutation.normsAndBiases(out, p, i, j);
        return new BlockTests(out, fixed, !attnDecided && !mlpDecided);
    }

    private TaggedTest skipped(String id, double log10p, String what) {
        return TaggedTest.skipped(
                component,
                id,
                "the fixed-index tests already give",
                log10p,
                "; " + what + " only matter when units may be permuted");
    }

    private TaggedTest primary(TestResult t) {
        return new TaggedTest(component, t, Kind.PRIMARY);
    }
}
