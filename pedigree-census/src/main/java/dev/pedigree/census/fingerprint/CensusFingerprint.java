package dev.pedigree.census.fingerprint;

import dev.pedigree.fingerprint.Fingerprint;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What the census keeps of one model: the registry {@link Fingerprint} made with a {@link
 * CensusProfile} (the engine's tests run on it unchanged), a digest of every tensor's sampled
 * values, the sketch channels that rank candidate pairs, and the tokenizer's identity. Immutable.
 *
 * @param fingerprint the sampled model
 * @param digests one per sampled tensor
 * @param sketches ranking channels ({@link SketchChannel}); a model without a tokenizer has no
 *     embedding channels
 * @param widths residual width of each census component the model has
 * @param tokenizerId SHA-256 of the regular tokens' normalised bytes in creation order, or null
 * @param tokenMinHash MinHash signature of the regular tokens ({@link
 *     dev.pedigree.registry.TokenSketch}), or null
 */
public record CensusFingerprint(
        Fingerprint fingerprint,
        List<TensorDigest> digests,
        Map<SketchChannel, ModelSketch> sketches,
        Map<LineageComponent, Integer> widths,
        String tokenizerId,
        long[] tokenMinHash) {
    public CensusFingerprint {
        Objects.requireNonNull(fingerprint, "fingerprint");
        digests = List.copyOf(digests);
        sketches = Map.copyOf(sketches);
        widths = Map.copyOf(widths);
        tokenMinHash = tokenMinHash == null ? null : tokenMinHash.clone();
    }

    /**
     * A digest of one tensor's sampled values (SHA-256 of its full shape and the sampled float32
     * bits). Equal digests on a non-constant tensor of at least {@link #MIN_ELEMENTS} sampled values
     * mean the sampled rows are identical: overwhelming evidence of reuse, reported as "sampled rows
     * identical", not as "tensor identical".
     *
     * @param component the census component, or null for a tensor outside every family
     * @param tensor the tensor's canonical address
     * @param sha256 hex digest
     * @param elements sampled values
     * @param constant whether all sampled values are equal (such digests prove nothing)
     */
    public record TensorDigest(
            LineageComponent component, String tensor, String sha256, int elements, boolean constant) {
        /** Fewest sampled values for a digest to count as evidence of reuse. */
        public static final int MIN_ELEMENTS = 64;

        public TensorDigest {
            Objects.requireNonNull(tensor, "tensor");
            Objects.requireNonNull(sha256, "sha256");
        }

        /** Whether equal digests are evidence of reuse. */
        public boolean evidential() {
            return component != null && !constant && elements >= MIN_ELEMENTS;
        }
    }

    /** The sketch channels. */
    public enum SketchChannel {
        /** Anchor-token embedding values at fixed columns and the first sampled block's query/up values. */
        WEIGHTS(0.3),
        /**
         * Anchor-token embedding values at fixed residual columns only: untouched by hidden-unit and
         * head permutations, which scramble the block values of {@link #WEIGHTS}.
         */
        EMBEDDING(0.3),
        /**
         * Full-row L2 norms of the anchor tokens' embedding rows: invariant to permutations and
         * rotations of the residual basis as well.
         */
        ROW_NORMS(0.5);

        private final double threshold;

        SketchChannel(double threshold) {
            this.threshold = threshold;
        }

        /**
         * Correlation at or above which a pair becomes a candidate: about four standard deviations
         * of the correlation of independent models over the channel's positions (WEIGHTS ±0.05 at
         * 384 positions, EMBEDDING at 512, ROW_NORMS ±0.125 at 64).
         */
        public double threshold() {
            return threshold;
        }
    }
}
