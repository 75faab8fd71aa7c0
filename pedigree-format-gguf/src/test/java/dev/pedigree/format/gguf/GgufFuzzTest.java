package dev.pedigree.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Seeded mutations (byte flips, big little-endian integers, truncations, insertions, deletions) of
 * real GGUF files: each case must open and read fully, or throw a ModelFormatException; any other
 * exception or a hang fails.
 */
class GgufFuzzTest {
    @Test
    void tinyLlamaWeights() throws Exception {
        fuzz(SharedFixtures.file("gguf-weights/llama-2-tiny-random.gguf"), 1200, 0xC0FFEEL);
    }

    @Test
    void bertVocab() throws Exception {
        fuzz(SharedFixtures.file("gguf-vocab/ggml-vocab-bert-bge.gguf"), 1000, 42L);
    }

    @Test
    void synthesisedFileWithEveryValueTypeAndQuantTensors() throws Exception {
        GgufWriter w = GgufRoundTripTest.everyValueType(new GgufWriter())
                .putString("general.architecture", "llama")
                .putU32("llama.attention.head_count", 2);
        w.addTensor("blk.0.attn_q.weight", new long[] {4, 64}, new float[256], GgmlType.Q8_0);
        w.addRawTensor(
                "blk.0.ffn_up.weight",
                GgmlType.Q4_K,
                new long[] {256, 2},
                GgmlDequantTest.randomBlocks(GgmlType.Q4_K, 2, new Random(1)));
        w.addRawTensor(
                "blk.0.ffn_down.weight",
                GgmlType.Q6_K,
                new long[] {256, 1},
                GgmlDequantTest.randomBlocks(GgmlType.Q6_K, 1, new Random(2)));
        Path p = Files.createTempFile("fuzz", ".gguf");
        try {
            Files.write(p, w.toBytes());
            fuzz(p, 3000, 7L);
        } finally {
            Files.deleteIfExists(p);
        }
    }

    private static void fuzz(Path file, int cases, long seed) throws Exception {
        byte[] original = Files.readAllBytes(file);
        long headerEnd;
        try (ByteSource s = ByteSource.ofBytes("orig", original)) {
            GgufFile f = GgufFile.parse(s);
            headerEnd = f.tensors().isEmpty() ? original.length : f.dataStart();
        }
        Map<String, Integer> outcomes = new TreeMap<>();
        Random rnd = new Random(seed);
        long t0 = System.nanoTime();
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < cases; i++) {
                byte[] b = mutate(original, headerEnd, rnd);
                String outcome;
                try (ModelView v = GgufReader.open(ByteSource.ofBytes("fuzz-" + i, b))) {
                    for (TensorRef t : v.tensors()) t.readAll();
                    v.vocabulary();
                    outcome = "opened";
                } catch (ModelFormatException e) {
                    assertThat(e.getMessage()).contains("fuzz-" + i);
                    outcome = e.getClass().getSimpleName();
                } catch (Throwable e) {
                    throw new AssertionError("case " + i + " (seed " + seed + ") threw " + e, e);
                }
                outcomes.merge(outcome, 1, Integer::sum);
            }
        });
        System.out.printf(
                "GGUF fuzz %s: %d cases in %.1f s, outcomes %s%n",
                file.getFileName(), cases, (System.nanoTime() - t0) / 1e9, outcomes);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(cases);
    }

    private static byte[] mutate(byte[] orig, long headerEnd, Random rnd) {
        byte[] b = orig;
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits; e++) {
            // mostly hit the header (where the structure is), sometimes anywhere
            int limit = rnd.nextInt(4) == 0 ? b.length : (int) Math.min(b.length, Math.max(32, headerEnd));
            int pos = rnd.nextInt(Math.max(1, limit));
            switch (rnd.nextInt(6)) {
                case 0, 1 -> {
                    b = b == orig ? b.clone() : b;
                    if (pos < b.length) b[pos] ^= (byte) (1 << rnd.nextInt(8));
                }
                case 2 -> {
                    b = b == orig ? b.clone() : b;
                    long v = switch (rnd.nextInt(4)) {
                        case 0 -> -1L;
                        case 1 -> 1L << (20 + rnd.nextInt(43));
                        case 2 -> rnd.nextInt(64);
                        default -> rnd.nextLong();
                    };
                    for (int k = 0; k < 8 && pos + k < b.length; k++) b[pos + k] = (byte) (v >>> (8 * k));
                }
                case 3 -> b = Arrays.copyOf(b, Math.min(b.length, pos));
                case 4 -> {
                    byte[] ins = new byte[1 + rnd.nextInt(16)];
                    rnd.nextBytes(ins);
                    byte[] n = new byte[b.length + ins.length];
                    System.arraycopy(b, 0, n, 0, Math.min(pos, b.length));
                    System.arraycopy(ins, 0, n, Math.min(pos, b.length), ins.length);
                    System.arraycopy(
                            b,
                            Math.min(pos, b.length),
                            n,
                            Math.min(pos, b.length) + ins.length,
                            b.length - Math.min(pos, b.length));
                    b = n;
                }
                default -> {
                    int cut = Math.min(1 + rnd.nextInt(16), Math.max(0, b.length - pos));
                    byte[] n = new byte[b.length - cut];
                    System.arraycopy(b, 0, n, 0, pos);
                    System.arraycopy(b, pos + cut, n, pos, b.length - pos - cut);
                    b = n;
                }
            }
        }
        return b;
    }
}
