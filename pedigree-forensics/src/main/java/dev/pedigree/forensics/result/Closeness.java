package dev.pedigree.forensics.result;

import java.util.List;
import java.util.Objects;

/**
 * How close the suspect's weights are to the reference's, bounded and comparable across results
 * (unlike log10 p, which saturates): measured per matched block pair and summarised per component.
 * Descriptive, never evidence.
 *
 * @param correlation median Pearson r of the matched tensors (entries at the same place after any
 *     undone permutation), in [−1, 1]
 * @param unitsMatched share of units (rows) whose weights correlate with their partner beyond chance
 *     (r above 4/√features), in [0, 1]
 * @param relativeChange median ‖W_suspect − W_reference‖_F / ‖W_reference‖_F of the matched tensors
 * @param permutationUndone whether a permutation of residual coordinates and units (found by the
 *     permutation-robust tests) was undone before measuring
 * @param rotationUndone whether, of what was undone, the residual basis was undone through a rotation (fitted on
 *     the probe tokens' embeddings) rather than a permutation
 * @param blocks per block pair of a stacked component (empty for token rows and flat components)
 */
public record Closeness(
        double correlation,
        double unitsMatched,
        double relativeChange,
        boolean permutationUndone,
        boolean rotationUndone,
        List<BlockCloseness> blocks) {
    public Closeness {
        blocks = List.copyOf(blocks);
    }

    /** A closeness whose basis, if undone, was undone by a permutation. */
    public Closeness(
            double correlation,
            double unitsMatched,
            double relativeChange,
            boolean permutationUndone,
            List<BlockCloseness> blocks) {
        this(correlation, unitsMatched, relativeChange, permutationUndone, false, blocks);
    }

    /**
     * One block pair's closeness.
     *
     * @param suspect the suspect block
     * @param reference its partner (the layer map's first partner, or the same-index block when the
     *     map has none)
     */
    public record BlockCloseness(
            Block suspect,
            Block reference,
            double correlation,
            double unitsMatched,
            double relativeChange,
            boolean permutationUndone,
            boolean rotationUndone) {
        public BlockCloseness {
            Objects.requireNonNull(suspect, "suspect");
            Objects.requireNonNull(reference, "reference");
        }

        /** A block pair's closeness whose basis, if undone, was undone by a permutation. */
        public BlockCloseness(
                Block suspect,
                Block reference,
                double correlation,
                double unitsMatched,
                double relativeChange,
                boolean permutationUndone) {
            this(suspect, reference, correlation, unitsMatched, relativeChange, permutationUndone, false);
        }
    }
}
