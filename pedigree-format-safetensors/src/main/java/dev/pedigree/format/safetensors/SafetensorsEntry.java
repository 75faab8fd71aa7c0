package dev.pedigree.format.safetensors;

import dev.pedigree.model.Shape;
import java.util.Objects;

/**
 * One tensor's entry in a safetensors header ({@code TensorInfo} in the reference): dtype, shape
 * and {@code data_offsets}, relative to the start of the data buffer, {@code end} exclusive.
 *
 * @param name tensor name (the header key)
 * @param dtype stored type
 * @param shape shape in PyTorch order, as written
 * @param begin first byte, relative to the data buffer
 * @param end one past the last byte, relative to the data buffer
 * @param headerOffset absolute file offset of the entry's key, for error messages
 */
public record SafetensorsEntry(
        String name, SafetensorsDType dtype, Shape shape, long begin, long end, long headerOffset) {
    public SafetensorsEntry {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(dtype, "dtype");
        Objects.requireNonNull(shape, "shape");
        if (begin < 0 || end < begin) {
            throw new IllegalArgumentException("data_offsets [" + begin + ", " + end + ") of " + name);
        }
    }

    /** Stored length in bytes. */
    public long length() {
        return end - begin;
    }
}
