package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Map;

/**
 * Meta's original Llama checkpoints and Mistral's {@code consolidated.safetensors}:
 * {@code tok_embeddings}, {@code layers.N.attention.wq/wk/wv/wo}, {@code attention_norm},
 * {@code ffn_norm}, {@code feed_forward.w1/w2/w3} (w1 = gate, w3 = up, w2 = down; MoE variants
 * {@code feed_forward.experts.E.w*} and {@code feed_forward.gate}), {@code norm}, {@code output}.
 */
final class MetaNames implements NameFamily {

    private static final Map<String, Role> LAYER = Map.ofEntries(
            Map.entry("attention_norm", Role.ATTN_NORM),
            Map.entry("ffn_norm", Role.MLP_NORM),
            Map.entry("attention.wq", Role.ATTN_Q),
            Map.entry("attention.wk", Role.ATTN_K),
            Map.entry("attention.wv", Role.ATTN_V),
            Map.entry("attention.wo", Role.ATTN_O),
            Map.entry("feed_forward.w1", Role.MLP_GATE),
            Map.entry("feed_forward.w3", Role.MLP_UP),
            Map.entry("feed_forward.w2", Role.MLP_DOWN));

    private static final Map<String, Role> EXPERT = Map.of("w1", Role.MLP_GATE, "w3", Role.MLP_UP, "w2", Role.MLP_DOWN);

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.unwrapped();
        if (p.size() == 1 && p.getFirst().equals("tok_embeddings")) {
            return TensorAddress.of(Component.EMBEDDINGS, null, Role.EMBEDDING, name.part());
        }
        if (p.size() < 3 || !p.get(0).equals("layers") || TensorName.index(p.get(1)) == null) {
            return null;
        }
        int layer = TensorName.index(p.get(1));
        String inner = TensorName.join(p, 2);
        Role r = LAYER.get(inner);
        if (r != null) {
            return TensorAddress.of(hints.text(), layer, r, name.part());
        }
        if (inner.equals("feed_forward.gate")) {
            return TensorAddress.of(Component.EXPERTS, layer, Role.ROUTER, name.part());
        }
        if (p.size() == 6 && inner.startsWith("feed_forward.experts.") && TensorName.index(p.get(4)) != null) {
            r = EXPERT.get(p.get(5));
            return r == null
                    ? null
                    : new TensorAddress(Component.EXPERTS, layer, r, TensorName.index(p.get(4)), name.part());
        }
        return null;
    }
}
