package dev.pedigree.forensics.result;

import java.util.Objects;

/** One block (layer) of a component stack, e.g. {@code (text, 3)}. */
public record Block(String component, int layer) {
    public Block {
        Objects.requireNonNull(component, "component");
        if (layer < 0) {
            throw new IllegalArgumentException("negative layer " + layer);
        }
    }
}
