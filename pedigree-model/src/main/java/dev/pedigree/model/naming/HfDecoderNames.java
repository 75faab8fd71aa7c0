package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Map;

/**
 * Hugging Face decoder names shared by Llama, Mistral, Mixtral, Qwen2/2-MoE/3/3-MoE, Gemma 1-3,
 * Phi-2/3, DeepSeek V2/V3, GLM-4 and most other {@code *ForCausalLM} models, after wrapper
 * prefixes ({@code model.}, {@code language_model.}, {@code model.language_model.}) are removed:
 * {@code embed_tokens}, {@code norm}, {@code lm_head} and {@code layers.N.<module>}.
 *
 * <p>{@code post_attention_layernorm} is the pre-MLP norm ({@link Role#MLP_NORM}) in Llama-style
 * models but the norm on the attention output ({@link Role#POST_ATTN_NORM}) in Gemma 2/3 and OLMo
 * 2, which is decided from the architecture here and from the presence of
 * {@code pre/post_feedforward_layernorm} in {@link TensorNaming#logicalTensors}.
 *
 * <p>MoE: routed experts {@code mlp.experts.E.*} (and Mixtral's {@code block_sparse_moe.experts.E.w1/w2/w3})
 * go to {@link Component#EXPERTS} with the expert index; shared experts get
 * {@link TensorAddress#SHARED_EXPERT}; routers go to the experts component with no expert index.
 * Stacked expert tensors ({@code mlp.experts.gate_up_proj}, transformers v5 and gpt-oss) keep a
 * null expert index and are split per expert in the logical view.
 */
final class HfDecoderNames implements NameFamily {

    private static final Map<String, Role> TOP = Map.of(
            "embed_tokens", Role.EMBEDDING,
            "norm", Role.FINAL_NORM,
            "final_layernorm", Role.FINAL_NORM,
            "final_norm", Role.FINAL_NORM,
            "lm_head", Role.LM_HEAD);

    /** Per-layer modules of the dense text stack. */
    private static final Map<String, Role> LAYER = Map.ofEntries(
            Map.entry("input_layernorm", Role.ATTN_NORM),
            Map.entry("pre_feedforward_layernorm", Role.MLP_NORM),
            Map.entry("post_feedforward_layernorm", Role.POST_MLP_NORM),
            Map.entry("self_attn.q_proj", Role.ATTN_Q),
            Map.entry("self_attn.k_proj", Role.ATTN_K),
            Map.entry("self_attn.v_proj", Role.ATTN_V),
            Map.entry("self_attn.o_proj", Role.ATTN_O),
            Map.entry("self_attn.dense", Role.ATTN_O),
            Map.entry("self_attn.qkv_proj", Role.ATTN_QKV),
            Map.entry("self_attn.q_norm", Role.ATTN_Q_NORM),
            Map.entry("self_attn.k_norm", Role.ATTN_K_NORM),
            Map.entry("self_attn.q_layernorm", Role.ATTN_Q_NORM),
            Map.entry("self_attn.k_layernorm", Role.ATTN_K_NORM),
            Map.entry("self_attn.q_a_proj", Role.ATTN_Q_A),
            Map.entry("self_attn.q_a_layernorm", Role.ATTN_Q_A_NORM),
            Map.entry("self_attn.q_b_proj", Role.ATTN_Q_B),
            Map.entry("self_attn.kv_a_proj_with_mqa", Role.ATTN_KV_A),
            Map.entry("self_attn.kv_a_layernorm", Role.ATTN_KV_A_NORM),
            Map.entry("self_attn.kv_b_proj", Role.ATTN_KV_B),
            Map.entry("mlp.gate_proj", Role.MLP_GATE),
            Map.entry("mlp.up_proj", Role.MLP_UP),
            Map.entry("mlp.down_proj", Role.MLP_DOWN),
            Map.entry("mlp.gate_up_proj", Role.MLP_GATE_UP),
            Map.entry("mlp.fc1", Role.MLP_UP),
            Map.entry("mlp.fc2", Role.MLP_DOWN),
            Map.entry("feed_forward.gate_proj", Role.MLP_GATE),
            Map.entry("feed_forward.up_proj", Role.MLP_UP),
            Map.entry("feed_forward.down_proj", Role.MLP_DOWN));

    /** Router tensors of MoE blocks. */
    private static final Map<String, Role> ROUTERS = Map.of(
            "mlp.gate", Role.ROUTER,
            "mlp.router", Role.ROUTER,
            "mlp.gate.e_score_correction", Role.ROUTER_BIAS,
            "block_sparse_moe.gate", Role.ROUTER,
            "feed_forward.router", Role.ROUTER);

    /** Module prefixes holding routed experts, indexed or stacked. */
    private static final List<String> EXPERT_PREFIXES =
            List.of("mlp.experts", "block_sparse_moe.experts", "feed_forward.experts");

    /** Module prefixes holding the shared expert(s). */
    private static final List<String> SHARED_PREFIXES =
            List.of("mlp.shared_experts", "mlp.shared_expert", "feed_forward.shared_expert");

    /** Projections inside one expert; Mixtral's w1 = gate, w3 = up, w2 = down. */
    private static final Map<String, Role> EXPERT = Map.of(
            "gate_proj", Role.MLP_GATE,
            "up_proj", Role.MLP_UP,
            "down_proj", Role.MLP_DOWN,
            "gate_up_proj", Role.MLP_GATE_UP,
            "w1", Role.MLP_GATE,
            "w3", Role.MLP_UP,
            "w2", Role.MLP_DOWN);

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.unwrapped();
        Component text = hints.text();
        if (p.size() == 1 && TOP.containsKey(p.getFirst())) {
            Role role = TOP.get(p.getFirst());
            Component c = switch (role) {
                case EMBEDDING -> Component.EMBEDDINGS;
                case LM_HEAD -> Component.LM_HEAD;
                default -> text;
            };
            return TensorAddress.of(c, null, role, name.part());
        }
        if (p.size() < 3 || !p.getFirst().equals("layers") || TensorName.index(p.get(1)) == null) {
            return null;
        }
        int layer = TensorName.index(p.get(1));
        String inner = TensorName.join(p, 2);
        if (inner.equals("post_attention_layernorm")) {
            Role r = hints.sandwichNorms() ? Role.POST_ATTN_NORM : Role.MLP_NORM;
            return TensorAddress.of(text, layer, r, name.part());
        }
        Role r = LAYER.get(inner);
        if (r != null) {
            return TensorAddress.of(text, layer, r, name.part());
        }
        if (inner.equals("mlp.shared_expert_gate")) {
            return new TensorAddress(Component.EXPERTS, layer, Role.ROUTER, TensorAddress.SHARED_EXPERT, name.part());
        }
        r = ROUTERS.get(inner);
        if (r != null) {
            return TensorAddress.of(Component.EXPERTS, layer, r, name.part());
        }
        for (String prefix : SHARED_PREFIXES) {
            if (inner.startsWith(prefix + ".")) {
                Role e = EXPERT.get(inner.substring(prefix.length() + 1));
                return e == null
                        ? null
                        : new TensorAddress(Component.EXPERTS, layer, e, TensorAddress.SHARED_EXPERT, name.part());
            }
        }
        for (String prefix : EXPERT_PREFIXES) {
            if (inner.startsWith(prefix + ".")) {
                return expert(p.subList(2 + prefix.split("\\.").length, p.size()), layer, name.part());
            }
        }
        if (!name.part().isParameter()) {
            // rotary_emb.inv_freq, FP8 kv-cache self_attn.k_scale and similar: not parameters, but
            // they sit in this layer.
            return TensorAddress.of(text, layer, Role.OTHER, name.part());
        }
        return null;
    }

    /** {@code E.gate_proj} (one expert) or {@code gate_up_proj} (all experts stacked). */
    private static TensorAddress expert(List<String> rest, int layer, Part part) {
        if (rest.size() == 2 && TensorName.index(rest.get(0)) != null) {
            Role r = EXPERT.get(rest.get(1));
            return r == null
                    ? null
                    : new TensorAddress(Component.EXPERTS, layer, r, TensorName.index(rest.get(0)), part);
        }
        if (rest.size() == 1) {
            Role r = EXPERT.get(rest.getFirst());
            return r == null ? null : TensorAddress.of(Component.EXPERTS, layer, r, part);
        }
        return null;
    }
}
