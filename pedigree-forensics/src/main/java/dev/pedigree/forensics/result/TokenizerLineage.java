package dev.pedigree.forensics.result;

import java.util.List;
import java.util.Objects;

/**
 * Lineage of the two tokenizers, reported beside the weight verdict and never used as proof of
 * weight lineage. Immutable and thread-safe.
 *
 * <p>Tokens are compared by the text they stand for, whatever a file calls them: an entry that one
 * side marks special (or added, or unused) and the other regular is the same token, counted in
 * {@link SpecialTokens#flagChanges()}, never as an addition or a removal. "Regular" tokens are the
 * learned ones (normal and byte); "special" tokens are every other entry (control, added,
 * unknown, unused), which are added to a vocabulary by hand rather than learned.
 *
 * @param jaccard |∩| / |∪| over the compared tokens (all entries when both sides record their
 *     special tokens, else the regular ones)
 * @param inheritedFraction fraction of the smaller regular vocabulary's multi-character tokens found in
 *     the larger one with their creation order preserved (longest increasing subsequence)
 * @param addedTokens regular tokens the derived side has that the parent lacks (when the direction
 *     is unknown: the suspect has and the reference lacks)
 * @param removedTokens regular tokens of the parent the derived side lacks
 * @param addedExamples a few added regular token strings, for the report
 * @param note how the relation was decided
 * @param order the ordered-inheritance test that decided DERIVED or INDEPENDENT
 * @param specials additions and removals of special tokens, and entries whose flag alone differs
 */
public record TokenizerLineage(
        Relation relation,
        Direction direction,
        double jaccard,
        double inheritedFraction,
        long addedTokens,
        long removedTokens,
        List<String> addedExamples,
        String note,
        OrderEvidence order,
        SpecialTokens specials) {

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

    /**
     * The ordered-inheritance statistic over the tokens of more than one character (single bytes and characters,
     * with or without a word-initial space, are the alphabet) that are regular on both sides.
     *
     * @param sharedTokens C, how many such tokens both vocabularies have
     * @param inheritedInOrder L, the longest subsequence of them that both create in the same order
     * @param score L / √C: independently built vocabularies stay near 2 (random order) to 6 (frequent
     *     tokens first in both); an inherited ordered core of substantial size scores far higher
     */
    public record OrderEvidence(long sharedTokens, long inheritedInOrder, double score) {
        public static final OrderEvidence NONE = new OrderEvidence(0, 0, 0);

        public OrderEvidence {
            if (sharedTokens < 0 || inheritedInOrder < 0 || inheritedInOrder > sharedTokens) {
                throw new IllegalArgumentException(
                        "inherited in order " + inheritedInOrder + " of " + sharedTokens + " shared tokens");
            }
        }
    }

    /**
     * Special tokens compared by text.
     *
     * @param compared false when a side's format records no special tokens (a {@code .tiktoken} rank
     *     file, a fingerprint): then only regular tokens were compared and the counts below are 0
     * @param added special tokens the derived side has that the parent lacks (suspect minus reference
     *     when the direction is unknown)
     * @param removed special tokens of the parent the derived side lacks
     * @param addedTexts the added special tokens' texts in id order, at most {@link #LISTED}
     * @param removedTexts the removed special tokens' texts in id order, at most {@link #LISTED}
     * @param flagChanges entries both sides have, special on one and regular on the other
     */
    public record SpecialTokens(
            boolean compared,
            long added,
            long removed,
            List<String> addedTexts,
            List<String> removedTexts,
            long flagChanges) {
        /** Most special-token texts listed per direction. */
        public static final int LISTED = 200;

        public static final SpecialTokens NOT_COMPARED = new SpecialTokens(false, 0, 0, List.of(), List.of(), 0);

        public SpecialTokens {
            addedTexts = List.copyOf(addedTexts);
            removedTexts = List.copyOf(removedTexts);
            if (added < addedTexts.size() || removed < removedTexts.size() || flagChanges < 0) {
                throw new IllegalArgumentException("special-token counts below the listed texts");
            }
        }
    }

    public TokenizerLineage {
        Objects.requireNonNull(relation, "relation");
        Objects.requireNonNull(direction, "direction");
        addedExamples = List.copyOf(addedExamples);
        note = note == null ? "" : note;
        order = order == null ? OrderEvidence.NONE : order;
        specials = specials == null ? SpecialTokens.NOT_COMPARED : specials;
    }

    /** A result without the order statistic and special-token details (results written before they existed). */
    public TokenizerLineage(
            Relation relation,
            Direction direction,
            double jaccard,
            double inheritedFraction,
            long addedTokens,
            long removedTokens,
            List<String> addedExamples,
            String note) {
        this(
                relation,
                direction,
                jaccard,
                inheritedFraction,
                addedTokens,
                removedTokens,
                addedExamples,
                note,
                OrderEvidence.NONE,
                SpecialTokens.NOT_COMPARED);
    }

    /** The relation when one side has no tokenizer. */
    public static TokenizerLineage absent(String why) {
        return new TokenizerLineage(Relation.ABSENT, Direction.UNKNOWN, 0, 0, 0, 0, List.of(), why);
    }
}
