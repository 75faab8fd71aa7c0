package dev.pedigree.forensics;

import dev.pedigree.forensics.result.EarlyStopping;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.MatchingPower;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Power-based early stopping of the wide hidden-unit matchings (a screening layer in front of
 * {@link PermutationStage}'s full streamed assignments, which are most of an unrelated pair's cost).
 * A block pair's MLP is first matched on a few sampled units ({@link #plan}: the fewest of 32–512
 * whose screen detects a block related as weakly as r = {@value #TARGET_R} with model-based
 * probability ≥ {@value #TARGET_POWER}, {@link MatchingPower}); the sample is a subset of the full
 * test's. If any screening test (matchings, aligned matchings, agreements) reaches log10 p ≤
 * {@value #ESCALATE_LOG10P}, the screen is discarded and the full assignment runs as before;
 * otherwise the screen's tests are the block pair's, each p-value raised to {@code p + m·t} for
 * the {@code m} screening tests at threshold {@code t}.
 *
 * <p><b>Validity.</b> For a reported test, {@code P(reported ≤ α) ≤ P(no escalation, p_screen + m·t
 * ≤ α) + P(escalation, p_full ≤ α)}. Without escalation every screening p exceeds t, so the first
 * term is at most {@code (α − m·t)⁺}; escalation happens under H0 with probability at most {@code
 * m·t} (union bound) and the full test is valid, so the second is at most {@code min(α, m·t)}: the
 * sum is at most α. The screens are exact tests of their own (the sampled matching's and
 * agreement's bounds), so the null distribution of every reported p-value stays valid; a pair with
 * signal escalates and gets today's full tests.
 *
 * <p><b>The whole battery of a wide block pair</b> (one whose MLP has such a screen) is stopped the
 * same way ({@link BlockBattery#sample}): first the fixed-index tests of every attention and MLP
 * matrix on a few seeded rows ({@link #batteryPlan}: the fewest of 64–512 rows per matrix reaching
 * power {@value #TARGET_POWER} at r = {@value #TARGET_R} for units at the same index, {@link
 * #fixedIndexPower}), then the matching screen above. A sampled test, the pair's screening value
 * or a matching screen at or below the threshold runs today's full battery unchanged (so a related
 * pair's results are exactly those of the full battery); otherwise the samples' tests are the pair's,
 * raised to {@code p + m·t} with m counting every test of the rule ({@link #stoppedBattery}; the
 * proof above holds as it is), and the effect-only aligned CKA and attention invariants are skipped
 * with the reason. When neither of a suspect block's two candidate reference blocks shows a signal
 * in its sample, only the same-index candidate's MLP is matched (screening, which is blind to a
 * permutation of units, cannot point a permuted derivative's block at its partner; the same index
 * can), and the other pair's m still counts the screen it skipped.
 *
 * <p><b>The second sample.</b> A first fixed-index sample whose strongest test lies between {@value
 * #SECOND_SAMPLE_ABOVE_LOG10P} and the threshold (a weak signal, as chance gives) is checked on a
 * second sample of twice the rows, disjoint from the first, before the full battery runs; its tests
 * replace the first's, raised with the same m. Stopping after it is a branch carved out of the
 * escalation event, whose probability under H0 is still at most m·t, so the proof above holds as
 * it is (docs/early-stopping-and-read-accounting.md, "The second sample"); a related block is missed
 * only if one of the two samples misses it, so the plan states {@code power1 + power2 − 1}.
 *
 * <p>Stateless apart from the comparison's {@link Tally}.
 */
final class EarlyStop {
    /** The weak relation the power is stated for: per-unit weight correlation. */
    static final double TARGET_R = 0.1;
    /** Power a screen must reach at {@link #TARGET_R} to stop early; below it the full assignment runs. */
    static final double TARGET_POWER = 0.999;
    /** A screening test at or below this log10 p escalates the block pair to the full assignment. */
    static final double ESCALATE_LOG10P = -3;
    /** Screen sizes tried, smallest first. */
    private static final int[] SCREEN_UNITS = {32, 64, 128, 256, 512};

    private EarlyStop() {}

    /**
     * A screen of {@code units} sampled units, matched among {@code range} sampled reference units (a
     * seeded sample containing the same indices; 0: every reference unit), reaching {@code power} at
     * {@link #TARGET_R}.
     */
    record Plan(int units, int range, double power) {
        /** "k of h units", with the sampled reference units when there are. */
        String describe(int h) {
            return range == 0
                    ? String.format(Locale.ROOT, "%d of %d units", units, h)
                    : String.format(
                            Locale.ROOT,
                            "%d of %d units, each matched among %d seeded reference units (containing the same"
                                    + " indices)",
                            units,
                            h,
                            range);
        }
    }

    /**
     * The screen for matchings of {@code h} units compared on {@code features} coordinates whose full
     * assignment would match {@code fullUnits}, against every reference unit; null when no screen
     * smaller than the full test reaches {@link #TARGET_POWER} (then the full assignment runs without
     * a screen).
     */
    static Plan plan(int h, int features, int fullUnits) {
        return plan(h, features, fullUnits, false);
    }

    /**
     * {@link #plan(int, int, int)}; with {@code sampleReference}, the reference units may be sampled
     * too ({@link dev.pedigree.stats.tests.HiddenUnitMatchTest#matchSampledWithin}): of the pairs of
     * {@link #SCREEN_UNITS} and {@link #SCREEN_RANGE} (or all h) reaching the power, the one with the
     * smallest cost, {@code range·(1 + units/32)} (each reference unit is decoded once and multiplied
     * with every sampled unit, plain and aligned).
     */
    static Plan plan(int h, int features, int fullUnits, boolean sampleReference) {
        // The power takes a numerical integration per screen size; a comparison asks for the same
        // few shapes once per block pair.
        return PLANS.computeIfAbsent(
                        List.of(h, features, fullUnits, sampleReference ? 1 : 0),
                        x -> Optional.ofNullable(search(h, features, fullUnits, sampleReference)))
                .orElse(null);
    }

    /** {@link #plan}s computed so far, by (h, features, fullUnits, sampleReference). */
    private static final Map<List<Integer>, Optional<Plan>> PLANS = new ConcurrentHashMap<>();

    /** Sampled reference units a screen may be matched among, smallest first (below the layer's count). */
    private static final int[] SCREEN_RANGE = {512, 768, 1024, 1536, 2048, 3072, 4096};

    private static Plan search(int h, int features, int fullUnits, boolean sampleReference) {
        Plan best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        List<Integer> ranges = new ArrayList<>();
        if (sampleReference) {
            for (int m : SCREEN_RANGE) {
                if (m < h) {
                    ranges.add(m);
                }
            }
        }
        ranges.add(h);
        for (int m : ranges) {
            double q = Double.NaN;
            for (int k : SCREEN_UNITS) {
                // A sampled range holds at least twice the sampled units (it contains them).
                if (k >= Math.min(fullUnits, h) || (m < h && k > m / 2)) {
                    break;
                }
                double cost = m * (1 + k / 32.0);
                if (cost >= bestCost) {
                    break;
                }
                if (Double.isNaN(q)) {
                    q = MatchingPower.partnerWins(TARGET_R, features, m);
                }
                double power = MatchingPower.powerGiven(q, k, m, h, ESCALATE_LOG10P);
                if (power >= TARGET_POWER) {
                    best = new Plan(k, m < h ? m : 0, power);
                    bestCost = cost;
                    break;
                }
            }
        }
        return best;
    }

    /**
     * Whether wide block pairs are first tested on samples ({@link BlockBattery#sample}); false only in
     * tests that compare a result with the battery run in full.
     */
    static volatile boolean sampledBatteries = true;

    /** Rows per matrix tried for the sampled fixed-index tests of a wide block pair, smallest first. */
    private static final int[] BATTERY_ROWS = {64, 128, 256, 512};

    /**
     * The sampled fixed-index tests of a wide block pair: rows read per matrix, the second, disjoint
     * sample's rows per matrix (0: none; a first sample's signal runs the full battery), and the power
     * of the whole procedure: with a second sample, {@code power1 + power2 − 1} (a related block is
     * missed only when one of the two samples misses it), else the first sample's.
     */
    record BatteryPlan(int rows, double power, int secondRows) {}

    /**
     * A first sample whose strongest test is at or below this log10 p runs the full battery at once;
     * between it and {@link #ESCALATE_LOG10P} a second, disjoint sample decides first. A cost rule
     * only (a related pair's signal is usually far below it, and it spares that pair a second sample);
     * the error and power bounds hold for any such split.
     */
    static final double SECOND_SAMPLE_ABOVE_LOG10P = -6;

    /**
     * The fewest rows per matrix (of 64–512) whose sampled fixed-index tests detect a block related as
     * weakly as r = {@value #TARGET_R} with power ≥ {@value #TARGET_POWER}, the power being the
     * smallest over the block's matrices ({@code shapes}: stored rows × columns, output-side matrices
     * flagged); null when none does (the full battery runs). Where every matrix has rows for it, a
     * first sample whose signal is weak is checked on a second, disjoint sample of twice the rows
     * ({@link BlockBattery#sample}), and the plan's power is that of both stages together.
     */
    static BatteryPlan batteryPlan(List<int[]> shapes, List<Boolean> outputSide) {
        for (int k : BATTERY_ROWS) {
            double power = samplePower(shapes, outputSide, k);
            if (power < TARGET_POWER) {
                continue;
            }
            int second = 2 * k;
            boolean room = true;
            for (int[] rc : shapes) {
                room &= rc[0] >= k + second;
            }
            double both = room ? power + samplePower(shapes, outputSide, second) - 1 : 0;
            return both >= TARGET_POWER ? new BatteryPlan(k, both, second) : new BatteryPlan(k, power, 0);
        }
        return null;
    }

    /** The smallest power over the matrices of the fixed-index tests on {@code k} sampled rows each. */
    private static double samplePower(List<int[]> shapes, List<Boolean> outputSide, int k) {
        double power = 1;
        for (int t = 0; t < shapes.size(); t++) {
            int[] rc = shapes.get(t);
            int read = Math.min(k, rc[0]);
            // Input side: the sampled rows are the units, over every column; output side: every
            // column is a unit, over the sampled rows.
            power = Math.min(
                    power,
                    outputSide.get(t)
                            ? fixedIndexPower(TARGET_R, rc[1], read)
                            : fixedIndexPower(TARGET_R, read, rc[1]));
        }
        return power;
    }

    /** How many of {@code tests} apply. */
    static int applicable(List<TaggedTest> tests) {
        int m = 0;
        for (TaggedTest t : tests) {
            m += t.result().applicable() ? 1 : 0;
        }
        return m;
    }

    /** The smallest applicable log10 p of {@code tests} (0 when none applies). */
    static double strongest(List<TaggedTest> tests) {
        double min = 0;
        for (TaggedTest t : tests) {
            if (t.result().applicable()) {
                min = Math.min(min, t.result().log10p());
            }
        }
        return min;
    }

    /**
     * Model-based power of the fixed-index correlation test ({@code AlignedCorrelationTest}) of
     * {@code units} unit pairs over {@code features} coordinates to reach {@link #ESCALATE_LOG10P}
     * when every unit correlates {@code r} with the unit at its index (Gaussian weights). Its CLT part
     * alone is counted (the diagonal-wins part only adds power): the diagonal sum exceeds its
     * permutation mean by {@code n·r·(1 − 1/g)} for groups of g units (g = n in the full form, the
     * smallest group, 8, in the grouped form), the permutation variance is about {@code n/f +
     * n·r²/(g − 1)}, and the test escalates when z ≥ the normal quantile of 10^−3 / 2 (its Bonferroni
     * ×2). Errs low: the observed sum varies less around its mean than the null variance says.
     */
    static double fixedIndexPower(double r, int units, int features) {
        if (units < 3 || features < BatteryContext.MIN_FEATURES) {
            return 0;
        }
        double n = units;
        double g = dev.pedigree.stats.tests.AlignedCorrelationTest.usesGroupedForm(units, features) ? 8 : n;
        double mean = n * r * (1 - 1 / g);
        double var = n / features + n * r * r / (g - 1);
        double zCrit = normalQuantileUpper(ESCALATE_LOG10P - Math.log10(2));
        double shortfall = zCrit - mean / Math.sqrt(var);
        return 1 - Math.pow(10, LogP.normalUpper(-shortfall));
    }

    /** The z whose one-sided normal upper tail has log10 {@code log10p} (bisection). */
    private static double normalQuantileUpper(double log10p) {
        double lo = 0;
        double hi = 40;
        for (int it = 0; it < 100; it++) {
            double mid = (lo + hi) / 2;
            if (LogP.normalUpper(mid) > log10p) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return hi;
    }

    /**
     * A wide block pair's tests decided from its samples: the sampled fixed-index tests and the
     * matching screen's tests ({@code screen}, empty when the MLP was not matched), each p-value
     * raised to {@code p + m·t} for the {@code m} tests whose signal would have sent the pair to the
     * full battery: the applicable tests given here plus {@code extraM} (the block pair's screening
     * value, and a matching screen that was not run but would have been had another sample shown a
     * signal).
     */
    static List<TaggedTest> stoppedBattery(
            List<TaggedTest> fixed, List<TaggedTest> screen, int extraM, BatteryPlan battery, Plan plan, int h) {
        int m = extraM;
        for (TaggedTest t : fixed) {
            m += t.result().applicable() ? 1 : 0;
        }
        for (TaggedTest t : screen) {
            m += t.result().applicable() ? 1 : 0;
        }
        List<TaggedTest> out = new ArrayList<>();
        String why = String.format(
                Locale.ROOT,
                "no test of the block pair's samples at log10p <= %.0f, so the full battery was not run",
                ESCALATE_LOG10P);
        for (TaggedTest t : fixed) {
            out.add(raise(
                    t,
                    m,
                    String.format(
                            Locale.ROOT,
                            "; early stop: %s (fixed-index power %.4f for a block related at r = %.1f)",
                            why,
                            battery.power(),
                            TARGET_R)));
        }
        for (TaggedTest t : screen) {
            out.add(raise(
                    t,
                    m,
                    String.format(
                            Locale.ROOT,
                            "; early stop: screen of %s, %s (power %.4f for a block related at r = %.1f)",
                            plan.describe(h),
                            why,
                            plan.power(),
                            TARGET_R)));
        }
        return out;
    }

    /** A test's p-value raised to {@code p + m·t}, with {@code note} and the arithmetic appended. */
    private static TaggedTest raise(TaggedTest t, int m, String note) {
        TestResult r = t.result();
        if (!r.applicable()) {
            return t;
        }
        double l = Math.min(0, Math.log10(Math.min(1, Math.pow(10, r.log10p()) + m * Math.pow(10, ESCALATE_LOG10P))));
        String n = r.note()
                + note
                + String.format(
                        Locale.ROOT,
                        "; p + %d x %.0e for the escalation rule (was log10p %.3g)",
                        m,
                        Math.pow(10, ESCALATE_LOG10P),
                        r.log10p());
        return new TaggedTest(
                t.component(),
                new TestResult(r.testId(), r.statistic(), LogP.clamp(l), r.effectSize(), r.n(), n),
                t.kind());
    }

    /** Whether any applicable screening test reached {@link #ESCALATE_LOG10P}. */
    static boolean escalate(List<TaggedTest> screen) {
        for (TaggedTest t : screen) {
            TestResult r = t.result();
            if (r.applicable() && r.log10p() <= ESCALATE_LOG10P) {
                return true;
            }
        }
        return false;
    }

    /** The screening tests as the block pair's result: {@code p + m·t}, with a note saying so. */
    static List<TaggedTest> stopped(List<TaggedTest> screen, Plan plan, int h) {
        int m = 0;
        for (TaggedTest t : screen) {
            if (t.result().applicable()) {
                m++;
            }
        }
        String note = String.format(
                Locale.ROOT,
                "; early stop: screen of %s, no screening test at log10p <= %.0f, so the"
                        + " full assignment was not run (power %.4f for a block related at r = %.1f)",
                plan.describe(h),
                ESCALATE_LOG10P,
                plan.power(),
                TARGET_R);
        List<TaggedTest> out = new ArrayList<>();
        for (TaggedTest t : screen) {
            out.add(raise(t, m, note));
        }
        return out;
    }

    /** What the screens of one comparison did; thread-safe. */
    static final class Tally {
        private int stopped;
        private int escalated;
        private int units;
        /** Most sampled reference units a stopped screen was matched among (0: none sampled them). */
        private int range;

        private double minPower = Double.NaN;
        private int batteryStopped;
        private int batteryUnmatched;
        private int batteryEscalated;
        private int batteryRows;
        private double batteryPower = Double.NaN;
        private int batterySecond;
        private int batterySecondRows;

        /**
         * A wide block pair decided from its samples ({@code matched}: with the matching screen of {@code
         * plan}; {@code second}: its first sample's weak signal was checked on a second one).
         */
        synchronized void batteryStopped(BatteryPlan battery, Plan plan, boolean matched, boolean second) {
            batteryStopped++;
            second(battery, second);
            batteryRows = Math.max(batteryRows, battery.rows());
            double p = matched ? Math.min(battery.power(), plan.power()) : battery.power();
            batteryPower = Double.isNaN(batteryPower) ? p : Math.min(batteryPower, p);
            if (matched) {
                stopped(plan);
            } else {
                batteryUnmatched++;
            }
        }

        /** A wide block pair whose samples showed a signal: the full battery ran. */
        synchronized void batteryEscalated(BatteryPlan battery, boolean second) {
            batteryEscalated++;
            second(battery, second);
            batteryRows = Math.max(batteryRows, battery.rows());
        }

        private void second(BatteryPlan battery, boolean second) {
            if (second) {
                batterySecond++;
                batterySecondRows = Math.max(batterySecondRows, battery.secondRows());
            }
        }

        synchronized void stopped(Plan plan) {
            stopped++;
            units = Math.max(units, plan.units());
            range = Math.max(range, plan.range());
            minPower = Double.isNaN(minPower) ? plan.power() : Math.min(minPower, plan.power());
        }

        synchronized void escalated(Plan plan) {
            escalated++;
            units = Math.max(units, plan.units());
        }

        /** The summary for the result; null when no block pair was screened. */
        synchronized EarlyStopping summary() {
            if (stopped + escalated + batteryStopped + batteryEscalated == 0) {
                return null;
            }
            String battery = batteryStatement();
            String matchings = stopped + escalated == 0 ? "" : matchingStatement();
            String statement =
                    battery.isEmpty() ? matchings : matchings.isEmpty() ? battery : battery + " " + matchings;
            return new EarlyStopping(
                    TARGET_R,
                    minPower,
                    ESCALATE_LOG10P,
                    units,
                    stopped,
                    escalated,
                    batteryRows,
                    batteryPower,
                    batteryStopped,
                    batteryUnmatched,
                    batteryEscalated,
                    batterySecondRows,
                    batterySecond,
                    statement);
        }

        /** The sentence on the sampled batteries; empty when no block pair was sampled. */
        private String batteryStatement() {
            if (batteryStopped + batteryEscalated == 0) {
                return "";
            }
            if (batteryStopped == 0) {
                return String.format(
                        Locale.ROOT,
                        "Each of %d wide block pair%s was first tested on %d seeded rows per matrix; each sample"
                                + " showed a signal, so each ran the full battery.",
                        batteryEscalated,
                        batteryEscalated == 1 ? "" : "s",
                        batteryRows);
            }
            return String.format(
                    Locale.ROOT,
                    "The whole battery of %d of %d wide block pairs was decided from samples (fixed-index tests on %d"
                            + " seeded rows per matrix%s%s; no test at log10 p <= %.0f; the others ran the full battery):"
                            + " a block related as weakly as r = %.1f at the same unit indices would have been detected"
                            + " with probability >= %s.",
                    batteryStopped,
                    batteryStopped + batteryEscalated,
                    batteryRows,
                    batterySecond == 0
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    ", then on a second, disjoint sample of %d rows for %d pair%s whose first sample's"
                                            + " strongest test was between log10 p %.0f and %.0f",
                                    batterySecondRows,
                                    batterySecond,
                                    batterySecond == 1 ? "" : "s",
                                    SECOND_SAMPLE_ABOVE_LOG10P,
                                    ESCALATE_LOG10P),
                    batteryUnmatched == 0
                            ? ", and the hidden-unit matching screen"
                            : String.format(
                                    Locale.ROOT,
                                    ", and the hidden-unit matching screen except for %d second candidate%s of a"
                                            + " suspect block whose candidates' samples both showed nothing",
                                    batteryUnmatched,
                                    batteryUnmatched == 1 ? "" : "s"),
                    ESCALATE_LOG10P,
                    TARGET_R,
                    floorTo(batteryPower));
        }

        /** The sentence on the hidden-unit matching screens. */
        private String matchingStatement() {
            return stopped == 0
                    ? String.format(
                            Locale.ROOT,
                            "The hidden-unit matchings of %d block pair%s were screened on %d sampled units first; each"
                                    + " screen showed a signal, so each ran the full assignment.",
                            escalated,
                            escalated == 1 ? "" : "s",
                            units)
                    : String.format(
                            Locale.ROOT,
                            "The hidden-unit matchings of %d of %d block pairs were decided from a screen of %d sampled"
                                    + " units%s (no signal; the others ran the full assignment): a block related as weakly"
                                    + " as r = %.1f would have been detected with probability >= %s.",
                            stopped,
                            stopped + escalated,
                            units,
                            range == 0
                                    ? ""
                                    : String.format(
                                            Locale.ROOT,
                                            ", each matched among at most %d seeded reference units containing the"
                                                    + " same indices",
                                            range),
                            TARGET_R,
                            floorTo(minPower));
        }

        /** The power rounded down to three decimals: never overstated. */
        private static String floorTo(double p) {
            return String.format(Locale.ROOT, "%.3f", Math.floor(p * 1000) / 1000);
        }
    }
}
