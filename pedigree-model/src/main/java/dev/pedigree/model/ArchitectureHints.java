package dev.pedigree.model;

/**
 * Facts from the configuration that naming, fused-tensor splitting and GGUF un-permutation need.
 * Any field may be null when the configuration does not say.
 *
 * @param architecture e.g. {@code llama}, {@code qwen2}, {@code bert} (HF model_type or GGUF
 *     general.architecture)
 */
public record ArchitectureHints(
        String architecture,
        Integer hiddenSize,
        Integer numHeads,
        Integer numKvHeads,
        Integer headDim,
        Integer intermediateSize,
        Integer numLayers,
        Boolean tiedEmbeddings) {

    public static final ArchitectureHints NONE = new ArchitectureHints(null, null, null, null, null, null, null, null);

    /** Head dimension, from {@code headDim} or {@code hidden/heads}; null if unknown. */
    public Integer effectiveHeadDim() {
        if (headDim != null) {
            return headDim;
        }
        if (hiddenSize != null && numHeads != null && numHeads > 0) {
            return hiddenSize / numHeads;
        }
        return null;
    }
}
