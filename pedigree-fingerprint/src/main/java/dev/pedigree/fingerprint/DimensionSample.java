package dev.pedigree.fingerprint;

import dev.pedigree.stats.SeededSample;
import dev.pedigree.stats.SeededSample.SeedMix;

/**
 * The seeded choice of which indices of a dimension a fingerprint keeps. The choice depends only on
 * the dimension's size {@code n}, the number kept {@code k} and the seed, never on the model: every
 * model with a dimension of size n keeps the same indices, so a suspect restricted by the same rule
 * lines up with the fingerprint of any reference of the same shape (aligned tests stay aligned).
 *
 * <p>Samples of different {@code k} for the same {@code n} are nested (the first k of one seeded
 * permutation), so fingerprints made with different budgets still share their smaller sample.
 * Indices are returned ascending, keeping the relative order of units (the Spearman-type matching
 * tests rely on it). The draw is {@link SeededSample}'s, with the seed mixed by
 * {@link SeedMix#GOLDEN_RATIO_TIMES_N_PLUS_ONE} (frozen: every fingerprint file's indices). Stateless
 * and thread-safe.
 */
public final class DimensionSample {
    /** Default seed of {@link FingerprintOptions}. */
    public static final long DEFAULT_SEED = 0x5EEDF1A6E5L;

    private DimensionSample() {}

    /**
     * The kept indices of a dimension of size {@code n}: null (all of them) when {@code n <= k},
     * otherwise {@code k} distinct ascending indices in {@code [0, n)}.
     *
     * @throws IllegalArgumentException if {@code n < 0}, {@code n > Integer.MAX_VALUE} or {@code k < 1}
     */
    public static int[] indices(long n, int k, long seed) {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dimension size out of range: " + n);
        }
        if (k < 1) {
            throw new IllegalArgumentException("sample size must be positive: " + k);
        }
        return SeededSample.subsetOrNull(n, k, seed, SeedMix.GOLDEN_RATIO_TIMES_N_PLUS_ONE);
    }
}
