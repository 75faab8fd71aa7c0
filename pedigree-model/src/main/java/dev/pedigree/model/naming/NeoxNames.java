package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Map;

/**
 * GPT-NeoX / Pythia ({@code gpt_neox.*}, {@code embed_out}) and the related BLOOM and Falcon
 * names ({@code word_embeddings}, {@code h.N.self_attention.*}, {@code ln_f}).
 *
 * <p>Their fused {@code query_key_value} is <em>not</em> [q; k; v]: GPT-NeoX and BLOOM store, for
 * each head, that head's q, k and v rows ({@code [head0 q, k, v, head1 q, k, v, ...]}); Falcon
 * stores each KV group's q rows followed by its k and v rows (the same pattern with one group per
 * KV head). {@link TensorNaming#logicalTensors} splits it with {@link InterleavedRowsTensor} when
 * the head counts are known. {@code mlp.dense_h_to_4h} is a plain up projection here (GELU MLP).
 */
final class NeoxNames implements NameFamily {

    private static final Map<String, Role> LAYER = Map.ofEntries(
            Map.entry("input_layernorm", Role.ATTN_NORM),
            Map.entry("post_attention_layernorm", Role.MLP_NORM),
            Map.entry("ln_attn", Role.ATTN_NORM),
            Map.entry("ln_mlp", Role.MLP_NORM),
            Map.entry("attention.query_key_value", Role.ATTN_QKV),
            Map.entry("attention.dense", Role.ATTN_O),
            Map.entry("self_attention.query_key_value", Role.ATTN_QKV),
            Map.entry("self_attention.dense", Role.ATTN_O),
            Map.entry("mlp.dense_h_to_4h", Role.MLP_UP),
            Map.entry("mlp.dense_4h_to_h", Role.MLP_DOWN));

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.unwrapped();
        boolean neox = !p.isEmpty() && p.getFirst().equals("gpt_neox");
        if (neox) {
            p = p.subList(1, p.size());
        }
        String module = String.join(".", p);
        if (neox && module.equals("embed_in") || !neox && module.equals("word_embeddings")) {
            return TensorAddress.of(Component.EMBEDDINGS, null, Role.EMBEDDING, name.part());
        }
        if (!neox && module.equals("embed_out")) {
            return TensorAddress.of(Component.LM_HEAD, null, Role.LM_HEAD, name.part());
        }
        if (neox && module.equals("final_layer_norm")) {
            return TensorAddress.of(Component.TEXT_DECODER, null, Role.FINAL_NORM, name.part());
        }
        if (!neox && module.equals("word_embeddings_layernorm")) {
            return TensorAddress.of(Component.TEXT_DECODER, null, Role.EMBEDDING_NORM, name.part());
        }
        String stack = neox ? "layers" : "h";
        if (p.size() >= 3 && p.get(0).equals(stack) && TensorName.index(p.get(1)) != null) {
            int layer = TensorName.index(p.get(1));
            String inner = TensorName.join(p, 2);
            Role r = LAYER.get(inner);
            if (r != null && (neox || !inner.startsWith("attention."))) {
                return TensorAddress.of(Component.TEXT_DECODER, layer, r, name.part());
            }
            if (neox && (name.part() == Part.BUFFER || inner.startsWith("attention.rotary_emb"))) {
                return TensorAddress.of(Component.TEXT_DECODER, layer, Role.OTHER, Part.BUFFER);
            }
            if (neox && inner.equals("attention") && name.part() == Part.BIAS) {
                // attention.bias is the causal mask, a buffer despite its name
                return TensorAddress.of(Component.TEXT_DECODER, layer, Role.OTHER, Part.BUFFER);
            }
        }
        return null;
    }

    /**
     * Whether the fused query_key_value tensor {@code name} interleaves q, k and v per head or KV
     * group: GPT-NeoX, BLOOM and Falcon names, or those architectures' other spellings (but never
     * GGUF, whose converter reorders them to [q; k; v]).
     */
    static boolean interleavesQkv(TensorName name, FamilyHints hints) {
        List<String> p = name.unwrapped();
        if (p.size() < 2
                || !p.getLast().equals("query_key_value")
                || p.getFirst().equals("blk")) {
            return false;
        }
        if (p.getFirst().equals("gpt_neox") || p.getFirst().equals("h")) {
            return true;
        }
        // ChatGLM's encoder.layers.N.self_attention.query_key_value is [q; k; v].
        return hints.groupedQkv() && !p.getFirst().equals("encoder");
    }
}
