package dev.pedigree.model.naming;

import dev.pedigree.model.Role;
import java.util.Map;
import java.util.Set;

/**
 * Roles of the modules inside one block of a vision or audio tower, across the names the towers
 * use: CLIP/SigLIP ({@code self_attn.*_proj}, {@code layer_norm1/2}, {@code mlp.fc1/2}), Qwen2-VL
 * and InternViT ({@code attn.qkv}, {@code attn.proj}, {@code norm1/2}), Pixtral
 * ({@code attention.*_proj}, {@code attention_norm}, {@code feed_forward.*}), OpenCLIP
 * ({@code attn.in_proj}, {@code ln_1}, {@code mlp.c_fc}), Whisper ({@code self_attn_layer_norm},
 * {@code fc1}, {@code final_layer_norm}) and the GGUF mmproj file ({@code attn_q}, {@code ln1},
 * {@code ffn_up}).
 *
 * <p>The fused {@code qkv} and {@code in_proj} tensors of these towers store q, k and v one after
 * another (each {@code [hidden, hidden]}).
 */
final class EncoderBlockRoles {
    private EncoderBlockRoles() {}

    /** Prefixes in front of the block list inside a tower ({@code encoder.layers.N}). */
    static final Set<String> STACK_WRAPPERS = Set.of("encoder", "transformer", "model");

    /** Names of the block list ({@code layers.N}, {@code blocks.N}, GGUF {@code blk.N}). */
    static final Set<String> BLOCK_LISTS = Set.of("layers", "layer", "blocks", "blk", "resblocks");

    private static final Map<String, Role> ROLES = Map.ofEntries(
            Map.entry("self_attn.q_proj", Role.ATTN_Q),
            Map.entry("self_attn.k_proj", Role.ATTN_K),
            Map.entry("self_attn.v_proj", Role.ATTN_V),
            Map.entry("self_attn.out_proj", Role.ATTN_O),
            Map.entry("self_attn.o_proj", Role.ATTN_O),
            Map.entry("self_attn.qkv", Role.ATTN_QKV),
            Map.entry("self_attn.qkv_proj", Role.ATTN_QKV),
            Map.entry("self_attn.in_proj", Role.ATTN_QKV),
            Map.entry("self_attn.q_norm", Role.ATTN_Q_NORM),
            Map.entry("self_attn.k_norm", Role.ATTN_K_NORM),
            Map.entry("attn.qkv", Role.ATTN_QKV),
            Map.entry("attn.in_proj", Role.ATTN_QKV),
            Map.entry("attn.proj", Role.ATTN_O),
            Map.entry("attn.out_proj", Role.ATTN_O),
            Map.entry("attn.q_proj", Role.ATTN_Q),
            Map.entry("attn.k_proj", Role.ATTN_K),
            Map.entry("attn.v_proj", Role.ATTN_V),
            Map.entry("attn.o_proj", Role.ATTN_O),
            Map.entry("attn.q_norm", Role.ATTN_Q_NORM),
            Map.entry("attn.k_norm", Role.ATTN_K_NORM),
            Map.entry("attention.q_proj", Role.ATTN_Q),
            Map.entry("attention.k_proj", Role.ATTN_K),
            Map.entry("attention.v_proj", Role.ATTN_V),
            Map.entry("attention.o_proj", Role.ATTN_O),
            Map.entry("attention.wq", Role.ATTN_Q),
            Map.entry("attention.wk", Role.ATTN_K),
            Map.entry("attention.wv", Role.ATTN_V),
            Map.entry("attention.wo", Role.ATTN_O),
            Map.entry("layer_norm1", Role.ATTN_NORM),
            Map.entry("layer_norm2", Role.MLP_NORM),
            Map.entry("norm1", Role.ATTN_NORM),
            Map.entry("norm2", Role.MLP_NORM),
            Map.entry("ln_1", Role.ATTN_NORM),
            Map.entry("ln_2", Role.MLP_NORM),
            Map.entry("ln1", Role.ATTN_NORM),
            Map.entry("ln2", Role.MLP_NORM),
            Map.entry("input_layernorm", Role.ATTN_NORM),
            Map.entry("post_attention_layernorm", Role.MLP_NORM),
            Map.entry("attention_norm", Role.ATTN_NORM),
            Map.entry("ffn_norm", Role.MLP_NORM),
            Map.entry("self_attn_layer_norm", Role.ATTN_NORM),
            Map.entry("final_layer_norm", Role.MLP_NORM),
            Map.entry("mlp.fc1", Role.MLP_UP),
            Map.entry("mlp.fc2", Role.MLP_DOWN),
            Map.entry("mlp.linear_fc1", Role.MLP_UP),
            Map.entry("mlp.linear_fc2", Role.MLP_DOWN),
            Map.entry("mlp.c_fc", Role.MLP_UP),
            Map.entry("mlp.c_proj", Role.MLP_DOWN),
            Map.entry("fc1", Role.MLP_UP),
            Map.entry("fc2", Role.MLP_DOWN),
            Map.entry("mlp.gate_proj", Role.MLP_GATE),
            Map.entry("mlp.up_proj", Role.MLP_UP),
            Map.entry("mlp.down_proj", Role.MLP_DOWN),
            Map.entry("feed_forward.gate_proj", Role.MLP_GATE),
            Map.entry("feed_forward.up_proj", Role.MLP_UP),
            Map.entry("feed_forward.down_proj", Role.MLP_DOWN),
            Map.entry("feed_forward.w1", Role.MLP_GATE),
            Map.entry("feed_forward.w3", Role.MLP_UP),
            Map.entry("feed_forward.w2", Role.MLP_DOWN),
            Map.entry("attn_q", Role.ATTN_Q),
            Map.entry("attn_k", Role.ATTN_K),
            Map.entry("attn_v", Role.ATTN_V),
            Map.entry("attn_qkv", Role.ATTN_QKV),
            Map.entry("attn_out", Role.ATTN_O),
            Map.entry("attn_output", Role.ATTN_O),
            Map.entry("attn_q_norm", Role.ATTN_Q_NORM),
            Map.entry("attn_k_norm", Role.ATTN_K_NORM),
            Map.entry("ffn_gate", Role.MLP_GATE),
            Map.entry("ffn_up", Role.MLP_UP),
            Map.entry("ffn_down", Role.MLP_DOWN));

    /** The role of a block-relative module path such as {@code self_attn.q_proj}, or null. */
    static Role of(String blockRelativePath) {
        return ROLES.get(blockRelativePath);
    }
}
