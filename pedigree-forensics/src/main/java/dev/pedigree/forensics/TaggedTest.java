package dev.pedigree.forensics;

import dev.pedigree.stats.TestResult;

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
}
