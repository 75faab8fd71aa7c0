package dev.pedigree.registry;

import java.util.Objects;

/**
 * A suspect tensor whose canonical content hash equals a registry model's tensor: exact reuse of
 * unchanged weights, established from hashes alone.
 *
 * @param suspectTensor the suspect's tensor name
 * @param component the suspect tensor's reported component (e.g. {@code vision}, {@code text})
 * @param model the registry model holding the same tensor
 * @param modelTensor that model's tensor name
 * @param canonicalSha256 the shared hash
 * @param elements number of values
 */
public record TensorMatch(
        String suspectTensor,
        String component,
        String model,
        String modelTensor,
        String canonicalSha256,
        long elements) {
    public TensorMatch {
        Objects.requireNonNull(suspectTensor, "suspectTensor");
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(modelTensor, "modelTensor");
        Objects.requireNonNull(canonicalSha256, "canonicalSha256");
    }
}
