package dev.pedigree.formats;

import dev.pedigree.format.gguf.GgmlType;
import dev.pedigree.format.gguf.GgufWriter;
import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A small random Llama-architecture model with known values, written in several container
 * formats the way the real converters write them (HF names in safetensors/PyTorch; GGUF names,
 * reversed dimensions and llama.cpp's Q/K row permutation in GGUF).
 */
final class TinyLlama {
    static final int HIDDEN = 64;
    static final int HEADS = 4;
    static final int KV_HEADS = 2;
    static final int HEAD_DIM = HIDDEN / HEADS;
    static final int FFN = 128;
    static final int LAYERS = 2;
    static final int VOCAB = 96;

    /** HF name → (canonical shape, values), in a stable order. */
    final Map<String, Tensor> tensors = new LinkedHashMap<>();

    record Tensor(long[] shape, float[] values) {}

    TinyLlama(long seed) {
        SplittableRandom rnd = new SplittableRandom(seed);
        put("model.embed_tokens.weight", rnd, VOCAB, HIDDEN);
        for (int l = 0; l < LAYERS; l++) {
            String p = "model.layers." + l + ".";
            norm(p + "input_layernorm.weight", rnd);
            put(p + "self_attn.q_proj.weight", rnd, HEADS * HEAD_DIM, HIDDEN);
            put(p + "self_attn.k_proj.weight", rnd, KV_HEADS * HEAD_DIM, HIDDEN);
            put(p + "self_attn.v_proj.weight", rnd, KV_HEADS * HEAD_DIM, HIDDEN);
            put(p + "self_attn.o_proj.weight", rnd, HIDDEN, HEADS * HEAD_DIM);
            norm(p + "post_attention_layernorm.weight", rnd);
            put(p + "mlp.gate_proj.weight", rnd, FFN, HIDDEN);
            put(p + "mlp.up_proj.weight", rnd, FFN, HIDDEN);
            put(p + "mlp.down_proj.weight", rnd, HIDDEN, FFN);
        }
        norm("model.norm.weight", rnd);
        put("lm_head.weight", rnd, VOCAB, HIDDEN);
    }

    private void put(String name, SplittableRandom rnd, int rows, int cols) {
        float[] v = new float[rows * cols];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (rnd.nextGaussian() * 0.02);
        }
        tensors.put(name, new Tensor(new long[] {rows, cols}, v));
    }

    private void norm(String name, SplittableRandom rnd) {
        float[] v = new float[HIDDEN];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) (1 + rnd.nextGaussian() * 0.05);
        }
        tensors.put(name, new Tensor(new long[] {HIDDEN}, v));
    }

    void writeSafetensors(Path file) throws IOException {
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        tensors.forEach((n, t) -> w.add(n, DType.F32, Shape.of(t.shape()), t.values()));
        w.write(file);
    }

    void writePytorch(Path file) throws IOException {
        dev.pedigree.format.pytorch.PytorchWriter.Builder b = dev.pedigree.format.pytorch.PytorchWriter.builder();
        tensors.forEach((n, t) -> {
            double[] d = new double[t.values().length];
            for (int i = 0; i < d.length; i++) {
                d[i] = t.values()[i];
            }
            b.tensor(n, DType.F32, t.shape(), d);
        });
        b.writeZip(file);
    }

    /** Writes a GGUF as llama.cpp's converter would: GGUF names, Q/K rows permuted per head. */
    void writeGguf(Path file) throws IOException {
        GgufWriter w = new GgufWriter();
        w.putString("general.architecture", "llama");
        w.putString("general.name", "tiny-llama-test");
        w.putU32("llama.embedding_length", HIDDEN);
        w.putU32("llama.block_count", LAYERS);
        w.putU32("llama.feed_forward_length", FFN);
        w.putU32("llama.attention.head_count", HEADS);
        w.putU32("llama.attention.head_count_kv", KV_HEADS);
        tensors.forEach((n, t) -> {
            float[] v = t.values();
            if (n.endsWith("q_proj.weight")) {
                v = permute(v, (int) t.shape()[0], (int) t.shape()[1], HEADS);
            } else if (n.endsWith("k_proj.weight")) {
                v = permute(v, (int) t.shape()[0], (int) t.shape()[1], KV_HEADS);
            }
            w.addTensor(ggufName(n), t.shape(), v, GgmlType.F32);
        });
        w.write(file);
    }

    /** llama.cpp convert_hf_to_gguf: reshape(n_head, 2, rows/n_head/2, cols).swapaxes(1, 2). */
    static float[] permute(float[] w, int rows, int cols, int nHead) {
        float[] out = new float[w.length];
        int half = rows / nHead / 2;
        for (int h = 0; h < nHead; h++) {
            for (int j = 0; j < half; j++) {
                for (int two = 0; two < 2; two++) {
                    int src = h * 2 * half + two * half + j;
                    int dst = h * 2 * half + j * 2 + two;
                    System.arraycopy(w, src * cols, out, dst * cols, cols);
                }
            }
        }
        return out;
    }

    static String ggufName(String hf) {
        String n = hf.replace(".weight", "");
        if (n.equals("model.embed_tokens")) {
            return "token_embd.weight";
        }
        if (n.equals("model.norm")) {
            return "output_norm.weight";
        }
        if (n.equals("lm_head")) {
            return "output.weight";
        }
        n = n.replace("model.layers.", "blk.")
                .replace(".input_layernorm", ".attn_norm")
                .replace(".self_attn.q_proj", ".attn_q")
                .replace(".self_attn.k_proj", ".attn_k")
                .replace(".self_attn.v_proj", ".attn_v")
                .replace(".self_attn.o_proj", ".attn_output")
                .replace(".post_attention_layernorm", ".ffn_norm")
                .replace(".mlp.gate_proj", ".ffn_gate")
                .replace(".mlp.up_proj", ".ffn_up")
                .replace(".mlp.down_proj", ".ffn_down");
        return n + ".weight";
    }
}
