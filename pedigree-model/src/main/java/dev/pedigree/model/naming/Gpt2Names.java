package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Map;

/**
 * GPT-2 names ({@code transformer.} optional): {@code wte}, {@code wpe}, {@code h.N.*},
 * {@code ln_f}; GPT-J's {@code h.N.attn.*_proj} and {@code mlp.fc_in/fc_out} share the stack.
 *
 * <p>GPT-2 uses {@code Conv1D}, which stores weights as {@code [in, out]}; the format layer
 * presents them in canonical {@code [out, in]} order, so {@code attn.c_attn} is the fused
 * {@code [3 * hidden, hidden]} projection with q, k and v one after another. The
 * {@code h.N.attn.bias} and {@code masked_bias} tensors of old checkpoints are causal-mask buffers.
 */
final class Gpt2Names implements NameFamily {

    private static final Map<String, Role> LAYER = Map.ofEntries(
            Map.entry("ln_1", Role.ATTN_NORM),
            Map.entry("ln_2", Role.MLP_NORM),
            Map.entry("attn.c_attn", Role.ATTN_QKV),
            Map.entry("attn.c_proj", Role.ATTN_O),
            Map.entry("mlp.c_fc", Role.MLP_UP),
            Map.entry("mlp.c_proj", Role.MLP_DOWN),
            Map.entry("attn.q_proj", Role.ATTN_Q),
            Map.entry("attn.k_proj", Role.ATTN_K),
            Map.entry("attn.v_proj", Role.ATTN_V),
            Map.entry("attn.out_proj", Role.ATTN_O),
            Map.entry("mlp.fc_in", Role.MLP_UP),
            Map.entry("mlp.fc_out", Role.MLP_DOWN));

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.unwrapped();
        String module = String.join(".", p);
        switch (module) {
            case "wte" -> {
                return TensorAddress.of(Component.EMBEDDINGS, null, Role.EMBEDDING, name.part());
            }
            case "wpe" -> {
                return TensorAddress.of(Component.TEXT_DECODER, null, Role.POSITION_EMBEDDING, name.part());
            }
            case "ln_f" -> {
                return TensorAddress.of(Component.TEXT_DECODER, null, Role.FINAL_NORM, name.part());
            }
            default -> {
                // layers below
            }
        }
        if (p.size() < 3 || !p.get(0).equals("h") || TensorName.index(p.get(1)) == null) {
            return null;
        }
        int layer = TensorName.index(p.get(1));
        String inner = TensorName.join(p, 2);
        Role r = LAYER.get(inner);
        if (r != null) {
            return TensorAddress.of(Component.TEXT_DECODER, layer, r, name.part());
        }
        if (inner.equals("attn") && (name.part() == Part.BIAS || name.part() == Part.BUFFER)) {
            return TensorAddress.of(Component.TEXT_DECODER, layer, Role.OTHER, Part.BUFFER);
        }
        return null;
    }
}
