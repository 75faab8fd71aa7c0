package dev.pedigree.forensics;

import dev.pedigree.stats.TestResult;
import java.util.Locale;

/**
 * A test result with how it enters the combination.
 *
 * @param component the reported component it is evidence for
 * @param result the stats result (its id already prefixed with the block pair)
 * @param kind PRIMARY tests enter the Cauchy combination; EXACT ones (hidden-unit matchings, exact
 *     under H0 by Zhu et al.'s permutation argument) also enter Fisher across blocks; WEAK ones
 *     (norm gains, biases) are reported and never combined
 */
record TaggedTest(String component, TestResult result, Kind kind) {
    enum Kind {
        EXACT,
        PRIMARY,
        WEAK
    }

    boolean combinable() {
        return kind != Kind.WEAK && result.applicable();
    }

    /**
     * A stats result under the engine's id and note (the stats module names its results after the
     * statistic; the engine after what was tested); every value is kept.
     */
    static TestResult relabel(TestResult t, String id, String note) {
        return new TestResult(id, t.statistic(), t.log10p(), t.effectSize(), t.n(), note);
    }

    /**
     * A weak marker for a test skipped because fixed-index evidence at or below {@link
     * Combination#DECISIVE_LOG10P} already decides it: "skipped: {@code evidence} log10 p … &lt;= −50
     * {@code then}".
     */
    static TaggedTest skipped(String component, String id, String evidence, double log10p, String then) {
        return new TaggedTest(
                component,
                TestResult.notApplicable(
                        id,
                        String.format(
                                Locale.ROOT,
                                "skipped: %s log10 p %.1f <= %.0f%s",
                                evidence,
                                log10p,
                                Combination.DECISIVE_LOG10P,
                                then)),
                Kind.WEAK);
    }
}
