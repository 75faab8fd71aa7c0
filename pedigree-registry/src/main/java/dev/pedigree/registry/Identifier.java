package dev.pedigree.registry;

import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintComparator;
import dev.pedigree.fingerprint.FingerprintOptions;
import dev.pedigree.fingerprint.FingerprintTensor;
import dev.pedigree.forensics.DeterministicTables;
import dev.pedigree.forensics.IdenticalTensors;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.ParameterCounts;
import dev.pedigree.forensics.ReportComponents;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.Thresholds;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * {@code pedigree identify}: which registered models does a suspect descend from?
 *
 * <ol>
 *   <li>Probe: the suspect is read once for the canonical hash and statistics of every tensor, its
 *       regular-token MinHash and its residual width.
 *   <li>Exact reuse, from hashes alone and before any statistics: every non-trivial suspect tensor
 *       whose canonical hash is in the registry's hash table (a transplanted, unchanged encoder).
 *   <li>Pre-filter ({@link Registry#candidates}): exact-hash owners, tokenizer LSH hits and models of
 *       the same residual width, ranked by prior (exact matches, then the {@link WeightSketch}
 *       correlation, tokenizer similarity and width); index look-ups and a few hundred values per model.
 *   <li>The best {@link IdentifyOptions#maxCandidates} are compared with
 *       {@link FingerprintComparator} and ranked by evidence: shared lineage first, then the
 *       smallest combined log10 p.
 * </ol>
 *
 * Stateless; thread-safe as long as the view and the registry are.
 */
public final class Identifier {
    private Identifier() {}

    /**
     * Identifies {@code suspect} against {@code registry}.
     *
     * @throws IOException if reading the suspect or the registry fails
     * @throws ModelFormatException if the suspect or a stored fingerprint is corrupt
     */
    public static IdentifyResult identify(ModelView suspect, Registry registry, IdentifyOptions options)
            throws IOException, ModelFormatException {
        return identify(suspect, registry, options, stage -> {});
    }

    /**
     * {@link #identify(ModelView, Registry, IdentifyOptions)}, telling {@code stages} each stage as it starts
     * ("fingerprinting the suspect", "finding candidates among 211 registry models", "comparing with
     * all-minilm-l6-v2 (candidate 2 of 8)"), e.g. for progress on a terminal.
     */
    public static IdentifyResult identify(
            ModelView suspect, Registry registry, IdentifyOptions options, Consumer<String> stages)
            throws IOException, ModelFormatException {
        long t0 = System.nanoTime();
        stages.accept("fingerprinting the suspect");
        Fingerprint probe = Fingerprint.of(
                suspect,
                FingerprintOptions.DEFAULT.withUnits(WeightSketch.POSITIONS).withAnchorTokens(256));
        long t1 = System.nanoTime();
        Map<String, FingerprintTensor> byHash = new LinkedHashMap<>();
        // A deterministic table (sinusoidal positions, a causal mask) is equal in independent models: no reuse.
        Map<String, String> tables = DeterministicTables.of(suspect);
        for (FingerprintTensor t : probe.tensors()) {
            if (Registry.reusable(t) && !tables.containsKey(t.name())) {
                byHash.putIfAbsent(t.canonicalSha256(), t);
            }
        }
        int registryModels = registry.size();
        stages.accept(
                "finding candidates among " + registryModels + " registry model" + (registryModels == 1 ? "" : "s"));
        Map<String, List<String[]>> hits = registry.tensorsWithHashes(byHash.keySet());
        List<TensorMatch> reuse = new ArrayList<>();
        Map<String, Set<String>> perModel = new HashMap<>();
        for (Map.Entry<String, List<String[]>> e : hits.entrySet()) {
            FingerprintTensor st = byHash.get(e.getKey());
            for (String[] row : e.getValue()) {
                reuse.add(new TensorMatch(
                        st.name(),
                        ReportComponents.of(st.address()).name(),
                        row[0],
                        row[1],
                        e.getKey(),
                        Long.parseLong(row[3])));
                perModel.computeIfAbsent(row[0], k -> new HashSet<>()).add(st.name());
            }
        }
        Map<String, Integer> exactCounts = new HashMap<>();
        perModel.forEach((k, v) -> exactCounts.put(k, v.size()));
        long[] sig = TokenSketch.minHash(probe.regularKeys());
        List<RegistryCandidate> prior = registry.candidates(
                sig, WeightSketch.of(probe, 256), exactCounts, probe.residualWidth(), options.widthLimit());
        long t2 = System.nanoTime();
        List<IdentifyResult.Candidate> compared = new ArrayList<>();
        List<RegistryCandidate> chosen = prior.subList(0, Math.min(prior.size(), options.maxCandidates()));
        for (RegistryCandidate c : chosen) {
            stages.accept("comparing with " + c.name() + " (candidate " + (compared.size() + 1) + " of " + chosen.size()
                    + ")");
            Fingerprint fp = registry.fingerprint(c.name());
            RegistryEntry entry = registry.find(c.name())
                    .orElseThrow(() -> new RegistryException(
                            "model '" + c.name() + "' vanished from registry " + registry.path()));
            ComparisonResult r = FingerprintComparator.compare(suspect, fp, "registry:" + c.name(), options.compare());
            // Exact reuse from the hashes decides its components: such a candidate never reads INDEPENDENT.
            r = IdenticalTensors.apply(r, identicalCounts(probe, reuse, c.name()), ParameterCounts.total(suspect));
            compared.add(new IdentifyResult.Candidate(entry, c, r));
        }
        compared.sort(
                Comparator.comparing((IdentifyResult.Candidate c) -> c.result().verdict() != Verdict.SHARED_LINEAGE)
                        .thenComparing(c -> -c.prior().exactTensorMatches())
                        .thenComparing(c -> c.result().log10p() == null
                                ? Double.POSITIVE_INFINITY
                                : c.result().log10p())
                        .thenComparing(c -> c.entry().name()));
        long t3 = System.nanoTime();
        ModelSummary s = new ModelSummary(
                suspect.source(), suspect.format().jsonName(), suspect.architecture(), ParameterCounts.total(suspect));
        Verdict verdict = decide(compared, reuse);
        String statement = statement(verdict, compared, reuse, registryModels, prior.size(), options, probe);
        return new IdentifyResult(
                s,
                verdict,
                statement,
                reuse,
                compared,
                registryModels,
                prior.size(),
                new IdentifyResult.Timings((t1 - t0) / 1_000_000, (t2 - t1) / 1_000_000, (t3 - t2) / 1_000_000));
    }

    /** Per suspect component: its tensors identical to registry model {@code model}'s (distinct suspect tensors). */
    static Map<String, IdenticalTensors.Counts> identicalCounts(
            Fingerprint probe, List<TensorMatch> reuse, String model) {
        Map<String, Integer> tensors = new HashMap<>();
        for (FingerprintTensor t : probe.tensors()) {
            if (t.address().part().isParameter()) {
                tensors.merge(ReportComponents.of(t.address()).name(), 1, Integer::sum);
            }
        }
        Map<String, IdenticalTensors.Counts> out = new LinkedHashMap<>();
        Set<String> seen = new HashSet<>();
        for (TensorMatch m : reuse) {
            if (!m.model().equals(model) || !seen.add(m.suspectTensor())) {
                continue;
            }
            IdenticalTensors.Counts k = out.getOrDefault(
                    m.component(), new IdenticalTensors.Counts(0, tensors.getOrDefault(m.component(), 0), 0, true));
            out.put(
                    m.component(),
                    new IdenticalTensors.Counts(k.identical() + 1, k.tensors(), k.parameters() + m.elements(), true));
        }
        return out;
    }

    private static Verdict decide(List<IdentifyResult.Candidate> compared, List<TensorMatch> reuse) {
        if (!reuse.isEmpty() || compared.stream().anyMatch(c -> c.result().verdict() == Verdict.SHARED_LINEAGE)) {
            return Verdict.SHARED_LINEAGE;
        }
        List<IdentifyResult.Candidate> decidable =
                compared.stream().filter(c -> c.result().log10p() != null).toList();
        if (!decidable.isEmpty() && decidable.stream().allMatch(c -> c.result().verdict() == Verdict.INDEPENDENT)) {
            return Verdict.INDEPENDENT;
        }
        return Verdict.INCONCLUSIVE;
    }

    private static String statement(
            Verdict v,
            List<IdentifyResult.Candidate> compared,
            List<TensorMatch> reuse,
            int registryModels,
            int prefilterHits,
            IdentifyOptions o,
            Fingerprint probe) {
        Thresholds th = o.compare().thresholds();
        String searched = String.format(
                Locale.ROOT,
                "%d registry model%s searched, %d passed the pre-filter (exact tensor hashes, tokenizer MinHash,"
                        + " residual width) and %d %s compared",
                registryModels,
                registryModels == 1 ? " was" : "s were",
                prefilterHits,
                compared.size(),
                compared.size() == 1 ? "was" : "were");
        return switch (v) {
            case SHARED_LINEAGE -> {
                List<String> names = compared.stream()
                        .filter(c -> c.result().verdict() == Verdict.SHARED_LINEAGE)
                        .map(c -> c.entry().name() + lp(c.result().log10p()))
                        .toList();
                Set<String> reusedFrom = new java.util.TreeSet<>();
                reuse.forEach(m -> reusedFrom.add(m.model() + "'s (" + m.component() + ")"));
                StringBuilder sb = new StringBuilder(
                        names.isEmpty()
                                ? "The statistical tests relate the suspect to no registry model"
                                : "The suspect shares lineage with registry model" + (names.size() == 1 ? " " : "s ")
                                        + and(names));
                if (!reusedFrom.isEmpty()) {
                    sb.append(names.isEmpty() ? ", but " : "; ")
                            .append(reuse.size())
                            .append(
                                    reuse.size() == 1
                                            ? " of its tensors is an unchanged copy"
                                            : " of its tensors are unchanged copies")
                            .append(" of ")
                            .append(and(List.copyOf(reusedFrom)))
                            .append(", found from their hashes alone");
                }
                yield sb.append(". ").append(searched).append('.').toString();
            }
            case INDEPENDENT -> {
                long decidable = compared.stream()
                        .filter(c -> c.result().log10p() != null)
                        .count();
                double weakest = compared.stream()
                        .filter(c -> c.result().log10p() != null)
                        .mapToDouble(c -> c.result().log10p())
                        .min()
                        .orElse(0);
                yield String.format(
                        Locale.ROOT,
                        "No registry model is related to the suspect. %s; the weight tests against all %d candidate%s with applicable tests had power (matchings and correlations over at least %d units) "
                                + "and stayed above the independence threshold (smallest Holm-adjusted log10 p %.2f > %.1f), where a derivative (fine-tune, quantisation, "
                                + "permutation, pruning, vocabulary change, transplant) would reach log10 p ≤ %.1f. No tensor is reused unchanged. Models absent from the registry, "
                                + "or of other widths and tokenizers, are not excluded.",
                        searched,
                        decidable,
                        decidable == 1 ? "" : "s",
                        LineageComparator.MIN_POWER_N,
                        weakest,
                        th.independentLog10p(),
                        th.sharedLog10p());
            }
            case INCONCLUSIVE -> {
                if (compared.isEmpty()) {
                    yield "No registry model could be compared with the suspect: " + searched
                            + "; none shares the suspect's tokenizer ("
                            + (probe.regularKeys().isEmpty()
                                    ? "the suspect has none"
                                    : String.format(
                                            Locale.ROOT,
                                            "%,d regular tokens",
                                            probe.regularKeys().size()))
                            + "), any of its tensors or its residual width ("
                            + (probe.residualWidth() > 0
                                    ? String.format(Locale.ROOT, "%,d", probe.residualWidth())
                                    : "unknown")
                            + "), so no weight test could run. Add models of the suspect's family to the registry.";
                }
                List<String> undecided = compared.stream()
                        .filter(c -> c.result().verdict() == Verdict.INCONCLUSIVE)
                        .limit(2)
                        .map(c -> c.entry().name() + ": " + whyUndecided(c.result(), th))
                        .toList();
                yield "No registry model is shown to be related, and the answer is inconclusive. " + searched + "; "
                        + (undecided.isEmpty()
                                ? "some candidates could not be decided."
                                : "undecided: " + String.join("; ", undecided) + ".");
            }
        };
    }

    /**
     * Why a candidate was not decided, in the engine's facts: its largest undecided component's reason (widths,
     * vocabularies, tokenizers, remedy), or where its evidence lies between the thresholds.
     */
    static String whyUndecided(ComparisonResult r, Thresholds th) {
        return r.components().stream()
                .filter(c -> c.verdict() == Verdict.INCONCLUSIVE && !c.reason().isBlank())
                .max(Comparator.comparingLong(dev.pedigree.forensics.result.ComponentResult::parameters))
                .map(c -> c.name() + ": " + c.reason())
                .orElseGet(() -> r.log10p() == null
                        ? "no weight test could run"
                        : String.format(
                                Locale.ROOT,
                                "log10 p %.2f lies between the thresholds %.1f and %.1f",
                                r.log10p(),
                                th.sharedLog10p(),
                                th.independentLog10p()));
    }

    /** "a", "a and b", "a, b and c". */
    private static String and(List<String> items) {
        return items.size() <= 1
                ? String.join("", items)
                : String.join(", ", items.subList(0, items.size() - 1)) + " and " + items.getLast();
    }

    private static String lp(Double v) {
        return v == null ? "" : String.format(Locale.ROOT, " (log10 p %.1f)", v);
    }
}
