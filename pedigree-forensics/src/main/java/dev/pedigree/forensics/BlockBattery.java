package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.TestIds.Statistic;
import dev.pedigree.forensics.TestIds.Sublayer;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
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
    private final HeldOutMatching heldOut;

    /**
     * The battery of one stacked component against the reference's {@code refComponent} (the same
     * name, or the stack paired with it by structure), read through {@code ctx}.
     */
    BlockBattery(BatteryContext ctx, String component, String refComponent, HeldOutMatching heldOut) {
        this.ctx = ctx;
        this.heldOut = heldOut;
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
     * The samples of a wide block pair ({@link EarlyStop}): its sampled fixed-index tests as computed
     * (the second sample's when one was taken), the plans, whether any test showed a signal, and
     * whether a second sample was taken.
     */
    record Sampled(
            List<TaggedTest> fixed,
            EarlyStop.BatteryPlan battery,
            EarlyStop.Plan matching,
            boolean signal,
            boolean second,
            int firstTests) {}

    /**
     * The sampled fixed-index tests of block pair (i, j), the first step of its early-stopped battery:
     * null when the pair does not qualify (under --sample, an MLP whose hidden-unit matchings have no
     * screen — narrow layers, the calibration's models among them — experts, a matrix that is not a
     * same-shape 2-D pair, or no sample size with the power), and then {@link #full} runs as before.
     * A pair whose screening value ({@code screened}, the Cauchy combination of {@link #screen}; null:
     * none) already reaches {@link EarlyStop#ESCALATE_LOG10P} shows its signal without a sample.
     */
    Sampled sample(int i, int j, Double screened) throws IOException, ModelFormatException {
        EarlyStop.Plan matching = permutation.denseMlpPlan(i, j);
        if (!EarlyStop.sampledBatteries
                || ctx.sampled()
                || matching == null
                || !ctx.s().experts(i).isEmpty()) {
            return null;
        }
        List<Role> roles = new ArrayList<>(ATTN_ROLES);
        roles.addAll(PermutationStage.MLP_ROLES);
        List<int[]> shapes = new ArrayList<>();
        List<Boolean> outputSide = new ArrayList<>();
        for (Role role : roles) {
            TensorRef a = ctx.s().weight(component, i, role);
            TensorRef b = ctx.r().weight(refComponent, j, role);
            if (a == null && b == null) {
                continue;
            }
            if (a == null || b == null || a.shape().rank() != 2 || !a.shape().equals(b.shape())) {
                return null;
            }
            shapes.add(ModelIndex.matrixShape(a));
            outputSide.add(role == Role.ATTN_O || role == Role.MLP_DOWN);
        }
        EarlyStop.BatteryPlan battery = EarlyStop.batteryPlan(shapes, outputSide);
        if (battery == null) {
            return null;
        }
        if (screened != null && screened <= EarlyStop.ESCALATE_LOG10P) {
            return new Sampled(List.of(), battery, matching, true, false, 0);
        }
        List<TaggedTest> fixed = sampledTests(i, j, roles, battery.rows(), 0);
        double first = EarlyStop.strongest(fixed);
        if (!EarlyStop.escalate(fixed)) {
            return new Sampled(fixed, battery, matching, false, false, EarlyStop.applicable(fixed));
        }
        if (battery.secondRows() == 0 || first <= EarlyStop.SECOND_SAMPLE_ABOVE_LOG10P) {
            return new Sampled(fixed, battery, matching, true, false, EarlyStop.applicable(fixed));
        }
        // A weak signal in the first sample: a second sample on disjoint rows decides (EarlyStop). Its
        // tests replace the first's; the first's signal is named in their notes.
        String why = String.format(
                java.util.Locale.ROOT,
                "; second sample: the first sample of %d rows per matrix had a test at log10p %.3g (above %.0f)",
                battery.rows(),
                first,
                EarlyStop.SECOND_SAMPLE_ABOVE_LOG10P);
        List<TaggedTest> second = new ArrayList<>();
        for (TaggedTest t : sampledTests(i, j, roles, battery.secondRows(), battery.rows())) {
            TestResult r = t.result();
            second.add(new TaggedTest(t.component(), TaggedTest.relabel(r, r.testId(), r.note() + why), t.kind()));
        }
        return new Sampled(second, battery, matching, EarlyStop.escalate(second), true, EarlyStop.applicable(fixed));
    }

    /** The sampled fixed-index tests of every role of block pair (i, j) ({@link FixedIndexStage#sampledTests}). */
    private List<TaggedTest> sampledTests(int i, int j, List<Role> roles, int rows, int skip)
            throws IOException, ModelFormatException {
        String p = TestIds.blockPair(i, j);
        List<TaggedTest> fixed = new ArrayList<>();
        for (Role role : roles) {
            fixed.addAll(fixedIndex.sampledTests(
                    p, role, ctx.s().weight(component, i, role), ctx.r().weight(refComponent, j, role), rows, skip));
        }
        return fixed;
    }

    /**
     * Block pair (i, j) from its samples ({@link #sample}, null: none) when they show no signal: the
     * sampled fixed-index tests, then, when {@code match}, the hidden-unit matching screen; either
     * reaching {@link EarlyStop#ESCALATE_LOG10P} runs {@link #full(int, int)} unchanged. Without a
     * signal the pair's tests are the samples' (p-values raised for the escalation rule), the weak
     * aligned CKA and attention invariants are skipped with the reason, and the norm and bias
     * statistics run as always. {@code match} false (a suspect block's second candidate when neither
     * candidate's fixed-index sample showed anything) leaves the matching screen out: its reference
     * MLP is not read; the p-values still pay for the screen that would otherwise have run.
     */
    BlockTests full(int i, int j, Sampled sampled, boolean match) throws IOException, ModelFormatException {
        if (sampled == null) {
            return full(i, j);
        }
        if (sampled.signal()) {
            ctx.s().screens.batteryEscalated(sampled.battery(), sampled.second());
            return full(i, j);
        }
        String p = TestIds.blockPair(i, j);
        List<TaggedTest> screen = List.of();
        // The screening value is one of the rule's tests: a pair whose screening reaches the threshold escalates.
        // After a second sample, m still counts the first sample's tests (EarlyStop: the rule is the first's).
        int extraM = 1 + Math.max(0, sampled.firstTests() - EarlyStop.applicable(sampled.fixed()));
        int h = 0;
        if (match) {
            PermutationStage.Screen sc = permutation.denseMlpScreen(p, i, j);
            if (sc == null || EarlyStop.escalate(sc.tests())) {
                // A signal in the matchings (tallied when the full battery screens them again).
                ctx.s().screens.batteryEscalated(sampled.battery(), sampled.second());
                return full(i, j);
            }
            screen = sc.tests();
            h = sc.units();
        } else {
            extraM += permutation.denseMlpScreenTests(i, j);
        }
        ctx.s().screens.batteryStopped(sampled.battery(), sampled.matching(), match, sampled.second());
        List<TaggedTest> out = new ArrayList<>(
                EarlyStop.stoppedBattery(sampled.fixed(), screen, extraM, sampled.battery(), sampled.matching(), h));
        Double fixed = Combination.cauchy(out.subList(0, sampled.fixed().size()));
        out.add(new TaggedTest(
                component,
                TestResult.notApplicable(
                        TestIds.stageSkipped(p, Sublayer.ATTENTION),
                        String.format(
                                java.util.Locale.ROOT,
                                "skipped: no test of the block pair's samples reached log10 p <= %.0f; aligned CKA and"
                                        + " attention invariants are effect-only statistics that never decide a verdict",
                                EarlyStop.ESCALATE_LOG10P)),
                Kind.WEAK));
        if (!match) {
            out.add(new TaggedTest(
                    component,
                    TestResult.notApplicable(
                            TestIds.stageSkipped(p, Sublayer.MLP),
                            "skipped: neither candidate reference block's fixed-index sample showed a signal, so"
                                    + " only the other candidate's MLP was matched"),
                    Kind.WEAK));
        }
        // No held-out matchings here: HeldOutMatching.fit reads whole blocks of both models before its size
        // check, which a wide model's heap cannot hold (out of memory at 512 MB on the 1.06 B bench pair).
        permutation.normsAndBiases(out, p, i, j);
        return new BlockTests(out, fixed, true);
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
        // Every permutation at once (residual, heads, units): matched on some matrices, tested on the others.
        out.addAll(heldOut.tests(p, i, j, !attnDecided, !mlpDecided));
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
