package dev.pedigree.forensics.result;

import java.util.List;
import java.util.Objects;

/**
 * Result of {@link dev.pedigree.forensics.LineageComparator#compare}: mirrors {@code pedigree/compare/v1}
 * ({@code shared/contracts/compare-result.schema.json}) plus extra fields the schema allows.
 * Immutable. The CLI serialises it; field names map to the contract's snake_case
 * ({@code log10p} → {@code log10_p}, {@code layerMap} → {@code layer_map}, ...).
 *
 * @param schema always {@link #SCHEMA}
 * @param log10p combined evidence of the pair (the smallest Holm-adjusted component value); null
 *     when no weight test could run
 * @param sharedParameterFraction fraction of suspect parameters in components or blocks judged
 *     SHARED_LINEAGE
 * @param layerEvidence extra: one full block × block evidence matrix per stacked component
 * @param customisation extra: how a shared-lineage suspect was changed; null when not shared
 * @param sampling extra: rows read, seed
 * @param thresholds extra: the thresholds the verdicts used
 */
public record ComparisonResult(
        String schema,
        ModelSummary suspect,
        ModelSummary reference,
        Verdict verdict,
        Double log10p,
        List<ComponentResult> components,
        List<LayerMatch> layerMap,
        TokenizerLineage tokenizer,
        double sharedParameterFraction,
        List<String> warnings,
        List<LayerEvidenceMatrix> layerEvidence,
        CustomisationSummary customisation,
        SamplingInfo sampling,
        Thresholds thresholds) {
    public static final String SCHEMA = "pedigree/compare/v1";

    public ComparisonResult {
        Objects.requireNonNull(schema, "schema");
        Objects.requireNonNull(suspect, "suspect");
        Objects.requireNonNull(reference, "reference");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(tokenizer, "tokenizer");
        Objects.requireNonNull(sampling, "sampling");
        Objects.requireNonNull(thresholds, "thresholds");
        components = List.copyOf(components);
        layerMap = List.copyOf(layerMap);
        warnings = List.copyOf(warnings);
        layerEvidence = List.copyOf(layerEvidence);
        if (!(sharedParameterFraction >= 0 && sharedParameterFraction <= 1)) {
            throw new IllegalArgumentException("shared_parameter_fraction " + sharedParameterFraction);
        }
    }

    /** The component result with this name, if any. */
    public java.util.Optional<ComponentResult> component(String name) {
        return components.stream().filter(c -> c.name().equals(name)).findFirst();
    }
}
