package dev.pedigree.forensics.result;

import java.util.List;
import java.util.Objects;

/**
 * Lineage of the two tokenizers, reported beside the weight verdict and never used as proof of
 * weight lineage.
 *
 * @param jaccard |regular ∩| / |regular ∪| over normalised token strings
 * @param inheritedFraction fraction of the smaller regular vocabulary found in the larger one with
 *     its creation order preserved (longest increasing subsequence)
 * @param addedTokens regular tokens the derived side has that the parent lacks (0 when unrelated)
 * @param removedTokens regular tokens of the parent the derived side lacks
 * @param addedExamples a few added token strings, for the report
 * @param note how the relation was decided
 */
public record TokenizerLineage(
        Relation relation,
        Direction direction,
        double jaccard,
        double inheritedFraction,
        long addedTokens,
        long removedTokens,
        List<String> addedExamples,
        String note) {

    /** The contract's relation. */
    public enum Relation {
        IDENTICAL,
        DERIVED,
        INDEPENDENT,
        ABSENT
    }

    /** Which side inherits from which. */
    public enum Direction {
        SUSPECT_FROM_REFERENCE,
        REFERENCE_FROM_SUSPECT,
        UNKNOWN
    }

    public TokenizerLineage {
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(direction, "direction");
        addedExamples = List.copyOf(addedExamples);
        note = note == null ? "" : note;
    }

    /** The relation when one side has no tokenizer. */
    public static TokenizerLineage absent(String why) {
        return new TokenizerLineage(Relation.ABSENT, Direction.UNKNOWN, 0, 0, 0, 0, List.of(), why);
    }
}
