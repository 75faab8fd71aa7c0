package dev.pedigree.kernels;

import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The outcome of building one kernel family's Vector API twin: the twin, or the one reason this JVM cannot run it.
 * Each family builds its twin once, lazily, through {@link #build}; {@link VectorSupport} then chooses between it and
 * the scalar twin.
 *
 * <p>Immutable and thread-safe.
 *
 * @param twin the Vector API twin, when it could be built
 * @param unusable why it could not, when it could not (exactly one of the two is present)
 * @param <K> the kernel family ({@code DecodeKernels}, {@code Kernels})
 */
public record VectorTwin<K>(Optional<K> twin, Optional<String> unusable) {
    public VectorTwin {
        Objects.requireNonNull(twin, "twin");
        Objects.requireNonNull(unusable, "unusable");
        if (twin.isPresent() == unusable.isPresent()) {
            throw new IllegalArgumentException("exactly one of a twin and a reason: " + twin + ", " + unusable);
        }
    }

    /**
     * Builds a Vector API twin, or records why it cannot be built. The constructor is not called at all when the
     * incubator module is not resolved, so the classes that name {@code jdk.incubator.vector} types are never loaded
     * then; a constructor that finds an unsupported shape throws, and its message becomes the reason.
     */
    public static <K> VectorTwin<K> build(Supplier<K> constructor) {
        Optional<String> absent = VectorSupport.incubatorAbsence();
        if (absent.isPresent()) {
            return new VectorTwin<>(Optional.empty(), absent);
        }
        try {
            return new VectorTwin<>(Optional.of(constructor.get()), Optional.empty());
        } catch (LinkageError | RuntimeException e) {
            // A broken or partial module, or a vector shape the kernels were not written for: the scalar twin is
            // correct everywhere, so this is a fallback and not a failure.
            return new VectorTwin<>(Optional.empty(), Optional.of("Vector API unusable: " + e));
        }
    }

    /**
     * The twin.
     *
     * @throws UnsupportedOperationException naming the reason, when there is none
     */
    public K require() {
        return twin.orElseThrow(() -> new UnsupportedOperationException(unusable.orElseThrow()));
    }
}
