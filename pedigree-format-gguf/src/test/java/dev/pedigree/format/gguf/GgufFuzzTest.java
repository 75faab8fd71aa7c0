package dev.pedigree.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import dev.pedigree.testkit.Mutations;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
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
                GgmlBlocks.random(GgmlType.Q4_K, 2, new Random(1)));
        w.addRawTensor(
                "blk.0.ffn_down.weight",
                GgmlType.Q6_K,
                new long[] {256, 1},
                GgmlBlocks.random(GgmlType.Q6_K, 1, new Random(2)));
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
                byte[] b = Mutations.mutate(original, (int) Math.max(32, headerEnd), rnd);
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
        // a floor on typed rejections (74-88% when the suite was written): a reader that stops
        // checking, or accepts damaged headers, falls below it
        int typed = outcomes.getOrDefault("CorruptModelException", 0)
                + outcomes.getOrDefault("UnsupportedModelException", 0)
                + outcomes.getOrDefault("UnsafeModelException", 0);
        assertThat(typed).as("typed rejections in " + outcomes).isGreaterThanOrEqualTo(cases * 7 / 10);
    }
}
