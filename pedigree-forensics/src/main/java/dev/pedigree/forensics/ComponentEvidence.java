package dev.pedigree.forensics;

import dev.pedigree.model.Component;
import java.util.List;
import java.util.Map;

/**
 * One component's evidence before the correction across components ({@link Combination#holm}).
 * Immutable.
 *
 * @param parameters the component's parameters in the suspect
 * @param tests every test that ran for it, in report order
 * @param log10p its combined value; null when no test applied
 * @param power whether its tests had power ({@link Combination#hasPower})
 * @param reason why no test applied (empty when one did)
 * @param matchedBlocks suspect block → reference block of the layer map (first match of each block)
 */
record ComponentEvidence(
        Component component,
        long parameters,
        List<TaggedTest> tests,
        Double log10p,
        boolean power,
        String reason,
        Map<Integer, Integer> matchedBlocks) {

    /** No test ran, for {@code reason}. */
    static ComponentEvidence none(Component c, long parameters, String reason) {
        return new ComponentEvidence(c, parameters, List.of(), null, false, reason, Map.of());
    }

    /** The Cauchy combination of {@code tests}; {@code whyNone} when none applied. */
    static ComponentEvidence combined(
            Component c, long parameters, List<TaggedTest> tests, Map<Integer, Integer> matched, String whyNone) {
        Double p = Combination.cauchy(tests);
        return new ComponentEvidence(
                c, parameters, tests, p, Combination.hasPower(tests), p == null ? whyNone : "", matched);
    }

    /** The same evidence for another component's entry (its parameters kept). */
    ComponentEvidence as(Component c, long params) {
        return new ComponentEvidence(c, params, tests, log10p, power, reason, Map.of());
    }
}
