package dev.pedigree.format.onnx;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ProtoWireReader;
import dev.pedigree.io.SegmentReader;
import dev.pedigree.io.TensorCountLimit;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.Shape;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses the parts of an ONNX {@code ModelProto} that Pedigree needs straight from the mapped
 * bytes, with {@link ProtoWireReader}: tensor payloads stay slices of the mapping. Field numbers
 * follow onnx.proto (see formats.md section 3). Unknown fields are skipped; known fields with the
 * wrong wire type are corruption.
 *
 * <p>One parser per file; not thread-safe.
 */
public final class OnnxProtoParser {
    /** Deepest chain of subgraphs (If/Loop/Scan bodies inside bodies) accepted. */
    public static final int MAX_GRAPH_DEPTH = 16;

    /** Ints kept per attribute (perm, axes); longer lists are truncated. */
    public static final int MAX_ATTRIBUTE_INTS = 1024;

    /** Separate value runs accepted per tensor (unpacked repeated values each make one). */
    public static final int MAX_VALUE_RUNS = 1 << 20;

    private final String src;
    private final MemorySegment all;

    private OnnxProtoParser(String src, MemorySegment all) {
        this.src = src;
        this.all = all;
    }

    /**
     * Parses the model in {@code source}.
     *
     * @throws CorruptModelException if the bytes are not a well-formed ModelProto with a graph
     * @throws UnsupportedModelException for tensors of rank above {@link Shape#MAX_RANK}
     */
    public static OnnxModelProto parse(ByteSource source)
            throws IOException, CorruptModelException, UnsupportedModelException {
        MemorySegment all = source.slice(0, source.size());
        return new OnnxProtoParser(source.description(), all).model();
    }

    private OnnxModelProto model() throws CorruptModelException, UnsupportedModelException {
        ProtoWireReader r = new ProtoWireReader(src, all, 0);
        long ir = -1;
        long modelVersion = 0;
        String producer = "";
        String producerVersion = "";
        String domain = "";
        Map<String, Long> opsets = new LinkedHashMap<>();
        Map<String, String> meta = new LinkedHashMap<>();
        OnnxGraphProto graph = null;
        while (r.next()) {
            switch (r.field()) {
                case 1 -> ir = r.varint();
                case 2 -> producer = r.string();
                case 3 -> producerVersion = r.string();
                case 4 -> domain = r.string();
                case 5 -> modelVersion = r.varint();
                case 7 -> {
                    long at = r.tagOffset();
                    if (graph != null) {
                        throw new CorruptModelException(src, at, "ModelProto has a second graph (field 7)");
                    }
                    graph = graph(r.nested(), 0, at);
                }
                case 8 -> {
                    ProtoWireReader o = r.nested();
                    String d = "";
                    long v = 0;
                    while (o.next()) {
                        switch (o.field()) {
                            case 1 -> d = o.string();
                            case 2 -> v = o.varint();
                            default -> o.skipValue();
                        }
                    }
                    opsets.put(d, v);
                }
                case 14 -> {
                    String[] kv = stringPair(r.nested());
                    meta.put(kv[0], kv[1]);
                }
                default -> r.skipValue();
            }
        }
        if (graph == null) {
            throw new CorruptModelException(
                    src, r.absolutePosition(), "ModelProto has no graph (field 7); not an ONNX model");
        }
        return new OnnxModelProto(ir, producer, producerVersion, domain, modelVersion, opsets, meta, graph);
    }

    private static String[] stringPair(ProtoWireReader e) throws CorruptModelException {
        String k = "";
        String v = "";
        while (e.next()) {
            switch (e.field()) {
                case 1 -> k = e.string();
                case 2 -> v = e.string();
                default -> e.skipValue();
            }
        }
        return new String[] {k, v};
    }

    private OnnxGraphProto graph(ProtoWireReader g, int depth, long at)
            throws CorruptModelException, UnsupportedModelException {
        if (depth > MAX_GRAPH_DEPTH) {
            throw new CorruptModelException(src, at, "ONNX subgraphs nested deeper than " + MAX_GRAPH_DEPTH);
        }
        String name = "";
        List<OnnxNodeProto> nodes = new ArrayList<>();
        List<OnnxTensorProto> inits = new ArrayList<>();
        List<OnnxSparseTensorProto> sparse = new ArrayList<>();
        while (g.next()) {
            switch (g.field()) {
                case 1 -> {
                    long t = g.tagOffset();
                    // a node costs about what a tensor does: one limit for both
                    TensorCountLimit.check(src, t, nodes.size() + 1L);
                    nodes.add(node(g.nested(), depth, t));
                }
                case 2 -> name = g.string();
                case 5 -> {
                    long t = g.tagOffset();
                    TensorCountLimit.check(src, t, inits.size() + sparse.size() + 1L);
                    inits.add(tensor(g, t));
                }
                case 15 -> {
                    long t = g.tagOffset();
                    TensorCountLimit.check(src, t, inits.size() + sparse.size() + 1L);
                    sparse.add(sparseTensor(g, t));
                }
                default -> g.skipValue();
            }
        }
        return new OnnxGraphProto(name, nodes, inits, sparse, depth, at);
    }

    private OnnxNodeProto node(ProtoWireReader n, int depth, long at)
            throws CorruptModelException, UnsupportedModelException {
        List<String> in = new ArrayList<>();
        List<String> out = new ArrayList<>();
        List<OnnxAttributeProto> attrs = new ArrayList<>();
        String name = "";
        String op = "";
        String domain = "";
        while (n.next()) {
            switch (n.field()) {
                case 1 -> in.add(n.string());
                case 2 -> out.add(n.string());
                case 3 -> name = n.string();
                case 4 -> op = n.string();
                case 5 -> attrs.add(attribute(n.nested(), depth));
                case 7 -> domain = n.string();
                default -> n.skipValue();
            }
        }
        return new OnnxNodeProto(name, op, domain, in, out, attrs, at);
    }

    private OnnxAttributeProto attribute(ProtoWireReader a, int depth)
            throws CorruptModelException, UnsupportedModelException {
        String name = "";
        long type = 0;
        boolean hasInt = false;
        long i = 0;
        float f = 0;
        List<Long> ints = new ArrayList<>();
        OnnxTensorProto t = null;
        List<OnnxTensorProto> tensors = new ArrayList<>();
        List<OnnxGraphProto> graphs = new ArrayList<>();
        while (a.next()) {
            switch (a.field()) {
                case 1 -> name = a.string();
                case 2 -> f = Float.intBitsToFloat(a.fixed32());
                case 3 -> {
                    i = a.varint();
                    hasInt = true;
                }
                case 5 -> t = tensor(a, a.tagOffset());
                case 6 -> {
                    long at = a.tagOffset();
                    graphs.add(graph(a.nested(), depth + 1, at));
                }
                case 8 -> {
                    if (a.wireType() == ProtoWireReader.LENGTH_DELIMITED) {
                        SegmentReader packed = packed(a);
                        while (packed.hasRemaining()) {
                            long v = packed.varint("packed ints");
                            if (ints.size() < MAX_ATTRIBUTE_INTS) {
                                ints.add(v);
                            }
                        }
                    } else {
                        long v = a.varint();
                        if (ints.size() < MAX_ATTRIBUTE_INTS) {
                            ints.add(v);
                        }
                    }
                }
                case 10 -> tensors.add(tensor(a, a.tagOffset()));
                case 11 -> {
                    long at = a.tagOffset();
                    graphs.add(graph(a.nested(), depth + 1, at));
                }
                case 20 -> type = a.varint();
                default -> a.skipValue();
            }
        }
        long[] iv = new long[ints.size()];
        for (int k = 0; k < iv.length; k++) {
            iv[k] = ints.get(k);
        }
        return new OnnxAttributeProto(name, type, hasInt, i, f, iv, t, tensors, graphs);
    }

    /** Reads a packed field's payload as a cursor whose offsets are absolute. */
    private SegmentReader packed(ProtoWireReader r) throws CorruptModelException {
        MemorySegment s = r.bytes();
        return new SegmentReader(src, s, r.absolutePosition() - s.byteSize());
    }

    private OnnxTensorProto tensor(ProtoWireReader parent, long at)
            throws CorruptModelException, UnsupportedModelException {
        ProtoWireReader t = parent.nested();
        long messageEnd = parent.absolutePosition();
        MemorySegment message = all.asSlice(at, messageEnd - at);
        String name = "";
        long dataType = 0;
        List<Long> dims = new ArrayList<>();
        MemorySegment raw = null;
        long rawOffset = -1;
        Map<Integer, List<OnnxTensorProto.ValueRun>> typed = new HashMap<>();
        int runs = 0;
        long strings = 0;
        Map<String, String> external = new LinkedHashMap<>();
        long location = 0;
        boolean segmented = false;
        while (t.next()) {
            int field = t.field();
            switch (field) {
                case 1 -> {
                    if (t.wireType() == ProtoWireReader.LENGTH_DELIMITED) {
                        SegmentReader p = packed(t);
                        while (p.hasRemaining()) {
                            addDim(dims, p.absolutePosition(), p.varint("packed dims"), name);
                        }
                    } else {
                        long dimAt = t.absolutePosition();
                        addDim(dims, dimAt, t.varint(), name);
                    }
                }
                case 2 -> dataType = t.varint();
                case 3 -> {
                    segmented = true;
                    t.skipValue();
                }
                case 4, 5, 7, 10, 11 -> {
                    int expectedWire = switch (field) {
                        case 4 -> ProtoWireReader.FIXED32;
                        case 10 -> ProtoWireReader.FIXED64;
                        default -> ProtoWireReader.VARINT;
                    };
                    OnnxTensorProto.ValueRun run;
                    if (t.wireType() == ProtoWireReader.LENGTH_DELIMITED) {
                        MemorySegment s = t.bytes();
                        run = new OnnxTensorProto.ValueRun(s, t.absolutePosition() - s.byteSize());
                    } else if (t.wireType() == expectedWire) {
                        long start = t.absolutePosition();
                        t.skipValue();
                        run = new OnnxTensorProto.ValueRun(all.asSlice(start, t.absolutePosition() - start), start);
                    } else {
                        throw new CorruptModelException(
                                src, t.tagOffset(), "TensorProto field " + field + " has wire type " + t.wireType());
                    }
                    if (++runs > MAX_VALUE_RUNS) {
                        throw new UnsupportedModelException(
                                src,
                                t.tagOffset(),
                                "tensor '" + name + "' stores more than " + MAX_VALUE_RUNS + " unpacked values");
                    }
                    typed.computeIfAbsent(field, k -> new ArrayList<>()).add(run);
                }
                case 6 -> {
                    strings++;
                    t.skipValue();
                }
                case 8 -> name = t.string();
                case 9 -> {
                    raw = t.bytes();
                    rawOffset = t.absolutePosition() - raw.byteSize();
                }
                case 13 -> {
                    String[] kv = stringPair(t.nested());
                    external.put(kv[0], kv[1]);
                }
                case 14 -> location = t.varint();
                default -> t.skipValue();
            }
        }
        long[] d = new long[dims.size()];
        for (int k = 0; k < d.length; k++) {
            d[k] = dims.get(k);
        }
        return new OnnxTensorProto(
                name, dataType, d, raw, rawOffset, typed, strings, external, location, segmented, at, message);
    }

    private void addDim(List<Long> dims, long at, long v, String name)
            throws CorruptModelException, UnsupportedModelException {
        if (v < 0) {
            throw new CorruptModelException(src, at, "tensor '" + name + "' has negative dimension " + v);
        }
        if (dims.size() >= Shape.MAX_RANK) {
            throw new UnsupportedModelException(
                    src, at, "tensor '" + name + "' has more than " + Shape.MAX_RANK + " dimensions");
        }
        dims.add(v);
    }

    private OnnxSparseTensorProto sparseTensor(ProtoWireReader parent, long at)
            throws CorruptModelException, UnsupportedModelException {
        ProtoWireReader s = parent.nested();
        MemorySegment message = all.asSlice(at, parent.absolutePosition() - at);
        OnnxTensorProto values = null;
        OnnxTensorProto indices = null;
        List<Long> dims = new ArrayList<>();
        while (s.next()) {
            switch (s.field()) {
                case 1 -> values = tensor(s, s.tagOffset());
                case 2 -> indices = tensor(s, s.tagOffset());
                case 3 -> {
                    if (s.wireType() == ProtoWireReader.LENGTH_DELIMITED) {
                        SegmentReader p = packed(s);
                        while (p.hasRemaining()) {
                            addDim(dims, p.absolutePosition(), p.varint("packed dims"), "sparse");
                        }
                    } else {
                        long dimAt = s.absolutePosition();
                        addDim(dims, dimAt, s.varint(), "sparse");
                    }
                }
                default -> s.skipValue();
            }
        }
        if (values == null) {
            throw new CorruptModelException(src, at, "sparse initializer has no values tensor");
        }
        long[] d = new long[dims.size()];
        for (int k = 0; k < d.length; k++) {
            d[k] = dims.get(k);
        }
        return new OnnxSparseTensorProto(values, indices, d, at, message);
    }
}
