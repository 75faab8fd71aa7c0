package dev.pedigree.forensics.result;

import java.util.List;

/**
 * How a suspect that shares lineage with the reference was changed (only filled for matched
 * components and block pairs).
 *
 * @param layers per matched block pair and tensor role: relative change and low-rank structure
 * @param untouchedLayers suspect blocks whose every compared tensor is bit-identical (as float32)
 *     to its reference partner
 * @param embeddings what happened to the token embedding rows (null when not compared)
 * @param note a sentence for the report
 */
public record CustomisationSummary(
        List<LayerChange> layers, List<Block> untouchedLayers, EmbeddingChange embeddings, String note) {
    public CustomisationSummary {
        layers = List.copyOf(layers);
        untouchedLayers = List.copyOf(untouchedLayers);
        note = note == null ? "" : note;
    }

    /**
     * The change of one tensor between matched blocks, measured after the residual alignment.
     *
     * @param role tensor role, e.g. {@code MLP_UP}
     * @param relativeChange ‖ΔW‖_F / ‖W_reference‖_F
     * @param bitIdentical every float32 value equal
     * @param rank r of the low-rank probe
     * @param topRankEnergy fraction of ‖ΔW‖²_F captured by the top-r singular directions (power
     *     iteration); near 1 for a merged LoRA of rank ≤ r, near r/min(m,n) for dense noise
     */
    public record LayerChange(
            Block suspect,
            Block reference,
            String role,
            double relativeChange,
            boolean bitIdentical,
            int rank,
            double topRankEnergy) {}

    /**
     * Token embedding rows compared by token string.
     *
     * @param sharedTokens tokens present on both sides
     * @param newTokens suspect tokens the reference lacks (vocabulary extension)
     * @param reinitialisedRows shared tokens whose suspect row no longer correlates with the
     *     reference row (correlation below 0.2 while the median shared row is above 0.5)
     * @param medianRowCorrelation median per-token Pearson correlation of shared rows after alignment
     * @param newTokenExamples a few new token strings
     */
    public record EmbeddingChange(
            long sharedTokens,
            long newTokens,
            long reinitialisedRows,
            double medianRowCorrelation,
            List<String> newTokenExamples) {
        public EmbeddingChange {
            newTokenExamples = List.copyOf(newTokenExamples);
        }
    }
}
