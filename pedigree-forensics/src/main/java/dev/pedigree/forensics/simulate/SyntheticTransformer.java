package dev.pedigree.forensics.simulate;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenKind;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Generates randomly initialised transformer-shaped models with realistic scales: linear weights
 * N(0, 1/in) with per-row log-normal scale spread, embeddings N(0, 0.02²) plus a per-token norm
 * spread, norm gains 1 + N(0, 0.1²). Two calls with different seeds give models that are
 * independent under H0; the same seed gives the same model. Stateless.
 */
public final class SyntheticTransformer {
    private SyntheticTransformer() {}

    /**
     * Shape of a synthetic model.
     *
     * @param component the block component (text decoder, text encoder or vision encoder)
     * @param vocab vocabulary size (0: no token embedding, e.g. a vision tower)
     * @param hidden residual width
     * @param heads attention heads
     * @param kvHeads key/value heads (GQA when fewer than heads)
     * @param mlp MLP width
     * @param layers blocks
     * @param gated SwiGLU-style gate + up (else up only, BERT-style)
     * @param biases linear biases (BERT-style)
     * @param tied no separate lm_head
     */
    public record Config(
            Component component,
            int vocab,
            int hidden,
            int heads,
            int kvHeads,
            int mlp,
            int layers,
            boolean gated,
            boolean biases,
            boolean tied) {
        /** A small Llama-like decoder. */
        public static Config smallDecoder() {
            return new Config(Component.TEXT_DECODER, 512, 64, 4, 2, 128, 4, true, false, false);
        }

        /** A tiny decoder for calibration (thousands of pairs). */
        public static Config tinyDecoder() {
            return new Config(Component.TEXT_DECODER, 256, 32, 4, 4, 64, 3, true, false, false);
        }

        /** A small BERT-like encoder. */
        public static Config smallEncoder() {
            return new Config(Component.TEXT_ENCODER, 512, 64, 4, 4, 128, 4, false, true, true);
        }

        /** A small vision tower (no vocabulary). */
        public static Config smallVision() {
            return new Config(Component.VISION, 0, 48, 4, 4, 96, 3, false, true, true);
        }

        public ArchitectureHints hints() {
            return new ArchitectureHints(
                    gated ? "llama" : "bert", hidden, heads, kvHeads, hidden / heads, mlp, layers, tied);
        }

        public Config withLayers(int n) {
            return new Config(component, vocab, hidden, heads, kvHeads, mlp, n, gated, biases, tied);
        }

        public Config withHidden(int d, int m) {
            return new Config(component, vocab, d, heads, kvHeads, m, layers, gated, biases, tied);
        }
    }

    /** A model with fresh random weights and a vocabulary of {@code vocab} generated tokens. */
    public static SimModel random(String name, Config c, long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        List<ArrayTensor> ts = new ArrayList<>(tower(c, rnd));
        return new SimModel(name, c.hints(), ts, c.vocab() > 0 ? vocabulary(c.vocab(), 0) : null);
    }

    /** Tensors of one tower (embeddings, blocks, final norm, head), freshly initialised. */
    public static List<ArrayTensor> tower(Config c, SplittableRandom rnd) {
        List<ArrayTensor> ts = new ArrayList<>();
        Component comp = c.component();
        String p = comp.name();
        int d = c.hidden();
        int hd = d / c.heads();
        int kv = hd * c.kvHeads();
        if (c.vocab() > 0) {
            ts.add(tensor(
                    p + ".embed_tokens.weight",
                    TensorAddress.of(comp, null, Role.EMBEDDING, Part.WEIGHT),
                    embedding(c.vocab(), d, rnd),
                    c.vocab(),
                    d));
        } else {
            int patch = 3 * 4 * 4;
            ts.add(tensor(
                    p + ".patch_embed.weight",
                    TensorAddress.of(comp, null, Role.PATCH_EMBEDDING, Part.WEIGHT),
                    linear(d, patch, rnd),
                    d,
                    patch));
            ts.add(tensor(
                    p + ".position_embedding.weight",
                    TensorAddress.of(comp, null, Role.POSITION_EMBEDDING, Part.WEIGHT),
                    gaussian(17 * d, 0.02, rnd),
                    17,
                    d));
        }
        for (int l = 0; l < c.layers(); l++) {
            String b = p + ".layers." + l + ".";
            ts.add(vec(
                    b + "input_layernorm.weight",
                    TensorAddress.of(comp, l, Role.ATTN_NORM, Part.WEIGHT),
                    gains(d, rnd)));
            ts.add(tensor(
                    b + "self_attn.q_proj.weight",
                    TensorAddress.of(comp, l, Role.ATTN_Q, Part.WEIGHT),
                    linear(d, d, rnd),
                    d,
                    d));
            ts.add(tensor(
                    b + "self_attn.k_proj.weight",
                    TensorAddress.of(comp, l, Role.ATTN_K, Part.WEIGHT),
                    linear(kv, d, rnd),
                    kv,
                    d));
            ts.add(tensor(
                    b + "self_attn.v_proj.weight",
                    TensorAddress.of(comp, l, Role.ATTN_V, Part.WEIGHT),
                    linear(kv, d, rnd),
                    kv,
                    d));
            ts.add(tensor(
                    b + "self_attn.o_proj.weight",
                    TensorAddress.of(comp, l, Role.ATTN_O, Part.WEIGHT),
                    linear(d, d, rnd),
                    d,
                    d));
            if (c.biases()) {
                ts.add(vec(
                        b + "self_attn.q_proj.bias",
                        TensorAddress.of(comp, l, Role.ATTN_Q, Part.BIAS),
                        gaussian(d, 0.02, rnd)));
                ts.add(vec(
                        b + "self_attn.o_proj.bias",
                        TensorAddress.of(comp, l, Role.ATTN_O, Part.BIAS),
                        gaussian(d, 0.02, rnd)));
            }
            ts.add(vec(
                    b + "post_attention_layernorm.weight",
                    TensorAddress.of(comp, l, Role.MLP_NORM, Part.WEIGHT),
                    gains(d, rnd)));
            if (c.gated()) {
                ts.add(tensor(
                        b + "mlp.gate_proj.weight",
                        TensorAddress.of(comp, l, Role.MLP_GATE, Part.WEIGHT),
                        linear(c.mlp(), d, rnd),
                        c.mlp(),
                        d));
            }
            ts.add(tensor(
                    b + "mlp.up_proj.weight",
                    TensorAddress.of(comp, l, Role.MLP_UP, Part.WEIGHT),
                    linear(c.mlp(), d, rnd),
                    c.mlp(),
                    d));
            ts.add(tensor(
                    b + "mlp.down_proj.weight",
                    TensorAddress.of(comp, l, Role.MLP_DOWN, Part.WEIGHT),
                    linear(d, c.mlp(), rnd),
                    d,
                    c.mlp()));
            if (c.biases()) {
                ts.add(vec(
                        b + "mlp.up_proj.bias",
                        TensorAddress.of(comp, l, Role.MLP_UP, Part.BIAS),
                        gaussian(c.mlp(), 0.02, rnd)));
            }
        }
        ts.add(vec(p + ".norm.weight", TensorAddress.of(comp, null, Role.FINAL_NORM, Part.WEIGHT), gains(d, rnd)));
        if (c.vocab() > 0 && !c.tied()) {
            ts.add(tensor(
                    p + ".lm_head.weight",
                    TensorAddress.of(comp, null, Role.LM_HEAD, Part.WEIGHT),
                    linear(c.vocab(), d, rnd),
                    c.vocab(),
                    d));
        }
        return ts;
    }

    /** A generated vocabulary: {@code n} distinct multi-byte NORMAL tokens, ids from 0, in a fixed order offset by {@code start}. */
    public static Vocabulary vocabulary(int n, int start) {
        List<Token> tokens = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            String s = tokenString(start + i);
            tokens.add(new Token(i, s.getBytes(StandardCharsets.UTF_8), s, TokenKind.NORMAL, Float.NaN));
        }
        return new Vocabulary(TokenizerType.BPE, tokens, List.of(), null, "generated");
    }

    /** The i-th generated token string (distinct for distinct i, at least two bytes). */
    public static String tokenString(int i) {
        StringBuilder sb = new StringBuilder(" ");
        int x = i;
        do {
            sb.append((char) ('a' + x % 26));
            x /= 26;
        } while (x > 0);
        return sb.toString();
    }

    static ArrayTensor tensor(String name, TensorAddress a, float[] v, long rows, long cols) {
        return new ArrayTensor(name, Shape.of(rows, cols), a, v);
    }

    static ArrayTensor vec(String name, TensorAddress a, float[] v) {
        return new ArrayTensor(name, Shape.of(v.length), a, v);
    }

    static float[] gaussian(int n, double sd, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (sd * Gauss.next(rnd));
        }
        return v;
    }

    static float[] gains(int n, SplittableRandom rnd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (1 + 0.1 * Gauss.next(rnd));
        }
        return v;
    }

    static float[] linear(int out, int in, SplittableRandom rnd) {
        float[] v = new float[out * in];
        double sd = 1 / Math.sqrt(in);
        for (int r = 0; r < out; r++) {
            double rowScale = Math.exp(0.3 * Gauss.next(rnd));
            for (int c = 0; c < in; c++) {
                v[r * in + c] = (float) (sd * rowScale * Gauss.next(rnd));
            }
        }
        return v;
    }

    static float[] embedding(int vocab, int d, SplittableRandom rnd) {
        float[] v = new float[vocab * d];
        for (int r = 0; r < vocab; r++) {
            double rowScale = Math.exp(0.3 * Gauss.next(rnd));
            for (int c = 0; c < d; c++) {
                v[r * d + c] = (float) (0.02 * rowScale * Gauss.next(rnd));
            }
        }
        return v;
    }

    /** Standard normal draws from a {@link SplittableRandom} (Box–Muller, no cached state). */
    static final class Gauss {
        private Gauss() {}

        static double next(SplittableRandom r) {
            double u = r.nextDouble();
            double v = r.nextDouble();
            return Math.sqrt(-2 * Math.log(1 - u)) * Math.cos(2 * Math.PI * v);
        }
    }
}
