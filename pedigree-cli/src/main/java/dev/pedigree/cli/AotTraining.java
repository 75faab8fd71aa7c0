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
 * derivative and an unrelated model, written as safetensors in a temporary folder) with their
 * output discarded; it never touches the user's files. Not a user command: the launcher runs it
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

    /**
     * Writes {@code m} as a float32 safetensors file, tensors named as in a Hugging Face Llama
     * checkpoint (the format modules are not on this module's compile class path).
     */
    private static String save(SimModel m, Path file) throws IOException {
        StringBuilder header = new StringBuilder("{");
        long offset = 0;
        for (ArrayTensor t : m.tensors()) {
            String name = t.name().replaceFirst("^text\\.lm_head", "lm_head").replaceFirst("^text\\.", "model.");
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
