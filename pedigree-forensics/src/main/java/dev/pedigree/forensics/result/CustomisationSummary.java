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
 * @param experts where each suspect expert comes from (MoE suspects; empty otherwise)
 * @param direction which side came first, when the weights show it; null when not assessed (older results)
 */
public record CustomisationSummary(
        List<LayerChange> layers,
        List<Block> untouchedLayers,
        EmbeddingChange embeddings,
        String note,
        List<ExpertMatch> experts,
        Direction direction) {
    public CustomisationSummary {
        layers = List.copyOf(layers);
        untouchedLayers = List.copyOf(untouchedLayers);
        note = note == null ? "" : note;
        experts = experts == null ? List.of() : List.copyOf(experts);
    }

    /** A summary without experts or direction. */
    public CustomisationSummary(
            List<LayerChange> layers, List<Block> untouchedLayers, EmbeddingChange embeddings, String note) {
        this(layers, untouchedLayers, embeddings, note, List.of(), null);
    }

    /**
     * Where one suspect expert (MoE) comes from: the reference's dense MLP it was upcycled from, or the reference
     * expert it matches (assignment on correlations when both are MoE).
     *
     * @param suspect the suspect block holding the expert
     * @param expert the expert's index
     * @param reference the reference block of its source
     * @param referenceExpert the source expert's index; null when the source is the dense MLP
     * @param correlation Pearson correlation of the gate and up rows read (seeded probe rows)
     * @param relativeChange ‖E − M‖_F / ‖M‖_F on those rows
     */
    public record ExpertMatch(
            Block suspect,
            int expert,
            Block reference,
            Integer referenceExpert,
            double correlation,
            double relativeChange) {}

    /**
     * The change of one tensor between matched blocks, measured after the residual alignment.
     *
     * @param role tensor role, e.g. {@code MLP_UP}
     * @param relativeChange ‖ΔW‖_F / ‖W_reference‖_F
     * @param bitIdentical every float32 value equal
     * @param rank r of the low-rank probe
     * @param topRankEnergy fraction of ‖ΔW‖²_F captured by the top-r singular directions (power
     *     iteration); near 1 for a merged LoRA of rank ≤ r, near r/min(m,n) for dense noise
     * @param estimatedRank rank of ΔW estimated from its singular values against the noise edge of
     *     the same spectrum (docs/customisation.md); null when not estimated (identical tensors, older
     *     results)
     * @param lowRank whether ΔW is low-rank by that rule; false means full rank (not low-rank)
     */
    public record LayerChange(
            Block suspect,
            Block reference,
            String role,
            double relativeChange,
            boolean bitIdentical,
            int rank,
            double topRankEnergy,
            Integer estimatedRank,
            boolean lowRank) {
        /** A change without a rank estimate. */
        public LayerChange(
                Block suspect,
                Block reference,
                String role,
                double relativeChange,
                boolean bitIdentical,
                int rank,
                double topRankEnergy) {
            this(suspect, reference, role, relativeChange, bitIdentical, rank, topRankEnergy, null, false);
        }
    }

    /**
     * The rank of the change of one component, over its measured tensors that carry an estimate.
     *
     * @param component suspect component
     * @param tensors tensors with an estimate
     * @param lowRankTensors those whose change is low-rank
     * @param medianRank median estimated rank of the low-rank ones; null when the component's change is
     *     full rank (fewer than half of its tensors low-rank)
     * @param minRank smallest estimated rank of the low-rank ones (0 when none)
     * @param maxRank largest (0 when none)
     */
    public record ComponentRank(
            String component, int tensors, int lowRankTensors, Integer medianRank, int minRank, int maxRank) {
        /** "low-rank, rank ≈ 32 (30–32 in 28 of 28 tensors)" or "full rank (not low-rank)". */
        public String describe() {
            if (medianRank == null) {
                return "full rank (not low-rank)"
                        + (lowRankTensors > 0 ? "; " + lowRankTensors + " of " + tensors + " tensors low-rank" : "");
            }
            return "low-rank, rank \u2248 " + medianRank
                    + (minRank == maxRank ? "" : " (" + minRank + "\u2013" + maxRank + ")") + " in " + lowRankTensors
                    + " of " + tensors + " tensors";
        }
    }

    /**
     * The rank of the change per suspect component, in the order the components first appear in
     * {@link #layers}; components without estimates are left out.
     */
    public List<ComponentRank> componentRanks() {
        java.util.Map<String, List<LayerChange>> by = new java.util.LinkedHashMap<>();
        for (LayerChange l : layers) {
            if (l.estimatedRank() != null) {
                by.computeIfAbsent(l.suspect().component(), k -> new java.util.ArrayList<>())
                        .add(l);
            }
        }
        List<ComponentRank> out = new java.util.ArrayList<>();
        by.forEach((component, ls) -> {
            int[] low = ls.stream()
                    .filter(LayerChange::lowRank)
                    .mapToInt(LayerChange::estimatedRank)
                    .sorted()
                    .toArray();
            boolean lowRank = 2 * low.length > ls.size();
            out.add(new ComponentRank(
                    component,
                    ls.size(),
                    low.length,
                    lowRank ? low[(low.length - 1) / 2] : null,
                    low.length == 0 ? 0 : low[0],
                    low.length == 0 ? 0 : low[low.length - 1]));
        });
        return out;
    }

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
