package dev.pedigree.format.onnx;

import java.lang.foreign.MemorySegment;

/**
 * A {@code SparseTensorProto} (values 1, indices 2, dims 3). Pedigree lists sparse initialisers
 * but does not decode them.
 *
 * @param values may be null in a malformed file; the reader rejects that
 */
public record OnnxSparseTensorProto(
        OnnxTensorProto values, OnnxTensorProto indices, long[] dims, long offset, MemorySegment message) {
    public OnnxSparseTensorProto {
        dims = dims.clone();
    }

    @Override
    public long[] dims() {
        return dims.clone();
    }
}
