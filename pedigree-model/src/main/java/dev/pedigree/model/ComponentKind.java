package dev.pedigree.model;

/** What a component is; the JSON contracts use the lower-case names. */
public enum ComponentKind {
    TEXT_DECODER,
    TEXT_ENCODER,
    VISION_ENCODER,
    AUDIO_ENCODER,
    PROJECTOR,
    EMBEDDINGS,
    LM_HEAD,
    EXPERTS,
    OTHER;

    /** The contract spelling, e.g. {@code text_decoder}. */
    public String jsonName() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
