package dev.pedigree.model;

import java.util.Objects;

/**
 * A named part of a model that gets its own lineage verdict, such as {@code text},
 * {@code embeddings}, {@code lm_head}, {@code vision}, {@code audio}, {@code projector} or
 * {@code experts}. Unknown tensors are grouped into {@code other:<prefix>} components.
 */
public record Component(String name, ComponentKind kind) {
    public static final Component TEXT_DECODER = new Component("text", ComponentKind.TEXT_DECODER);
    public static final Component TEXT_ENCODER = new Component("text", ComponentKind.TEXT_ENCODER);
    public static final Component EMBEDDINGS = new Component("embeddings", ComponentKind.EMBEDDINGS);
    public static final Component LM_HEAD = new Component("lm_head", ComponentKind.LM_HEAD);
    public static final Component VISION = new Component("vision", ComponentKind.VISION_ENCODER);
    public static final Component AUDIO = new Component("audio", ComponentKind.AUDIO_ENCODER);
    public static final Component PROJECTOR = new Component("projector", ComponentKind.PROJECTOR);
    public static final Component EXPERTS = new Component("experts", ComponentKind.EXPERTS);

    public Component {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("empty component name");
        }
    }

    /** A component for tensors whose names Pedigree does not recognise, keyed by name prefix. */
    public static Component other(String prefix) {
        return new Component(prefix.isEmpty() ? "other" : "other:" + prefix, ComponentKind.OTHER);
    }
}
