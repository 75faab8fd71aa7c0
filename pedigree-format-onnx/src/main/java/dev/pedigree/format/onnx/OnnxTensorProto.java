package dev.pedigree.format.onnx;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;

/**
 * One parsed {@code TensorProto}: its header fields and zero-copy slices of its value fields. No
 * value is decoded or validated against the dims here; {@link OnnxTensorData} does that.
 *
 * @param name field 8 (may be empty, e.g. for Constant node values)
 * @param dataTypeId field 2 as stored (ids this version does not know are kept)
 * @param dims field 1, packed or unpacked; each checked non-negative, at most 8 of them
 * @param rawData field 9 as a slice of the mapped file, or null when absent
 * @param rawDataOffset absolute file offset of the raw_data payload (-1 when absent)
 * @param typedChunks per typed field number (4, 5, 7, 10, 11), the encoded value runs in file
 *     order: a packed run is one chunk, an unpacked value is one chunk of its own encoding
 * @param stringCount number of string_data entries
 * @param externalData field 13 key/value pairs in file order
 * @param dataLocation field 14 (0 DEFAULT, 1 EXTERNAL)
 * @param segmented whether field 3 (segment) was present
 * @param offset absolute file offset of the message's tag (used in errors)
 * @param message the whole encoded message (zero-copy)
 */
public record OnnxTensorProto(
        String name,
        long dataTypeId,
        long[] dims,
        MemorySegment rawData,
        long rawDataOffset,
        Map<Integer, List<ValueRun>> typedChunks,
        long stringCount,
        Map<String, String> externalData,
        long dataLocation,
        boolean segmented,
        long offset,
        MemorySegment message) {

    public OnnxTensorProto {
        dims = dims.clone();
        typedChunks = Map.copyOf(typedChunks);
        externalData = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(externalData));
    }

    /**
     * A run of encoded typed values: a packed field's payload, or one unpacked value.
     *
     * @param offset absolute file offset of the first byte
     */
    public record ValueRun(MemorySegment bytes, long offset) {}

    @Override
    public long[] dims() {
        return dims.clone();
    }

    /** The data type, or null if the id is not one this version knows. */
    public OnnxDataType dataType() {
        return OnnxDataType.fromId(dataTypeId);
    }

    /** Whether the values live in another file. */
    public boolean external() {
        return dataLocation == 1 || !externalData.isEmpty();
    }
}
