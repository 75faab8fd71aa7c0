package dev.pedigree.model.naming;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.Component;
import java.util.Locale;
import java.util.Set;

/**
 * What the naming families need to know about the architecture, derived once from
 * {@link ArchitectureHints#architecture()} (an HF {@code model_type} or a GGUF
 * {@code general.architecture}).
 *
 * @param architecture lower-case architecture name, empty when unknown
 * @param feedForwardNormsSeen the model's names include {@code pre/post_feedforward_layernorm}
 */
record FamilyHints(String architecture, boolean feedForwardNormsSeen) {

    /** Architectures whose text stack is a bidirectional encoder. */
    private static final Set<String> ENCODERS = Set.of(
            "bert",
            "roberta",
            "xlm-roberta",
            "xlm_roberta",
            "distilbert",
            "electra",
            "camembert",
            "nomic-bert",
            "nomic_bert",
            "jina-bert-v2",
            "jina_bert",
            "modernbert",
            "neo-bert",
            "t5encoder",
            "mpnet",
            "deberta",
            "deberta-v2");

    /**
     * Architectures with "sandwich" norms: {@code post_attention_layernorm} normalises the attention
     * output and a separate {@code pre_feedforward_layernorm} (Gemma) or none (OLMo 2) precedes the
     * MLP.
     */
    private static final Set<String> SANDWICH_NORMS =
            Set.of("gemma2", "gemma3", "gemma3_text", "gemma3n", "gemma3n_text", "olmo2", "olmo3", "t5gemma");

    /** GGUF architectures whose {@code ffn_up} holds the fused [gate; up] projection. */
    private static final Set<String> GGUF_FUSED_UP = Set.of("phi3", "phimoe", "chatglm", "glm4");

    /** Architectures whose fused query_key_value interleaves q, k, v per head (or per KV group). */
    private static final Set<String> GROUPED_QKV = Set.of(
            "gpt_neox",
            "gptneox",
            "gpt-neox",
            "bloom",
            "falcon",
            "refinedweb",
            "refinedwebmodel",
            "stablelm_epoch",
            "pythia");

    static FamilyHints of(ArchitectureHints hints) {
        String a = hints == null || hints.architecture() == null
                ? ""
                : hints.architecture().toLowerCase(Locale.ROOT);
        return new FamilyHints(a, false);
    }

    FamilyHints withFeedForwardNormsSeen() {
        return new FamilyHints(architecture, true);
    }

    /** Whether a module name is one of the Gemma 2/3 / OLMo 2 feed-forward sandwich norms. */
    static boolean isFeedForwardNorm(String module) {
        return module.equals("pre_feedforward_layernorm") || module.equals("post_feedforward_layernorm");
    }

    boolean encoder() {
        return ENCODERS.contains(architecture);
    }

    boolean sandwichNorms() {
        return feedForwardNormsSeen
                || SANDWICH_NORMS.contains(architecture)
                || architecture.startsWith("gemma2")
                || architecture.startsWith("gemma3");
    }

    boolean ggufFusedUp() {
        return GGUF_FUSED_UP.contains(architecture);
    }

    boolean whisper() {
        return architecture.startsWith("whisper");
    }

    boolean groupedQkv() {
        return GROUPED_QKV.contains(architecture);
    }

    /** Fused expert gate_up tensors in this architecture are not plain [gate; up] halves. */
    boolean expertGateUpUnsplittable() {
        return architecture.equals("gpt_oss") || architecture.equals("gpt-oss") || architecture.startsWith("llama4");
    }

    /** The main text stack: an encoder for BERT-like architectures, otherwise a decoder. */
    Component text() {
        return encoder() ? Component.TEXT_ENCODER : Component.TEXT_DECODER;
    }
}
