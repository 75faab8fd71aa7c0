package dev.pedigree.format.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import dev.pedigree.testkit.Mutations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing: byte flips, truncations, insertions, deletions, digit swaps in the
 * header and rewritten length fields. Every mutant must either open and read fully or fail with a
 * {@link ModelFormatException}; nothing else may escape, and nothing may hang.
 */
class SafetensorsFuzzTest {
    private static final long SEED = 0x5AFE_7E45L;
    private static final int CASES = 5000;

    @TempDir
    Path dir;

    private static byte[] base() {
        Random rnd = new Random(1);
        float[] w = new float[32];
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) rnd.nextGaussian();
        }
        byte[] fp8 = new byte[130 * 4];
        rnd.nextBytes(fp8);
        return new SafetensorsWriter()
                .metadata("format", "pt")
                .add("model.layers.0.mlp.up_proj.weight", DType.F32, Shape.of(4, 8), w)
                .add("model.norm.weight", DType.BF16, Shape.of(16), Arrays.copyOf(w, 16))
                .add("model.layers.0.self_attn.o_proj.weight", DType.F16, Shape.of(2, 3), Arrays.copyOf(w, 6))
                .add("model.layers.0.mlp.down_proj.weight", DType.F8_E4M3, Shape.of(130, 4), fp8)
                .add("model.layers.0.mlp.down_proj.weight_scale_inv", DType.F32, Shape.of(2, 1), new float[] {0.5f, 2f})
                .add("position_ids", DType.I64, Shape.of(3), new float[] {0, 1, 2})
                .add("mask", DType.BOOL, Shape.of(5), new float[] {1, 0, 1, 0, 1})
                .add("packed", DType.F4, Shape.of(4), new byte[] {0x12, 0x34})
                .add("scale", DType.F32, Shape.of(), new float[] {3f})
                .toBytes();
    }

    /**
     * A mutant of the file: generic edits ({@link Mutations}, mostly in the header, half of the written bytes JSON
     * syntax) two times in three, else one of the two edits only this format needs: a changed digit in the header,
     * which keeps shapes and offsets syntactically valid, or a new value of the 8-byte header length.
     */
    private static byte[] mutate(byte[] valid, int headerEnd, Random rnd) {
        switch (rnd.nextInt(6)) {
            case 0 -> {
                byte[] m = valid.clone();
                for (int tries = 0; tries < 100; tries++) {
                    int pos = 8 + rnd.nextInt(headerEnd - 8);
                    if (m[pos] >= '0' && m[pos] <= '9') {
                        m[pos] = (byte) ('0' + rnd.nextInt(10));
                        break;
                    }
                }
                return m;
            }
            case 1 -> {
                byte[] m = valid.clone();
                long n = ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong();
                long[] choices = {n + rnd.nextInt(17) - 8, rnd.nextLong(), 1L << rnd.nextInt(64), valid.length - 8, 0};
                ByteBuffer.wrap(m).order(ByteOrder.LITTLE_ENDIAN).putLong(choices[rnd.nextInt(choices.length)]);
                return m;
            }
            default -> {
                return Mutations.mutate(valid, headerEnd, Mutations.JSON_TOKENS, rnd);
            }
        }
    }

    @Test
    void mutantsOpenOrFailWithModelFormatException() throws Exception {
        byte[] valid = base();
        int headerEnd =
                8 + (int) ByteBuffer.wrap(valid).order(ByteOrder.LITTLE_ENDIAN).getLong();
        Path file = dir.resolve("fuzz.safetensors");
        Files.write(file, valid);
        int[] outcomes = new int[3]; // read fully, corrupt, unsupported
        java.util.Map<String, Integer> unsupported = new java.util.TreeMap<>();
        Random rnd = new Random(SEED);
        assertTimeoutPreemptively(Duration.ofSeconds(50), () -> {
            for (int i = 0; i < CASES; i++) {
                byte[] m = mutate(valid, headerEnd, rnd);
                // Every tenth mutant goes through a real mapped file, the rest through memory.
                boolean mapped = i % 10 == 0;
                if (mapped) {
                    Files.write(file, m);
                }
                try {
                    if (mapped) {
                        RawFiles.openAndReadAll(file);
                    } else {
                        RawFiles.openAndReadAll(file.toString(), m);
                    }
                    outcomes[0]++;
                } catch (CorruptModelException e) {
                    assertThat(e.getMessage()).contains(file.toString()).contains(" at offset ");
                    outcomes[1]++;
                } catch (UnsupportedModelException e) {
                    assertThat(e.getMessage()).contains(file.toString()).contains(" at offset ");
                    outcomes[2]++;
                    unsupported.merge(e.detail().replaceAll("'[^']*'", "'_'"), 1, Integer::sum);
                } catch (RuntimeException | Error e) {
                    Path keep = dir.resolve("failing-case-" + i + ".safetensors");
                    Files.write(keep, m);
                    fail("case " + i + " (seed " + SEED + ") threw " + e + "; mutant kept at " + keep, e);
                }
            }
        });
        System.out.printf(
                "safetensors fuzz: %d cases (seed %d): %d read fully, %d corrupt, %d unsupported%n",
                CASES, SEED, outcomes[0], outcomes[1], outcomes[2]);
        System.out.println("safetensors fuzz: unsupported by reason " + unsupported);
        assertThat(outcomes[0] + outcomes[1] + outcomes[2]).isEqualTo(CASES);
        assertThat(outcomes[0]).isGreaterThan(CASES / 50);
        assertThat(outcomes[1]).isGreaterThan(CASES / 4);
    }
}
