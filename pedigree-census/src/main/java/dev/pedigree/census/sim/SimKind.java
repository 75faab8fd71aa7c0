package dev.pedigree.census.sim;

/**
 * What a simulated hub model is, relative to its family's base: every derivation {@link
 * dev.pedigree.forensics.simulate.DerivationSimulator} knows that a hub shows in practice, the
 * independent controls, and the standalone vision towers that multimodal models freeze.
 */
public enum SimKind {
    /** A family's foundation model, freshly initialised. */
    BASE(true, "base"),
    /** Fine-tune: Gaussian noise of 0.5× each tensor's standard deviation. */
    NOISE_LIGHT(true, "ft-light"),
    /** Heavy continued training: noise of 2× each tensor's standard deviation. */
    NOISE_HEAVY(true, "ft-heavy"),
    /** A merged LoRA: rank-8 update of 0.5× the norm on every block matrix. */
    LORA(true, "lora"),
    /** Quantised to per-row int8 and back. */
    INT8(true, "int8"),
    /** Embeddings and head frozen (bit-identical), every block fine-tuned (noise 0.5×). */
    FROZEN_EMBEDDINGS(true, "frozen-emb"),
    /** Vocabulary extended by 64 tokens (new rows), then lightly fine-tuned. */
    VOCAB_EXTENDED(true, "vocab-ext"),
    /** Hidden units and heads permuted (same function), then lightly fine-tuned. */
    PERMUTED(true, "permuted"),
    /** A fine-tune of the {@link #NOISE_LIGHT} fine-tune (a grandchild of the base). */
    CHAIN(true, "ft-of-ft"),
    /** Dense-to-MoE upcycling of the base's MLPs (4 experts). */
    UPCYCLED_MOE(true, "moe"),
    /** A vision-language model: the base's text stack fine-tuned, a standalone vision tower frozen in. */
    VLM(true, "vlm"),
    /** Every second block kept (layer dropping), then lightly fine-tuned. */
    RESTACKED(true, "half-depth"),
    /** SOLAR-style depth up-scaling: the block stack with its middle repeated. */
    DEPTH_UPSCALED(true, "upscaled"),
    /** 30% of the vocabulary pruned (tokens and their rows), then lightly fine-tuned. */
    VOCAB_PRUNED(true, "vocab-pruned"),
    /** Minitron-style width pruning: 25% of the MLP units and 25% of the residual dimensions dropped. */
    WIDTH_PRUNED(true, "width-pruned"),
    /** Residual coordinates permuted with new norm gains folded in (same function), then lightly fine-tuned. */
    RESIDUAL_PERMUTED(true, "res-permuted"),
    /** Residual stream rotated by a random orthogonal matrix (same function). */
    RESIDUAL_ROTATED(true, "res-rotated"),
    /** Independent control: same shapes and tokenizer, freshly drawn weights; claims nothing. */
    INDEPENDENT(false, "indep"),
    /** Independent control whose model card falsely declares the family's base. */
    INDEPENDENT_FALSE_CLAIM(false, "indep-claims"),
    /** A standalone vision tower (the root that VLMs freeze). */
    VISION_ROOT(false, "vit");

    private final boolean derivative;
    private final String slug;

    SimKind(boolean derivative, String slug) {
        this.derivative = derivative;
        this.slug = slug;
    }

    /** Whether a model of this kind descends from its family's base (its text stack does). */
    public boolean derivative() {
        return derivative;
    }

    /** Short name used in the simulated repository names. */
    public String slug() {
        return slug;
    }
}
