package dev.pedigree.format.onnx;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.GitLfsPointer;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.ElementDecoder;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a parsed {@link OnnxTensorProto} into validated {@link OnnxTensorData}: checks the element
 * count against the dims, the raw_data size against the type, the typed field against the type,
 * and resolves external data ({@code location} relative to the model's directory, which it may not
 * leave; {@code offset}/{@code length} within the file). External files are mapped once each; the
 * resolver owns those mappings until {@link #takeSources()} hands them to the view.
 *
 * <p>Not thread-safe; used while a model is opened.
 */
final class OnnxDataResolver implements AutoCloseable {
    /**
     * The outcome for one tensor.
     *
     * @param data decodable values, or null when {@code unsupported} says why not
     * @param stored the stored bytes (for the raw hash)
     * @param unsupported why the values cannot be decoded, or null
     * @param elementCount the product of the dims
     */
    record Resolved(OnnxTensorData data, MemorySegment stored, String unsupported, long elementCount) {}

    private final String src;
    private final Path modelDir;
    private final Map<Path, ByteSource> external = new LinkedHashMap<>();

    OnnxDataResolver(String src, Path modelFile) {
        this.src = src;
        Path parent = modelFile.toAbsolutePath().normalize().getParent();
        this.modelDir = parent == null ? Path.of("").toAbsolutePath() : parent;
    }

    /** Number of elements of {@code dims}, checked for overflow. */
    long elementCount(OnnxTensorProto t) throws CorruptModelException {
        long n = 1;
        try {
            for (long d : t.dims()) {
                n = Math.multiplyExact(n, d);
            }
        } catch (ArithmeticException e) {
            throw new CorruptModelException(
                    src,
                    t.offset(),
                    "tensor '" + t.name() + "' has dims " + java.util.Arrays.toString(t.dims())
                            + " whose product overflows");
        }
        return n;
    }

    Resolved resolve(OnnxTensorProto t, String name) throws IOException, ModelFormatException {
        long n = elementCount(t);
        OnnxDataType type = t.dataType();
        String what = "tensor '" + name + "'";
        boolean hasTyped = !t.typedChunks().isEmpty();
        if (t.segmented()) {
            return new Resolved(null, t.message(), "segmented TensorProto (field 3) is not supported", n);
        }
        if (type == null || type == OnnxDataType.UNDEFINED) {
            // The size of an unknown type cannot be checked exactly; no type packs more than 8
            // elements per byte, so a larger count is certainly corrupt.
            long have =
                    t.rawData() != null ? t.rawData().byteSize() : t.message().byteSize();
            if (n / 8 > have) {
                throw new CorruptModelException(
                        src,
                        t.offset(),
                        what + " claims " + n + " elements of unknown type " + t.dataTypeId() + " but stores " + have
                                + " bytes");
            }
            return new Resolved(
                    null,
                    t.rawData() != null ? t.rawData() : t.message(),
                    "unknown ONNX data type id " + t.dataTypeId(),
                    n);
        }
        MemorySegment bytes;
        if (t.external()) {
            if (t.rawData() != null || hasTyped) {
                throw new CorruptModelException(src, t.offset(), what + " has both external and inline data");
            }
            long expected = rawSize(type, n, t);
            bytes = externalBytes(t, what, expected);
        } else if (t.rawData() != null) {
            if (hasTyped) {
                throw new CorruptModelException(src, t.offset(), what + " has both raw_data and typed values");
            }
            long expected = rawSize(type, n, t);
            if (expected >= 0 && t.rawData().byteSize() != expected) {
                throw new CorruptModelException(
                        src,
                        t.rawDataOffset(),
                        what + " raw_data holds " + t.rawData().byteSize() + " bytes, but dims "
                                + java.util.Arrays.toString(t.dims()) + " of " + type + " need " + expected);
            }
            bytes = t.rawData();
        } else if (hasTyped) {
            return typed(t, type, n, what);
        } else if (type == OnnxDataType.STRING) {
            if (t.stringCount() != n) {
                throw new CorruptModelException(
                        src, t.offset(), what + " has " + t.stringCount() + " strings for " + n + " elements");
            }
            return new Resolved(null, t.message(), "STRING tensors have no numeric values", n);
        } else {
            if (n != 0) {
                throw new CorruptModelException(
                        src,
                        t.offset(),
                        what + " of " + n + " elements has no data (no raw_data, typed values or external data)");
            }
            bytes = MemorySegment.ofArray(new byte[0]);
        }
        DType dt = type.dtype();
        if (type == OnnxDataType.STRING) {
            return new Resolved(null, bytes, "STRING tensors have no numeric values", n);
        }
        if (!ElementDecoder.handles(dt)) {
            return new Resolved(null, bytes, "values of ONNX type " + type + " are not decoded", n);
        }
        return new Resolved(new OnnxTensorData.Contiguous(dt, bytes, n), bytes, null, n);
    }

    private long rawSize(OnnxDataType type, long n, OnnxTensorProto t) throws CorruptModelException {
        try {
            return type.rawByteSize(n);
        } catch (ArithmeticException e) {
            throw new CorruptModelException(src, t.offset(), "tensor '" + t.name() + "' byte size overflows");
        }
    }

    private Resolved typed(OnnxTensorProto t, OnnxDataType type, long n, String what) throws CorruptModelException {
        Map<Integer, List<OnnxTensorProto.ValueRun>> chunks = t.typedChunks();
        for (int field : chunks.keySet()) {
            if (field != type.typedField()) {
                throw new CorruptModelException(
                        src,
                        chunks.get(field).getFirst().offset(),
                        what + " of type " + type + " stores values in TensorProto field " + field + ", expected field "
                                + type.typedField());
            }
        }
        List<OnnxTensorProto.ValueRun> runs = chunks.get(type.typedField());
        int field = type.typedField();
        if (type.elementsPerByte() > 0) {
            return new Resolved(
                    null,
                    new OnnxTensorData.Encoded(src, field, type, runs, n).storedBytes(),
                    "values of ONNX type " + type + " in int32_data are not decoded",
                    n);
        }
        long count = OnnxTensorData.countValues(src, field, runs);
        boolean complex = type == OnnxDataType.COMPLEX64 || type == OnnxDataType.COMPLEX128;
        if (complex && n > Long.MAX_VALUE / 2) {
            throw new CorruptModelException(src, t.offset(), what + " has too many elements");
        }
        long expected = complex ? n * 2 : n;
        if (count != expected) {
            throw new CorruptModelException(
                    src,
                    runs.getFirst().offset(),
                    what + " has " + count + " typed values in field " + field + ", but dims "
                            + java.util.Arrays.toString(t.dims()) + " need " + expected);
        }
        if (!ElementDecoder.handles(type.dtype())) {
            return new Resolved(
                    null,
                    new OnnxTensorData.Encoded(src, field, type, runs, n).storedBytes(),
                    "values of ONNX type " + type + " are not decoded",
                    n);
        }
        OnnxTensorData data;
        if (runs.size() == 1 && field == OnnxDataType.FLOAT_DATA) {
            data = new OnnxTensorData.Contiguous(DType.F32, runs.getFirst().bytes(), n);
        } else if (runs.size() == 1 && field == OnnxDataType.DOUBLE_DATA) {
            data = new OnnxTensorData.Contiguous(DType.F64, runs.getFirst().bytes(), n);
        } else {
            data = new OnnxTensorData.Encoded(src, field, type, runs, n);
        }
        return new Resolved(data, data.storedBytes(), null, n);
    }

    private MemorySegment externalBytes(OnnxTensorProto t, String what, long expected)
            throws IOException, ModelFormatException {
        Map<String, String> kv = t.externalData();
        String location = kv.get("location");
        if (location == null || location.isEmpty()) {
            throw new CorruptModelException(src, t.offset(), what + " has external data without a location");
        }
        Path rel;
        try {
            rel = Path.of(location);
        } catch (InvalidPathException e) {
            throw new CorruptModelException(
                    src, t.offset(), what + " has an invalid external data location '" + location + "'", e);
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\") || rel.getRoot() != null) {
            throw new UnsafeModelException(
                    src,
                    t.offset(),
                    what + " points at absolute external data path '" + location
                            + "'; only paths inside the model directory are read");
        }
        Path target = modelDir.resolve(rel).normalize();
        if (!target.startsWith(modelDir) || target.equals(modelDir)) {
            throw new UnsafeModelException(
                    src,
                    t.offset(),
                    what + " external data path '" + location + "' escapes the model directory " + modelDir);
        }
        if (!Files.isRegularFile(target)) {
            throw new CorruptModelException(
                    src, t.offset(), what + " external data file '" + location + "' does not exist in " + modelDir);
        }
        Path real = target.toRealPath();
        if (!real.startsWith(modelDir.toRealPath())) {
            throw new UnsafeModelException(
                    src,
                    t.offset(),
                    what + " external data path '" + location
                            + "' resolves (through a link) outside the model directory");
        }
        long offset = number(kv.get("offset"), 0, "offset", t, what);
        long length = number(kv.get("length"), -1, "length", t, what);
        ByteSource file = external.get(real);
        if (file == null) {
            file = ByteSource.map(real);
            external.put(real, file);
            GitLfsPointer.refuse(file);
        }
        long size = file.size();
        if (length < 0) {
            length = offset <= size ? size - offset : -1;
        }
        if (offset > size || length < 0 || length > size - offset) {
            throw new CorruptModelException(
                    src,
                    t.offset(),
                    what + " external data range [" + offset + ", " + offset + "+" + length
                            + ") extends past the end of '" + location + "' (size " + size + ")");
        }
        if (expected >= 0 && length != expected) {
            throw new CorruptModelException(
                    src,
                    t.offset(),
                    what + " external data length " + length + " does not match dims "
                            + java.util.Arrays.toString(t.dims()) + " of " + t.dataType() + " (" + expected
                            + " bytes)");
        }
        return file.slice(offset, length);
    }

    private long number(String text, long fallback, String key, OnnxTensorProto t, String what)
            throws CorruptModelException {
        if (text == null) {
            return fallback;
        }
        try {
            long v = Long.parseLong(text.trim());
            if (v < 0) {
                throw new NumberFormatException("negative");
            }
            return v;
        } catch (NumberFormatException e) {
            throw new CorruptModelException(
                    src, t.offset(), what + " external data " + key + " '" + text + "' is not a non-negative integer");
        }
    }

    /** The external files mapped so far, in first-use order. */
    List<Path> externalFiles() {
        return new ArrayList<>(external.keySet());
    }

    /** Hands the mappings to the caller, who must close them. */
    List<ByteSource> takeSources() {
        List<ByteSource> out = new ArrayList<>(external.values());
        external.clear();
        return out;
    }

    @Override
    public void close() {
        for (ByteSource s : external.values()) {
            s.close();
        }
        external.clear();
    }
}
