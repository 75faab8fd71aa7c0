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
 * @param batterySampledRows the most rows per matrix read for the sampled fixed-index tests of a wide
 *     block pair (0: no block pair was sampled)
 * @param batteryPower the smallest model-based power of the block pairs decided from their samples
 *     (the fixed-index sample's, and the matching screen's when it ran; NaN: none)
 * @param batteryStopped wide block pairs whose whole battery was decided from their samples
 * @param batteryUnmatched of those, the pairs decided without the matching screen (a suspect block's
 *     second candidate when both candidates' samples showed nothing)
 * @param batteryEscalated wide block pairs whose samples showed a signal: the full battery ran
 * @param batterySecondRows the most rows per matrix of a second, disjoint fixed-index sample (0: none
 *     was taken)
 * @param batterySecond wide block pairs whose first sample's weak signal was checked on a second,
 *     disjoint sample (stopped or escalated as that sample said)
 * @param statement the plain sentence for reports
 */
public record EarlyStopping(
        double targetR,
        double power,
        double escalationLog10p,
        int screenedUnits,
        int stopped,
        int escalated,
        int batterySampledRows,
        double batteryPower,
        int batteryStopped,
        int batteryUnmatched,
        int batteryEscalated,
        int batterySecondRows,
        int batterySecond,
        String statement) {
    public EarlyStopping {
        Objects.requireNonNull(statement, "statement");
        if (stopped < 0
                || escalated < 0
                || screenedUnits < 0
                || batterySampledRows < 0
                || batteryStopped < 0
                || batteryUnmatched < 0
                || batteryEscalated < 0
                || batterySecondRows < 0
                || batterySecond < 0) {
            throw new IllegalArgumentException("negative counts");
        }
    }
}
