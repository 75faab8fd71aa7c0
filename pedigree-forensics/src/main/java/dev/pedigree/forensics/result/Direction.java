package dev.pedigree.forensics.result;

import java.util.List;

/**
 * Which side of a shared-lineage pair came first, when the weights show it (issue 14 §4).
 *
 * @param earlier "reference" or "suspect" when the weights show that side came first; null when they do not (the
 *     two are relatives: either may derive from the other, or both from a common ancestor)
 * @param reasons what shows it (a quantised side, a layer subset, an extended vocabulary), or, when it is not shown,
 *     why not (nothing tells them apart, or the signs disagree)
 */
public record Direction(String earlier, List<String> reasons) {
    public static final String REFERENCE = "reference";
    public static final String SUSPECT = "suspect";

    public Direction {
        if (earlier != null && !earlier.equals(REFERENCE) && !earlier.equals(SUSPECT)) {
            throw new IllegalArgumentException("earlier " + earlier);
        }
        reasons = List.copyOf(reasons);
    }

    /** Whether the weights show which side came first. */
    public boolean shown() {
        return earlier != null;
    }

    /** "ancestor" (the reference came first), "descendant" (the suspect came first) or "relatives". */
    public String relation() {
        return earlier == null ? "relatives" : earlier.equals(REFERENCE) ? "ancestor" : "descendant";
    }

    /** The reasons as one clause, joined by "; ". */
    public String reason() {
        return String.join("; ", reasons);
    }
}
