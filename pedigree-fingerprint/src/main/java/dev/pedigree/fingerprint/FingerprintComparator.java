package dev.pedigree.fingerprint;

import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.DeterministicTables;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.ParameterCounts;
import dev.pedigree.forensics.TokenizerLineageAnalyzer;
import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.SamplingInfo;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.naming.TensorNaming;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Compares a suspect model with a {@link Fingerprint} instead of the full reference: the
 * unchanged {@link LineageComparator} runs on {@link Fingerprint#restrict the suspect restricted
 * to the fingerprint's indices} against {@link Fingerprint#toModelView the fingerprint's
 * samples}. Both sides hold the same rows and columns of every same-shape tensor, so aligned
 * correlations, Zhu's hidden-unit matchings and their agreement, the token-keyed embedding tests,
 * the layer map and the Holm/Cauchy/Fisher combination all run as they would on the full pair.
 *
 * <h2>What is weaker than a comparison with the full reference</h2>
 *
 * <ul>
 *   <li>Matchings run among the k sampled units (rows) of each matrix rather than all h, and
 *       cosines over the k sampled residual coordinates rather than all d: p-values are those of
 *       a k-unit test (still far below the thresholds for k = 64: Zhu's exact bound is 1/k!).
 *   <li>A suspect whose hidden units or heads were permuted keeps few of the reference's sampled
 *       units at the sampled indices (about k²/h), so its block tests lose their power; the
 *       token-keyed embedding and head tests (anchors are found by token, not index) carry the
 *       verdict. Likewise a residual permutation or rotation defeats the column sample when d > k.
 *   <li>Embeddings are compared on the anchor tokens only (at most {@code anchorTokens}), not on
 *       every shared token; attention-invariant and CKA effect sizes (never combined) use sampled
 *       head dimensions and are computed without head structure.
 *   <li>Values are float16 (relative error ≤ 2⁻¹¹ of each matrix's largest value): "bit-identical"
 *       layers in the customisation summary read as nearly identical; exact reuse is decided from
 *       the tensor hashes instead (as {@code identify} does).
 * </ul>
 *
 * The result carries the suspect's true parameter counts, the tokenizer relation computed on the
 * fingerprint's full regular vocabulary, and a warning saying the reference was a fingerprint.
 * Stateless and thread-safe.
 */
public final class FingerprintComparator {
    private FingerprintComparator() {}

    /** Compares {@code suspect} against {@code reference}, labelled by its source. */
    public static ComparisonResult compare(ModelView suspect, Fingerprint reference, CompareOptions options)
            throws IOException, ModelFormatException {
        return compare(suspect, reference, reference.source(), options);
    }

    /**
     * Compares {@code suspect} against {@code reference}.
     *
     * @param referenceLabel the reference's {@code source} in the result (e.g. {@code registry:NAME})
     * @throws IOException if reading a suspect tensor fails
     * @throws ModelFormatException if a suspect tensor is corrupt
     */
    public static ComparisonResult compare(
            ModelView suspect, Fingerprint reference, String referenceLabel, CompareOptions options)
            throws IOException, ModelFormatException {
        ModelView restricted = reference.restrict(suspect);
        ModelView samples = reference.toModelView();
        // Equal float16 samples are not equal tensors: exact reuse is decided from hashes by the caller.
        // The samples no longer show a table's formula: the suspect's tables are found on its whole tensors.
        ComparisonResult c =
                LineageComparator.compare(restricted, samples, options, false, DeterministicTables.of(suspect));
        Map<Component, Long> byComponent = ParameterCounts.byComponent(suspect);
        Map<String, Long> counts = new HashMap<>();
        long total = 0;
        for (Map.Entry<Component, Long> e : byComponent.entrySet()) {
            counts.merge(e.getKey().name(), e.getValue(), Long::sum);
            total += e.getValue();
        }
        List<ComponentResult> comps = new ArrayList<>();
        long shared = 0;
        List<TensorRef> logical = TensorNaming.logicalTensors(suspect.tensors(), suspect.hints());
        Map<Block, Long> blocks = ParameterCounts.byBlock(logical);
        for (ComponentResult r : c.components()) {
            long n = counts.getOrDefault(r.name(), 0L);
            comps.add(new ComponentResult(r.name(), r.kind(), n, r.verdict(), r.log10p(), r.evidence(), r.reason()));
            if (r.verdict() == Verdict.SHARED_LINEAGE) {
                shared += sharedParameters(r.name(), n, blocks, c.layerMap());
            }
        }
        double frac = total == 0 ? 0 : Math.min(1, shared / (double) total);
        TokenizerLineage tok = TokenizerLineageAnalyzer.compare(
                suspect.vocabulary(), Optional.ofNullable(reference.regularVocabulary()));
        ModelSummary s = new ModelSummary(
                suspect.source(), suspect.format().jsonName(), suspect.architecture(), ParameterCounts.total(suspect));
        ModelSummary ref =
                new ModelSummary(referenceLabel, reference.format(), reference.architecture(), reference.parameters());
        List<String> warnings = new ArrayList<>();
        warnings.add(String.format(
                Locale.ROOT,
                "reference is a fingerprint (%d indices per dimension, %d anchor tokens): p-values are those of the sampled units; see FingerprintComparator for what is weaker",
                reference.units(),
                reference.anchorsNoCopy().length));
        for (String w : c.warnings()) {
            warnings.add(w.replace("restricted:", "").replace("fingerprint:", ""));
        }
        SamplingInfo si = c.sampling();
        SamplingInfo sampling = new SamplingInfo(
                si.sampleRows(),
                si.seed(),
                si.maxMatchedUnits(),
                si.probeTokens(),
                si.description()
                        + String.format(
                                Locale.ROOT,
                                "; reference fingerprint keeps %d indices per dimension (seed %d) and %d anchor tokens",
                                reference.units(),
                                reference.seed(),
                                reference.anchorsNoCopy().length),
                0,
                0,
                List.of(),
                null,
                List.of());
        return new ComparisonResult(
                c.schema(),
                s,
                ref,
                c.verdict(),
                c.log10p(),
                comps,
                c.layerMap(),
                tok,
                frac,
                warnings,
                c.layerEvidence(),
                c.customisation(),
                sampling,
                c.thresholds());
    }

    /** Parameters of a shared component: all of them, or its non-block ones plus its matched blocks. */
    private static long sharedParameters(String component, long params, Map<Block, Long> blocks, List<LayerMatch> map) {
        Set<Integer> matched = new HashSet<>();
        for (LayerMatch m : map) {
            if (m.suspect().component().equals(component)) {
                matched.add(m.suspect().layer());
            }
        }
        if (matched.isEmpty()) {
            return params;
        }
        long inBlocks = 0;
        long kept = 0;
        for (Map.Entry<Block, Long> e : blocks.entrySet()) {
            if (e.getKey().component().equals(component)) {
                inBlocks += e.getValue();
                if (matched.contains(e.getKey().layer())) {
                    kept += e.getValue();
                }
            }
        }
        return Math.max(0, params - inBlocks + kept);
    }
}
