package dev.pedigree.model;

/**
 * The function of a tensor inside its block, independent of any naming scheme. Fused tensors keep
 * their fused role ({@link #ATTN_QKV}, {@link #MLP_GATE_UP}) physically and are split into the
 * separate roles in the logical view.
 */
public enum Role {
    /** Token embedding matrix [vocab, hidden]. */
    EMBEDDING,
    POSITION_EMBEDDING,
    TOKEN_TYPE_EMBEDDING,
    /** Norm applied right after the embeddings (BERT, BLOOM). */
    EMBEDDING_NORM,
    /** Patch or convolutional stem of a vision/audio tower. */
    PATCH_EMBEDDING,
    /** Class token or other learned start vectors. */
    CLASS_EMBEDDING,

    /** Norm before attention (Llama input_layernorm, GGUF attn_norm). */
    ATTN_NORM,
    ATTN_Q,
    ATTN_K,
    ATTN_V,
    /** Fused query/key/value projection. */
    ATTN_QKV,
    /** Fused key/value projection (some encoders). */
    ATTN_KV,
    ATTN_O,
    ATTN_Q_NORM,
    ATTN_K_NORM,
    /** DeepSeek multi-head latent attention. */
    ATTN_Q_A,
    ATTN_Q_A_NORM,
    ATTN_Q_B,
    ATTN_KV_A,
    ATTN_KV_A_NORM,
    ATTN_KV_B,
    /** Norm after the attention output (BERT attention.output.LayerNorm, Gemma post_attention_norm). */
    POST_ATTN_NORM,

    /** Norm before the MLP (Llama post_attention_layernorm, GGUF ffn_norm). */
    MLP_NORM,
    MLP_GATE,
    MLP_UP,
    /** Fused gate and up projection. */
    MLP_GATE_UP,
    MLP_DOWN,
    /** Norm after the MLP (BERT output.LayerNorm, Gemma post_feedforward_layernorm). */
    POST_MLP_NORM,
    /** MoE router / gate over experts. */
    ROUTER,
    /** Bias added to router scores (DeepSeek e_score_correction_bias). */
    ROUTER_BIAS,

    /** Final norm of a stack. */
    FINAL_NORM,
    /** Output projection onto the vocabulary. */
    LM_HEAD,
    /** A linear layer of a projector (vision-to-text connector). */
    PROJECTOR,
    /** Pooler dense layer (BERT). */
    POOLER,
    /** Convolution inside a block (audio encoders, conformers). */
    CONV,
    /** Anything else; kept, never dropped. */
    OTHER;

    /** True for roles that hold normalisation gains or biases. */
    public boolean isNorm() {
        return switch (this) {
            case EMBEDDING_NORM,
                    ATTN_NORM,
                    ATTN_Q_NORM,
                    ATTN_K_NORM,
                    ATTN_Q_A_NORM,
                    ATTN_KV_A_NORM,
                    POST_ATTN_NORM,
                    MLP_NORM,
                    POST_MLP_NORM,
                    FINAL_NORM -> true;
            default -> false;
        };
    }
}
