package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Thresholds;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.TestResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The engine's whole multiple-testing policy, from a block pair's tests to the pair's verdict, all
 * in base-10 log p (never 0 or −∞):
 *
 * <ol>
 *   <li><b>Within a block pair</b>: Cauchy (ACAT, equal weights) over the combinable tests, valid
 *       under any dependence ({@link #cauchy}); the pair's value is {@code 4·min(p_fixed, p_all)}
 *       or {@code 4·p_fixed}, paying by Bonferroni for the two data-dependent skips that {@link
 *       #DECISIVE_LOG10P} allows ({@link #blockPair}).
 *   <li><b>Per suspect block</b>: the best of the reference blocks it was compared with,
 *       Bonferroni-corrected for the reference blocks it was chosen among ({@link
 *       #overReferenceBlocks}); a block pair enters the layer map when its value, corrected for all
 *       block pairs of the stack, reaches the layer threshold ({@link #layerMatch}).
 *   <li><b>Per stack</b>: Fisher over the suspect blocks' exact matchings (independent under H0 by
 *       Zhu et al.'s Theorem 3), Cauchy over the blocks and the stack's other tensors, and Cauchy of
 *       the two ({@link #stack}).
 *   <li><b>Across components</b>: Holm ({@link #holm}); each component's verdict from its adjusted
 *       value, the thresholds and whether its tests had power ({@link #judge}); the pair's verdict
 *       from the components' ({@link #overall}).
 * </ol>
 *
 * <p>Weak tests ({@link Kind#WEAK}) and tests that did not apply never enter any combination.
 * Stateless.
 */
final class Combination {
    private Combination() {}

    /** Fewest units (rows or matched hidden units) for a test to count as having power. */
    static final int MIN_POWER_N = 32;

    /**
     * Fixed-index evidence of a block pair at or below this log10 p decides it: the permutation-robust
     * second stage (hidden-unit matchings, aligned CKA, attention invariants) is skipped, and so is an
     * aligned fixed-index test whose plain twin reaches it. Those tests exist to find a relationship
     * that a permutation of units hides from fixed-index tests; a block pair already far beyond every
     * threshold without them gains nothing but cost. {@link #blockPair} pays for the two choices.
     */
    static final double DECISIVE_LOG10P = -50;

    /**
     * Bonferroni factor of a block pair's value: two data-dependent choices ({@link
     * #DECISIVE_LOG10P}), each a factor 2.
     */
    private static final double BLOCK_CHOICES_LOG10 = Math.log10(4);

    // ------------------------------------------------------------------ within a block pair

    /** Cauchy combination of the combinable tests; null when none applies. */
    static Double cauchy(List<TaggedTest> tests) {
        return combine(tests, false);
    }

    /** Cauchy combination of the combinable exact tests (hidden-unit matchings); null when none applies. */
    static Double cauchyExact(List<TaggedTest> tests) {
        return combine(tests, true);
    }

    /**
     * Cauchy combination of the combinable agreements of unit matchings ({@link TestFamily#MATCH_AGREEMENT}): the
     * block-specific evidence that survives a permutation of the suspect's units; null when none applies.
     */
    static Double cauchyAgreement(List<TaggedTest> tests) {
        List<Double> ps = new ArrayList<>();
        for (TaggedTest t : tests) {
            if (t.combinable() && TestIds.family(t.result().testId()) == TestFamily.MATCH_AGREEMENT) {
                ps.add(t.result().log10p());
            }
        }
        return ps.isEmpty() ? null : cauchyOf(ps);
    }

    /**
     * The held-out matchings of a block pair ({@link TestFamily#HELD_OUT_MATCH}), Bonferroni over the k that
     * applied ({@code k·min p}, valid under any dependence); null when none applies. They are kept out of the
     * Cauchy combinations: a test at p = 1 (a sublayer whose matching found nothing) would swamp a Cauchy
     * combination of moderate p-values, and the held-out tests are meant to decide at moderate levels.
     */
    static Double heldOut(List<TaggedTest> tests) {
        double min = 0;
        int k = 0;
        for (TaggedTest t : tests) {
            if (t.combinable() && isHeldOut(t)) {
                min = Math.min(min, t.result().log10p());
                k++;
            }
        }
        return k == 0 ? null : Math.min(0, min + Math.log10(k));
    }

    /**
     * The block-specific evidence that survives every permutation of a block pair: the agreement of its unit
     * matchings ({@link #cauchyAgreement}) and its held-out matchings ({@link #heldOut}), the smaller of the two
     * times 2 when both applied; null when neither did.
     */
    static Double permutationRobust(List<TaggedTest> tests) {
        Double a = cauchyAgreement(tests);
        Double h = heldOut(tests);
        if (a == null || h == null) {
            return a == null ? h : a;
        }
        return Math.min(0, Math.min(a, h) + Math.log10(2));
    }

    private static boolean isHeldOut(TaggedTest t) {
        return TestIds.family(t.result().testId()) == TestFamily.HELD_OUT_MATCH;
    }

    private static Double combine(List<TaggedTest> tests, boolean exactOnly) {
        List<Double> ps = new ArrayList<>();
        for (TaggedTest t : tests) {
            if (t.combinable() && !isHeldOut(t) && (!exactOnly || t.kind() == Kind.EXACT)) {
                ps.add(t.result().log10p());
            }
        }
        return ps.isEmpty() ? null : cauchyOf(ps);
    }

    /** Equal-weight Cauchy combination of log10 p-values; one value is returned as it is. */
    static double cauchyOf(List<Double> log10ps) {
        if (log10ps.isEmpty()) {
            throw new IllegalArgumentException("nothing to combine");
        }
        if (log10ps.size() == 1) {
            return log10ps.get(0);
        }
        double[] l = log10ps.stream().mapToDouble(Double::doubleValue).toArray();
        double[] w = new double[l.length];
        Arrays.fill(w, 1.0 / l.length);
        return LogP.cauchy(l, w);
    }

    /**
     * A block pair's value: {@code 4·p_fixed} when a part's second stage was skipped, otherwise
     * {@code 4·min(p_fixed, p_all)}; {@code p_all} alone when no fixed-index test applied; null if no
     * test applied. Two choices depend on the data (an aligned fixed-index test is skipped when its
     * plain twin is decisive; a part's second stage when its fixed-index tests are), each paid for by
     * a Bonferroni factor 2, so that {@code P(value ≤ α) ≤ α} under H0 whatever was skipped.
     *
     * @param tests every test of the pair
     * @param fixedIndexLog10p Cauchy combination of the fixed-index stage (null: none applied)
     * @param complete whether every second-stage test ran
     */
    static Double blockPair(List<TaggedTest> tests, Double fixedIndexLog10p, boolean complete) {
        Double all = cauchy(tests);
        if (fixedIndexLog10p == null) {
            return all;
        }
        double m = !complete || all == null ? fixedIndexLog10p : Math.min(all, fixedIndexLog10p);
        return Math.min(0, m + BLOCK_CHOICES_LOG10);
    }

    // ------------------------------------------------------------------ per suspect block

    /**
     * A suspect block's best value among its candidate reference blocks, Bonferroni-corrected for the
     * {@code referenceBlocks} it was chosen among (capped at p = 1).
     */
    static double overReferenceBlocks(double log10p, int referenceBlocks) {
        return Math.min(0, log10p + Math.log10(referenceBlocks));
    }

    /**
     * The layer map's value of a block pair, Bonferroni-corrected for all {@code suspectBlocks ×
     * referenceBlocks} pairs of its stack; null when it does not reach the layer threshold.
     */
    static Double layerMatch(double log10p, int suspectBlocks, int referenceBlocks, Thresholds thresholds) {
        double corrected = log10p + Math.log10((double) suspectBlocks * referenceBlocks);
        return corrected <= thresholds.layerLog10p() ? LogP.clamp(Math.min(0, corrected)) : null;
    }

    // ------------------------------------------------------------------ per stack

    /**
     * A stack's value and the combinations it reports.
     *
     * @param log10p Cauchy of the Fisher and the Cauchy combination (null: nothing applied)
     * @param combinations the {@link TestIds#FISHER_OVER_BLOCKS} and {@link TestIds#CAUCHY_OVER_BLOCKS}
     *     tests that ran, in that order
     */
    record StackValue(Double log10p, List<TaggedTest> combinations) {
        StackValue {
            combinations = List.copyOf(combinations);
        }
    }

    /**
     * Combines a stack: Fisher over its suspect blocks' exact values, Cauchy over its blocks' values
     * and the stack's other tensors, then Cauchy of the two. The stack tensors enter the Cauchy over
     * blocks when there are blocks, otherwise they are combined alone.
     *
     * @param blockExact per suspect block: its exact matchings' value, {@link #overReferenceBlocks corrected}
     * @param blockAll per suspect block: its {@link #blockPair} value, corrected likewise
     * @param stackTensors the Cauchy values of the stack's tensors outside the blocks
     */
    static StackValue stack(
            String component, List<Double> blockExact, List<Double> blockAll, List<Double> stackTensors) {
        return stack(component, blockExact, blockAll, stackTensors, List.of());
    }

    /**
     * {@link #stack(String, List, List, List)} with the suspect blocks' held-out matchings ({@link #heldOut} of
     * each block's same-index pair): Bonferroni over the blocks ({@code B·min p}); when there are any, the stack's
     * value is the smaller of the two times 2 (Bonferroni, valid whatever the dependence).
     */
    static StackValue stack(
            String component,
            List<Double> blockExact,
            List<Double> blockAll,
            List<Double> stackTensors,
            List<Double> blockHeldOut) {
        return stack(component, blockExact, blockAll, stackTensors, blockHeldOut, null);
    }

    /**
     * {@link #stack(String, List, List, List, List)} with the stack's sign-symmetry test ({@code signSymmetry},
     * null when it did not apply) as one more entry of the held-out Bonferroni: {@code (B + 1)·min p}.
     */
    static StackValue stack(
            String component,
            List<Double> blockExact,
            List<Double> blockAll,
            List<Double> stackTensors,
            List<Double> blockHeldOut,
            Double signSymmetry) {
        StackValue base = stackWithoutHeldOut(component, blockExact, blockAll, stackTensors);
        if (blockHeldOut.isEmpty() && signSymmetry == null) {
            return base;
        }
        int entries = blockHeldOut.size() + (signSymmetry == null ? 0 : 1);
        double h = Math.min(
                0,
                Math.min(
                                blockHeldOut.stream()
                                        .mapToDouble(Double::doubleValue)
                                        .min()
                                        .orElse(0),
                                signSymmetry == null ? 0 : signSymmetry)
                        + Math.log10(entries));
        List<TaggedTest> reported = new ArrayList<>(base.combinations());
        reported.add(new TaggedTest(
                component,
                new TestResult(
                        TestIds.HELD_OUT_OVER_BLOCKS,
                        Double.NaN,
                        h,
                        Double.NaN,
                        entries,
                        blockHeldOut.isEmpty()
                                ? "the stack's v/o sign-symmetry test"
                                : "Bonferroni over " + blockHeldOut.size()
                                        + " suspect blocks of the held-out matchings"
                                        + (signSymmetry == null ? "" : " and the stack's v/o sign-symmetry test")
                                        + " (valid under dependence)"),
                Kind.PRIMARY));
        double v = base.log10p() == null ? h : Math.min(0, Math.min(base.log10p(), h) + Math.log10(2));
        return new StackValue(v, reported);
    }

    private static StackValue stackWithoutHeldOut(
            String component, List<Double> blockExact, List<Double> blockAll, List<Double> stackTensors) {
        List<Double> parts = new ArrayList<>();
        List<TaggedTest> reported = new ArrayList<>();
        if (!blockExact.isEmpty()) {
            double f = LogP.fisher(
                    blockExact.stream().mapToDouble(Double::doubleValue).toArray());
            parts.add(f);
            reported.add(new TaggedTest(
                    component,
                    new TestResult(
                            TestIds.FISHER_OVER_BLOCKS,
                            Double.NaN,
                            f,
                            Double.NaN,
                            blockExact.size(),
                            "Fisher over " + blockExact.size()
                                    + " suspect blocks of the hidden-unit matching tests (independent under H0)"),
                    Kind.PRIMARY));
        }
        if (!blockAll.isEmpty()) {
            List<Double> all = new ArrayList<>(blockAll);
            all.addAll(stackTensors);
            double cc = cauchyOf(all);
            parts.add(cc);
            reported.add(new TaggedTest(
                    component,
                    new TestResult(
                            TestIds.CAUCHY_OVER_BLOCKS,
                            Double.NaN,
                            cc,
                            Double.NaN,
                            all.size(),
                            "Cauchy combination over " + all.size()
                                    + " blocks and stack tensors (valid under dependence)"),
                    Kind.PRIMARY));
        } else if (!stackTensors.isEmpty()) {
            parts.add(cauchyOf(stackTensors));
        }
        return new StackValue(parts.isEmpty() ? null : cauchyOf(parts), reported);
    }

    // ------------------------------------------------------------------ across components

    /**
     * Holm's step-down adjustment across the components that have a value; null entries (no test
     * applied) stay null and do not count as hypotheses.
     */
    static List<Double> holm(List<Double> log10ps) {
        List<Integer> withP = new ArrayList<>();
        for (int k = 0; k < log10ps.size(); k++) {
            if (log10ps.get(k) != null) {
                withP.add(k);
            }
        }
        double[] raw = withP.stream().mapToDouble(log10ps::get).toArray();
        double[] adj = raw.length == 0 ? raw : LogP.holm(raw);
        List<Double> out = new ArrayList<>(java.util.Collections.nCopies(log10ps.size(), (Double) null));
        for (int k = 0; k < withP.size(); k++) {
            out.set(withP.get(k), adj[k]);
        }
        return out;
    }

    /** Units of the largest combinable test that applied (0: none). */
    static int largestN(List<TaggedTest> tests) {
        return tests.stream()
                .filter(TaggedTest::combinable)
                .mapToInt(t -> t.result().applicable() ? t.result().n() : 0)
                .max()
                .orElse(0);
    }

    /** Whether some combinable test ran on at least {@link #MIN_POWER_N} units. */
    static boolean hasPower(List<TaggedTest> tests) {
        return tests.stream().anyMatch(t -> t.combinable() && t.result().n() >= MIN_POWER_N);
    }

    /** A component's verdict and the sentence that explains it. */
    record Judgement(Verdict verdict, String reason) {}

    /**
     * A component's verdict: SHARED_LINEAGE at or below the shared threshold; INDEPENDENT above the
     * independent threshold when its tests had power; otherwise INCONCLUSIVE.
     *
     * @param adjusted the Holm-adjusted value; null when no test applied
     * @param whyNone the reason given when no test applied
     */
    static Judgement judge(Double adjusted, boolean power, String whyNone, Thresholds th) {
        return judge(adjusted, power, -1, whyNone, th);
    }

    /**
     * {@link #judge(Double, boolean, String, Thresholds)}, saying how many units the largest test
     * covered when the tests had no power.
     *
     * @param largestN units of the largest combinable test; negative when unknown
     */
    static Judgement judge(Double adjusted, boolean power, int largestN, String whyNone, Thresholds th) {
        if (adjusted == null) {
            return new Judgement(Verdict.INCONCLUSIVE, whyNone);
        }
        double a = adjusted;
        if (a <= th.sharedLog10p()) {
            return new Judgement(
                    Verdict.SHARED_LINEAGE,
                    String.format(Locale.ROOT, "Holm-adjusted log10 p %.1f ≤ %.1f", a, th.sharedLog10p()));
        }
        if (a > th.independentLog10p() && power) {
            return new Judgement(
                    Verdict.INDEPENDENT,
                    String.format(
                            Locale.ROOT,
                            "Holm-adjusted log10 p %.2f > %.1f with tests of adequate power",
                            a,
                            th.independentLog10p()));
        }
        return new Judgement(
                Verdict.INCONCLUSIVE,
                !power
                        ? (largestN < 0
                                ? "tests too small to have power (fewer than " + MIN_POWER_N + " units)"
                                : "tests too small to have power: the largest covered " + largestN + " unit"
                                        + (largestN == 1 ? "" : "s") + ", fewer than the " + MIN_POWER_N
                                        + " needed to call a pair independent")
                        : String.format(
                                Locale.ROOT,
                                "Holm-adjusted log10 p %.2f lies between the thresholds %.1f and %.1f",
                                a,
                                th.sharedLog10p(),
                                th.independentLog10p()));
    }

    /**
     * The pair's verdict: SHARED_LINEAGE if any component is; INDEPENDENT when the components judged
     * INDEPENDENT hold at least half of the parameters of the components with a value; otherwise
     * INCONCLUSIVE.
     */
    static Verdict overall(List<ComponentResult> components) {
        if (components.stream().anyMatch(c -> c.verdict() == Verdict.SHARED_LINEAGE)) {
            return Verdict.SHARED_LINEAGE;
        }
        long compared = 0;
        long independent = 0;
        for (ComponentResult c : components) {
            if (c.log10p() != null) {
                compared += c.parameters();
                if (c.verdict() == Verdict.INDEPENDENT) {
                    independent += c.parameters();
                }
            }
        }
        return compared > 0 && independent * 2 >= compared ? Verdict.INDEPENDENT : Verdict.INCONCLUSIVE;
    }

    /** The pair's value: the smallest Holm-adjusted component value; null when no component has one. */
    static Double pairLog10p(List<ComponentResult> components) {
        Double best = null;
        for (ComponentResult c : components) {
            if (c.log10p() != null) {
                best = best == null ? c.log10p() : Math.min(best, c.log10p());
            }
        }
        return best;
    }
}
