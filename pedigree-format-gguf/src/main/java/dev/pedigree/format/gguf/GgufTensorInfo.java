package dev.pedigree.format.gguf;

import java.util.Arrays;
import java.util.Objects;

/**
 * One tensor info record of a GGUF file, validated against the file.
 *
 * @param name the tensor name as stored
 * @param dims the dimensions in GGUF order ({@code dims[0]} = ne0 is contiguous)
 * @param type the ggml type
 * @param offset the offset relative to the start of the tensor data section (a multiple of the
 *     alignment)
 * @param dataOffset the absolute file offset of the first byte of the tensor
 * @param byteSize the number of bytes the tensor occupies
 * @param infoOffset the absolute file offset of this tensor info record (for error messages)
 */
public record GgufTensorInfo(
        String name, long[] dims, GgmlType type, long offset, long dataOffset, long byteSize, long infoOffset) {
    public GgufTensorInfo {
        Objects.requireNonNull(name);
        Objects.requireNonNull(type);
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** Number of dimensions. */
    public int rank() {
        return dims.length;
    }

    /** ne0, the contiguous dimension (1 for a rank-0 tensor). */
    public long ne0() {
        return dims.length == 0 ? 1 : dims[0];
    }

    /** Number of elements. */
    public long elementCount() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** The canonical (PyTorch) shape: the GGUF dimensions reversed. */
    public long[] canonicalDims() {
        long[] out = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            out[i] = dims[dims.length - 1 - i];
        }
        return out;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof GgufTensorInfo t
                && name.equals(t.name)
                && Arrays.equals(dims, t.dims)
                && type == t.type
                && offset == t.offset
                && dataOffset == t.dataOffset
                && byteSize == t.byteSize
                && infoOffset == t.infoOffset;
    }

    @Override
    public int hashCode() {
        return Objects.hash(name, Arrays.hashCode(dims), type, offset, dataOffset, byteSize, infoOffset);
    }

    @Override
    public String toString() {
        return name + " " + type + " " + Arrays.toString(dims) + " @" + dataOffset;
    }
}
