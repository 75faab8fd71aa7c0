package dev.pedigree.forensics.result;

import java.util.Objects;

/**
 * A suspect block matched to a reference block with significant shared-lineage evidence. Several
 * matches may share a block on either side (depth up-scaling, pruning, every-second-layer
 * distillation).
 *
 * @param log10p evidence of the block pair, already corrected for the number of pairs tested
 */
public record LayerMatch(Block suspect, Block reference, double log10p) {
    public LayerMatch {
        Objects.requireNonNull(suspect, "suspect");
        Objects.requireNonNull(reference, "reference");
    }
}
