package dev.pedigree.fingerprint;

/**
 * Summary statistics of all values of one tensor (float32, canonical layout; non-finite values
 * are counted in {@code nonFinite} and left out of the moments).
 *
 * @param mean mean of the finite values
 * @param std population standard deviation of the finite values
 * @param rms root mean square (Frobenius norm / √n)
 * @param min smallest finite value (0 when none)
 * @param max largest finite value (0 when none)
 * @param nonFinite number of NaN or infinite values
 * @param constant every value equal (all zeros, all ones, ...): such a tensor says nothing about
 *     lineage when its hash matches
 */
public record TensorStats(
        double mean, double std, double rms, double min, double max, long nonFinite, boolean constant) {}
