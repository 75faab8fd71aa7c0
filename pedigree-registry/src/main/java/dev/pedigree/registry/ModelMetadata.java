package dev.pedigree.registry;

import java.util.List;
import java.util.Objects;

/**
 * What the registry records about a model beside its fingerprint. Immutable.
 *
 * @param name unique name in the registry (e.g. {@code bge-small-en-v1.5})
 * @param organisation publisher, null if unknown
 * @param license licence identifier (SPDX where possible), null if unknown
 * @param revision version, commit or tag, null if unknown
 * @param parents declared parent models (names or ids as their cards state them), possibly empty
 */
public record ModelMetadata(String name, String organisation, String license, String revision, List<String> parents) {
    public ModelMetadata {
        Objects.requireNonNull(name, "name");
        if (name.isBlank() || name.length() > 256 || name.chars().anyMatch(c -> c < 0x20)) {
            throw new IllegalArgumentException("invalid model name '" + name + "' (1–256 printable characters)");
        }
        parents = List.copyOf(parents);
    }

    /** Metadata with only a name. */
    public static ModelMetadata named(String name) {
        return new ModelMetadata(name, null, null, null, List.of());
    }
}
