package dev.pedigree.forensics;

import java.util.Objects;

/**
 * How much of each model was read.
 *
 * @param sampleRows the rows-per-tensor limit asked for (null: all rows)
 * @param seed the seed of every random choice
 * @param maxMatchedUnits largest number of rows entered into one assignment problem
 * @param probeTokens number of shared tokens used as probes for invariants and alignment
 * @param description a sentence for the report, e.g. "p-values computed on 512 sampled rows per
 *     tensor (seed 42)"
 */
public record SamplingInfo(Integer sampleRows, long seed, int maxMatchedUnits, int probeTokens, String description) {
  public SamplingInfo {
    Objects.requireNonNull(description, "description");
  }
}
