package dev.pedigree.forensics.result;

import java.util.List;
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
 * @param bytesRead stored bytes of both models' tensors decoded by the comparison (see {@code
 *     ReadAccounting}: rows read × stored bytes per row; 0 when not measured)
 * @param weightBytes stored bytes of every tensor of both models (same arithmetic; 0 when not
 *     measured)
 * @param nonFinite the tensors whose rows read held NaN or infinite values (empty when none)
 * @param earlyStopping what the power-based early stopping of the wide hidden-unit matchings did
 *     (null when no block pair was screened)
 * @param deterministicTables tensors left out as deterministic tables, not evidence (empty when none)
 */
public record SamplingInfo(
        Integer sampleRows,
        long seed,
        int maxMatchedUnits,
        int probeTokens,
        String description,
        long bytesRead,
        long weightBytes,
        List<NonFiniteTensor> nonFinite,
        EarlyStopping earlyStopping,
        List<DeterministicTable> deterministicTables) {
    public SamplingInfo {
        Objects.requireNonNull(description, "description");
        nonFinite = List.copyOf(nonFinite);
        deterministicTables = List.copyOf(deterministicTables);
        if (bytesRead < 0 || weightBytes < 0) {
            throw new IllegalArgumentException("negative byte counts " + bytesRead + ", " + weightBytes);
        }
    }

    /** {@link #bytesRead} / {@link #weightBytes}, or NaN when nothing was measured. */
    public double fractionRead() {
        return weightBytes == 0 ? Double.NaN : bytesRead / (double) weightBytes;
    }
}
