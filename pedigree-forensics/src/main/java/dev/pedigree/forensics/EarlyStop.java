package dev.pedigree.forensics;

import dev.pedigree.forensics.result.EarlyStopping;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.MatchingPower;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Power-based early stopping of the wide hidden-unit matchings (a screening layer in front of
 * {@link PermutationStage}'s full streamed assignments, which are most of an unrelated pair's cost).
 * A block pair's MLP is first matched on a few sampled units ({@link #plan}: the fewest of 64–512
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
    private static final int[] SCREEN_UNITS = {64, 128, 256, 512};

    private EarlyStop() {}

    /** A screen of {@code units} sampled units reaching {@code power} at {@link #TARGET_R}. */
    record Plan(int units, double power) {}

    /**
     * The screen for matchings of {@code h} units compared on {@code features} coordinates whose full
     * assignment would match {@code fullUnits}; null when no screen smaller than the full test
     * reaches {@link #TARGET_POWER} (then the full assignment runs without a screen).
     */
    static Plan plan(int h, int features, int fullUnits) {
        for (int k : SCREEN_UNITS) {
            if (k >= Math.min(fullUnits, h)) {
                return null;
            }
            double power = MatchingPower.power(TARGET_R, k, h, features, ESCALATE_LOG10P);
            if (power >= TARGET_POWER) {
                return new Plan(k, power);
            }
        }
        return null;
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
        double add = m * Math.pow(10, ESCALATE_LOG10P);
        List<TaggedTest> out = new ArrayList<>();
        for (TaggedTest t : screen) {
            TestResult r = t.result();
            if (!r.applicable()) {
                out.add(t);
                continue;
            }
            double l = Math.min(0, Math.log10(Math.min(1, Math.pow(10, r.log10p()) + add)));
            String note = r.note()
                    + String.format(
                            Locale.ROOT,
                            "; early stop: screen of %d of %d units, no screening test at log10p <= %.0f, so the"
                                    + " full assignment was not run (power %.4f for a block related at r = %.1f);"
                                    + " p + %d x %.0e for the escalation rule (was log10p %.3g)",
                            plan.units(),
                            h,
                            ESCALATE_LOG10P,
                            plan.power(),
                            TARGET_R,
                            m,
                            Math.pow(10, ESCALATE_LOG10P),
                            r.log10p());
            out.add(new TaggedTest(
                    t.component(),
                    new TestResult(r.testId(), r.statistic(), LogP.clamp(l), r.effectSize(), r.n(), note),
                    t.kind()));
        }
        return out;
    }

    /** What the screens of one comparison did; thread-safe. */
    static final class Tally {
        private int stopped;
        private int escalated;
        private int units;
        private double minPower = Double.NaN;

        synchronized void stopped(Plan plan) {
            stopped++;
            units = Math.max(units, plan.units());
            minPower = Double.isNaN(minPower) ? plan.power() : Math.min(minPower, plan.power());
        }

        synchronized void escalated(Plan plan) {
            escalated++;
            units = Math.max(units, plan.units());
        }

        /** The summary for the result; null when no block pair was screened. */
        synchronized EarlyStopping summary() {
            if (stopped + escalated == 0) {
                return null;
            }
            String statement = stopped == 0
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
                                    + " units (no signal; the others ran the full assignment): a block related as weakly"
                                    + " as r = %.1f would have been detected with probability >= %s.",
                            stopped,
                            stopped + escalated,
                            units,
                            TARGET_R,
                            floorTo(minPower));
            return new EarlyStopping(TARGET_R, minPower, ESCALATE_LOG10P, units, stopped, escalated, statement);
        }

        /** The power rounded down to three decimals: never overstated. */
        private static String floorTo(double p) {
            return String.format(Locale.ROOT, "%.3f", Math.floor(p * 1000) / 1000);
        }
    }
}
