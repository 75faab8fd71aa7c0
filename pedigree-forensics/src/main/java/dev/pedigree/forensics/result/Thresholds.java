package dev.pedigree.forensics.result;

/**
 * Decision thresholds, all on Holm-adjusted base-10 log p-values.
 *
 * <p>The default SHARED_LINEAGE threshold is {@code -6} (family-wise p ≤ 10⁻⁶ after Holm across
 * components): strict enough that the calibration run of thousands of independent pairs shows no
 * false positive, while derived models in the simulator reach {@code -12} or far below. A
 * component is INDEPENDENT only when its evidence stays above {@link #independentLog10p} and its
 * tests had power (see {@link dev.pedigree.forensics.LineageComparator}); in between it is INCONCLUSIVE.
 *
 * @param sharedLog10p at or below: SHARED_LINEAGE
 * @param independentLog10p above (and with power): INDEPENDENT
 * @param layerLog10p a block pair enters the layer map when its log10 p, Bonferroni-corrected for
 *     the number of block pairs of its component, is at or below this
 */
public record Thresholds(double sharedLog10p, double independentLog10p, double layerLog10p) {
    /** Defaults: shared ≤ −6, independent > −2, layer pair ≤ −6 after Bonferroni. */
    public static final Thresholds DEFAULT = new Thresholds(-6, -2, -6);

    public Thresholds {
        if (!(sharedLog10p < 0)
                || !(independentLog10p <= 0)
                || sharedLog10p > independentLog10p
                || !(layerLog10p < 0)) {
            throw new IllegalArgumentException(
                    "inconsistent thresholds " + sharedLog10p + ", " + independentLog10p + ", " + layerLog10p);
        }
    }
}
