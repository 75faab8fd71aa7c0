package dev.pedigree.registry;

import dev.pedigree.forensics.CompareOptions;
import java.util.Objects;

/**
 * Options of {@link Identifier#identify}.
 *
 * @param compare options of each candidate's comparison
 * @param maxCandidates most pre-filter candidates given the full statistical comparison
 * @param widthLimit most registry models taken into the pre-filter on residual width alone
 */
public record IdentifyOptions(CompareOptions compare, int maxCandidates, int widthLimit) {
    public static final IdentifyOptions DEFAULT = new IdentifyOptions(CompareOptions.DEFAULT, 8, 64);

    public IdentifyOptions {
        Objects.requireNonNull(compare, "compare");
        if (maxCandidates < 1 || widthLimit < 0) {
            throw new IllegalArgumentException("maxCandidates must be positive and widthLimit not negative");
        }
    }

    public IdentifyOptions withMaxCandidates(int n) {
        return new IdentifyOptions(compare, n, widthLimit);
    }
}
