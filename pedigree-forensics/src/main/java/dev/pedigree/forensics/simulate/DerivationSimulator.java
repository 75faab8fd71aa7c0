package dev.pedigree.forensics.simulate;

import dev.pedigree.forensics.simulate.SyntheticTransformer.Gauss;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.model.naming.TensorNaming;
import dev.pedigree.stats.SeededSample;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Produces variants of a {@link SimModel} with known ground truth: derivations (noise as a
 * fine-tuning proxy, low-rank updates, int8 round trips, function-preserving permutations and
 * rotations, depth and vocabulary edits, component transplants, dense-to-MoE upcycling) and
 * independent controls (fresh weights with matched per-tensor scales). Every method is pure and
 * seeded. Stateless.
 */
public final class DerivationSimulator {
    private DerivationSimulator() {}

    // ---------------------------------------------------------------- derivations

    /** Adds Gaussian noise of {@code relative} × the tensor's standard deviation to every parameter. */
    public static SimModel noise(SimModel m, double relative, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            float[] v = t.readAll();
            double sd = std(v);
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (relative * sd * Gauss.next(rnd));
            }
            out.add(SimModel.replace(t, v));
        }
        return m.withTensors(out).named(m.name() + "+noise" + relative);
    }

    /** Adds a rank-{@code rank} update with ‖ΔW‖ = relative·‖W‖ to every block matrix (a merged LoRA). */
    public static SimModel lowRank(SimModel m, int rank, double relative, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            if (t.shape().rank() != 2 || t.address().layer() == null) {
                out.add(t);
                continue;
            }
            int rows = (int) t.shape().rows();
            int cols = (int) t.shape().columns();
            float[] a = SyntheticTransformer.gaussian(rows * rank, 1, rnd);
            float[] b = SyntheticTransformer.gaussian(cols * rank, 1, rnd);
            float[] delta = new float[rows * cols];
            for (int i = 0; i < rows; i++) {
                for (int j = 0; j < cols; j++) {
                    double s = 0;
                    for (int k = 0; k < rank; k++) {
                        s += a[i * rank + k] * b[j * rank + k];
                    }
                    delta[i * cols + j] = (float) s;
                }
            }
            float[] v = t.readAll();
            double scale = relative * norm(v) / Math.max(1e-30, norm(delta));
            for (int i = 0; i < v.length; i++) {
                v[i] += (float) (scale * delta[i]);
            }
            out.add(SimModel.replace(t, v));
        }
        return m.withTensors(out).named(m.name() + "+lora" + rank + "@" + relative);
    }

    /** Quantises every tensor to symmetric per-row int8 and back. */
    public static SimModel int8RoundTrip(SimModel m) {
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            float[] v = t.readAll();
            int cols = (int) t.shape().columns();
            int rows = v.length / Math.max(1, cols);
            for (int r = 0; r < rows; r++) {
                double max = 0;
                for (int c = 0; c < cols; c++) {
                    max = Math.max(max, Math.abs(v[r * cols + c]));
                }
                double scale = max == 0 ? 1 : max / 127;
                for (int c = 0; c < cols; c++) {
                    v[r * cols + c] = (float) (Math.round(v[r * cols + c] / scale) * scale);
                }
            }
            out.add(SimModel.replace(t, v));
        }
        return m.withTensors(out).named(m.name() + "+int8");
    }

    /**
     * Permutes the MLP hidden units of every block (rows of gate/up, columns of down) and the
     * key/value head groups of attention (with their query heads and the matching output columns):
     * the function is unchanged.
     */
    public static SimModel permuteHiddenAndHeads(SimModel m, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Integer heads = m.hints().numHeads();
        Integer kvHeads = m.hints().numKvHeads();
        Map<String, int[]> mlpPerm = new HashMap<>();
        Map<String, int[]> kvPerm = new HashMap<>();
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            TensorAddress a = t.address();
            if (a.layer() == null) {
                out.add(t);
                continue;
            }
            String key = a.component().name() + "/" + a.layer() + "/" + a.expert();
            String attnKey = a.component().name() + "/" + a.layer();
            float[] v = t.readAll();
            int rows = (int) t.shape().rows();
            int cols = (int) t.shape().columns();
            switch (a.role()) {
                case MLP_GATE, MLP_UP -> {
                    int[] p = mlpPerm.computeIfAbsent(key, k -> SeededSample.permutation(rnd, rows));
                    v = a.part() == Part.BIAS ? permuteVector(v, p) : permuteRows(v, rows, cols, p);
                }
                case MLP_DOWN -> {
                    if (a.part() == Part.WEIGHT) {
                        int[] p = mlpPerm.computeIfAbsent(key, k -> SeededSample.permutation(rnd, cols));
                        v = permuteCols(v, rows, cols, p);
                    }
                }
                case ATTN_Q, ATTN_K, ATTN_V, ATTN_O -> {
                    if (heads == null || kvHeads == null) {
                        break;
                    }
                    int[] g = kvPerm.computeIfAbsent(attnKey, k -> SeededSample.permutation(rnd, kvHeads));
                    int hd = m.hints().effectiveHeadDim();
                    int groupHeads = a.role() == Role.ATTN_K || a.role() == Role.ATTN_V ? 1 : heads / kvHeads;
                    int[] unitPerm = headUnitPermutation(g, groupHeads * hd);
                    if (a.role() == Role.ATTN_O) {
                        if (a.part() == Part.WEIGHT) {
                            v = permuteCols(v, rows, cols, unitPerm);
                        }
                    } else {
                        v = a.part() == Part.BIAS ? permuteVector(v, unitPerm) : permuteRows(v, rows, cols, unitPerm);
                    }
                }
                default -> {}
            }
            out.add(SimModel.replace(t, v));
        }
        return m.withTensors(out).named(m.name() + "+perm");
    }

    /**
     * Permutes the residual coordinates of one component consistently (embedding and input columns,
     * output rows, gains, biases). With {@code rescaleGains}, every norm gain is replaced by a new
     * random positive gain and the ratio is folded into the columns of the linears that read the
     * normalised stream; the function is unchanged for RMSNorm and LayerNorm models alike.
     */
    public static SimModel permuteResidual(SimModel m, Component component, boolean rescaleGains, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = m.hints().hiddenSize();
        int[] p = SeededSample.permutation(rnd, d);
        SimModel src = rescaleGains ? rescaleGains(m, component, rnd) : m;
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : src.tensors()) {
            if (!t.address().component().equals(component)) {
                out.add(t);
                continue;
            }
            out.add(SimModel.replace(
                    t,
                    residualTransform(
                            t,
                            d,
                            (v, rows, cols) -> permuteCols(v, rows, cols, p),
                            (v, rows, cols) -> permuteRows(v, rows, cols, p),
                            x -> permuteVector(x, p))));
        }
        return src.withTensors(out).named(m.name() + "+resperm" + (rescaleGains ? "+gains" : ""));
    }

    /**
     * Rotates the residual stream of an RMSNorm component by a random orthogonal matrix after
     * folding its norm gains into the following linears (the gains become 1). Function-preserving
     * for RMSNorm models without biases.
     */
    public static SimModel rotateResidual(SimModel m, Component component, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = m.hints().hiddenSize();
        float[] q = randomOrthogonal(d, rnd);
        SimModel folded = foldGains(m, component);
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : folded.tensors()) {
            if (!t.address().component().equals(component)) {
                out.add(t);
                continue;
            }
            out.add(SimModel.replace(
                    t,
                    residualTransform(
                            t,
                            d,
                            (v, rows, cols) -> matmul(v, rows, d, q, d),
                            (v, rows, cols) -> matmulTransposedLeft(q, d, v, cols),
                            x -> x)));
        }
        return folded.withTensors(out).named(m.name() + "+rotation");
    }

    /**
     * Rebuilds the block stack of a component from the given source layers: {@code [0, 2, 4]} keeps
     * every second layer, {@code [0..23, 8..31]} is SOLAR-style depth up-scaling.
     */
    public static SimModel restack(SimModel m, Component component, int[] sourceLayers) {
        List<ArrayTensor> out = new ArrayList<>();
        List<ArrayTensor> ts = m.tensors();
        for (ArrayTensor t : ts) {
            if (!(t.address().component().equals(component) && t.address().layer() != null)) {
                out.add(t);
            }
        }
        for (int newLayer = 0; newLayer < sourceLayers.length; newLayer++) {
            int src = sourceLayers[newLayer];
            for (ArrayTensor t : ts) {
                TensorAddress a = t.address();
                if (a.component().equals(component) && a.layer() != null && a.layer() == src) {
                    TensorAddress na = new TensorAddress(a.component(), newLayer, a.role(), a.expert(), a.part());
                    out.add(new ArrayTensor(
                            t.name().replace(".layers." + src + ".", ".layers." + newLayer + "."),
                            t.shape(),
                            na,
                            t.readAll()));
                }
            }
        }
        return m.withTensors(out).named(m.name() + "+restack" + sourceLayers.length);
    }

    /** Appends {@code added} new tokens with freshly initialised embedding and head rows. */
    public static SimModel extendVocabulary(SimModel m, int added, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Vocabulary v = m.vocabulary();
        List<Token> tokens = new ArrayList<>(v.tokens());
        int base = tokens.size();
        for (int i = 0; i < added; i++) {
            String s = " 한" + SyntheticTransformer.tokenString(1_000_000 + i).substring(1);
            tokens.add(new Token(base + i, s.getBytes(StandardCharsets.UTF_8), s, TokenKind.NORMAL, Float.NaN));
        }
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            Role r = t.address().role();
            if (t.address().layer() == null
                    && (r == Role.EMBEDDING || r == Role.LM_HEAD)
                    && t.shape().rows() == base) {
                float[] old = t.readAll();
                int cols = (int) t.shape().columns();
                float[] nv = java.util.Arrays.copyOf(old, (base + added) * cols);
                double sd = std(old);
                for (int i = base * cols; i < nv.length; i++) {
                    nv[i] = (float) (sd * Gauss.next(rnd));
                }
                out.add(SimModel.replace(t, Shape.of(base + added, cols), nv));
            } else {
                out.add(t);
            }
        }
        return new SimModel(
                m.name() + "+vocab" + added,
                m.hints(),
                out,
                new Vocabulary(
                        v.type(),
                        tokens,
                        v.merges(),
                        v.preTokenizer(),
                        v.source() + "+extended",
                        v.specialsRecorded()));
    }

    /** Removes a random {@code fraction} of the tokens (and their embedding and head rows), keeping order. */
    public static SimModel pruneVocabulary(SimModel m, double fraction, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        Vocabulary v = m.vocabulary();
        int n = v.size();
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (rnd.nextDouble() >= fraction) {
                keep.add(i);
            }
        }
        List<Token> tokens = new ArrayList<>();
        for (int k = 0; k < keep.size(); k++) {
            Token t = v.tokens().get(keep.get(k));
            tokens.add(new Token(k, t.bytes(), t.text(), t.kind(), t.score()));
        }
        int[] rowsKept = keep.stream().mapToInt(Integer::intValue).toArray();
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            Role r = t.address().role();
            if (t.address().layer() == null
                    && (r == Role.EMBEDDING || r == Role.LM_HEAD)
                    && t.shape().rows() == n) {
                int cols = (int) t.shape().columns();
                float[] old = t.readAll();
                float[] nv = new float[rowsKept.length * cols];
                for (int k = 0; k < rowsKept.length; k++) {
                    System.arraycopy(old, rowsKept[k] * cols, nv, k * cols, cols);
                }
                out.add(SimModel.replace(t, Shape.of(rowsKept.length, cols), nv));
            } else {
                out.add(t);
            }
        }
        return new SimModel(
                m.name() + "+pruned",
                m.hints(),
                out,
                new Vocabulary(
                        v.type(), tokens, v.merges(), v.preTokenizer(), v.source() + "+pruned", v.specialsRecorded()));
    }

    /** Replaces every tensor of {@code component} in {@code target} by the donor's tensors of that component. */
    public static SimModel transplant(SimModel target, SimModel donor, Component component) {
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : target.tensors()) {
            if (!t.address().component().equals(component)) {
                out.add(t);
            }
        }
        for (ArrayTensor t : donor.tensors()) {
            if (t.address().component().equals(component)) {
                out.add(t);
            }
        }
        return target.withTensors(out).named(target.name() + "+" + component.name() + "-from-" + donor.name());
    }

    /**
     * Renames every tensor of {@code m}: arbitrary names under one prefix ({@code net.<10 hex
     * digits>.weight}, no layer numbers), addressed as a reader would address them ({@link
     * TensorNaming#classifyAll}: names no family knows), and a custom {@code model_type} without the
     * head counts. Values and order unchanged: the same weights hidden behind new labels.
     */
    public static SimModel renameTensors(SimModel m, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<String> names = new ArrayList<>();
        java.util.Set<String> used = new java.util.HashSet<>();
        for (int k = 0; k < m.tensors().size(); k++) {
            String n;
            do {
                StringBuilder sb = new StringBuilder("net.");
                sb.append((char) ('a' + rnd.nextInt(6)));
                for (int i = 0; i < 9; i++) {
                    sb.append(Character.forDigit(rnd.nextInt(16), 16));
                }
                n = sb.append(".weight").toString();
            } while (!used.add(n));
            names.add(n);
        }
        ArchitectureHints hints = new ArchitectureHints("custom_lm", null, null, null, null, null, null, null);
        List<TensorAddress> addresses = TensorNaming.classifyAll(names, hints);
        List<ArrayTensor> out = new ArrayList<>();
        for (int k = 0; k < names.size(); k++) {
            ArrayTensor t = m.tensors().get(k);
            out.add(new ArrayTensor(names.get(k), t.shape(), addresses.get(k), t.readAll()));
        }
        return new SimModel(m.name() + "+renamed", hints, out, m.vocabulary());
    }

    /**
     * A tower transplanted under another label: the block tensors of {@code donor}'s component
     * {@code from} (a text encoder's layers) added to {@code target} as component {@code to} (a dual
     * encoder's vision tower), with {@code to}'s names and addresses; {@code target}'s own tensors
     * of {@code to} are replaced.
     */
    public static SimModel relabelTower(SimModel target, SimModel donor, Component from, Component to) {
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : target.tensors()) {
            if (!t.address().component().equals(to)) {
                out.add(t);
            }
        }
        for (ArrayTensor t : donor.tensors()) {
            TensorAddress a = t.address();
            if (a.component().equals(from) && a.layer() != null) {
                String name = to.name() + "_tower.blocks." + a.layer() + "."
                        + a.role().name().toLowerCase(java.util.Locale.ROOT) + "."
                        + a.part().name().toLowerCase(java.util.Locale.ROOT);
                out.add(new ArrayTensor(
                        name,
                        t.shape(),
                        new TensorAddress(to, a.layer(), a.role(), a.expert(), a.part()),
                        t.readAll()));
            }
        }
        return target.withTensors(out)
                .named(target.name() + "+" + to.name() + "-is-" + donor.name() + "-" + from.name());
    }

    /**
     * A linear merge: every tensor of {@code a} that {@code b} has at the same address and shape
     * becomes {@code weightA·a + (1 − weightA)·b}; the rest, the hints and the vocabulary are
     * {@code a}'s.
     */
    public static SimModel merge(SimModel a, SimModel b, double weightA) {
        Map<TensorAddress, ArrayTensor> other = new HashMap<>();
        for (ArrayTensor t : b.tensors()) {
            other.putIfAbsent(t.address(), t);
        }
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : a.tensors()) {
            ArrayTensor u = other.get(t.address());
            if (u == null || !u.shape().equals(t.shape())) {
                out.add(t);
                continue;
            }
            float[] x = t.readAll();
            float[] y = u.readAll();
            for (int i = 0; i < x.length; i++) {
                x[i] = (float) (weightA * x[i] + (1 - weightA) * y[i]);
            }
            out.add(SimModel.replace(t, x));
        }
        return a.withTensors(out).named(a.name() + "+merge-" + b.name());
    }

    /**
     * A checkpoint shipped without its tokenizer and with its token embedding (and untied head) padded
     * by {@code rows} zero rows, as vocabularies are padded to a multiple of 64: embedding rows can no
     * longer be paired by token or by count.
     */
    public static SimModel padVocabularyWithoutTokenizer(SimModel m, int rows) {
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            Role role = t.address().role();
            if (t.address().layer() == null
                    && (role == Role.EMBEDDING || role == Role.LM_HEAD)
                    && t.shape().rank() == 2) {
                int r0 = (int) t.shape().rows();
                int cols = (int) t.shape().columns();
                float[] v = java.util.Arrays.copyOf(t.readAll(), (r0 + rows) * cols);
                out.add(SimModel.replace(t, Shape.of(r0 + rows, cols), v));
            } else {
                out.add(t);
            }
        }
        return new SimModel(m.name() + "+padded" + rows, m.hints(), out, null);
    }

    /** Adds every tensor of {@code extra} to {@code m} (e.g. a vision tower and projector beside a text stack). */
    public static SimModel combine(SimModel m, List<ArrayTensor> extra, String name) {
        List<ArrayTensor> out = m.mutableTensors();
        out.addAll(extra);
        return m.withTensors(out).named(name);
    }

    /**
     * Dense-to-MoE upcycling: each block's MLP becomes {@code experts} copies with independent noise
     * of {@code relative} × std, plus a freshly initialised router.
     */
    public static SimModel upcycle(SimModel m, Component component, int experts, double relative, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            TensorAddress a = t.address();
            boolean mlp = a.component().equals(component)
                    && a.layer() != null
                    && a.expert() == null
                    && (a.role() == Role.MLP_GATE || a.role() == Role.MLP_UP || a.role() == Role.MLP_DOWN);
            if (!mlp) {
                out.add(t);
                continue;
            }
            float[] base = t.readAll();
            double sd = std(base);
            for (int e = 0; e < experts; e++) {
                float[] v = base.clone();
                for (int i = 0; i < v.length; i++) {
                    v[i] += (float) (relative * sd * Gauss.next(rnd));
                }
                TensorAddress ea = new TensorAddress(a.component(), a.layer(), a.role(), e, a.part());
                out.add(new ArrayTensor(t.name().replace("mlp.", "mlp.experts." + e + "."), t.shape(), ea, v));
            }
            if (a.role() == Role.MLP_UP && a.part() == Part.WEIGHT) {
                int d = (int) t.shape().columns();
                out.add(new ArrayTensor(
                        t.name().replace("mlp.up_proj", "mlp.router"),
                        Shape.of(experts, d),
                        TensorAddress.of(a.component(), a.layer(), Role.ROUTER, Part.WEIGHT),
                        SyntheticTransformer.gaussian(experts * d, 0.02, rnd)));
            }
        }
        return m.withTensors(out).named(m.name() + "+moe" + experts);
    }

    /**
     * Width pruning (Minitron-style): drops a random {@code mlpFraction} of the hidden units of every
     * MLP of {@code component} (rows of gate and up and their biases, columns of down; experts
     * included) and, when {@code residualFraction > 0}, the same random {@code residualFraction} of
     * residual dimensions from every tensor of the component (embedding and head columns, input
     * columns of the linears, output rows of o and down, norm gains, residual biases). Surviving
     * units and dimensions keep their order, as pruned checkpoints are written. Attention heads are
     * kept; the hints get the new widths (and the old head dimension).
     */
    public static SimModel widthPruning(
            SimModel m, Component component, double mlpFraction, double residualFraction, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        int d = m.hints().hiddenSize();
        int[] keepRes = residualFraction > 0 ? keptSorted(d, residualFraction, rnd) : null;
        Map<String, int[]> keepUnits = new HashMap<>();
        Integer mlpWidth = null;
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            TensorAddress a = t.address();
            if (!a.component().equals(component)) {
                out.add(t);
                continue;
            }
            float[] v = t.readAll();
            int rows = t.shape().rank() == 1 ? 1 : (int) t.shape().rows();
            int cols = (int) t.shape().columns();
            boolean vector = t.shape().rank() == 1;
            // 1. hidden units of the MLP
            if (a.layer() != null
                    && (a.role() == Role.MLP_GATE || a.role() == Role.MLP_UP || a.role() == Role.MLP_DOWN)) {
                int h = a.role() == Role.MLP_DOWN ? cols : vector ? v.length : rows;
                if (!(a.role() == Role.MLP_DOWN && vector)) {
                    int[] k = keepUnits.computeIfAbsent(
                            a.component().name() + "/" + a.layer() + "/" + a.expert(),
                            x -> keptSorted(h, mlpFraction, rnd));
                    if (k.length <= h) {
                        if (vector) {
                            v = permuteVectorSubset(v, k);
                            cols = k.length;
                        } else if (a.role() == Role.MLP_DOWN) {
                            v = selectCols(v, rows, cols, k);
                            cols = k.length;
                        } else {
                            v = selectRows(v, cols, k);
                            rows = k.length;
                        }
                        mlpWidth = k.length;
                    }
                }
            }
            // 2. residual dimensions
            if (keepRes != null) {
                if (vector) {
                    boolean residualVector = a.role().isNorm()
                            || (a.part() == Part.BIAS
                                    && (a.role() == Role.ATTN_O
                                            || a.role() == Role.MLP_DOWN
                                            || a.role() == Role.PATCH_EMBEDDING));
                    if (residualVector && v.length == d) {
                        v = permuteVectorSubset(v, keepRes);
                        cols = v.length;
                    }
                } else {
                    switch (a.role()) {
                        case EMBEDDING,
                                POSITION_EMBEDDING,
                                TOKEN_TYPE_EMBEDDING,
                                ATTN_Q,
                                ATTN_K,
                                ATTN_V,
                                MLP_GATE,
                                MLP_UP,
                                LM_HEAD,
                                ROUTER -> {
                            if (cols == d) {
                                v = selectCols(v, rows, cols, keepRes);
                                cols = keepRes.length;
                            }
                        }
                        case ATTN_O, MLP_DOWN, PATCH_EMBEDDING -> {
                            if (rows == d) {
                                v = selectRows(v, cols, keepRes);
                                rows = keepRes.length;
                            }
                        }
                        default -> {}
                    }
                }
            }
            out.add(SimModel.replace(t, vector ? Shape.of(v.length) : Shape.of(rows, cols), v));
        }
        dev.pedigree.model.ArchitectureHints h = m.hints();
        dev.pedigree.model.ArchitectureHints nh = new dev.pedigree.model.ArchitectureHints(
                h.architecture(),
                keepRes == null ? h.hiddenSize() : keepRes.length,
                h.numHeads(),
                h.numKvHeads(),
                h.effectiveHeadDim(),
                mlpWidth == null ? h.intermediateSize() : mlpWidth,
                h.numLayers(),
                h.tiedEmbeddings());
        String label = "+pruned-mlp" + Math.round(mlpFraction * 100)
                + (keepRes == null ? "" : "-res" + Math.round(residualFraction * 100));
        return new SimModel(m.name() + label, nh, out, m.vocabulary());
    }

    /** A sorted random subset keeping about {@code 1 - fraction} of {@code n} indices (at least one). */
    private static int[] keptSorted(int n, double fraction, SplittableRandom rnd) {
        int keep = Math.max(1, (int) Math.round(n * (1 - fraction)));
        return SeededSample.ofPermutation(rnd, n, keep);
    }

    private static float[] selectRows(float[] v, int cols, int[] keep) {
        float[] o = new float[keep.length * cols];
        for (int i = 0; i < keep.length; i++) {
            System.arraycopy(v, keep[i] * cols, o, i * cols, cols);
        }
        return o;
    }

    private static float[] selectCols(float[] v, int rows, int cols, int[] keep) {
        float[] o = new float[rows * keep.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < keep.length; j++) {
                o[i * keep.length + j] = v[i * cols + keep[j]];
            }
        }
        return o;
    }

    private static float[] permuteVectorSubset(float[] v, int[] keep) {
        float[] o = new float[keep.length];
        for (int i = 0; i < keep.length; i++) {
            o[i] = v[keep[i]];
        }
        return o;
    }

    // ---------------------------------------------------------------- independent controls

    /** Same shapes, names and vocabulary; every tensor redrawn as Gaussian with the original's mean and standard deviation. */
    public static SimModel matchedRandom(SimModel m, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            float[] v = t.readAll();
            double mean = mean(v);
            double sd = std(v);
            float[] nv = new float[v.length];
            for (int i = 0; i < nv.length; i++) {
                nv[i] = (float) (mean + sd * Gauss.next(rnd));
            }
            out.add(SimModel.replace(t, nv));
        }
        return m.withTensors(out).named("random-like-" + m.name());
    }

    // ---------------------------------------------------------------- internals

    private interface MatrixOp {
        float[] apply(float[] v, int rows, int cols);
    }

    /** Applies a residual-basis change to one tensor according to which side of it faces the residual stream. */
    private static float[] residualTransform(
            ArrayTensor t,
            int d,
            MatrixOp onColumns,
            MatrixOp onRows,
            java.util.function.UnaryOperator<float[]> onVector) {
        TensorAddress a = t.address();
        float[] v = t.readAll();
        int rows = (int) t.shape().rows();
        int cols = (int) t.shape().columns();
        if (t.shape().rank() == 1) {
            boolean residualVector = a.role().isNorm()
                    || (a.part() == Part.BIAS
                            && (a.role() == Role.ATTN_O
                                    || a.role() == Role.MLP_DOWN
                                    || a.role() == Role.PATCH_EMBEDDING));
            return residualVector && v.length == d ? onVector.apply(v) : v;
        }
        return switch (a.role()) {
            case EMBEDDING,
                    POSITION_EMBEDDING,
                    TOKEN_TYPE_EMBEDDING,
                    ATTN_Q,
                    ATTN_K,
                    ATTN_V,
                    MLP_GATE,
                    MLP_UP,
                    LM_HEAD,
                    ROUTER -> cols == d ? onColumns.apply(v, rows, cols) : v;
            case ATTN_O, MLP_DOWN, PATCH_EMBEDDING -> rows == d ? onRows.apply(v, rows, cols) : v;
            default -> v;
        };
    }

    /** Replaces every norm gain with a new positive gain and folds the ratio into the linears reading it. */
    private static SimModel rescaleGains(SimModel m, Component component, SplittableRandom rnd) {
        Map<String, float[]> ratio = new HashMap<>();
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            TensorAddress a = t.address();
            if (a.component().equals(component) && a.role().isNorm() && a.part() == Part.WEIGHT) {
                float[] g = t.readAll();
                float[] ng = new float[g.length];
                float[] r = new float[g.length];
                for (int i = 0; i < g.length; i++) {
                    ng[i] = (float) Math.exp(0.3 * Gauss.next(rnd));
                    r[i] = g[i] / ng[i];
                }
                ratio.put(a.layer() + "/" + a.role(), r);
                out.add(SimModel.replace(t, ng));
            } else {
                out.add(t);
            }
        }
        return scaleReaders(m.withTensors(out), component, ratio);
    }

    /** Folds every norm gain of the component into the following linears and sets it to 1. */
    static SimModel foldGains(SimModel m, Component component) {
        Map<String, float[]> ratio = new HashMap<>();
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            TensorAddress a = t.address();
            if (a.component().equals(component) && a.role().isNorm() && a.part() == Part.WEIGHT) {
                ratio.put(a.layer() + "/" + a.role(), t.readAll());
                float[] ones = new float[(int) t.elementCount()];
                java.util.Arrays.fill(ones, 1f);
                out.add(SimModel.replace(t, ones));
            } else {
                out.add(t);
            }
        }
        return scaleReaders(m.withTensors(out), component, ratio);
    }

    private static SimModel scaleReaders(SimModel m, Component component, Map<String, float[]> ratio) {
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            TensorAddress a = t.address();
            String normKey = null;
            if (a.component().equals(component) && a.part() == Part.WEIGHT) {
                normKey = switch (a.role()) {
                    case ATTN_Q, ATTN_K, ATTN_V -> a.layer() + "/" + Role.ATTN_NORM;
                    case MLP_GATE, MLP_UP, ROUTER -> a.layer() + "/" + Role.MLP_NORM;
                    case LM_HEAD -> "null/" + Role.FINAL_NORM;
                    default -> null;
                };
            }
            float[] r = normKey == null ? null : ratio.get(normKey);
            if (r == null || r.length != t.shape().columns()) {
                out.add(t);
                continue;
            }
            float[] v = t.readAll();
            int cols = r.length;
            for (int i = 0; i < v.length; i++) {
                v[i] *= r[i % cols];
            }
            out.add(SimModel.replace(t, v));
        }
        return m.withTensors(out);
    }

    private static int[] headUnitPermutation(int[] groupPerm, int groupSize) {
        int[] p = new int[groupPerm.length * groupSize];
        for (int g = 0; g < groupPerm.length; g++) {
            for (int k = 0; k < groupSize; k++) {
                p[g * groupSize + k] = groupPerm[g] * groupSize + k;
            }
        }
        return p;
    }

    /** Row i of the result is row p[i] of the input. */
    static float[] permuteRows(float[] v, int rows, int cols, int[] p) {
        float[] o = new float[v.length];
        for (int i = 0; i < rows; i++) {
            System.arraycopy(v, p[i] * cols, o, i * cols, cols);
        }
        return o;
    }

    /** Column j of the result is column p[j] of the input. */
    static float[] permuteCols(float[] v, int rows, int cols, int[] p) {
        float[] o = new float[v.length];
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                o[i * cols + j] = v[i * cols + p[j]];
            }
        }
        return o;
    }

    static float[] permuteVector(float[] v, int[] p) {
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            o[i] = v[p[i]];
        }
        return o;
    }

    /** (rows × k) · (k × n). */
    static float[] matmul(float[] a, int rows, int k, float[] b, int n) {
        float[] o = new float[rows * n];
        for (int i = 0; i < rows; i++) {
            for (int t = 0; t < k; t++) {
                float x = a[i * k + t];
                if (x == 0) {
                    continue;
                }
                for (int j = 0; j < n; j++) {
                    o[i * n + j] += x * b[t * n + j];
                }
            }
        }
        return o;
    }

    /** qᵀ · v for q (d × d) and v (d × cols). */
    static float[] matmulTransposedLeft(float[] q, int d, float[] v, int cols) {
        float[] o = new float[d * cols];
        for (int t = 0; t < d; t++) {
            for (int i = 0; i < d; i++) {
                float x = q[t * d + i];
                for (int j = 0; j < cols; j++) {
                    o[i * cols + j] += x * v[t * cols + j];
                }
            }
        }
        return o;
    }

    /** A random orthogonal d × d matrix (Gram–Schmidt of a Gaussian matrix). */
    static float[] randomOrthogonal(int d, SplittableRandom rnd) {
        double[][] q = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                q[i][j] = Gauss.next(rnd);
            }
            for (int pass = 0; pass < 2; pass++) {
                for (int k = 0; k < i; k++) {
                    double dot = 0;
                    for (int j = 0; j < d; j++) {
                        dot += q[i][j] * q[k][j];
                    }
                    for (int j = 0; j < d; j++) {
                        q[i][j] -= dot * q[k][j];
                    }
                }
            }
            double n = 0;
            for (int j = 0; j < d; j++) {
                n += q[i][j] * q[i][j];
            }
            n = Math.sqrt(n);
            for (int j = 0; j < d; j++) {
                q[i][j] /= n;
            }
        }
        float[] o = new float[d * d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                o[i * d + j] = (float) q[i][j];
            }
        }
        return o;
    }

    static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return v.length == 0 ? 0 : s / v.length;
    }

    static double std(float[] v) {
        double m = mean(v);
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return v.length < 2 ? 0 : Math.sqrt(s / (v.length - 1));
    }

    static double norm(float[] v) {
        double s = 0;
        for (float x : v) {
            s += (double) x * x;
        }
        return Math.sqrt(s);
    }
}
