package dev.pedigree.format.pytorch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Seeded mutation fuzzing: every mutant must either open and read fully or throw a
 * {@link ModelFormatException}; any other exception (or a hang, caught by the timeout) fails.
 */
class PytorchFuzzTest {
    private static final int CASES = 3_500;
    private static final long[] INTERESTING = {
        0, 1, 0x7F, 0x80, 0xFF, 0xFFFF, 0x7FFFFFFFL, 0x80000000L, 0xFFFFFFFFL, -1L, Long.MAX_VALUE, 64, 4096
    };

    static byte[] base(boolean legacy) {
        double[] s = new double[24];
        for (int i = 0; i < s.length; i++) {
            s[i] = i * 0.5 - 3;
        }
        PytorchWriter.Builder b = PytorchWriter.builder()
                .nestUnder("state_dict")
                .storage("7", DType.F32, s)
                .tensor("model.layers.0.self_attn.q_proj.weight", "7", 0, new long[] {4, 6}, new long[] {6, 1})
                .tensor("model.layers.0.self_attn.k_proj.weight", "7", 2, new long[] {3, 4}, new long[] {1, 6})
                .tensor("model.norm.weight", DType.BF16, new long[] {6}, new double[] {1, 2, 3, 4, 5, 6})
                .tensor("model.embed_tokens.weight", DType.F16, new long[] {2, 3}, new double[] {1, -1, 0.5, 2, 4, 8})
                .tensor("position_ids", DType.I64, new long[] {1, 5}, new double[] {0, 1, 2, 3, 4});
        return legacy ? b.legacyBytes() : b.zipBytes();
    }

    static byte[] mutate(byte[] in, Random r) {
        byte[] b = in.clone();
        switch (r.nextInt(6)) {
            case 0 -> { // flip a few bits
                int n = 1 + r.nextInt(8);
                for (int i = 0; i < n && b.length > 0; i++) {
                    b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
                }
            }
            case 1 -> { // overwrite a 1/2/4/8-byte field with an interesting value
                int width = 1 << r.nextInt(4);
                if (b.length > width) {
                    int at = r.nextInt(b.length - width);
                    long v = INTERESTING[r.nextInt(INTERESTING.length)];
                    for (int i = 0; i < width; i++) {
                        b[at + i] = (byte) (v >>> (8 * i));
                    }
                }
            }
            case 2 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length + 1)); // truncate
            case 3 -> { // insert random bytes
                int at = r.nextInt(b.length + 1);
                byte[] ins = new byte[1 + r.nextInt(16)];
                r.nextBytes(ins);
                byte[] c = new byte[b.length + ins.length];
                System.arraycopy(b, 0, c, 0, at);
                System.arraycopy(ins, 0, c, at, ins.length);
                System.arraycopy(b, at, c, at + ins.length, b.length - at);
                b = c;
            }
            case 4 -> { // delete a range
                if (b.length > 1) {
                    int at = r.nextInt(b.length);
                    int len = 1 + r.nextInt(Math.min(32, b.length - at));
                    byte[] c = new byte[b.length - len];
                    System.arraycopy(b, 0, c, 0, at);
                    System.arraycopy(b, at + len, c, at, b.length - at - len);
                    b = c;
                }
            }
            default -> { // random byte values in a short run
                if (b.length > 0) {
                    int at = r.nextInt(b.length);
                    int len = Math.min(b.length - at, 1 + r.nextInt(6));
                    for (int i = 0; i < len; i++) {
                        b[at + i] = (byte) r.nextInt(256);
                    }
                }
            }
        }
        return b;
    }

    private static void fuzz(String label, byte[] base, long seed) throws Exception {
        Random r = new Random(seed);
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        long slowest = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] m = mutate(base, r);
            if (r.nextInt(4) == 0) {
                m = mutate(m, r);
            }
            long t0 = System.nanoTime();
            String outcome;
            try (ByteSource src = ByteSource.ofBytes("fuzz-" + label + "-" + i + ".pt", m)) {
                List<PytorchTensor> ts = new PytorchReader().tensors(src, ArchitectureHints.NONE);
                for (PytorchTensor t : ts) {
                    t.storedBytes();
                    if (t.elementCount() <= 1 << 20) {
                        t.readAll();
                    }
                }
                outcome = "read " + ts.size() + " tensors";
            } catch (ModelFormatException e) {
                assertThat(e.getMessage()).contains("fuzz-" + label + "-" + i + ".pt");
                outcome = e.kind();
            } catch (Throwable e) {
                throw new AssertionError(label + " case " + i + " (seed " + seed + ") threw " + e, e);
            }
            slowest = Math.max(slowest, System.nanoTime() - t0);
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.printf(
                "fuzz %s: %d cases, seed %d, outcomes %s, slowest case %.1f ms%n",
                label, CASES, seed, outcomes, slowest / 1e6);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(CASES);
    }

    @Test
    @Timeout(60)
    void zipMutations() throws Exception {
        byte[] b = base(false);
        assertThat(CorruptTestSupport.readAll(b)).isEqualTo(5);
        fuzz("zip", b, 20261128L);
    }

    @Test
    @Timeout(60)
    void legacyMutations() throws Exception {
        byte[] b = base(true);
        assertThat(CorruptTestSupport.readAll(b)).isEqualTo(5);
        fuzz("legacy", b, 1950_0000L);
    }

    @Test
    @Timeout(60)
    void pickleMutations() throws Exception {
        // Mutate data.pkl alone (more hits inside the unpickler), re-wrapped in a valid archive.
        PytorchWriter.Builder w = PytorchWriter.builder()
                .parameters(true)
                .tensor("a", DType.F32, new long[] {2, 2}, new double[] {1, 2, 3, 4});
        byte[] pkl = w.dataPkl();
        byte[] storage = PytorchWriter.encode(DType.F32, new double[] {1, 2, 3, 4}, java.nio.ByteOrder.LITTLE_ENDIAN);
        Random r = new Random(77);
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        for (int i = 0; i < CASES; i++) {
            byte[] m = mutate(pkl, r);
            byte[] zip = PytorchWriter.zip(
                    List.of(
                            new PytorchWriter.ZipRecord("archive/data.pkl", m, false),
                            new PytorchWriter.ZipRecord("archive/data/0", storage, false)),
                    false);
            String outcome;
            try (ByteSource src = ByteSource.ofBytes("pkl-" + i + ".pt", zip)) {
                for (PytorchTensor t : new PytorchReader().tensors(src, ArchitectureHints.NONE)) {
                    t.readAll();
                }
                outcome = "read";
            } catch (ModelFormatException e) {
                outcome = e.kind();
            } catch (Throwable e) {
                throw new AssertionError("pickle case " + i + " threw " + e, e);
            }
            outcomes.merge(outcome, 1, Integer::sum);
        }
        System.out.printf("fuzz data.pkl: %d cases, seed 77, outcomes %s%n", CASES, outcomes);
    }

    /** Opens bytes and reads every tensor; returns the tensor count. */
    static final class CorruptTestSupport {
        static int readAll(byte[] b) throws Exception {
            try (ByteSource src = ByteSource.ofBytes("base.pt", b)) {
                List<PytorchTensor> ts = new PytorchReader().tensors(src, ArchitectureHints.NONE);
                for (PytorchTensor t : ts) {
                    t.readAll();
                }
                return ts.size();
            }
        }
    }
}
