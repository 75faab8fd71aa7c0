package dev.pedigree.forensics;

/**
 * The family of a test the engine reports: which statistic it is, whatever block, expert or tensor
 * it ran on. {@link TestIds#family} maps an evidence id to its family; the report's method section
 * describes each family once (a {@code switch} without {@code default}, so a new family does not
 * compile until it has a description). Immutable.
 */
public enum TestFamily {
    /** Zhu et al.'s hidden-unit matching (and its rectangular and streamed forms); exact under H0. */
    HIDDEN_UNIT_MATCH,
    /** Agreement of the unit matchings of two matrices of one block. */
    MATCH_AGREEMENT,
    /**
     * Correlation of held-out matrices of a block pair after its heads or hidden units were matched on
     * the block's other matrices and its residual coordinates aligned on other blocks ({@link
     * HeldOutMatching}): survives every permutation at once.
     */
    HELD_OUT_MATCH,
    /** Correlation of entries at the same indices, plain or after the residual alignment. */
    FIXED_INDEX_CORRELATION,
    /** AWM's Gram CKA after the residual alignment; weak, never combined. */
    ALIGNED_CKA,
    /** HuRef's gain-folded query-key invariant; weak, never combined. */
    ATTENTION_INVARIANT,
    /** Centred correlation of norm gains and biases; weak, never combined. */
    CENTRED_VECTOR,
    /** Fisher's combination of the exact matchings over a stack's blocks. */
    FISHER,
    /** Cauchy combination over a stack's blocks and stack tensors. */
    CAUCHY,
    /**
     * A marker that a block pair's permutation-robust stage did not run because its fixed-index
     * tests already decided it; it carries no p-value.
     */
    SKIPPED_STAGE,
    /**
     * Bit-identical tensors found by content hash, whatever their names ({@link IdenticalTensors});
     * decides its component.
     */
    IDENTICAL_TENSORS,
    /** An id this version of the engine does not build (for example read from another tool's JSON). */
    UNKNOWN
}
