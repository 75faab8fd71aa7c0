package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Map;

/**
 * llama.cpp GGUF names ({@code gguf-py/gguf/constants.py}): {@code token_embd}, {@code output_norm},
 * {@code output} and {@code blk.N.<tensor>}. The multimodal projector file's {@code v.*},
 * {@code a.*} and {@code mm.*} names belong to {@link VisionTowerNames}, {@link AudioNames} and
 * {@link ProjectorNames}.
 *
 * <p>Architecture-dependent names: for {@code phi3}, {@code chatglm} and {@code glm4},
 * {@code ffn_up} holds the fused [gate; up] projection ({@link Role#MLP_GATE_UP}); for BERT-like
 * architectures the text component is an encoder. {@code ffn_*_exps} hold all experts stacked as
 * canonical {@code [n_expert, out, in]} and keep a null expert index; {@code attn_k_b} and
 * {@code attn_v_b} (MLA with the key/value up-projection split per head) map to
 * {@link Role#ATTN_K} and {@link Role#ATTN_V}.
 */
final class GgufNames implements NameFamily {

    private static final Map<String, Role> TOP = Map.of(
            "token_embd", Role.EMBEDDING,
            "token_embd_norm", Role.EMBEDDING_NORM,
            "position_embd", Role.POSITION_EMBEDDING,
            "token_types", Role.TOKEN_TYPE_EMBEDDING,
            "output_norm", Role.FINAL_NORM,
            "output", Role.LM_HEAD,
            "rope_freqs", Role.OTHER);

    private static final Map<String, Role> BLOCK = Map.ofEntries(
            Map.entry("attn_norm", Role.ATTN_NORM),
            Map.entry("attn_norm_2", Role.MLP_NORM),
            Map.entry("attn_q", Role.ATTN_Q),
            Map.entry("attn_k", Role.ATTN_K),
            Map.entry("attn_v", Role.ATTN_V),
            Map.entry("attn_qkv", Role.ATTN_QKV),
            Map.entry("attn_output", Role.ATTN_O),
            Map.entry("attn_q_norm", Role.ATTN_Q_NORM),
            Map.entry("attn_k_norm", Role.ATTN_K_NORM),
            Map.entry("attn_q_a", Role.ATTN_Q_A),
            Map.entry("attn_q_a_norm", Role.ATTN_Q_A_NORM),
            Map.entry("attn_q_b", Role.ATTN_Q_B),
            Map.entry("attn_kv_a_mqa", Role.ATTN_KV_A),
            Map.entry("attn_kv_a_norm", Role.ATTN_KV_A_NORM),
            Map.entry("attn_kv_b", Role.ATTN_KV_B),
            Map.entry("attn_k_b", Role.ATTN_K),
            Map.entry("attn_v_b", Role.ATTN_V),
            Map.entry("post_attention_norm", Role.POST_ATTN_NORM),
            Map.entry("attn_post_norm", Role.POST_ATTN_NORM),
            Map.entry("attn_output_norm", Role.POST_ATTN_NORM),
            Map.entry("ffn_norm", Role.MLP_NORM),
            Map.entry("ffn_gate", Role.MLP_GATE),
            Map.entry("ffn_up", Role.MLP_UP),
            Map.entry("ffn_down", Role.MLP_DOWN),
            Map.entry("post_ffw_norm", Role.POST_MLP_NORM),
            Map.entry("ffn_post_norm", Role.POST_MLP_NORM),
            Map.entry("layer_output_norm", Role.POST_MLP_NORM));

    /** MoE tensors: router, stacked routed experts, shared expert. */
    private static final Map<String, Role> EXPERTS = Map.of(
            "ffn_gate_inp", Role.ROUTER,
            "exp_probs_b", Role.ROUTER_BIAS,
            "ffn_gate_exps", Role.MLP_GATE,
            "ffn_up_exps", Role.MLP_UP,
            "ffn_down_exps", Role.MLP_DOWN,
            "ffn_gate_up_exps", Role.MLP_GATE_UP);

    private static final Map<String, Role> SHARED = Map.of(
            "ffn_gate_inp_shexp", Role.ROUTER,
            "ffn_gate_shexp", Role.MLP_GATE,
            "ffn_up_shexp", Role.MLP_UP,
            "ffn_down_shexp", Role.MLP_DOWN);

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.path();
        Component text = hints.text();
        if (p.size() == 1 && TOP.containsKey(p.getFirst())) {
            Role role = TOP.get(p.getFirst());
            return switch (role) {
                case EMBEDDING -> TensorAddress.of(Component.EMBEDDINGS, null, role, name.part());
                case LM_HEAD -> TensorAddress.of(Component.LM_HEAD, null, role, name.part());
                // rope_freqs holds RoPE scaling factors computed from the config, not trained weights.
                case OTHER -> TensorAddress.of(text, null, role, Part.BUFFER);
                default -> TensorAddress.of(text, null, role, name.part());
            };
        }
        if (p.size() != 3 || !p.getFirst().equals("blk") || TensorName.index(p.get(1)) == null) {
            return null;
        }
        int layer = TensorName.index(p.get(1));
        String t = p.get(2);
        if (t.equals("ffn_up") && hints.ggufFusedUp()) {
            return TensorAddress.of(text, layer, Role.MLP_GATE_UP, name.part());
        }
        Role r = BLOCK.get(t);
        if (r != null) {
            return TensorAddress.of(text, layer, r, name.part());
        }
        r = EXPERTS.get(t);
        if (r != null) {
            return TensorAddress.of(Component.EXPERTS, layer, r, name.part());
        }
        r = SHARED.get(t);
        if (r != null) {
            return new TensorAddress(Component.EXPERTS, layer, r, TensorAddress.SHARED_EXPERT, name.part());
        }
        return null;
    }
}
