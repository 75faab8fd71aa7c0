package dev.pedigree.registry;

import dev.pedigree.fingerprint.Fingerprint;
import java.util.Objects;

/**
 * One model in the registry: its metadata and facts taken from its fingerprint. Immutable.
 *
 * @param parameters logical parameter count
 * @param architecture null when unknown
 * @param format the source format's JSON name
 * @param source where the model was read from when it was added
 * @param residualWidth {@link Fingerprint#residualWidth()}
 * @param layers {@link Fingerprint#layerCount()}
 * @param vocabularySize tokenizer entries (0: none)
 * @param tensors tensors in the fingerprint
 * @param fingerprintSha256 hex SHA-256 of the fingerprint file
 * @param fingerprintBytes size of the fingerprint file
 * @param modelBytes stored bytes of the model's tensors
 */
public record RegistryEntry(
        ModelMetadata metadata,
        long parameters,
        String architecture,
        String format,
        String source,
        int residualWidth,
        int layers,
        int vocabularySize,
        int tensors,
        String fingerprintSha256,
        long fingerprintBytes,
        long modelBytes) {
    public RegistryEntry {
        Objects.requireNonNull(metadata, "metadata");
        Objects.requireNonNull(format, "format");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(fingerprintSha256, "fingerprintSha256");
    }

    /** The model's registry name. */
    public String name() {
        return metadata.name();
    }
}
