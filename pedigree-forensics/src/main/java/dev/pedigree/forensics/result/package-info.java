/**
 * The public result of a comparison: {@link dev.pedigree.forensics.result.ComparisonResult} and the
 * immutable records it is made of (verdicts, per-component evidence, layer map, customisation
 * summary, sampling and thresholds). They mirror the {@code pedigree/compare/v1} contract; the
 * renderers read them and nothing else of the engine. Records only: no computation.
 */
package dev.pedigree.forensics.result;
