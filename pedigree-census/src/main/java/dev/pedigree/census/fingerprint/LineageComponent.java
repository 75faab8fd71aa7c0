package dev.pedigree.census.fingerprint;

import dev.pedigree.model.ComponentKind;

/**
 * The parts of a model the census keeps a family tree for. A VLM belongs to a text family and to
 * a vision family; an upcycled MoE to a text family and an experts family.
 */
public enum LineageComponent {
    TEXT,
    VISION,
    AUDIO,
    EXPERTS;

    /** The census component of an engine component kind, or null for kinds without a family (projectors, unrecognised tensors). */
    public static LineageComponent of(ComponentKind kind) {
        return switch (kind) {
            case TEXT_DECODER, TEXT_ENCODER, EMBEDDINGS, LM_HEAD -> TEXT;
            case VISION_ENCODER -> VISION;
            case AUDIO_ENCODER -> AUDIO;
            case EXPERTS -> EXPERTS;
            case PROJECTOR, OTHER -> null;
        };
    }

    /** Lower-case name used in tables and on the command line. */
    public String key() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The component named {@code key} ({@link #key()}). */
    public static LineageComponent ofKey(String key) {
        return valueOf(key.toUpperCase(java.util.Locale.ROOT));
    }
}
