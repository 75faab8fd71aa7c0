package dev.pedigree.stats;

import java.util.Objects;

/**
 * One test outcome.
 *
 * <p>{@code log10p} is the base-10 logarithm of the p-value, computed in log space so that overwhelming evidence
 * gives a large negative finite number instead of 0 or {@code -Infinity}. Applicable results have
 * {@code log10p ∈ [-1e6, 0]} (values below -1e6 are clamped, tiny positive round-off is clamped to 0). {@code NaN}
 * means "not applicable" and is only produced by {@link #notApplicable}; the constructor rejects {@code NaN}
 * unless {@code statistic}, {@code effectSize} are NaN too and a reason is given in {@code note}.
 * Immutable and thread-safe.
 *
 * @param testId stable identifier of the test, e.g. {@code "zhu.match.spearman"}
 * @param statistic the test statistic (its meaning is documented by the producing test)
 * @param log10p log10 of the p-value, in {@code [-1e6, 0]}, or NaN when not applicable
 * @param effectSize an effect size on a scale documented by the producing test (e.g. a correlation)
 * @param n the sample size the p-value refers to
 * @param note free text: what was tested and anything the reader must know; never null
 */
public record TestResult(String testId, double statistic, double log10p, double effectSize, int n, String note) {

    /** Validates and clamps {@code log10p}. */
    public TestResult {
        Objects.requireNonNull(testId, "testId");
        note = note == null ? "" : note;
        if (Double.isNaN(log10p)) {
            if (note.isBlank()) {
                throw new IllegalArgumentException("NaN log10p without a reason for " + testId);
            }
        } else {
            if (log10p == Double.NEGATIVE_INFINITY) {
                throw new IllegalArgumentException(
                        "log10p = -Infinity for " + testId + ": must be computed in log space");
            }
            if (log10p > 1e-9) {
                throw new IllegalArgumentException("log10p > 0 for " + testId + ": " + log10p);
            }
            log10p = LogP.clamp(log10p);
        }
        if (n < 0) {
            throw new IllegalArgumentException("negative n for " + testId);
        }
    }

    /** A result saying the test could not be applied, and why. */
    public static TestResult notApplicable(String testId, String why) {
        return new TestResult(
                testId, Double.NaN, Double.NaN, Double.NaN, 0, why == null || why.isBlank() ? "not applicable" : why);
    }

    /** True unless this result came from {@link #notApplicable}. */
    public boolean applicable() {
        return !Double.isNaN(log10p);
    }

    /** The p-value itself for display; underflows to 0 below about 1e-308 (use {@link #log10p} for evidence). */
    public double p() {
        return Math.pow(10, log10p);
    }
}
