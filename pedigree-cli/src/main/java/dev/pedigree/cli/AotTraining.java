package dev.pedigree.cli;

import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.model.ArrayTensor;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The short training run from which the launcher ({@code ../pedigree}) records the JDK's
 * ahead-of-time cache after a build ({@code -XX:AOTCacheOutput}, JEP 483/514/515): the classes it
 * loads and links, and the method profiles it gathers, are what later one-shot commands start
 * from. It runs the common commands on small generated models (a Llama-like decoder, a noisy
 * derivative and an unrelated model, written as safetensors and as ONNX in a temporary folder)
 * with their output discarded; it never touches the user's files. Not a user command: the launcher runs it
 * as {@code java ... dev.pedigree.cli.AotTraining}.
 */
final class AotTraining {
    private AotTraining() {}

    public static void main(String[] args) throws IOException {
        Path dir = Files.createTempDirectory("pedigree-aot-");
        int failures = 0;
        try {
            SimModel base = SyntheticTransformer.random("base", SyntheticTransformer.Config.smallDecoder(), 1);
            String a = save(base, dir.resolve("base.safetensors"));
            String derived = save(DerivationSimulator.noise(base, 0.2, 2), dir.resolve("derived.safetensors"));
            String other = save(
                    SyntheticTransformer.random("other", SyntheticTransformer.Config.smallDecoder(), 3),
                    dir.resolve("other.safetensors"));
            String out = dir.resolve("out").toString();
            failures += run(0, "--version");
            failures += run(0, "--help");
            failures += run(0, "inspect", a);
            failures += run(0, "inspect", derived, "--json", out + "-inspect.json");
            failures += run(10, "compare", derived, a, "--json", out + "-derived.json");
            failures += run(11, "compare", other, a, "--sample", "64", "--json", out + "-other.json");
            // ONNX (the exporters' layout: MatMul weights anonymous and stored [in, out], named by their node):
            // its parser, graph walk and transposed decode are what inspecting or comparing an .onnx file runs.
            String onnx = saveOnnx(base, dir.resolve("base.onnx"));
            String onnxOther = saveOnnx(
                    SyntheticTransformer.random("other", SyntheticTransformer.Config.smallDecoder(), 4),
                    dir.resolve("other.onnx"));
            failures += run(0, "inspect", onnx);
            failures += run(0, "inspect", onnx, "--json", out + "-inspect-onnx.json");
            failures += run(11, "compare", onnxOther, onnx, "--sample", "64", "--json", out + "-onnx.json");
        } finally {
            try (Stream<Path> s = Files.walk(dir)) {
                for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
        // A command that failed still trained the cache; the launcher logs this and carries on.
        System.exit(failures == 0 ? 0 : 1);
    }

    private static int run(int expected, String... args) {
        PrintWriter sink = new PrintWriter(Writer.nullWriter());
        int code = Main.run(args, sink, sink);
        if (code != expected) {
            System.err.println("training: pedigree " + String.join(" ", args) + " exited " + code);
            return 1;
        }
        return 0;
    }

    /** The Hugging Face name of a simulated tensor ({@code text.layers.0...} becomes {@code model.layers.0...}). */
    private static String hfName(ArrayTensor t) {
        return t.name().replaceFirst("^text\\.lm_head", "lm_head").replaceFirst("^text\\.", "model.");
    }

    /**
     * Writes {@code m} as a float32 ONNX model the way torch.onnx exports one: each linear weight is an
     * anonymous initialiser {@code onnx::MatMul_N} stored {@code [in, out]} and used by a MatMul node named
     * after its module ({@code /model/layers.0/self_attn/q_proj/MatMul}); every other tensor keeps its name.
     * Only the protobuf fields the reader needs (the format modules are not on this module's compile class
     * path).
     */
    static String saveOnnx(SimModel m, Path file) throws IOException {
        Proto graph = new Proto();
        Proto inits = new Proto();
        int k = 0;
        for (ArrayTensor t : m.tensors()) {
            String name = hfName(t);
            long[] dims = t.shape().dims();
            float[] v = t.readAll();
            if (dims.length == 2 && (name.endsWith("_proj.weight") || name.equals("lm_head.weight"))) {
                String anon = "onnx::MatMul_" + (++k);
                int rows = (int) dims[0];
                int cols = (int) dims[1];
                float[] stored = new float[v.length];
                for (int r = 0; r < rows; r++) {
                    for (int c = 0; c < cols; c++) {
                        stored[c * rows + r] = v[r * cols + c];
                    }
                }
                String module = name.substring(0, name.length() - ".weight".length());
                Proto node = new Proto()
                        .string(1, "x" + k)
                        .string(1, anon)
                        .string(2, "y" + k)
                        .string(3, "/" + module.replace('.', '/') + "/MatMul")
                        .string(4, "MatMul");
                graph.message(1, node);
                inits.message(5, tensor(anon, new long[] {cols, rows}, stored));
            } else {
                inits.message(5, tensor(name, dims, v));
            }
        }
        graph.string(2, "main_graph").raw(inits);
        Proto model = new Proto()
                .varint(1, 8)
                .string(2, "pytorch")
                .string(3, "2.5.0")
                .message(7, graph)
                .message(8, new Proto().string(1, "").varint(2, 17));
        Files.write(file, model.bytes());
        return file.toString();
    }

    private static Proto tensor(String name, long[] dims, float[] values) {
        Proto packed = new Proto();
        for (long d : dims) {
            packed.rawVarint(d);
        }
        ByteBuffer raw = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        raw.asFloatBuffer().put(values);
        return new Proto().bytes(1, packed.bytes()).varint(2, 1).string(8, name).bytes(9, raw.array());
    }

    /** Just enough of the protobuf wire format to write the ONNX fields above. */
    private static final class Proto {
        private final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();

        Proto rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Proto varint(int field, long v) {
            return rawVarint((long) field << 3).rawVarint(v);
        }

        Proto bytes(int field, byte[] b) {
            rawVarint(((long) field << 3) | 2).rawVarint(b.length);
            out.writeBytes(b);
            return this;
        }

        Proto string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Proto message(int field, Proto m) {
            return bytes(field, m.bytes());
        }

        Proto raw(Proto m) {
            out.writeBytes(m.bytes());
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    /**
     * Writes {@code m} as a float32 safetensors file, tensors named as in a Hugging Face Llama
     * checkpoint (the format modules are not on this module's compile class path).
     */
    static String save(SimModel m, Path file) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (ArrayTensor t : m.tensors()) {
            String name = hfName(t);
            long end = offset + 4L * t.shape().elementCount();
            header.append(header.length() > 1 ? "," : "")
                    .append('"')
                    .append(name)
                    .append("\":{\"dtype\":\"F32\",\"shape\":")
                    .append(t.shape().toString().replace(" ", ""))
                    .append(",\"data_offsets\":[")
                    .append(offset)
                    .append(',')
                    .append(end)
                    .append("]}");
            offset = end;
        }
        byte[] json = header.append('}').toString().getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(ByteBuffer.allocate(8)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(json.length)
                    .array());
            out.write(json);
            for (ArrayTensor t : m.tensors()) {
                float[] v = t.readAll();
                ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
                b.asFloatBuffer().put(v);
                out.write(b.array());
            }
        }
        return file.toString();
    }
}
