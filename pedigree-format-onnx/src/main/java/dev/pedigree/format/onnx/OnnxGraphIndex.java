package dev.pedigree.format.onnx;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Consumer and producer maps over every node of a model (subgraphs included), and the walk of
 * formats.md section 3 ("Tying anonymous initializers to layers") that binds an initialiser to the
 * layer and role that use it.
 *
 * <p>Immutable after construction; thread-safe.
 */
final class OnnxGraphIndex {
    /** Most value hops followed from an initialiser before giving up. */
    static final int MAX_HOPS = 12;

    record Use(OnnxNodeProto node, int inputIndex) {}

    private final Map<String, List<Use>> consumers = new HashMap<>();
    private final Map<String, OnnxNodeProto> producers = new HashMap<>();
    private final Set<String> initializers;

    OnnxGraphIndex(List<OnnxNodeProto> nodes, Set<String> initializers) {
        this.initializers = Set.copyOf(initializers);
        for (OnnxNodeProto n : nodes) {
            for (int i = 0; i < n.inputs().size(); i++) {
                String in = n.inputs().get(i);
                if (!in.isEmpty()) {
                    consumers.computeIfAbsent(in, k -> new ArrayList<>()).add(new Use(n, i));
                }
            }
            for (String out : n.outputs()) {
                if (!out.isEmpty()) {
                    producers.putIfAbsent(out, n);
                }
            }
        }
    }

    List<Use> consumers(String value) {
        return consumers.getOrDefault(value, List.of());
    }

    /**
     * The module path of a node name from a scoped exporter: {@code /encoder/layer.0/attention/self/query/MatMul}
     * gives {@code encoder.layer.0.attention.self.query}; null for unscoped names ({@code MatMul_12}).
     */
    static String scope(String nodeName) {
        if (nodeName == null || !nodeName.startsWith("/")) {
            return null;
        }
        int last = nodeName.lastIndexOf('/');
        if (last <= 0) {
            return null;
        }
        String path = nodeName.substring(1, last);
        if (path.isEmpty() || path.contains("//")) {
            return null;
        }
        return path.replace('/', '.');
    }

    private record Step(String value, boolean transposed, int hops, String scale, String zeroPoint, int axis) {}

    /** Follows the consumers of {@code name} (a tensor of rank {@code rank}) to the node that uses it as a weight. */
    OnnxWeightBinding bind(String name, int rank) {
        ArrayDeque<Step> queue = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        queue.add(new Step(name, false, 0, null, null, -1));
        seen.add(name);
        OnnxWeightBinding fallback = null;
        while (!queue.isEmpty()) {
            Step s = queue.poll();
            for (Use u : consumers(s.value())) {
                OnnxNodeProto n = u.node();
                int idx = u.inputIndex();
                String op = n.opType();
                switch (op) {
                    case "Transpose",
                            "Cast",
                            "Reshape",
                            "Identity",
                            "Squeeze",
                            "Unsqueeze",
                            "Flatten",
                            "DequantizeLinear" -> {
                        if (idx != 0 || s.hops() >= MAX_HOPS || n.output(0).isEmpty() || !seen.add(n.output(0))) {
                            continue;
                        }
                        boolean t = s.transposed() ^ (op.equals("Transpose") && swapsMatrix(n, rank));
                        if (op.equals("DequantizeLinear")) {
                            queue.add(new Step(
                                    n.output(0),
                                    t,
                                    s.hops() + 1,
                                    n.input(1),
                                    n.input(2),
                                    normaliseAxis(n.intAttribute("axis", 1), rank)));
                        } else {
                            queue.add(new Step(n.output(0), t, s.hops() + 1, s.scale(), s.zeroPoint(), s.axis()));
                        }
                    }
                    case "MatMul", "MatMulInteger" -> {
                        if (idx == 1) {
                            String zp =
                                    op.equals("MatMulInteger") && !n.input(3).isEmpty() ? n.input(3) : s.zeroPoint();
                            int axis = s.scale() != null ? s.axis() : rank - 1;
                            return linear(name, n, rank == 2 && !s.transposed(), s.scale(), zp, axis, "weight");
                        }
                    }
                    case "Gemm" -> {
                        if (idx == 1) {
                            boolean transB = n.intAttribute("transB", 0) != 0;
                            int axis = s.scale() != null ? s.axis() : (transB ? 0 : 1);
                            return linear(
                                    name,
                                    n,
                                    rank == 2 && (transB == s.transposed()),
                                    s.scale(),
                                    s.zeroPoint(),
                                    axis,
                                    "weight");
                        }
                        if (idx == 2) {
                            return named(name, n, "bias", op, s);
                        }
                    }
                    case "Conv", "ConvTranspose" -> {
                        if (idx == 1) {
                            return named(name, n, "weight", op, s);
                        }
                        if (idx == 2) {
                            return named(name, n, "bias", op, s);
                        }
                    }
                    case "Gather" -> {
                        if (idx == 0) {
                            String scale = s.scale();
                            String zp = s.zeroPoint();
                            int axis = s.scale() != null ? s.axis() : rank - 1;
                            for (Use dq : consumers(n.output(0))) {
                                if (dq.node().opType().equals("DequantizeLinear")
                                        && dq.inputIndex() == 0
                                        && scale == null) {
                                    scale = dq.node().input(1);
                                    zp = dq.node().input(2).isEmpty()
                                            ? null
                                            : dq.node().input(2);
                                    axis = rank - 1;
                                }
                            }
                            String sc = scope(n.name());
                            return new OnnxWeightBinding(
                                    name,
                                    sc == null ? null : sc + ".weight",
                                    op,
                                    n.name(),
                                    rank == 2 && s.transposed(),
                                    false,
                                    scale,
                                    zp,
                                    axis);
                        }
                    }
                    case "Add" -> {
                        if (fallback == null && rank <= 1) {
                            fallback = named(name, n, "bias", op, s);
                        }
                    }
                    case "Mul" -> {
                        String sc = scope(n.name());
                        if (fallback == null
                                && rank == 1
                                && sc != null
                                && sc.toLowerCase(Locale.ROOT).contains("norm")) {
                            fallback = named(name, n, "weight", op, s);
                        }
                    }
                    default -> {
                        // not a weight-consuming op; keep looking at other consumers
                    }
                }
            }
        }
        return fallback != null ? fallback : OnnxWeightBinding.unbound(name);
    }

    private static OnnxWeightBinding named(String name, OnnxNodeProto n, String part, String op, Step s) {
        String sc = scope(n.name());
        return new OnnxWeightBinding(
                name,
                sc == null ? null : sc + "." + part,
                op,
                n.name(),
                false,
                false,
                s.scale(),
                s.zeroPoint(),
                s.axis());
    }

    private OnnxWeightBinding linear(
            String name, OnnxNodeProto n, boolean transposed, String scale, String zp, int axis, String part) {
        String sc = scope(n.name());
        String bias = followingBiasScope(n.output(0));
        // The node scope names the module; the bias only confirms it, or names it when the exporter
        // left nodes unscoped (old exporters number them: MatMul_12).
        String derived = sc != null ? sc + "." + part : bias != null ? bias + "." + part : null;
        boolean confirmed = bias != null && bias.equals(sc);
        return new OnnxWeightBinding(name, derived, n.opType(), n.name(), transposed, confirmed, scale, zp, axis);
    }

    /**
     * The module path {@code P} when the output of a linear node reaches (through Cast/Mul/Reshape,
     * the dynamic-quantisation rescaling) an Add that also consumes an initialiser {@code P.bias}.
     */
    private String followingBiasScope(String output) {
        ArrayDeque<String> queue = new ArrayDeque<>();
        ArrayDeque<Integer> hops = new ArrayDeque<>();
        Set<String> seen = new HashSet<>();
        queue.add(output);
        hops.add(0);
        while (!queue.isEmpty()) {
            String v = queue.poll();
            int h = hops.poll();
            for (Use u : consumers(v)) {
                OnnxNodeProto n = u.node();
                switch (n.opType()) {
                    case "Add" -> {
                        for (String in : n.inputs()) {
                            if (!in.equals(v) && initializers.contains(in) && in.endsWith(".bias") && in.length() > 5) {
                                return in.substring(0, in.length() - 5);
                            }
                        }
                    }
                    case "Cast", "Mul", "Reshape" -> {
                        if (h < 4 && !n.output(0).isEmpty() && seen.add(n.output(0))) {
                            queue.add(n.output(0));
                            hops.add(h + 1);
                        }
                    }
                    default -> {
                        // the bias, if any, is added right after the product
                    }
                }
            }
        }
        return null;
    }

    /** Whether a Transpose node swaps the two axes of a matrix (perm absent or [1, 0]). */
    private static boolean swapsMatrix(OnnxNodeProto n, int rank) {
        if (rank != 2) {
            return false;
        }
        OnnxAttributeProto perm = n.attribute("perm");
        if (perm == null) {
            return true;
        }
        long[] p = perm.ints();
        return p.length == 2 && p[0] == 1 && p[1] == 0;
    }

    private static int normaliseAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        return a < 0 || a >= Math.max(rank, 1) ? -1 : (int) a;
    }

    OnnxNodeProto producer(String value) {
        return producers.get(value);
    }
}
