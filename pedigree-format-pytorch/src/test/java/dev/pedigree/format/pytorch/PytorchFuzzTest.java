package dev.pedigree.format.pytorch;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import dev.pedigree.testkit.Mutations;
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

    private static void fuzz(String label, byte[] base, long seed) throws Exception {
        Random r = new Random(seed);
        TreeMap<String, Integer> outcomes = new TreeMap<>();
        long slowest = 0;
        for (int i = 0; i < CASES; i++) {
            byte[] m = Mutations.mutate(base, r);
            if (r.nextInt(4) == 0) {
                m = Mutations.mutate(m, r);
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
        assertTypedRejectionFloor(label, outcomes, 3_000);
    }

    /**
     * The mutants must mostly be refused with a typed error (corrupt, unsupported, unsafe): a
     * change that reads damaged files as if they were fine, or that stops reaching the checks,
     * lowers the count below the floor measured when the suite was written (minus a margin).
     */
    static void assertTypedRejectionFloor(String label, java.util.Map<String, Integer> outcomes, int floor) {
        int typed = outcomes.getOrDefault("corrupt", 0)
                + outcomes.getOrDefault("unsupported", 0)
                + outcomes.getOrDefault("unsafe", 0);
        assertThat(typed).as(label + " typed rejections in " + outcomes).isGreaterThanOrEqualTo(floor);
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
            byte[] m = Mutations.mutate(pkl, r);
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
        assertTypedRejectionFloor("data.pkl", outcomes, 3_300);
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
