package dev.pedigree.format.onnx;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import dev.pedigree.testkit.Mutations;
import dev.pedigree.testkit.RealModels;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing: every mutated file must open and read fully, or fail with a
 * {@link ModelFormatException}; nothing else may escape, hang or exhaust memory.
 */
class OnnxFuzzTest {
    @TempDir
    Path dir;

    /** Opens and reads every tensor; returns the outcome label. */
    private static String attempt(Path p) {
        try (ModelView v = new OnnxReader().open(p)) {
            int unsupported = 0;
            for (TensorRef t : v.tensors()) {
                try {
                    // OnnxTensor.readAll refuses undecodable tensors before allocating; decodable ones
                    // were checked against the bytes that hold them, so their size is bounded by the file.
                    float[] x = t.readAll();
                    assertThat(x.length).isEqualTo((int) t.elementCount());
                } catch (ModelFormatException e) {
                    unsupported++;
                    assertThat(e.getMessage()).contains(p.toString());
                }
            }
            return unsupported == 0 ? "opened+read" : "opened, undecodable tensors refused by name";
        } catch (ModelFormatException e) {
            assertThat(e.getMessage()).contains(p.toString());
            return e.getClass().getSimpleName();
        } catch (java.io.IOException e) {
            throw new AssertionError("IOException instead of ModelFormatException for " + p, e);
        }
    }

    @Test
    void generatedModelMutations() {
        byte[] base = KnownModels.rich();
        Random rnd = new Random(20261128L);
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        int cases = 3000;
        assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
            for (int i = 0; i < cases; i++) {
                Path p = dir.resolve("fuzz.onnx");
                Files.write(p, Mutations.mutate(base, rnd));
                outcomes.merge(attempt(p), 1, Integer::sum);
            }
        });
        System.out.println("ONNX fuzz (generated model, " + base.length + " bytes, seed 20261128): " + cases + " cases "
                + outcomes);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(cases);
    }

    @Test
    void realQuantisedModelMutations() throws Exception {
        Path real = RealModels.onnx(RealModels.ALL_MINILM_L6_V2_Q);
        byte[] head = new byte[4 << 20];
        Path copy = dir.resolve("real-q.onnx");
        Files.copy(real, copy);
        try (var in = Files.newInputStream(real)) {
            head = in.readNBytes(head.length);
        }
        Random rnd = new Random(7L);
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        int cases = 320;
        final byte[] first = head;
        assertTimeoutPreemptively(Duration.ofSeconds(120), () -> {
            for (int i = 0; i < cases; i++) {
                if (i % 4 == 3) {
                    // truncations and insertions/deletions: a separate file of the first few MB
                    Path p = dir.resolve("real-cut.onnx");
                    Files.write(p, Mutations.mutate(first, rnd));
                    outcomes.merge(attempt(p), 1, Integer::sum);
                    continue;
                }
                // in-place byte changes in the first 4 MiB of the full copy, restored afterwards
                int n = 1 + rnd.nextInt(8);
                long[] at = new long[n];
                byte[] old = new byte[n];
                try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
                    for (int k = 0; k < n; k++) {
                        at[k] = rnd.nextInt(first.length);
                        f.seek(at[k]);
                        old[k] = f.readByte();
                        f.seek(at[k]);
                        f.writeByte(rnd.nextBoolean() ? old[k] ^ (1 << rnd.nextInt(8)) : rnd.nextInt(256));
                    }
                }
                outcomes.merge(attempt(copy), 1, Integer::sum);
                try (RandomAccessFile f = new RandomAccessFile(copy.toFile(), "rw")) {
                    for (int k = n - 1; k >= 0; k--) {
                        f.seek(at[k]);
                        f.writeByte(old[k]);
                    }
                }
            }
        });
        System.out.println("ONNX fuzz (all-minilm-l6-v2-q, first 4 MiB, seed 7): " + cases + " cases " + outcomes);
        assertThat(Files.mismatch(copy, real)).isEqualTo(-1L);
    }
}
