package dev.pedigree.forensics.result;

import java.util.Objects;

/**
 * What the power-based early stopping of a comparison's wide hidden-unit matchings did: block pairs
 * whose MLP was judged from a screen of a few sampled units (no screening test reached the
 * escalation threshold), block pairs escalated to the full assignment, and the power the screens
 * reached against a weakly related block.
 *
 * @param targetR the correlation of the weakly related block the power is stated for (0.1)
 * @param power the smallest model-based power of the screens that stopped early (NaN: none stopped)
 * @param escalationLog10p a screening test at or below this log10 p escalates its block pair
 * @param screenedUnits the most units any screen matched
 * @param stopped block pairs judged from the screen alone
 * @param escalated block pairs whose screen showed a signal, judged by the full assignment
 * @param statement the plain sentence for reports
 */
public record EarlyStopping(
        double targetR,
        double power,
        double escalationLog10p,
        int screenedUnits,
        int stopped,
        int escalated,
        String statement) {
    public EarlyStopping {
        Objects.requireNonNull(statement, "statement");
        if (stopped < 0 || escalated < 0 || screenedUnits < 0) {
            throw new IllegalArgumentException("negative counts");
        }
    }
}
