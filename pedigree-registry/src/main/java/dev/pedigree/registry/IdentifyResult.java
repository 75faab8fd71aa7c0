package dev.pedigree.registry;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.Verdict;
import java.util.List;
import java.util.Objects;

/**
 * Result of {@link Identifier#identify}: rendered as {@code pedigree/identify/v1} by {@code pedigree-report}
 * ({@code dev.pedigree.report.identify.IdentifyJson}).
 * Immutable.
 *
 * @param verdict SHARED_LINEAGE when some registry model shares lineage with the suspect (by the
 *     statistical tests or by exact reuse of a tensor); INDEPENDENT when no candidate is
 *     significant and every candidate with applicable weight tests was judged INDEPENDENT by tests
 *     with power; INCONCLUSIVE otherwise
 * @param statement one paragraph for the report: the best ancestor, or "no known ancestor found"
 *     with what the tests could have detected
 * @param exactReuse suspect tensors whose canonical hash equals a registry tensor, found before
 *     any statistics
 * @param candidates compared candidates, best first (shared lineage, then strongest evidence)
 * @param registryModels models in the registry at the time
 * @param prefilterHits models that passed the pre-filter (before the {@code maxCandidates} cut)
 * @param timings where the time went
 */
public record IdentifyResult(
        ModelSummary suspect,
        Verdict verdict,
        String statement,
        List<TensorMatch> exactReuse,
        List<Candidate> candidates,
        int registryModels,
        int prefilterHits,
        Timings timings) {
    public static final String SCHEMA = "pedigree/identify/v1";

    public IdentifyResult {
        Objects.requireNonNull(suspect, "suspect");
        Objects.requireNonNull(verdict, "verdict");
        Objects.requireNonNull(statement, "statement");
        Objects.requireNonNull(timings, "timings");
        exactReuse = List.copyOf(exactReuse);
        candidates = List.copyOf(candidates);
    }

    /** The best candidate, if any was compared. */
    public java.util.Optional<Candidate> best() {
        return candidates.stream().findFirst();
    }

    /**
     * One compared registry model.
     *
     * @param entry the registry's record of the model
     * @param prior what the pre-filter saw
     * @param result the comparison of the suspect with the model's fingerprint
     */
    public record Candidate(RegistryEntry entry, RegistryCandidate prior, ComparisonResult result) {
        public Candidate {
            Objects.requireNonNull(entry, "entry");
            Objects.requireNonNull(prior, "prior");
            Objects.requireNonNull(result, "result");
        }
    }

    /**
     * Elapsed times in milliseconds.
     *
     * @param probeMillis hashing and sketching the suspect (reads it once)
     * @param prefilterMillis the registry look-ups (exact hashes, tokenizer LSH, widths)
     * @param compareMillis the statistical comparisons of the candidates
     */
    public record Timings(long probeMillis, long prefilterMillis, long compareMillis) {}
}
