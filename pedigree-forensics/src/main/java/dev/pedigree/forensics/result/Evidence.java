package dev.pedigree.forensics.result;

import java.util.Objects;

/**
 * One statistical test's outcome inside a component.
 *
 * @param test stable identifier of the test, e.g. {@code mlp.up.match} or {@code layer3.attn.q.cka}
 * @param statistic the test statistic (null when the test did not apply)
 * @param log10p base-10 log of the p-value under H0 (independent initialisation), computed in log
 *     space and never {@code -Infinity}; null when the test did not apply
 * @param note what was compared, sample sizes, or why the test did not apply
 */
public record Evidence(String test, Double statistic, Double log10p, String note) {
    public Evidence {
        Objects.requireNonNull(test, "test");
        note = note == null ? "" : note;
        if (log10p != null && (log10p.isNaN() || log10p.isInfinite() || log10p > 0)) {
            throw new IllegalArgumentException("log10p out of range: " + log10p + " for " + test);
        }
    }
}
