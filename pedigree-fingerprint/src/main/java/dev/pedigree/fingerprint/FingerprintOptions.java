package dev.pedigree.fingerprint;

/**
 * How a {@link Fingerprint} is made.
 *
 * @param units indices kept per dimension (rows and columns of every matrix, elements of every
 *     vector); 0 chooses automatically: the largest of {@link #AUTO_UNITS} whose fingerprint fits
 *     {@link #budgetBytes}, and never fewer than {@link #MIN_UNITS}
 * @param anchorTokens embedding and head rows kept: the regular tokens with the smallest hash of
 *     their normalised bytes (a bottom-k sketch, so two related vocabularies keep mostly the same
 *     tokens)
 * @param seed seed of {@link DimensionSample}; fingerprints compare aligned only with the same seed
 * @param hashTensors false to skip the full-tensor content hashes and statistics (a size
 *     projection for models too large to read; such a fingerprint cannot show exact reuse)
 */
public record FingerprintOptions(int units, int anchorTokens, long seed, boolean hashTensors) {
    /** Candidates of the automatic choice, largest first. */
    public static final int[] AUTO_UNITS = {256, 128, 64};
    /** Fewest units kept per dimension: the engine's tests need 32 units for power, 64 leaves room. */
    public static final int MIN_UNITS = 64;
    /** Upper bound of the automatic size budget, whatever the model size. */
    public static final long MAX_BUDGET_BYTES = 48L << 20;
    /** Automatic budget as a fraction of the model's stored bytes. */
    public static final double BUDGET_FRACTION = 0.02;

    public static final FingerprintOptions DEFAULT =
            new FingerprintOptions(0, 1024, DimensionSample.DEFAULT_SEED, true);

    public FingerprintOptions {
        if (units != 0 && units < 8) {
            throw new IllegalArgumentException("units must be 0 (automatic) or at least 8, got " + units);
        }
        if (anchorTokens < 0) {
            throw new IllegalArgumentException("anchorTokens must not be negative: " + anchorTokens);
        }
    }

    /** The same options with a fixed number of units per dimension. */
    public FingerprintOptions withUnits(int k) {
        return new FingerprintOptions(k, anchorTokens, seed, hashTensors);
    }

    /** The same options with another number of anchor tokens. */
    public FingerprintOptions withAnchorTokens(int t) {
        return new FingerprintOptions(units, t, seed, hashTensors);
    }

    /** The same options with or without full-tensor hashes. */
    public FingerprintOptions withHashTensors(boolean h) {
        return new FingerprintOptions(units, anchorTokens, seed, h);
    }

    /** The automatic size budget for a model of {@code modelBytes} stored bytes. */
    public static long budgetBytes(long modelBytes) {
        return Math.min(MAX_BUDGET_BYTES, (long) (BUDGET_FRACTION * modelBytes));
    }
}
