package dev.pedigree.census.fingerprint;

import dev.pedigree.fingerprint.DimensionSample;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * How the census samples a model: what a registry {@link dev.pedigree.fingerprint.FingerprintOptions}
 * says, changed for fetching hundreds of thousands of models over HTTP.
 *
 * <ul>
 *   <li><b>Rows in contiguous blocks.</b> The {@code units} indices of a dimension are {@code
 *       blocks} runs of consecutive indices, one in each of {@code blocks} equal strata, at a
 *       seeded offset that depends on the dimension's size only (so every model of that shape keeps
 *       the same indices, as with {@link DimensionSample}). Reading a matrix's sampled rows then
 *       takes {@code blocks} range requests instead of {@code units}. Samples of fewer units for the
 *       same size are nested: each block's first rows (block offsets are placed for the largest
 *       sample, {@link #MAX_UNITS}).
 *   <li><b>No full-tensor reads.</b> Each tensor's identity is a SHA-256 of its sampled values
 *       ({@link CensusFingerprint.TensorDigest}), not of all its bytes; whole-file identity comes
 *       from the hub's LFS hashes.
 *   <li><b>Layer stride.</b> Only every {@code layerStride}-th block layer is sampled (1: all), to
 *       bound the bytes of very large models.
 *   <li><b>Merged ranges.</b> Reads closer than {@code mergeGapBytes} are fetched in one request.
 * </ul>
 *
 * @param units indices kept per dimension (at least 16: the engine's tests need 32 for power)
 * @param blocks contiguous runs per dimension
 * @param anchorTokens embedding/head rows kept, chosen by token as in the registry fingerprint
 * @param seed seed of the block offsets and of the anchor choice
 * @param layerStride sample every this many layers
 * @param mergeGapBytes reads separated by at most this many bytes share a range request
 * @param sampling contiguous blocks (the census) or the registry's scattered {@link DimensionSample}
 */
public record CensusProfile(
        int units, int blocks, int anchorTokens, long seed, int layerStride, int mergeGapBytes, RowSampling sampling)
        implements java.io.Serializable {
    /** How the indices of a dimension are chosen. */
    public enum RowSampling {
        /** {@link #blocks} contiguous runs: a handful of range requests per matrix. */
        BLOCKS,
        /**
         * The registry fingerprint's {@link DimensionSample}: one request per sampled row, but a
         * fingerprint that {@code identify} and the registry line up with.
         */
        SCATTERED
    }

    /** Largest sample the block offsets are placed for (smaller samples are nested in it). */
    public static final int MAX_UNITS = 256;

    /**
     * 32 units in 4 blocks of 8, 64 anchor tokens, every layer, only touching reads merged (a gap
     * merge trades bytes for requests: worth it for wide rows, not for the narrow simulated ones).
     */
    public static final CensusProfile DEFAULT =
            new CensusProfile(32, 4, 64, DimensionSample.DEFAULT_SEED, 1, 0, RowSampling.BLOCKS);

    /**
     * The registry's layout (64 scattered units, 1,024 anchor tokens, every layer): for the roots a
     * census exports as a registry pack, so that {@code identify} can compare suspects with them.
     */
    public static final CensusProfile REGISTRY =
            new CensusProfile(64, 1, 1024, DimensionSample.DEFAULT_SEED, 1, 0, RowSampling.SCATTERED);

    public CensusProfile {
        if (units < 16 || units > MAX_UNITS) {
            throw new IllegalArgumentException("units must be in [16, " + MAX_UNITS + "]: " + units);
        }
        if (blocks < 1 || blocks > units) {
            throw new IllegalArgumentException("blocks must be in [1, units]: " + blocks);
        }
        if (anchorTokens < 0 || layerStride < 1 || mergeGapBytes < 0) {
            throw new IllegalArgumentException("negative anchors or gap, or layer stride below 1");
        }
        java.util.Objects.requireNonNull(sampling, "sampling");
    }

    /** The same profile with another layer stride. */
    public CensusProfile withLayerStride(int stride) {
        return new CensusProfile(units, blocks, anchorTokens, seed, stride, mergeGapBytes, sampling);
    }

    /** The same profile with another number of units. */
    public CensusProfile withUnits(int k) {
        return new CensusProfile(k, blocks, anchorTokens, seed, layerStride, mergeGapBytes, sampling);
    }

    /**
     * The kept indices of a dimension of size {@code n}: null (all) when {@code n <= units},
     * otherwise {@code units} ascending indices in {@link #blocks} contiguous runs.
     */
    public int[] indices(long n) {
        if (n < 0 || n > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("dimension size out of range: " + n);
        }
        if (sampling == RowSampling.SCATTERED) {
            return DimensionSample.indices(n, units, seed);
        }
        if (n <= units) {
            return null;
        }
        int size = (int) n;
        int b = blocks;
        if (Math.ceilDiv(units, b) > size / b) {
            // Too few rows per stratum for equal runs: one run of all the units.
            b = 1;
        }
        int stratum = size / b;
        int maxLen = Math.min(stratum, Math.max(1, MAX_UNITS / b));
        SplittableRandom rnd = new SplittableRandom(seed ^ (0xC2B2AE3D27D4EB4FL * (n + 1)));
        int[] out = new int[units];
        int o = 0;
        for (int i = 0; i < b; i++) {
            int len = units / b + (i < units % b ? 1 : 0);
            int slack = stratum - Math.max(maxLen, len);
            int start = i * stratum + (slack > 0 ? rnd.nextInt(slack + 1) : 0);
            for (int j = 0; j < len; j++) {
                out[o++] = start + j;
            }
        }
        if (o != units || Arrays.stream(out).distinct().count() != units) {
            throw new IllegalStateException("block sample of " + units + " in " + n + " is not " + units + " distinct");
        }
        return out;
    }

    /**
     * Whether sampled MLP hidden-unit rows keep their whole-row norms ({@link
     * dev.pedigree.fingerprint.FingerprintTensor.Sample#rowNorms()}, fingerprint file version 2):
     * for {@link RowSampling#BLOCKS}, the census's own layout. The {@link RowSampling#SCATTERED}
     * registry layout stays the registry's version-1 file.
     */
    public boolean unitNorms() {
        return sampling == RowSampling.BLOCKS;
    }

    /** Whether block layer {@code layer} is sampled (null: not a block tensor, always sampled). */
    public boolean samplesLayer(Integer layer) {
        return layer == null || layer % layerStride == 0;
    }
}
