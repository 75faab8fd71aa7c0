package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Map;

/**
 * BERT-family encoder names (BERT, RoBERTa, XLM-R, MiniLM, BGE, E5; DistilBERT's
 * {@code transformer.layer.N}), with or without the {@code bert.} / {@code roberta.} prefix: the
 * ONNX reader derives exactly these names from node scopes, without the prefix. Old TensorFlow
 * conversions name the LayerNorm parameters {@code gamma}/{@code beta} (handled by
 * {@link TensorName}).
 *
 * <p>The text stack is {@link Component#TEXT_ENCODER}; the word embedding matrix is in
 * {@link Component#EMBEDDINGS}; position and token-type embeddings and the embedding LayerNorm do
 * not depend on the vocabulary and stay in the encoder. BERT is post-LN:
 * {@code attention.output.LayerNorm} is {@link Role#POST_ATTN_NORM} and {@code output.LayerNorm}
 * {@link Role#POST_MLP_NORM}.
 */
final class BertNames implements NameFamily {

    private static final Component ENCODER = Component.TEXT_ENCODER;

    private static final Map<String, Role> EMBEDDINGS = Map.of(
            "position_embeddings", Role.POSITION_EMBEDDING,
            "token_type_embeddings", Role.TOKEN_TYPE_EMBEDDING,
            "LayerNorm", Role.EMBEDDING_NORM,
            "layer_norm", Role.EMBEDDING_NORM);

    private static final Map<String, Role> LAYER = Map.ofEntries(
            Map.entry("attention.self.query", Role.ATTN_Q),
            Map.entry("attention.self.key", Role.ATTN_K),
            Map.entry("attention.self.value", Role.ATTN_V),
            Map.entry("attention.output.dense", Role.ATTN_O),
            Map.entry("attention.output.LayerNorm", Role.POST_ATTN_NORM),
            Map.entry("intermediate.dense", Role.MLP_UP),
            Map.entry("output.dense", Role.MLP_DOWN),
            Map.entry("output.LayerNorm", Role.POST_MLP_NORM),
            // DistilBERT
            Map.entry("attention.q_lin", Role.ATTN_Q),
            Map.entry("attention.k_lin", Role.ATTN_K),
            Map.entry("attention.v_lin", Role.ATTN_V),
            Map.entry("attention.out_lin", Role.ATTN_O),
            Map.entry("sa_layer_norm", Role.POST_ATTN_NORM),
            Map.entry("ffn.lin1", Role.MLP_UP),
            Map.entry("ffn.lin2", Role.MLP_DOWN),
            Map.entry("output_layer_norm", Role.POST_MLP_NORM));

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.unwrapped();
        if (p.size() == 2 && p.get(0).equals("embeddings")) {
            String m = p.get(1);
            if (m.equals("word_embeddings")) {
                return TensorAddress.of(Component.EMBEDDINGS, null, Role.EMBEDDING, name.part());
            }
            if (name.part() == Part.BUFFER) {
                return TensorAddress.of(ENCODER, null, Role.OTHER, Part.BUFFER);
            }
            Role r = EMBEDDINGS.get(m);
            return r == null ? null : TensorAddress.of(ENCODER, null, r, name.part());
        }
        if (p.size() == 1 && p.getFirst().equals("embeddings") && name.part() == Part.BUFFER) {
            return TensorAddress.of(ENCODER, null, Role.OTHER, Part.BUFFER);
        }
        String module = String.join(".", p);
        switch (module) {
            case "pooler.dense" -> {
                return TensorAddress.of(ENCODER, null, Role.POOLER, name.part());
            }
            case "cls.predictions.decoder", "lm_head.decoder", "cls.predictions", "lm_head" -> {
                return TensorAddress.of(Component.LM_HEAD, null, Role.LM_HEAD, name.part());
            }
            default -> {
                // layers below
            }
        }
        int start = p.size() >= 1 && p.getFirst().equals("encoder") ? 1 : 0;
        if (p.size() >= start + 3 && p.get(start).equals("layer") && TensorName.index(p.get(start + 1)) != null) {
            Role r = LAYER.get(TensorName.join(p, start + 2));
            return r == null ? null : TensorAddress.of(ENCODER, TensorName.index(p.get(start + 1)), r, name.part());
        }
        return null;
    }
}
