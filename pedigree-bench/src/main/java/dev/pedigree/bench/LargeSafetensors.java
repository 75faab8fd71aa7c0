package dev.pedigree.bench;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Streams a Llama-shaped BF16 safetensors file of any size to disk without holding it in memory
 * (benchmarks need models larger than the heap). Values are N(0, 0.02²) from a seed; a derivative
 * can add seeded noise of a stated relative size, so the pair has a known answer.
 */
public final class LargeSafetensors {
    private LargeSafetensors() {}

    /** Tensor layout of a Llama-style model with {@code layers} blocks. */
    public record Spec(int hidden, int ffn, int layers, int vocab) {
        List<Object[]> tensors() {
            List<Object[]> t = new ArrayList<>();
            t.add(new Object[] {"model.embed_tokens.weight", new long[] {vocab, hidden}});
            for (int l = 0; l < layers; l++) {
                String p = "model.layers." + l + ".";
                t.add(new Object[] {p + "input_layernorm.weight", new long[] {hidden}});
                t.add(new Object[] {p + "self_attn.q_proj.weight", new long[] {hidden, hidden}});
                t.add(new Object[] {p + "self_attn.k_proj.weight", new long[] {hidden, hidden}});
                t.add(new Object[] {p + "self_attn.v_proj.weight", new long[] {hidden, hidden}});
                t.add(new Object[] {p + "self_attn.o_proj.weight", new long[] {hidden, hidden}});
                t.add(new Object[] {p + "post_attention_layernorm.weight", new long[] {hidden}});
                t.add(new Object[] {p + "mlp.gate_proj.weight", new long[] {ffn, hidden}});
                t.add(new Object[] {p + "mlp.up_proj.weight", new long[] {ffn, hidden}});
                t.add(new Object[] {p + "mlp.down_proj.weight", new long[] {hidden, ffn}});
            }
            t.add(new Object[] {"model.norm.weight", new long[] {hidden}});
            t.add(new Object[] {"lm_head.weight", new long[] {vocab, hidden}});
            return t;
        }

        public long parameters() {
            long n = 0;
            for (Object[] t : tensors()) {
                long[] s = (long[]) t[1];
                long e = 1;
                for (long d : s) {
                    e *= d;
                }
                n += e;
            }
            return n;
        }
    }

    /**
     * Writes the model. Element {@code i} of every tensor is derived from {@code seed} and the
     * tensor's index so a derivative with the same seed and {@code noise > 0} is a noisy copy.
     */
    public static void write(Path file, Spec spec, long seed, double noise, long noiseSeed) throws IOException {
        List<Object[]> ts = spec.tensors();
        StringBuilder h = new StringBuilder("{\"__metadata__\":{\"format\":\"pt\"}");
        long off = 0;
        for (Object[] t : ts) {
            long[] s = (long[]) t[1];
            long n = 1;
            for (long d : s) {
                n *= d;
            }
            h.append(",\"")
                    .append(t[0])
                    .append("\":{\"dtype\":\"BF16\",\"shape\":")
                    .append(java.util.Arrays.toString(s).replace(" ", ""));
            h.append(",\"data_offsets\":[")
                    .append(off)
                    .append(',')
                    .append(off + 2 * n)
                    .append("]}");
            off += 2 * n;
        }
        h.append('}');
        while ((h.length() + 8) % 8 != 0) {
            h.append(' ');
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);
        try (FileChannel ch = FileChannel.open(
                file, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE)) {
            ByteBuffer len = ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(header.length)
                    .flip();
            ch.write(len);
            ch.write(ByteBuffer.wrap(header));
            ByteBuffer buf = ByteBuffer.allocateDirect(1 << 22).order(ByteOrder.LITTLE_ENDIAN);
            int ti = 0;
            for (Object[] t : ts) {
                long[] s = (long[]) t[1];
                long n = 1;
                for (long d : s) {
                    n *= d;
                }
                boolean norm = s.length == 1;
                SplittableRandom base = new SplittableRandom(seed * 1_000_003L + ti);
                SplittableRandom nz = new SplittableRandom(noiseSeed * 1_000_003L + ti);
                for (long i = 0; i < n; i++) {
                    double v = norm ? 1 + 0.05 * base.nextGaussian() : 0.02 * base.nextGaussian();
                    if (noise > 0) {
                        v += noise * (norm ? 0.05 : 0.02) * nz.nextGaussian();
                    }
                    int bits = Float.floatToRawIntBits((float) v);
                    int rounded = (bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16;
                    buf.putShort((short) rounded);
                    if (!buf.hasRemaining()) {
                        buf.flip();
                        while (buf.hasRemaining()) {
                            ch.write(buf);
                        }
                        buf.clear();
                    }
                }
                ti++;
            }
            buf.flip();
            while (buf.hasRemaining()) {
                ch.write(buf);
            }
        }
    }
}
