package dev.pedigree.formats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pedigree.model.ArchitectureHints;

/**
 * Extracts {@link ArchitectureHints} from a Hugging Face {@code config.json}, looking through the
 * field aliases of the common families (GPT-2 {@code n_embd}, ChatGLM {@code ffn_hidden_size} ...)
 * and into a nested {@code text_config} for multimodal models.
 */
final class ConfigHints {
    private ConfigHints() {}

    static ArchitectureHints from(JsonNode cfg) {
        if (cfg == null || !cfg.isObject()) {
            return ArchitectureHints.NONE;
        }
        String arch = text(cfg, "model_type");
        JsonNode text = cfg.has("text_config") && cfg.get("text_config").isObject() ? cfg.get("text_config") : cfg;
        Integer hidden = integer(text, "hidden_size", "n_embd", "d_model", "hidden_dim", "dim");
        Integer heads = integer(text, "num_attention_heads", "n_head", "num_heads", "n_heads");
        Integer kv = integer(text, "num_key_value_heads", "multi_query_group_num", "n_kv_heads", "num_kv_heads");
        Integer headDim = integer(text, "head_dim", "kv_channels");
        Integer inter = integer(text, "intermediate_size", "ffn_hidden_size", "n_inner", "ffn_dim", "hidden_dim_ffn");
        Integer layers = integer(text, "num_hidden_layers", "n_layer", "num_layers", "n_layers");
        Boolean tied = null;
        if (text.has("tie_word_embeddings")) {
            tied = text.get("tie_word_embeddings").asBoolean();
        } else if (cfg.has("tie_word_embeddings")) {
            tied = cfg.get("tie_word_embeddings").asBoolean();
        }
        if (kv == null && heads != null && !"chatglm".equals(arch)) {
            kv = heads;
        }
        return new ArchitectureHints(arch, hidden, heads, kv, headDim, inter, layers, tied);
    }

    private static String text(JsonNode n, String key) {
        JsonNode v = n.get(key);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    private static Integer integer(JsonNode n, String... keys) {
        for (String k : keys) {
            JsonNode v = n.get(k);
            if (v != null && v.canConvertToInt() && v.isIntegralNumber()) {
                return v.asInt();
            }
        }
        return null;
    }
}
