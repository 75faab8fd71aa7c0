package dev.pedigree.format.onnx;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.naming.TensorNaming;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Builds the canonical tensors of a parsed model: binds every initialiser and Constant value to
 * its layer through {@link OnnxGraphIndex}, groups onnxruntime dynamic-int8 triples into logical
 * weights, resolves and validates the data, names and classifies each tensor, and derives
 * architecture hints. One instance per open; not thread-safe.
 */
final class OnnxViewAssembler {
    private static final Pattern LAYER = Pattern.compile("(?:^|\\.)(?:layer|layers|h|blocks|block)\\.(\\d+)\\.");

    /** One stored tensor before naming. */
    private record Entry(OnnxTensorProto proto, String storedName, String origin, int rank) {}

    private record Group(Entry weight, Entry scale, Entry zeroPoint) {}

    private final String src;
    private final OnnxModelProto model;
    private final OnnxDataResolver resolver;
    private final List<String> warnings = new ArrayList<>();
    private int constantsSkipped;
    private int subgraphInitializers;

    OnnxViewAssembler(String src, OnnxModelProto model, OnnxDataResolver resolver) {
        this.src = src;
        this.model = model;
        this.resolver = resolver;
    }

    List<String> warnings() {
        return warnings;
    }

    /** Fills {@code view} with metadata, hints and tensors. */
    void assemble(BasicModelView.Builder view) throws IOException, ModelFormatException {
        List<OnnxNodeProto> nodes = new ArrayList<>();
        List<Entry> entries = new ArrayList<>();
        List<OnnxSparseTensorProto> sparse = new ArrayList<>();
        collect(model.graph(), nodes, entries, sparse);

        Map<String, Entry> byName = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (byName.putIfAbsent(e.storedName(), e) != null) {
                warnings.add("duplicate tensor name '" + e.storedName() + "' at offset "
                        + e.proto().offset() + "; the later one is listed under its offset");
            }
        }
        OnnxGraphIndex index = new OnnxGraphIndex(nodes, byName.keySet());

        // Bind every entry; group quantised weights with their scale and zero point.
        Map<Entry, OnnxWeightBinding> bindings = new LinkedHashMap<>();
        for (Entry e : entries) {
            bindings.put(e, index.bind(e.storedName(), e.rank()));
        }
        Map<Entry, Group> groups = new LinkedHashMap<>();
        Map<Entry, Entry> quantParamOf = new HashMap<>();
        for (Entry e : entries) {
            if (!quantisedStorage(e.proto().dataType()) || e.rank() < 1) {
                continue;
            }
            OnnxWeightBinding b = bindings.get(e);
            String scaleName = b.scaleName();
            String zpName = b.zeroPointName();
            String stored = e.storedName();
            String base =
                    stored.endsWith("_quantized") ? stored.substring(0, stored.length() - "_quantized".length()) : null;
            if ((scaleName == null || !byName.containsKey(scaleName)) && base != null) {
                scaleName = base + "_scale";
            }
            if ((zpName == null || !byName.containsKey(zpName))
                    && base != null
                    && byName.containsKey(base + "_zero_point")) {
                zpName = base + "_zero_point";
            }
            Entry scale = scaleName == null ? null : byName.get(scaleName);
            if (scale == null || !floating(scale.proto().dataType()) || scale == e) {
                continue;
            }
            Entry zp = zpName == null ? null : byName.get(zpName);
            if (zp == scale || zp == e) {
                zp = null;
            }
            groups.put(e, new Group(e, scale, zp));
            quantParamOf.putIfAbsent(scale, e);
            if (zp != null) {
                quantParamOf.putIfAbsent(zp, e);
            }
        }

        // Names of quantised weights and plain tensors first (their hints feed classification).
        Map<Entry, String> names = new LinkedHashMap<>();
        Set<String> used = new HashSet<>();
        for (Entry e : entries) {
            if (quantParamOf.containsKey(e) && !groups.containsKey(e)) {
                continue;
            }
            String name = deriveName(e, bindings.get(e), groups.containsKey(e));
            if (!used.add(name)) {
                warnings.add(
                        "tensor '" + e.storedName() + "' would also be called '" + name + "'; keeping its stored name");
                name = e.storedName();
                used.add(name);
            }
            names.put(e, name);
        }
        for (Entry e : entries) {
            Entry owner = quantParamOf.get(e);
            if (owner != null && !groups.containsKey(e)) {
                Group g = groups.get(owner);
                String suffix = g.scale() == e ? "_scale" : "_zero_point";
                String name = names.get(owner) + suffix;
                if (!used.add(name)) {
                    name = e.storedName();
                    used.add(name);
                }
                names.put(e, name);
            }
        }

        // Resolve data (validates sizes and external ranges) and build tensors.
        Map<Entry, OnnxDataResolver.Resolved> resolved = new HashMap<>();
        for (Entry e : entries) {
            resolved.put(e, resolver.resolve(e.proto(), names.get(e)));
        }
        Map<Entry, long[]> canonicalDims = new HashMap<>();
        for (Entry e : entries) {
            long[] d = e.proto().dims();
            boolean t = bindings.get(e).transposed() && d.length == 2;
            canonicalDims.put(e, t ? new long[] {d[1], d[0]} : d);
        }
        ArchitectureHints hints = hints(names, canonicalDims);
        view.architecture(hints.architecture()).hints(hints);

        List<OnnxTensor> tensors = new ArrayList<>();
        Map<Entry, TensorAddress> weightAddresses = new HashMap<>();
        for (Entry e : entries) {
            if (quantParamOf.containsKey(e) && !groups.containsKey(e)) {
                continue;
            }
            OnnxWeightBinding b = bindings.get(e);
            OnnxDataResolver.Resolved r = resolved.get(e);
            String name = names.get(e);
            Group g = groups.get(e);
            OnnxTensor.Dequantisation dq = null;
            String unsupported = r.unsupported();
            OnnxTensorData data = r.data();
            TensorAddress addr;
            if (g != null) {
                addr = TensorNaming.classify(name, hints);
                OnnxDataResolver.Resolved rs = resolved.get(g.scale());
                OnnxDataResolver.Resolved rz = g.zeroPoint() == null ? null : resolved.get(g.zeroPoint());
                String why = dequantisationProblem(e, b, rs, rz);
                if (why != null) {
                    unsupported = unsupported != null ? unsupported : why;
                    data = unsupported != null ? null : data;
                } else if (data != null) {
                    long[] d = e.proto().dims();
                    int axis = b.quantAxis() >= 0 && b.quantAxis() < d.length ? b.quantAxis() : d.length - 1;
                    long stride = 1;
                    for (int k = axis + 1; k < d.length; k++) {
                        stride *= d[k];
                    }
                    dq = new OnnxTensor.Dequantisation(
                            rs.data(), rz == null ? null : rz.data(), Math.max(1, stride), Math.max(1, d[axis]));
                }
            } else if (integerStorage(e.proto().dataType())) {
                TensorAddress c = TensorNaming.classify(name, hints);
                addr = TensorAddress.of(c.component(), c.layer(), Role.OTHER, Part.BUFFER);
            } else {
                addr = TensorNaming.classify(name, hints);
            }
            weightAddresses.put(e, addr);
            tensors.add(tensor(e, name, b, r, data, unsupported, dq, addr));
        }
        for (Entry e : entries) {
            Entry owner = quantParamOf.get(e);
            if (owner == null || groups.containsKey(e)) {
                continue;
            }
            Group g = groups.get(owner);
            TensorAddress base = weightAddresses.get(owner);
            TensorAddress addr = base.withPart(g.scale() == e ? Part.QUANT_SCALE : Part.QUANT_ZERO_POINT);
            OnnxDataResolver.Resolved r = resolved.get(e);
            tensors.add(tensor(
                    e,
                    names.get(e),
                    OnnxWeightBinding.unbound(e.storedName()),
                    r,
                    r.data(),
                    r.unsupported(),
                    null,
                    addr));
        }
        for (OnnxSparseTensorProto s : sparse) {
            tensors.add(sparseTensor(s, hints));
        }
        tensors.sort(Comparator.comparingLong(OnnxTensor::offset));
        for (OnnxTensor t : tensors) {
            if (t.unsupportedReason() != null) {
                warnings.add("tensor '" + t.name() + "' is listed without values: " + t.unsupportedReason());
            }
            if (t.address().role() == Role.OTHER
                    && t.address().part().isParameter()
                    && t.name().equals(t.storedName())
                    && !parameterName(t.storedName())) {
                warnings.add("anonymous tensor '" + t.storedName() + "' could not be tied to a layer");
            }
        }
        view.tensors(tensors);

        view.metadata("onnx.ir_version", model.irVersion());
        view.metadata("onnx.producer_name", model.producerName());
        view.metadata("onnx.producer_version", model.producerVersion());
        view.metadata("onnx.domain", model.domain());
        view.metadata("onnx.model_version", model.modelVersion());
        view.metadata("onnx.opset_import", model.opsets());
        view.metadata("onnx.graph_name", model.graph().name());
        view.metadata("onnx.node_count", nodes.size());
        view.metadata("onnx.quantised_weights", groups.size());
        view.metadata("onnx.constants_skipped", constantsSkipped);
        view.metadata("onnx.subgraph_initializers", subgraphInitializers);
        for (Map.Entry<String, String> m : model.metadataProps().entrySet()) {
            view.metadata("onnx.metadata." + m.getKey(), m.getValue());
        }
    }

    private OnnxTensor tensor(
            Entry e,
            String name,
            OnnxWeightBinding b,
            OnnxDataResolver.Resolved r,
            OnnxTensorData data,
            String unsupported,
            OnnxTensor.Dequantisation dq,
            TensorAddress addr) {
        return new OnnxTensor(
                name,
                e.storedName(),
                src,
                e.proto().offset(),
                e.proto().dataType(),
                e.proto().dims(),
                b.transposed(),
                addr,
                b,
                data,
                r.stored(),
                data == null ? unsupported : null,
                dq);
    }

    private OnnxTensor sparseTensor(OnnxSparseTensorProto s, ArchitectureHints hints) throws CorruptModelException {
        OnnxTensorProto v = s.values();
        String name = v.name().isEmpty() ? "sparse@" + s.offset() : v.name();
        long n = 1;
        for (long d : s.dims()) {
            try {
                n = Math.multiplyExact(n, d);
            } catch (ArithmeticException ex) {
                throw new CorruptModelException(src, s.offset(), "sparse initializer '" + name + "' dims overflow");
            }
        }
        TensorAddress addr = TensorNaming.classify(name, hints);
        return new OnnxTensor(
                name,
                name,
                src,
                s.offset(),
                v.dataType(),
                s.dims(),
                false,
                addr,
                OnnxWeightBinding.unbound(name),
                null,
                s.message(),
                "sparse initializer (SparseTensorProto) values are not decoded",
                null);
    }

    private String dequantisationProblem(
            Entry w, OnnxWeightBinding b, OnnxDataResolver.Resolved scale, OnnxDataResolver.Resolved zp) {
        if (scale.data() == null) {
            return "quantisation scale cannot be decoded: " + scale.unsupported();
        }
        if (zp != null && zp.data() == null) {
            return "quantisation zero point cannot be decoded: " + zp.unsupported();
        }
        long[] d = w.proto().dims();
        long sc = scale.elementCount();
        if (sc == 1) {
            return zp == null || zp.elementCount() == 1
                    ? null
                    : "zero point of " + zp.elementCount() + " values for a per-tensor scale";
        }
        int axis = b.quantAxis() >= 0 && b.quantAxis() < d.length ? b.quantAxis() : d.length - 1;
        if (d.length == 0 || sc != d[axis]) {
            return "quantisation scale of " + sc + " values does not match axis " + axis + " of "
                    + java.util.Arrays.toString(d) + " (block-wise quantisation is not supported)";
        }
        if (zp != null && zp.elementCount() != sc && zp.elementCount() != 1) {
            return "zero point of " + zp.elementCount() + " values for " + sc + " scales";
        }
        return null;
    }

    private void collect(
            OnnxGraphProto g, List<OnnxNodeProto> nodes, List<Entry> entries, List<OnnxSparseTensorProto> sparse) {
        String origin = g.depth() == 0 ? "initializer" : "subgraph";
        for (OnnxTensorProto t : g.initializers()) {
            entries.add(new Entry(t, t.name(), origin, t.dims().length));
            if (g.depth() > 0) {
                subgraphInitializers++;
            }
        }
        sparse.addAll(g.sparseInitializers());
        for (OnnxNodeProto n : g.nodes()) {
            nodes.add(n);
        }
        for (OnnxNodeProto n : g.nodes()) {
            if (n.opType().equals("Constant") && n.domain().isEmpty()) {
                OnnxAttributeProto value = n.attribute("value");
                if (value != null && value.t() != null && !n.output(0).isEmpty()) {
                    OnnxTensorProto t = value.t();
                    entries.add(new Entry(t, n.output(0), "constant", t.dims().length));
                }
            }
            for (OnnxAttributeProto a : n.attributes()) {
                for (OnnxGraphProto sub : a.graphs()) {
                    collect(sub, nodes, entries, sparse);
                }
            }
        }
        if (g.depth() == 0) {
            // Constants that the walk cannot tie to a weight and that hold at most one value (shape
            // arithmetic, epsilons) are not listed: they are graph plumbing, not model content.
            OnnxGraphIndex index = new OnnxGraphIndex(nodes, Set.of());
            entries.removeIf(e -> {
                if (!e.origin().equals("constant")) {
                    return false;
                }
                OnnxWeightBinding b = index.bind(e.storedName(), e.rank());
                boolean weight = b.consumerOp() != null
                        && !b.consumerOp().equals("Add")
                        && !b.consumerOp().equals("Mul");
                long n = 1;
                for (long d : e.proto().dims()) {
                    n = d == 0 || n > Long.MAX_VALUE / Math.max(1, d) ? 0 : n * d;
                }
                boolean keep = weight || (floating(e.proto().dataType()) && n >= 2);
                if (!keep) {
                    constantsSkipped++;
                }
                return !keep;
            });
        }
    }

    private static boolean parameterName(String s) {
        return !s.isEmpty() && !s.contains("::") && !s.startsWith("/") && s.contains(".") && !s.contains(" ");
    }

    private static String deriveName(Entry e, OnnxWeightBinding b, boolean quantised) {
        String stored = e.storedName();
        String base = quantised && stored.endsWith("_quantized")
                ? stored.substring(0, stored.length() - "_quantized".length())
                : stored;
        if (parameterName(base)) {
            return base;
        }
        if (b.derivedName() != null) {
            return b.derivedName();
        }
        return stored.isEmpty() ? "tensor@" + e.proto().offset() : stored;
    }

    private static boolean floating(OnnxDataType t) {
        return t != null
                && switch (t) {
                    case FLOAT,
                            FLOAT16,
                            BFLOAT16,
                            DOUBLE,
                            FLOAT8E4M3FN,
                            FLOAT8E4M3FNUZ,
                            FLOAT8E5M2,
                            FLOAT8E5M2FNUZ,
                            FLOAT8E8M0 -> true;
                    default -> false;
                };
    }

    private static boolean quantisedStorage(OnnxDataType t) {
        return t != null
                && switch (t) {
                    case INT8, UINT8, INT16, UINT16, INT32, INT4, UINT4 -> true;
                    default -> false;
                };
    }

    private static boolean integerStorage(OnnxDataType t) {
        return t != null && t.dtype().integer();
    }

    private ArchitectureHints hints(Map<Entry, String> names, Map<Entry, long[]> dims) {
        String arch = null;
        for (String key : List.of("model_type", "architecture", "general.architecture", "hf_model_type")) {
            String v = model.metadataProps().get(key);
            if (v != null && !v.isBlank()) {
                arch = v.trim().toLowerCase(Locale.ROOT);
                break;
            }
        }
        Integer hidden = null;
        Integer intermediate = null;
        int maxLayer = -1;
        boolean bertish = false;
        for (Map.Entry<Entry, String> en : names.entrySet()) {
            String n = en.getValue();
            long[] d = dims.get(en.getKey());
            Matcher m = LAYER.matcher(n);
            if (m.find()) {
                try {
                    maxLayer = Math.max(maxLayer, Math.min(Integer.parseInt(m.group(1)), 1_000_000));
                } catch (NumberFormatException ignored) {
                    // more digits than an int: not a layer index we can use
                }
            }
            if ((n.endsWith("word_embeddings.weight") || n.endsWith("embed_tokens.weight"))
                    && d.length == 2
                    && d[1] <= Integer.MAX_VALUE) {
                hidden = (int) d[1];
            }
            if (n.matches("(.*\\.)?encoder\\.layer\\.0\\.intermediate\\.dense\\.weight")
                    && d.length == 2
                    && d[0] <= Integer.MAX_VALUE) {
                intermediate = (int) d[0];
            }
            if (n.matches(
                    "(bert\\.)?(embeddings\\.token_type_embeddings\\.weight|encoder\\.layer\\.\\d+\\.attention\\.self\\.query\\.weight)")) {
                bertish = true;
            }
        }
        if (arch == null && bertish) {
            arch = "bert";
        }
        return new ArchitectureHints(
                arch, hidden, null, null, null, intermediate, maxLayer >= 0 ? maxLayer + 1 : null, null);
    }
}
