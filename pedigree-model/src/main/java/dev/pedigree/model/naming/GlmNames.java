package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Map;

/**
 * ChatGLM2/3 and GLM-4 (THUDM remote code) names under {@code transformer.}:
 * {@code embedding.word_embeddings}, {@code encoder.layers.N.*}, {@code encoder.final_layernorm},
 * {@code output_layer}; plus the two extra norms of GLM-4-0414 ({@code Glm4ForCausalLM}), whose
 * other names are Llama-style and handled by {@link HfDecoderNames}.
 *
 * <p>{@code self_attention.query_key_value} stores q (all heads), then k, then v (the
 * {@code multi_query_group_num} KV groups) one after another; {@code mlp.dense_h_to_4h} stores
 * [gate; up] (the forward pass chunks it in two and applies SwiGLU), so it is
 * {@link Role#MLP_GATE_UP}.
 */
final class GlmNames implements NameFamily {

    private static final Map<String, Role> LAYER = Map.of(
            "input_layernorm", Role.ATTN_NORM,
            "self_attention.query_key_value", Role.ATTN_QKV,
            "self_attention.dense", Role.ATTN_O,
            "post_attention_layernorm", Role.MLP_NORM,
            "mlp.dense_h_to_4h", Role.MLP_GATE_UP,
            "mlp.dense_4h_to_h", Role.MLP_DOWN);

    /** GLM-4-0414 sandwich norms inside otherwise Llama-style layers. */
    private static final Map<String, Role> GLM4_0414 = Map.of(
            "post_self_attn_layernorm", Role.POST_ATTN_NORM,
            "post_mlp_layernorm", Role.POST_MLP_NORM);

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.unwrapped();
        String module = String.join(".", p);
        switch (module) {
            case "embedding.word_embeddings" -> {
                return TensorAddress.of(Component.EMBEDDINGS, null, Role.EMBEDDING, name.part());
            }
            case "encoder.final_layernorm" -> {
                return TensorAddress.of(Component.TEXT_DECODER, null, Role.FINAL_NORM, name.part());
            }
            case "output_layer" -> {
                return TensorAddress.of(Component.LM_HEAD, null, Role.LM_HEAD, name.part());
            }
            case "rotary_pos_emb" -> {
                return TensorAddress.of(Component.TEXT_DECODER, null, Role.OTHER, Part.BUFFER);
            }
            default -> {
                // handled below
            }
        }
        if (p.size() >= 4
                && p.get(0).equals("encoder")
                && p.get(1).equals("layers")
                && TensorName.index(p.get(2)) != null) {
            Role r = LAYER.get(TensorName.join(p, 3));
            return r == null
                    ? null
                    : TensorAddress.of(Component.TEXT_DECODER, TensorName.index(p.get(2)), r, name.part());
        }
        if (p.size() == 3 && p.get(0).equals("layers") && TensorName.index(p.get(1)) != null) {
            Role r = GLM4_0414.get(p.get(2));
            return r == null
                    ? null
                    : TensorAddress.of(Component.TEXT_DECODER, TensorName.index(p.get(1)), r, name.part());
        }
        return null;
    }
}
