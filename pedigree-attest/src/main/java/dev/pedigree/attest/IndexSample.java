package dev.pedigree.attest;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Seeded samples of row or column indices that depend only on the seed and the dimension's
 * length: every tensor with a dimension of length {@code n} gets the same indices, in every
 * checkpoint, so sampled rows of two checkpoints are aligned, and sampled columns of a residual
 * dimension agree across tensors. The sample of size {@code k} is the first {@code k} draws of one
 * seeded partial Fisher–Yates shuffle of {@code 0..n-1}, so a smaller sample is a subset of a
 * larger one. Stateless and thread-safe.
 */
public final class IndexSample {
    /** Name recorded in fingerprints, so a later change of algorithm is detected. */
    public static final String ALGORITHM = "splittable-fisher-yates/v1";

    private IndexSample() {}

    /**
     * Sorted indices: all of {@code 0..n-1} when {@code k >= n}, otherwise {@code k} of them.
     *
     * @throws IllegalArgumentException if {@code n} or {@code k} is negative or {@code n} exceeds
     *     {@link Integer#MAX_VALUE}
     */
    public static int[] of(long n, int k, long seed) {
        if (n < 0 || k < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("sample of " + k + " from " + n);
        }
        int size = (int) n;
        if (k >= size) {
            int[] all = new int[size];
            for (int i = 0; i < size; i++) {
                all[i] = i;
            }
            return all;
        }
        SplittableRandom r = new SplittableRandom(mix(seed, n));
        // Sparse swap table: only touched positions are stored, so large n costs O(k).
        java.util.HashMap<Integer, Integer> swapped = new java.util.HashMap<>();
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

    private static long mix(long seed, long n) {
        long z = seed ^ (n * 0x9E3779B97F4A7C15L);
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}
