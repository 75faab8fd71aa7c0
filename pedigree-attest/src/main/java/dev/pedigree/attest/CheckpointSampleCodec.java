package dev.pedigree.attest;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.SegmentReader;
import dev.pedigree.io.Sha256;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.Component;
import dev.pedigree.model.ComponentKind;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads and writes the ledger's checkpoint-sample sidecar files ({@code .pdfp}; the format's own
 * texts call them fingerprints, and its bytes, messages included, do not change).
 *
 * <pre>
 * offset 0   char[4]  magic "PDFP"
 * offset 4   uint32   version (1), little-endian
 * offset 8   uint64   H: byte length of the JSON header, little-endian
 * offset 16  byte[H]  UTF-8 JSON header (schema {@value CheckpointSample#SCHEMA}): sampling, model
 *                     hash, hints and one object per tensor with its address, shape, canonical
 *                     hash, statistics, sample size ("rows", "columns") and the byte offsets of its
 *                     sample ("offset") and row norms ("row_norms_offset", "row_norms") in the data
 * offset 16+H float32[] data, little-endian; the regions follow each other in tensor order, with
 *                     no gap, overlap or trailing byte
 * </pre>
 *
 * <p>Reading checks every length and offset against the bytes that exist before allocating, and
 * reports corruption as {@link CorruptModelException} naming the file and the byte offset.
 * Stateless and thread-safe.
 */
public final class CheckpointSampleCodec {
    static final byte[] MAGIC = {'P', 'D', 'F', 'P'};
    static final int VERSION = 1;
    static final int PREAMBLE = 16;
    /** Largest sidecar accepted. */
    public static final long MAX_BYTES = Integer.MAX_VALUE - 64;

    private static final JsonFactory JSON = new JsonFactory();
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private CheckpointSampleCodec() {}

    /** The encoded bytes (deterministic: equal samples encode equal). */
    public static byte[] encode(CheckpointSample fp) {
        ByteArrayOutputStream header = new ByteArrayOutputStream();
        long dataBytes = 0;
        try (JsonGenerator g = JSON.createGenerator(header)) {
            g.writeStartObject();
            g.writeStringField("schema", CheckpointSample.SCHEMA);
            g.writeStringField("sampling", CheckpointSampler.SAMPLING);
            g.writeNumberField("seed", fp.seed());
            g.writeNumberField("row_samples", fp.rowSamples());
            g.writeNumberField("column_samples", fp.columnSamples());
            g.writeStringField("model_hash", fp.modelHash());
            g.writeStringField("hash_definition", ModelHash.DEFINITION);
            g.writeStringField("source", fp.source());
            g.writeStringField("format", fp.format());
            g.writeStringField("architecture", fp.architecture());
            g.writeNumberField("stored_bytes", fp.storedBytes());
            ArchitectureHints h = fp.hints();
            g.writeObjectFieldStart("hints");
            g.writeStringField("architecture", h.architecture());
            integer(g, "hidden_size", h.hiddenSize());
            integer(g, "num_heads", h.numHeads());
            integer(g, "num_kv_heads", h.numKvHeads());
            integer(g, "head_dim", h.headDim());
            integer(g, "intermediate_size", h.intermediateSize());
            integer(g, "num_layers", h.numLayers());
            if (h.tiedEmbeddings() == null) {
                g.writeNullField("tied_embeddings");
            } else {
                g.writeBooleanField("tied_embeddings", h.tiedEmbeddings());
            }
            g.writeEndObject();
            g.writeArrayFieldStart("tensors");
            for (CheckpointSampleTensor t : fp.tensors()) {
                TensorAddress a = t.address();
                g.writeStartObject();
                g.writeStringField("name", t.name());
                g.writeStringField("component", a.component().name());
                g.writeStringField("component_kind", a.component().kind().name());
                integer(g, "layer", a.layer());
                g.writeStringField("role", a.role().name());
                integer(g, "expert", a.expert());
                g.writeStringField("part", a.part().name());
                g.writeStringField("dtype", t.dtype());
                g.writeArrayFieldStart("shape");
                for (long d : t.shape()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeStringField("sha256", t.canonicalSha256());
                CheckpointMoments s = t.stats();
                g.writeObjectFieldStart("stats");
                g.writeNumberField("count", s.count());
                real(g, "mean", s.mean());
                real(g, "std", s.std());
                real(g, "kurtosis", s.kurtosis());
                real(g, "min", s.min());
                real(g, "max", s.max());
                g.writeNumberField("zeros", s.zeros());
                g.writeNumberField("non_finite", s.nonFinite());
                g.writeEndObject();
                g.writeNumberField("rows", t.sampledRows());
                g.writeNumberField("columns", t.sampledColumns());
                g.writeNumberField("offset", dataBytes);
                dataBytes += 4L * t.sampledRows() * t.sampledColumns();
                if (t.rowNorms() != null) {
                    g.writeNumberField("row_norms_offset", dataBytes);
                    g.writeNumberField("row_norms", t.rowNorms().length);
                    dataBytes += 4L * t.rowNorms().length;
                }
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing to memory failed", e);
        }
        byte[] hdr = header.toByteArray();
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(PREAMBLE + hdr.length + dataBytes))
                .order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).putInt(VERSION).putLong(hdr.length).put(hdr);
        for (CheckpointSampleTensor t : fp.tensors()) {
            for (float v : t.values()) {
                out.putFloat(v);
            }
            if (t.rowNorms() != null) {
                for (float v : t.rowNorms()) {
                    out.putFloat(v);
                }
            }
        }
        return out.array();
    }

    /** Writes {@code fp} to {@code file} and returns the SHA-256 (hex) of the bytes written. */
    public static String write(CheckpointSample fp, Path file) throws IOException {
        byte[] b = encode(fp);
        Files.write(file, b);
        return Sha256.hex(b);
    }

    /** Reads a sidecar file. */
    public static CheckpointSample read(Path file) throws IOException, CorruptModelException {
        long size = Files.size(file);
        if (size > MAX_BYTES) {
            throw new CorruptModelException(
                    file.toString(), 0, "fingerprint of " + size + " bytes exceeds the limit of " + MAX_BYTES);
        }
        return decode(Files.readAllBytes(file), file.toString());
    }

    /** Decodes sidecar bytes; {@code source} names them in errors. */
    public static CheckpointSample decode(byte[] bytes, String source) throws CorruptModelException {
        SegmentReader r = new SegmentReader(source, MemorySegment.ofArray(bytes)).order(ByteOrder.LITTLE_ENDIAN);
        byte[] magic = r.bytes(4, "magic");
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new CorruptModelException(source, 0, "not a Pedigree fingerprint: magic is not PDFP");
        }
        long version = r.u32("version");
        if (version != VERSION) {
            throw new CorruptModelException(source, 4, "fingerprint version " + version + " is not " + VERSION);
        }
        long h = r.u64("header length");
        if (h < 2 || h > r.remaining()) {
            throw new CorruptModelException(
                    source,
                    8,
                    "header length " + Long.toUnsignedString(h) + " exceeds the " + r.remaining()
                            + " bytes after the preamble");
        }
        byte[] hdr = r.bytes(h, "header");
        long dataStart = PREAMBLE + h;
        long dataLen = bytes.length - dataStart;
        JsonNode root;
        try {
            root = MAPPER.readTree(hdr);
        } catch (JsonProcessingException e) {
            long at = e.getLocation() == null ? 0 : Math.max(0, e.getLocation().getByteOffset());
            throw new CorruptModelException(
                    source,
                    PREAMBLE + Math.min(at, h),
                    "fingerprint header is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new CorruptModelException(
                    source, PREAMBLE, "fingerprint header is not valid JSON: " + e.getMessage());
        }
        Header hd = new Header(source);
        if (root == null || !root.isObject()) {
            throw hd.bad("header is not a JSON object");
        }
        if (!CheckpointSample.SCHEMA.equals(hd.text(root, "schema", false))) {
            throw hd.bad("schema is not " + CheckpointSample.SCHEMA);
        }
        if (!CheckpointSampler.SAMPLING.equals(hd.text(root, "sampling", false))) {
            throw hd.bad("sampling algorithm is not " + CheckpointSampler.SAMPLING);
        }
        long seed = hd.integer(root, "seed");
        int rowSamples = hd.count(root, "row_samples", 1, Integer.MAX_VALUE);
        int colSamples = hd.count(root, "column_samples", 1, Integer.MAX_VALUE);
        String modelHash = hd.text(root, "model_hash", false);
        if (!Sha256.isHex(modelHash)) {
            throw hd.bad("model_hash is not 64 hex digits");
        }
        String src = hd.text(root, "source", false);
        String format = hd.text(root, "format", false);
        String arch = hd.text(root, "architecture", true);
        long stored = hd.integer(root, "stored_bytes");
        JsonNode hn = root.get("hints");
        if (hn == null || !hn.isObject()) {
            throw hd.bad("hints is missing");
        }
        JsonNode tied = hn.get("tied_embeddings");
        ArchitectureHints hints = new ArchitectureHints(
                hd.text(hn, "architecture", true),
                hd.optInt(hn, "hidden_size"),
                hd.optInt(hn, "num_heads"),
                hd.optInt(hn, "num_kv_heads"),
                hd.optInt(hn, "head_dim"),
                hd.optInt(hn, "intermediate_size"),
                hd.optInt(hn, "num_layers"),
                tied == null || tied.isNull() ? null : tied.booleanValue());
        JsonNode ts = root.get("tensors");
        if (ts == null || !ts.isArray()) {
            throw hd.bad("tensors is missing");
        }
        MemorySegment data = MemorySegment.ofArray(bytes).asSlice(dataStart);
        long cursor = 0;
        List<CheckpointSampleTensor> tensors = new ArrayList<>();
        for (int i = 0; i < ts.size(); i++) {
            JsonNode t = ts.get(i);
            hd.at = "tensor " + i;
            if (!t.isObject()) {
                throw hd.bad("not an object");
            }
            TensorAddress addr;
            try {
                Component comp = new Component(
                        hd.text(t, "component", false), ComponentKind.valueOf(hd.text(t, "component_kind", false)));
                addr = new TensorAddress(
                        comp,
                        hd.optInt(t, "layer"),
                        Role.valueOf(hd.text(t, "role", false)),
                        hd.optInt(t, "expert"),
                        Part.valueOf(hd.text(t, "part", false)));
            } catch (IllegalArgumentException e) {
                throw hd.bad("bad address: " + e.getMessage());
            }
            JsonNode sh = t.get("shape");
            if (sh == null || !sh.isArray() || sh.size() > Shape.MAX_RANK) {
                throw hd.bad("shape is missing or has rank above " + Shape.MAX_RANK);
            }
            long[] dims = new long[sh.size()];
            for (int d = 0; d < dims.length; d++) {
                if (!sh.get(d).canConvertToLong()
                        || !sh.get(d).isIntegralNumber()
                        || sh.get(d).longValue() < 0) {
                    throw hd.bad("shape dimension " + d + " is not a non-negative integer");
                }
                dims[d] = sh.get(d).longValue();
            }
            try {
                Shape.of(dims);
            } catch (ArithmeticException | IllegalArgumentException e) {
                throw hd.bad("shape overflows");
            }
            String sha = hd.text(t, "sha256", false);
            if (!Sha256.isHex(sha)) {
                throw hd.bad("sha256 is not 64 hex digits");
            }
            JsonNode st = t.get("stats");
            if (st == null || !st.isObject()) {
                throw hd.bad("stats is missing");
            }
            CheckpointMoments stats;
            try {
                stats = new CheckpointMoments(
                        hd.integer(st, "count"),
                        hd.real(st, "mean"),
                        hd.real(st, "std"),
                        hd.real(st, "kurtosis"),
                        hd.real(st, "min"),
                        hd.real(st, "max"),
                        hd.integer(st, "zeros"),
                        hd.integer(st, "non_finite"));
            } catch (IllegalArgumentException e) {
                throw hd.bad(e.getMessage());
            }
            int rows = hd.count(t, "rows", 0, Integer.MAX_VALUE);
            int cols = hd.count(t, "columns", 0, Integer.MAX_VALUE);
            Shape shape = Shape.of(dims);
            boolean empty = shape.elementCount() == 0;
            long wantRows = empty ? 0 : dims.length >= 2 ? Math.min(shape.rows(), rowSamples) : 1;
            long wantCols = empty ? 0 : Math.min(shape.columns(), colSamples);
            if (rows != wantRows || cols != wantCols) {
                throw hd.bad("sample of " + rows + " × " + cols + " does not fit shape " + shape + " sampled at "
                        + rowSamples + " × " + colSamples + " (expected " + wantRows + " × " + wantCols + ")");
            }
            if (stats.count() + stats.nonFinite() != shape.elementCount() || stats.zeros() > stats.count()) {
                throw hd.bad("statistics count " + stats.count() + " + " + stats.nonFinite() + " does not match shape "
                        + shape);
            }
            long n = (long) rows * cols;
            float[] values = hd.floats(data, dataStart, dataLen, cursor, hd.integer(t, "offset"), n, "sample");
            cursor += 4 * n;
            float[] norms = null;
            if (t.has("row_norms")) {
                long nn = hd.integer(t, "row_norms");
                if (dims.length < 2 || nn != shape.rows()) {
                    throw hd.bad(nn + " row norms for shape " + shape);
                }
                norms = hd.floats(data, dataStart, dataLen, cursor, hd.integer(t, "row_norms_offset"), nn, "row norms");
                cursor += 4 * nn;
            }
            tensors.add(new CheckpointSampleTensor(
                    hd.text(t, "name", false),
                    addr,
                    hd.text(t, "dtype", false),
                    dims,
                    sha,
                    stats,
                    rows,
                    cols,
                    values,
                    norms));
        }
        if (cursor != dataLen) {
            throw new CorruptModelException(
                    source,
                    dataStart + cursor,
                    (dataLen - cursor) + " bytes after the last region of the data section");
        }
        return new CheckpointSample(seed, rowSamples, colSamples, modelHash, src, format, arch, hints, stored, tensors);
    }

    private static void integer(JsonGenerator g, String name, Integer v) throws IOException {
        if (v == null) {
            g.writeNullField(name);
        } else {
            g.writeNumberField(name, v);
        }
    }

    private static void real(JsonGenerator g, String name, double v) throws IOException {
        if (Double.isFinite(v)) {
            g.writeNumberField(name, v);
        } else {
            g.writeNullField(name);
        }
    }

    /** Field access with errors that name the file, the header offset and the element. */
    private static final class Header {
        final String source;
        String at = "header";

        Header(String source) {
            this.source = source;
        }

        CorruptModelException bad(String detail) {
            return new CorruptModelException(source, PREAMBLE, "fingerprint " + at + ": " + detail);
        }

        String text(JsonNode n, String f, boolean nullable) throws CorruptModelException {
            JsonNode v = n.get(f);
            if (v == null || v.isNull()) {
                if (nullable) {
                    return null;
                }
                throw bad(f + " is missing");
            }
            if (!v.isTextual()) {
                throw bad(f + " is not a string");
            }
            return v.textValue();
        }

        long integer(JsonNode n, String f) throws CorruptModelException {
            JsonNode v = n.get(f);
            if (v == null || !v.isIntegralNumber() || !v.canConvertToLong()) {
                throw bad(f + " is not an integer");
            }
            return v.longValue();
        }

        int count(JsonNode n, String f, int min, int max) throws CorruptModelException {
            long v = integer(n, f);
            if (v < min || v > max) {
                throw bad(f + " = " + v + " outside [" + min + ", " + max + "]");
            }
            return (int) v;
        }

        Integer optInt(JsonNode n, String f) throws CorruptModelException {
            JsonNode v = n.get(f);
            if (v == null || v.isNull()) {
                return null;
            }
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < 0) {
                throw bad(f + " is not a non-negative int");
            }
            return v.intValue();
        }

        double real(JsonNode n, String f) throws CorruptModelException {
            JsonNode v = n.get(f);
            if (v == null || v.isNull()) {
                return Double.NaN;
            }
            if (!v.isNumber()) {
                throw bad(f + " is not a number");
            }
            return v.doubleValue();
        }

        float[] floats(
                MemorySegment data, long dataStart, long dataLen, long cursor, long offset, long count, String what)
                throws CorruptModelException {
            if (offset != cursor) {
                throw new CorruptModelException(
                        source,
                        dataStart + Math.max(0, Math.min(offset, dataLen)),
                        "fingerprint " + at + ": " + what + " offset " + offset + " is not the next free byte " + cursor
                                + " (gap or overlap)");
            }
            if (count < 0 || count > (dataLen - cursor) / 4) {
                throw new CorruptModelException(
                        source,
                        dataStart + cursor,
                        "fingerprint " + at + ": " + what + " of " + count + " floats runs past the end ("
                                + (dataLen - cursor) + " bytes left)");
            }
            float[] out = new float[(int) count];
            MemorySegment.copy(
                    data, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), cursor, out, 0, (int)
                            count);
            return out;
        }
    }

    /** UTF-8 text of a header, for diagnostics. */
    static String headerText(byte[] encoded) {
        long h = ByteBuffer.wrap(encoded, 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        return new String(encoded, PREAMBLE, (int) h, StandardCharsets.UTF_8);
    }
}
