package dev.pedigree.registry;

import java.util.Objects;

/**
 * A registry model that passed the cheap pre-filter for a suspect, before any statistics.
 *
 * @param name the model's registry name
 * @param tokenJaccard MinHash estimate of the Jaccard similarity of the regular-token sets (0 when
 *     either side has no tokenizer)
 * @param exactTensorMatches suspect tensors whose canonical hash equals one of this model's
 * @param sameWidth the residual widths are equal (the weight tests can apply)
 * @param weightCorrelation {@link WeightSketch#correlation} with the suspect; null when the
 *     sketches share too few positions
 */
public record RegistryCandidate(
        String name, double tokenJaccard, int exactTensorMatches, boolean sameWidth, Double weightCorrelation) {
    /** Sketch correlation above which a candidate is ranked first (independent models: |r| ≲ 0.05·√(384/n)). */
    public static final double STRONG_SKETCH = 0.3;

    public RegistryCandidate {
        Objects.requireNonNull(name, "name");
    }

    /** Pre-filter order: exact tensor matches, then a strong weight sketch, then tokenizer similarity and width. */
    public static int compareByPrior(RegistryCandidate a, RegistryCandidate b) {
        int c = Integer.compare(b.exactTensorMatches, a.exactTensorMatches);
        if (c != 0) {
            return c;
        }
        c = Boolean.compare(b.strongSketch(), a.strongSketch());
        if (c != 0) {
            return c;
        }
        if (a.strongSketch()) {
            c = Double.compare(b.weightCorrelation, a.weightCorrelation);
            if (c != 0) {
                return c;
            }
        }
        c = Boolean.compare(b.sameWidth && b.tokenJaccard >= 0.5, a.sameWidth && a.tokenJaccard >= 0.5);
        if (c != 0) {
            return c;
        }
        c = Double.compare(b.tokenJaccard, a.tokenJaccard);
        if (c != 0) {
            return c;
        }
        c = Boolean.compare(b.sameWidth, a.sameWidth);
        return c != 0 ? c : a.name.compareTo(b.name);
    }

    private boolean strongSketch() {
        return weightCorrelation != null && weightCorrelation >= STRONG_SKETCH;
    }
}
