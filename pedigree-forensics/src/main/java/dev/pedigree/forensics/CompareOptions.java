package dev.pedigree.forensics;

import dev.pedigree.forensics.result.SamplingInfo;
import dev.pedigree.forensics.result.Thresholds;
import java.util.Objects;

/**
 * Options of one comparison.
 *
 * @param seed seed of every random choice (row samples, probe sets, CKA nulls); the same seed
 *     gives the same result
 * @param sampleRows null to use every row of every tensor (up to internal caps that keep the
 *     assignment problems tractable, reported in {@link SamplingInfo}); otherwise the number of
 *     rows drawn per tensor, seeded; p-values are computed on the sample
 * @param thresholds decision thresholds
 */
public record CompareOptions(long seed, Integer sampleRows, Thresholds thresholds) {
    public static final CompareOptions DEFAULT = new CompareOptions(42L, null, Thresholds.DEFAULT);

    public CompareOptions {
        Objects.requireNonNull(thresholds, "thresholds");
        if (sampleRows != null && sampleRows < 8) {
            throw new IllegalArgumentException("sampleRows must be at least 8, got " + sampleRows);
        }
    }

    public CompareOptions withSeed(long s) {
        return new CompareOptions(s, sampleRows, thresholds);
    }

    public CompareOptions withSampleRows(Integer n) {
        return new CompareOptions(seed, n, thresholds);
    }
}
