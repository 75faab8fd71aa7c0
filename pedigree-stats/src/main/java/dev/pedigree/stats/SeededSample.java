package dev.pedigree.stats;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;

/**
 * Pedigree's seeded "k of n" samplers and shuffles, in one place. Every sample here is
 * reproducible from its seed, and every one is recorded somewhere (in fingerprint files, ledger
 * sidecars or the lineage engine's p-values), so each algorithm and seed derivation below is frozen:
 * a new use picks one of them, it never changes one.
 *
 * <ul>
 *   <li>{@link #subset} and {@link #subsetOrNull}: {@code k} distinct indices of {@code [0, n)},
 *       ascending, the first {@code k} positions of a forward Fisher–Yates shuffle drawn from a
 *       {@link SplittableRandom}; the generator's seed comes from the caller's seed and {@code n}
 *       by a {@link SeedMix}. The sample depends only on {@code (n, k, seed, mix)}, so every tensor
 *       with a dimension of length {@code n} gets the same indices, and a smaller sample is a subset
 *       of a larger one (the first draws are the same). Cost O(k) time and memory.
 *   <li>{@link #permutation}: a uniformly random permutation of {@code [0, n)} (backward
 *       Fisher–Yates), from a seed or from a caller's generator, and {@link #ofPermutation}, the
 *       first {@code k} of one, ascending. These consume the generator as the permutation tests
 *       expect, so a Monte-Carlo null drawn after them sees the same stream as before.
 * </ul>
 *
 * <p>Stateless and thread-safe (a caller's {@link SplittableRandom} is the caller's to confine).
 */
public final class SeededSample {
    /** The golden-ratio increment of SplitMix64 (⌊2⁶⁴/φ⌋). */
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    /** Dimensions up to this length shuffle a plain array, longer ones a map of the displaced positions. */
    private static final int DENSE_LIMIT = 1 << 16;

    private SeededSample() {}

    /**
     * How a caller's seed and the dimension's length {@code n} become the generator's seed. Each
     * constant reproduces what one family of recorded outputs was made with; none may change.
     */
    public enum SeedMix {
        /**
         * The seed as given: the lineage engine ({@code forensics}), which derives a seed per use
         * itself (e.g. {@code seed + 31·n}).
         */
        AS_GIVEN,
        /**
         * {@code seed ^ φ·(n + 1)}: the fingerprint's {@code DimensionSample}, hence the indices
         * stored in every {@code PDGFPRNT} fingerprint file.
         */
        GOLDEN_RATIO_TIMES_N_PLUS_ONE,
        /**
         * {@link #mix64 SplitMix64}{@code (seed ^ n·φ)}: attestation's checkpoint samples, hence the
         * indices of every {@code PDFP} ledger sidecar ({@code "splittable-fisher-yates/v1"}).
         */
        SPLITMIX64_OF_SEED_XOR_N;

        /** The generator seed for a dimension of length {@code n}. */
        public long generatorSeed(long seed, long n) {
            return switch (this) {
                case AS_GIVEN -> seed;
                case GOLDEN_RATIO_TIMES_N_PLUS_ONE -> seed ^ (GOLDEN * (n + 1));
                case SPLITMIX64_OF_SEED_XOR_N -> mix64(seed ^ (n * GOLDEN));
            };
        }
    }

    /**
     * {@code k} distinct indices of {@code [0, n)}, ascending; every index {@code 0..n−1} when
     * {@code k >= n}. For callers that want an index array whatever the sizes (a sample of a short
     * dimension is the whole dimension).
     *
     * @throws IllegalArgumentException if {@code n} is negative or above {@link Integer#MAX_VALUE},
     *     or {@code k} is negative
     */
    public static int[] subset(long n, int k, long seed, SeedMix mix) {
        check(n, k);
        if (k >= n) {
            int[] all = new int[(int) n];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        return draw((int) n, k, mix.generatorSeed(seed, n));
    }

    /**
     * {@code k} distinct indices of {@code [0, n)}, ascending, or null when {@code k >= n}: null
     * means "no sampling, keep the whole dimension", for callers that then read it whole without an
     * index array (and store no indices).
     *
     * @throws IllegalArgumentException if {@code n} is negative or above {@link Integer#MAX_VALUE},
     *     or {@code k} is negative
     */
    public static int[] subsetOrNull(long n, int k, long seed, SeedMix mix) {
        check(n, k);
        return k >= n ? null : draw((int) n, k, mix.generatorSeed(seed, n));
    }

    /** A uniformly random permutation of {@code [0, n)} from a generator seeded with {@code seed}. */
    public static int[] permutation(int n, long seed) {
        return permutation(new SplittableRandom(seed), n);
    }

    /**
     * A uniformly random permutation of {@code [0, n)}: backward Fisher–Yates, {@code n − 1} draws
     * from {@code rng}.
     */
    public static int[] permutation(SplittableRandom rng, int n) {
        Objects.requireNonNull(rng, "rng");
        if (n < 0) {
            throw new IllegalArgumentException("negative length " + n);
        }
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

    /**
     * {@code k} distinct indices of {@code [0, n)}, uniformly, ascending: the first {@code k} of
     * {@link #permutation(SplittableRandom, int)}. O(n), and it advances {@code rng} by a whole
     * permutation; {@link #subset} is the O(k) sample of a seed.
     *
     * @throws IllegalArgumentException if {@code k} is negative or above {@code n}
     */
    public static int[] ofPermutation(SplittableRandom rng, int n, int k) {
        if (k < 0 || k > n) {
            throw new IllegalArgumentException("sample of " + k + " from " + n);
        }
        int[] s = Arrays.copyOf(permutation(rng, n), k);
        Arrays.sort(s);
        return s;
    }

    /**
     * The SplitMix64 finaliser (Steele, Lea and Flood, 2014): a bijective mix of 64 bits, used to
     * derive generator seeds and (in the registry's sketches) token hashes. Frozen like the samples.
     */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static void check(long n, int k) {
        if (n < 0 || n > Integer.MAX_VALUE || k < 0) {
            throw new IllegalArgumentException("sample of " + k + " from " + n);
        }
    }

    /**
     * The first {@code k < n} positions of a forward Fisher–Yates shuffle of {@code [0, n)}, sorted:
     * for {@code i < k}, swap position {@code i} with {@code i + nextInt(n − i)}. Short dimensions
     * shuffle a plain array; long ones (a vocabulary, a 50k-wide MLP) store only the displaced
     * positions, so memory is O(k). Both give the same indices from the same draws.
     */
    private static int[] draw(int n, int k, long generatorSeed) {
        SplittableRandom r = new SplittableRandom(generatorSeed);
        int[] out = new int[k];
        if (n <= DENSE_LIMIT) {
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            for (int i = 0; i < k; i++) {
                int j = i + r.nextInt(n - i);
                int x = idx[i];
                idx[i] = idx[j];
                idx[j] = x;
                out[i] = idx[i];
            }
        } else {
            Map<Integer, Integer> moved = new HashMap<>();
            for (int i = 0; i < k; i++) {
                int j = i + r.nextInt(n - i);
                int vi = moved.getOrDefault(i, i);
                int vj = moved.getOrDefault(j, j);
                out[i] = vj;
                moved.put(j, vi);
            }
        }
        Arrays.sort(out);
        return out;
    }
}
