package dev.pedigree.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.stats.SeededSample.SeedMix;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The one sampler against the five it replaced, kept here verbatim as oracles: attest's
 * {@code IndexSample.of}, the fingerprint's {@code DimensionSample.indices}, forensics'
 * {@code ModelIndex.sample}, {@code PermutationNull.sample}/{@code randomPermutation} and
 * {@code LineageComparator.shuffled}. Every index they gave (recorded in fingerprint files,
 * sidecars and p-values) must come out the same, on both the array and the map path.
 */
class SeededSampleTest {

    // ------------------------------------------------------------------ the previous samplers

    /** attest IndexSample.of. */
    private static int[] indexSample(long n, int k, long seed) {
        int size = (int) n;
        if (k >= size) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) {
                all[i] = i;
            }
            return all;
        }
        long z = seed ^ (n * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        SplittableRandom r = new SplittableRandom(z ^ (z >>> 31));
        HashMap<Integer, Integer> swapped = new HashMap<>();
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            int j = i + r.nextInt(size - i);
            int vj = swapped.getOrDefault(j, j);
            int vi = swapped.getOrDefault(i, i);
            swapped.put(j, vi);
            out[i] = vj;
        }
        Arrays.sort(out);
        return out;
    }

    /** registry (now fingerprint) DimensionSample.indices. */
    private static int[] dimensionSample(long n, int k, long seed) {
        if (n <= k) {
            return null;
        }
        int size = (int) n;
        SplittableRandom rnd = new SplittableRandom(seed ^ (0x9E3779B97F4A7C15L * (n + 1)));
        Map<Integer, Integer> moved = new HashMap<>();
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            int j = i + rnd.nextInt(size - i);
            int vi = moved.getOrDefault(i, i);
            int vj = moved.getOrDefault(j, j);
            out[i] = vj;
            moved.put(j, vi);
        }
        Arrays.sort(out);
        return out;
    }

    /** forensics ModelIndex.sample. */
    private static int[] modelIndexSample(int n, int k, long seed) {
        if (k >= n) {
            return null;
        }
        SplittableRandom r = new SplittableRandom(seed);
        int[] idx = new int[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        for (int i = 0; i < k; i++) {
            int j = i + r.nextInt(n - i);
            int x = idx[i];
            idx[i] = idx[j];
            idx[j] = x;
        }
        int[] out = Arrays.copyOf(idx, k);
        Arrays.sort(out);
        return out;
    }

    /** stats.tests PermutationNull.randomPermutation (and LineageComparator.shuffled with a fresh generator). */
    private static int[] randomPermutation(SplittableRandom rng, int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        for (int i = n - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** stats.tests PermutationNull.sample. */
    private static int[] permutationNullSample(SplittableRandom rng, int n, int k) {
        int[] s = Arrays.copyOf(randomPermutation(rng, n), k);
        Arrays.sort(s);
        return s;
    }

    // ------------------------------------------------------------------ tests

    /** Lengths on both sides of the array/map switch, k below, at and above n. */
    private static final long[] LENGTHS = {0, 1, 2, 7, 63, 64, 65, 1000, 4096, 65_535, 65_536, 65_537, 151_936, 1 << 20
    };

    private static final int[] SIZES = {0, 1, 8, 32, 64, 256, 512, 5000};

    private static final long[] SEEDS = {0, 7, -1, 0x5EEDF1A6E5L, Long.MIN_VALUE, 0x70CE5L ^ 42};

    @Test
    void subsetsAreThoseOfThePreviousSamplers() {
        for (long n : LENGTHS) {
            for (int k : SIZES) {
                for (long seed : SEEDS) {
                    String at = "n=" + n + " k=" + k + " seed=" + seed;
                    assertThat(SeededSample.subset(n, k, seed, SeedMix.SPLITMIX64_OF_SEED_XOR_N))
                            .as(at)
                            .containsExactly(indexSample(n, k, seed));
                    if (k >= 1) {
                        assertThat(SeededSample.subsetOrNull(n, k, seed, SeedMix.GOLDEN_RATIO_TIMES_N_PLUS_ONE))
                                .as(at)
                                .isEqualTo(dimensionSample(n, k, seed));
                    }
                    assertThat(SeededSample.subsetOrNull(n, k, seed, SeedMix.AS_GIVEN))
                            .as(at)
                            .isEqualTo(modelIndexSample((int) n, k, seed));
                }
            }
        }
    }

    @Test
    void permutationsAreThoseOfThePreviousShuffles() {
        for (int n : new int[] {0, 1, 2, 10, 1000, 70_000}) {
            for (long seed : SEEDS) {
                assertThat(SeededSample.permutation(n, seed))
                        .containsExactly(randomPermutation(new SplittableRandom(seed), n));
                SplittableRandom a = new SplittableRandom(seed);
                SplittableRandom b = new SplittableRandom(seed);
                for (int k : new int[] {0, Math.min(1, n), n / 3, n}) {
                    assertThat(SeededSample.ofPermutation(a, n, k)).containsExactly(permutationNullSample(b, n, k));
                }
                // The caller's generator is left where the previous code left it.
                assertThat(a.nextLong()).isEqualTo(b.nextLong());
            }
        }
    }

    @Test
    void nullMeansTheWholeDimensionAndAnArrayAlwaysCoversIt() {
        assertThat(SeededSample.subsetOrNull(64, 64, 1, SeedMix.AS_GIVEN)).isNull();
        assertThat(SeededSample.subsetOrNull(10, 64, 1, SeedMix.AS_GIVEN)).isNull();
        assertThat(SeededSample.subset(10, 64, 1, SeedMix.AS_GIVEN)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(SeededSample.subset(0, 0, 1, SeedMix.AS_GIVEN)).isEmpty();
        int[] small = SeededSample.subset(200_000, 64, 9, SeedMix.SPLITMIX64_OF_SEED_XOR_N);
        int[] large = SeededSample.subset(200_000, 512, 9, SeedMix.SPLITMIX64_OF_SEED_XOR_N);
        assertThat(small).hasSize(64).isSorted().doesNotHaveDuplicates();
        assertThat(large).contains(small);
        assertThatThrownBy(() -> SeededSample.subset(-1, 3, 0, SeedMix.AS_GIVEN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SeededSample.subsetOrNull(1L << 31, 3, 0, SeedMix.AS_GIVEN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SeededSample.subset(10, -1, 0, SeedMix.AS_GIVEN))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> SeededSample.ofPermutation(new SplittableRandom(1), 3, 4))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void mix64IsTheSplitMix64Finaliser() {
        // SplitMix64 with state 0: the first output is mix64(φ) (Vigna's reference generator).
        assertThat(SeededSample.mix64(0x9E3779B97F4A7C15L)).isEqualTo(0xE220A8397B1DCDAFL);
        assertThat(SeededSample.mix64(0)).isZero();
    }
}
