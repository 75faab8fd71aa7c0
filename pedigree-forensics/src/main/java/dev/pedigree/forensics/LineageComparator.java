package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.DeterministicTable;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.SamplingInfo;
import dev.pedigree.forensics.result.Thresholds;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.ComponentKind;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.Token;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Compares a suspect model with a reference model and decides, per component and overall, whether
 * their weights share an initialisation (H0 for every test: independent initialisations).
 *
 * <h2>Method</h2>
 *
 * <ol>
 *   <li>Canonical view: float32 rows ({@link TensorRef#readRows}), fused tensors split
 *       ({@link dev.pedigree.model.naming.TensorNaming#logicalTensors}), tied heads compared once,
 *       vocabularies aligned by normalised token bytes ({@link Token#key()}).
 *   <li>Residual alignment (AWM): a signed permutation of residual coordinates fitted on the token
 *       embeddings of half of the probe tokens (or a vision tower's patch and position embeddings)
 *       and used only where the tested units are <em>not</em> residual coordinates or tokens: MLP
 *       hidden units (Zhu matching after alignment) and attention head dimensions. Those tests stay
 *       valid under H0 because a hidden-unit permutation of the suspect leaves the embeddings, and
 *       so the alignment, unchanged.
 *   <li>Block tests (see {@link BlockBattery}): fixed-index row correlations (units: hidden units or
 *       head dimensions), Zhu et al.'s hidden-unit matching (exact under H0) and the agreement of
 *       matchings from different matrices of a block. Token embeddings and heads are tested with
 *       residual coordinates as units (fixed basis), never with tokens as units: tokens are not
 *       exchangeable, because independent models trained on the same data learn the same token
 *       geometry.
 *   <li>Reported as effect sizes only, never combined (their nulls are optimistic when models
 *       converge; the calibration's trained same-data pairs show it): aligned held-out token rows,
 *       AWM's Gram CKA after alignment, gain-folded HuRef invariants, and norm/bias centred
 *       statistics. Raw cosine is printed beside the centred value and never used.
 *   <li>Layer map: a cheap screening battery (per-block sketches) fills the whole suspect ×
 *       reference block matrix; each suspect block's best reference block (and its same-index
 *       block) get the full battery, in two stages (fixed-index tests streamed over whole tensors,
 *       then the permutation-robust tests for each part they do not already decide; see
 *       {@link BlockBattery#full}). Pairs whose evidence, Bonferroni-corrected for all block pairs,
 *       reaches the layer threshold enter the map, so many-to-one and skipping maps appear as they
 *       are.
 *   <li>Combination (all of it in {@link Combination}): Cauchy (ACAT) within a block pair and across
 *       blocks (valid under dependence); Fisher only across blocks for the exact matching tests
 *       (independent under H0 by Zhu et al.'s Theorem 3); a block's value is Bonferroni-corrected
 *       for the reference blocks it was chosen among; Holm across components. All in log10 space;
 *       never 0 or −∞.
 *   <li>Verdicts: SHARED_LINEAGE when the Holm-adjusted log10 p ≤ {@link Thresholds#sharedLog10p}
 *       (default −6); INDEPENDENT when it stays above {@link Thresholds#independentLog10p} and the
 *       tests had power (at least one applicable matching or correlation over ≥ {@value
 *       #MIN_POWER_N} units); otherwise INCONCLUSIVE with the reason. The pair is SHARED_LINEAGE if
 *       any component is; INDEPENDENT when components judged INDEPENDENT hold at least half of the
 *       compared suspect parameters and none is shared.
 * </ol>
 *
 * <p>The engine behind this facade is package-private and reads in data-flow order: {@link
 * ModelIndex} (the tensors of one model), {@link TokenProbes} (shared tokens and the residual
 * alignment), {@link TokenRowComparison}, {@link FlatComparison} and {@link StackComparison} (one
 * per kind of component), the stack's {@link BlockBattery} with its stages {@link
 * ScreeningSketches}, {@link FixedIndexStage} and {@link PermutationStage}, then {@link
 * Combination} and {@link Customisation}. Test ids are built by {@link TestIds}.
 *
 * <p>Memory: a few tensors at a time (two blocks' worth of one role, the probe rows), whatever the
 * model size. Stateless; thread-safe as long as the views are.
 */
public final class LineageComparator {
    /** Fewest units (rows or matched hidden units) for a test to count as having power. */
    public static final int MIN_POWER_N = Combination.MIN_POWER_N;
    /** Default cap on rows per tensor entering an assignment problem when no --sample is given. */
    public static final int DEFAULT_MAX_UNITS = 1024;

    private LineageComparator() {}

    /**
     * Compares {@code suspect} against {@code reference}.
     *
     * @throws IOException if reading a tensor fails
     * @throws ModelFormatException if a tensor's bytes are corrupt or cannot be decoded
     */
    public static ComparisonResult compare(ModelView suspect, ModelView reference, CompareOptions options)
            throws IOException, ModelFormatException {
        return compare(suspect, reference, options, true);
    }

    /**
     * {@link #compare}, optionally without looking for identical tensors ({@link IdenticalTensors}):
     * a comparison against a fingerprint's float16 samples leaves it out, because equal samples are
     * not equal tensors; its caller decides exact reuse from the full tensors' hashes instead.
     *
     * @param exactReuse whether identical tensors are looked for and decide their components
     * @throws IOException if reading a tensor fails
     * @throws ModelFormatException if a tensor's bytes are corrupt or cannot be decoded
     */
    public static ComparisonResult compare(
            ModelView suspect, ModelView reference, CompareOptions options, boolean exactReuse)
            throws IOException, ModelFormatException {
        return compare(suspect, reference, options, exactReuse, Map.of());
    }

    /**
     * {@link #compare(ModelView, ModelView, CompareOptions, boolean)} with the suspect's deterministic
     * tables found beforehand on its whole tensors ({@link DeterministicTables#of}), by tensor name:
     * for a suspect view that holds only samples of its tensors.
     *
     * @throws IOException if reading a tensor fails
     * @throws ModelFormatException if a tensor's bytes are corrupt or cannot be decoded
     */
    public static ComparisonResult compare(
            ModelView suspect,
            ModelView reference,
            CompareOptions options,
            boolean exactReuse,
            Map<String, String> suspectTables)
            throws IOException, ModelFormatException {
        Run first = new Run(suspect, reference, options, exactReuse, suspectTables);
        ComparisonResult r = first.run();
        r = first.withBlocksFromPartners(r);
        return first.withBlocksFromStructure(r);
    }

    /** One comparison: the two indexes, the warnings, and the orchestration of the engine. */
    private static final class Run {
        final ModelIndex s;
        final ModelIndex r;
        final CompareOptions o;
        final int maxUnits;
        final List<String> warnings = new ArrayList<>();
        final ReadAccounting accounting = new ReadAccounting();
        final boolean exactReuse;
        final Map<String, String> suspectTables;
        /** Tensors paired by hashes and by shape and values, for {@link #withBlocksFromPartners}. */
        List<IdenticalTensors.Pair> identical = List.of();

        /**
         * Suspect tensors (by name) found identical in another order by a first run whose names gave no
         * blocks; the second run ({@link #withBlocksFromPartners}) keeps them as exact reuse.
         */
        final Map<String, TensorRef> reordered = new java.util.HashMap<>();

        final List<Readdressing.Partner> partners = new ArrayList<>();
        /** Customisation measures taken during {@link #closeness} (the same probe rows, decoded once). */
        final Customisation.Measured measured = new Customisation.Measured();

        Run(
                ModelView suspect,
                ModelView reference,
                CompareOptions o,
                boolean exactReuse,
                Map<String, String> suspectTables) {
            this.exactReuse = exactReuse;
            this.suspectTables = suspectTables;
            this.s = new ModelIndex(suspect, accounting.model("suspect"));
            this.r = new ModelIndex(reference, accounting.model("reference"));
            this.o = o;
            this.maxUnits = o.sampleRows() != null ? o.sampleRows() : DEFAULT_MAX_UNITS;
            s.notes.forEach(n -> warnings.add("suspect: " + n));
            r.notes.forEach(n -> warnings.add("reference: " + n));
        }

        ComparisonResult run() throws IOException, ModelFormatException {
            TokenizerLineage tok = TokenizerLineageAnalyzer.compare(s.view.vocabulary(), r.view.vocabulary());
            Map<Component, Long> params = ParameterCounts.byComponent(
                    s.logical, s.tied && s.components.get(Component.LM_HEAD.name()) == null);
            long total = params.values().stream().mapToLong(Long::longValue).sum();
            // Tables that follow from a formula or an index are equal in independent models: no evidence.
            s.findTables(suspectTables);
            r.findTables(Map.of());
            List<IdenticalTensors.Pair> identical =
                    exactReuse ? new ArrayList<>(IdenticalTensors.find(s, r, o.sampleRows(), o.seed())) : List.of();
            if (exactReuse && o.sampleRows() == null) {
                if (!namesGiveBlocks()) {
                    // Every name changed: tensors may also hold their values in another order.
                    identical.addAll(IdenticalTensors.findReordered(s, r, identical));
                }
                carriedReordered(identical);
            }
            this.identical = identical;
            TokenProbes probes = TokenProbes.prepare(s, r, o, warnings);
            BatteryContext text =
                    withWeightAlignment(BatteryContext.forText(s, r, probes, maxUnits, o.sampleRows(), o.seed()));
            StackComparison stacks = new StackComparison(text, o.thresholds(), warnings);
            List<ComponentEvidence> parts = new ArrayList<>();
            for (Component c : s.components.values()) {
                parts.add(compareComponent(c, params.getOrDefault(c, 0L), text, stacks, identical));
            }
            // The experts' evidence is complete once every stack has been compared.
            for (int k = 0; k < parts.size(); k++) {
                ComponentEvidence p = parts.get(k);
                if (p.component().kind() == ComponentKind.EXPERTS) {
                    parts.set(k, stacks.experts(p.component(), p.parameters()));
                } else if (p.log10p() == null
                        && p.component().kind() != ComponentKind.EMBEDDINGS
                        && p.component().kind() != ComponentKind.LM_HEAD) {
                    // Names and labels gave no partner: pair its matrices by shape and values.
                    ComponentEvidence found = PartnerSearch.compare(text, p.component(), p.parameters(), partners);
                    if (found != null) {
                        parts.set(k, found);
                        warnings.add("suspect " + p.component().name() + " had no partner by name (" + p.reason()
                                + "): its matrices were paired with reference matrices by shape and values");
                    }
                }
            }
            for (Component c : r.components.values()) {
                if (!s.components.containsKey(c.name())) {
                    warnings.add("reference component " + c.name() + " has no counterpart in the suspect");
                }
            }
            Thresholds th = o.thresholds();
            List<Double> adjusted = Combination.holm(
                    parts.stream().map(ComponentEvidence::log10p).toList());
            Map<String, IdenticalTensors.Counts> identicalCounts =
                    IdenticalTensors.countByComponent(identical, s.logical, o.sampleRows() == null);
            List<ComponentResult> results = new ArrayList<>();
            long sharedParams = 0;
            for (int k = 0; k < parts.size(); k++) {
                ComponentEvidence p = parts.get(k);
                Double a = adjusted.get(k);
                Combination.Judgement j =
                        Combination.judge(a, p.power(), Combination.largestN(p.tests()), p.reason(), th);
                // An identical tensor decides its component, whatever the tests say.
                ComponentResult c = IdenticalTensors.apply(
                        new ComponentResult(
                                p.component().name(),
                                p.component().kind(),
                                p.parameters(),
                                j.verdict(),
                                a,
                                evidence(p),
                                j.reason()),
                        identicalCounts.get(p.component().name()));
                results.add(
                        c.withCloseness(closeness(p.component(), text, stacks, c.verdict() == Verdict.SHARED_LINEAGE)));
            }
            carryThroughTokenRows(results, text, stacks);
            for (int k = 0; k < parts.size(); k++) {
                if (results.get(k).verdict() == Verdict.SHARED_LINEAGE) {
                    sharedParams += sharedParametersOf(parts.get(k));
                }
            }
            Verdict overall = Combination.overall(results);
            Double best = Combination.pairLog10p(results);
            if (overall == Verdict.INCONCLUSIVE && best == null) {
                boolean noneCorresponds =
                        results.stream().allMatch(c -> c.reason().startsWith("the reference has no "));
                warnings.add(
                        noneCorresponds
                                ? "no weight test could run: the models have no components with corresponding tensors"
                                : "no weight test could run: no component could be compared with the reference"
                                        + " (each component's reason says why)");
            }
            // Layer map only for shared components (the map lists significant pairs; keep them all).
            CustomisationSummary custom = overall == Verdict.SHARED_LINEAGE
                    ? Customisation.summarise(text, results, stacks.layerMap(), stacks::undone, measured)
                    : null;
            double frac = total == 0 ? 0 : Math.min(1, sharedParams / (double) total);
            return new ComparisonResult(
                    ComparisonResult.SCHEMA,
                    summary(s),
                    summary(r),
                    overall,
                    best,
                    results,
                    stacks.layerMap(),
                    tok,
                    frac,
                    warnings,
                    stacks.matrices(),
                    custom,
                    sampling(probes.count()),
                    th);
        }

        /** The re-addressing note's clause on vectors placed without a partner of their own; empty when none was. */
        private static String vectorsPlaced(Readdressing.View v) {
            List<String> how = new ArrayList<>();
            if (v.byPosition() > 0) {
                how.add(v.byPosition() + " by their position between paired tensors and their shape");
            }
            if (v.byValues() > 0) {
                how.add(v.byValues() + " by the centred correlation of their values with a reference vector of"
                        + " their shape (corrected log10 p <= " + (int) Readdressing.VECTOR_LOG10P + ")");
            }
            if (how.isEmpty()) {
                return "";
            }
            return String.format(
                    Locale.ROOT,
                    " (%d of them vectors without a partner of their own, placed %s)",
                    v.byPosition() + v.byValues(),
                    String.join(" and ", how));
        }

        /** Whether some suspect component has blocks by its tensor names. */
        private boolean namesGiveBlocks() {
            return s.components.keySet().stream().anyMatch(c -> !s.layers(c).isEmpty());
        }

        /** Adds the pairs identical in another order that a first run found ({@link #reordered}). */
        private void carriedReordered(List<IdenticalTensors.Pair> identical) {
            if (reordered.isEmpty()) {
                return;
            }
            java.util.Set<String> have = new java.util.HashSet<>();
            identical.forEach(p -> have.add(p.suspect().name()));
            for (TensorRef t : s.logical) {
                TensorRef ref = reordered.get(t.name());
                if (ref != null && have.add(t.name())) {
                    identical.add(new IdenticalTensors.Pair(t, ref, true));
                }
            }
        }

        /**
         * Issue 14 §1/§3: when the suspect's names give no blocks (every tensor renamed) and the
         * tensors paired by hashes or by shape and values have shown the lineage ({@code first} is
         * SHARED_LINEAGE), the comparison is run again with each paired tensor at its partner's place
         * in a block of the suspect's own ({@link Readdressing}), so that the layer map, figures,
         * closeness and customisation summary are built from those pairs as for named blocks. Only
         * after a shared verdict, and only pairs that are evidence on their own are re-addressed, so
         * no independent pair can become shared. {@code first} when nothing had to be re-addressed or
         * the second run finds no layer map.
         */
        ComparisonResult withBlocksFromPartners(ComparisonResult first) throws IOException, ModelFormatException {
            boolean blocks = namesGiveBlocks();
            if (first.verdict() != Verdict.SHARED_LINEAGE || blocks || (partners.isEmpty() && identical.isEmpty())) {
                return first;
            }
            Readdressing.View v = Readdressing.of(
                    s.view, r.view, identical, partners, o.thresholds().sharedLog10p());
            if (v == null) {
                return first;
            }
            // Structure alone may give more tensors a place than the pairs did (a copy whose units and heads
            // were permuted and noised: only some matrices keep a partner by values); then its blocks serve.
            // Its run is a second look at the pair, so its verdicts are decided at the stricter thresholds of {@link
            // #withBlocksFromStructure} (the values it reports are its own, with those thresholds beside them).
            StructuralBlocks.Inferred inferred = StructuralBlocks.of(s.view, r.view);
            if (inferred != null && inferred.addressed() > v.readdressed()) {
                Run second = new Run(
                        Readdressing.withTensors(s.view, inferred.tensors()),
                        r.view,
                        secondLook(),
                        exactReuse,
                        suspectTables);
                ComparisonResult again = second.run();
                if (again.verdict() == Verdict.SHARED_LINEAGE
                        && !again.layerMap().isEmpty()) {
                    return withNote(
                            again,
                            String.format(
                                    Locale.ROOT,
                                    "the suspect's tensor names give no blocks: %d of %d tensors were paired with"
                                            + " reference tensors by exact hashes or by shape and values, which showed"
                                            + " the lineage; structure alone placed more (%d tensors in %d blocks, each a"
                                            + " run of tensors whose shapes are a reference block's, numbered in the"
                                            + " suspect's file order; roles by shape, tensors of one shape in file order),"
                                            + " so the comparison was run again on those blocks for the layer map,"
                                            + " figures, closeness and customisation below; as a second look it"
                                            + " decides SHARED_LINEAGE only at log10 p <= %.2f (the threshold less log10"
                                            + " 2, Bonferroni over the two looks)",
                                    v.readdressed(),
                                    s.view.tensors().size(),
                                    inferred.addressed(),
                                    inferred.blocks(),
                                    secondLook().thresholds().sharedLog10p()));
                }
            }
            Run second = new Run(v.view(), r.view, o, exactReuse, suspectTables);
            for (IdenticalTensors.Pair p : identical) {
                if (p.reordered()) {
                    second.reordered.put(p.suspect().name(), p.reference());
                }
            }
            ComparisonResult again = second.run();
            if (again.verdict() != Verdict.SHARED_LINEAGE || again.layerMap().isEmpty()) {
                return first;
            }
            String note = String.format(
                    Locale.ROOT,
                    "the suspect's tensor names give no blocks: %d of %d tensors were paired with reference tensors"
                            + " by exact hashes or by shape and values (corrected log10 p <= %.1f), which showed the"
                            + " lineage%s; each was given its partner's place in one of %d suspect blocks (numbered in"
                            + " the suspect's file order) and the comparison was run again on them, so the layer map,"
                            + " figures, closeness and customisation below come from these pairs",
                    v.readdressed(),
                    s.view.tensors().size(),
                    o.thresholds().sharedLog10p(),
                    vectorsPlaced(v),
                    v.blocks());
            return withNote(again, note);
        }

        /**
         * Issue 14 §1: when the suspect's names give no blocks and neither hashes nor partners found by
         * values showed the lineage ({@code first} is not SHARED_LINEAGE: a renamed copy that was also
         * noised, permuted or rotated), the blocks are inferred from the structure alone ({@link
         * StructuralBlocks}: repeating groups of tensor shapes in file order, roles by shape) and the
         * comparison is run again on them, with every test that needs named blocks (fixed-index,
         * permutation-robust, held-out). This is a second look at the same pair, so it may decide
         * SHARED_LINEAGE only at the shared threshold lowered by log10 2 (Bonferroni over the two looks);
         * otherwise {@code first} stands.
         */
        ComparisonResult withBlocksFromStructure(ComparisonResult first) throws IOException, ModelFormatException {
            if (first.verdict() == Verdict.SHARED_LINEAGE || namesGiveBlocks()) {
                return first;
            }
            StructuralBlocks.Inferred inferred = StructuralBlocks.of(s.view, r.view);
            if (inferred != null) {
                double shared = secondLook().thresholds().sharedLog10p();
                ComparisonResult again = lookAgain(inferred, shared);
                if (again != null) {
                    String note = String.format(
                            Locale.ROOT,
                            "the suspect's tensor names give no blocks and no tensor was paired by exact hashes or by"
                                    + " shape and values strongly enough to show the lineage (first look: %s): %d of %d"
                                    + " tensors were given addresses by structure alone (%d blocks, each a run of tensors"
                                    + " whose shapes are a reference block's, numbered in the suspect's file order; roles"
                                    + " by shape, tensors of one shape in file order), no value read, and the comparison"
                                    + " was run again on them; this second look decides SHARED_LINEAGE only at log10 p <="
                                    + " %.2f (the threshold less log10 2, Bonferroni over the two looks)",
                            first.verdict(),
                            inferred.addressed(),
                            s.view.tensors().size(),
                            inferred.blocks(),
                            shared);
                    return withNote(again, note);
                }
            }
            return withBlocksFromGram(first);
        }

        /**
         * Issue 14 §1: the third look, when neither the names nor the file order gave blocks that show
         * the lineage (a renamed copy whose file stores its tensors sorted by their new names, or whose
         * blocks have tensors of one shape swapped): each suspect matrix takes the address of the
         * reference block matrix with the closest residual-side Gram matrix ({@link GuidedBlocks}) and
         * the comparison is run again on them. The addresses were chosen with the reference's values,
         * so this look decides SHARED_LINEAGE only at the threshold less log10 4 (the looks: the file
         * order's at α/2, this one at α/4) and less log10 of the number of assignments the matching
         * could have output (union bound: valid whatever chose the assignment); otherwise {@code first}
         * stands.
         */
        private ComparisonResult withBlocksFromGram(ComparisonResult first) throws IOException, ModelFormatException {
            GuidedBlocks.Guided guided = GuidedBlocks.of(s.view, r.view);
            if (guided == null) {
                return first;
            }
            double shared = o.thresholds().sharedLog10p() - Math.log10(4) - guided.log10Assignments();
            ComparisonResult again = lookAgain(guided.inferred(), shared);
            if (again == null) {
                return first;
            }
            String note = String.format(
                    Locale.ROOT,
                    "the suspect's tensor names give no blocks, no tensor was paired by exact hashes or by shape and"
                            + " values strongly enough to show the lineage (first look: %s) and its file order gave no"
                            + " blocks that did: %d of %d tensors were given the address of the reference block tensor"
                            + " of their shape whose residual-side Gram matrix is closest (%d blocks; residual bases"
                            + " matched on the token embeddings; unit, head and file order play no part) and the"
                            + " comparison was run again on them; as the reference's values chose the addresses, this"
                            + " look decides SHARED_LINEAGE only at log10 p <= %.2f (the threshold less log10 4 for the"
                            + " looks and less %.2f, log10 of the number of assignments the matching could output)",
                    first.verdict(),
                    guided.inferred().addressed(),
                    s.view.tensors().size(),
                    guided.inferred().blocks(),
                    shared,
                    guided.log10Assignments());
            return withNote(again, note);
        }

        /** The comparison run again on {@code inferred}'s addresses, deciding SHARED at {@code shared}; null unless shared. */
        private ComparisonResult lookAgain(StructuralBlocks.Inferred inferred, double shared)
                throws IOException, ModelFormatException {
            CompareOptions stricter = looking(shared);
            Run second = new Run(
                    Readdressing.withTensors(s.view, inferred.tensors()), r.view, stricter, exactReuse, suspectTables);
            ComparisonResult again = second.run();
            return again.verdict() == Verdict.SHARED_LINEAGE ? again : null;
        }

        /**
         * The options of a second look at the pair on blocks inferred from structure: the shared threshold lowered
         * by log10 2 (Bonferroni over the two looks), the independent one no looser than it.
         */
        private CompareOptions secondLook() {
            return looking(o.thresholds().sharedLog10p() - Math.log10(2));
        }

        /** The options of a further look at the pair deciding SHARED_LINEAGE at {@code shared}, independent no looser. */
        private CompareOptions looking(double shared) {
            Thresholds th = o.thresholds();
            return new CompareOptions(
                    o.seed(),
                    o.sampleRows(),
                    new Thresholds(shared, Math.max(shared, th.independentLog10p()), th.layerLog10p()));
        }

        /** {@code again} with {@code note} before its own warnings. */
        private static ComparisonResult withNote(ComparisonResult again, String note) {
            List<String> notes = new ArrayList<>();
            notes.add(note);
            notes.addAll(again.warnings());
            return new ComparisonResult(
                    again.schema(),
                    again.suspect(),
                    again.reference(),
                    again.verdict(),
                    again.log10p(),
                    again.components(),
                    again.layerMap(),
                    again.tokenizer(),
                    again.sharedParameterFraction(),
                    notes,
                    again.layerEvidence(),
                    again.customisation(),
                    again.sampling(),
                    again.thresholds());
        }

        /**
         * Issue 14 §2: when the text stacks' residual widths differ and tokens give no alignment (no
         * shared vocabulary, a padded embedding) or a weaker one than the attention weights do, the
         * alignment fitted on the attention weights ({@link WeightAlignment}) serves the MLP tests.
         */
        private BatteryContext withWeightAlignment(BatteryContext text) throws IOException, ModelFormatException {
            String name = textStackName();
            if (name == null) {
                return text;
            }
            TensorRef qa = s.weight(name, s.layers(name).getFirst(), Role.ATTN_Q);
            TensorRef qb = r.weight(name, r.layers(name).getFirst(), Role.ATTN_Q);
            if (qa == null
                    || qb == null
                    || qa.shape().rank() != 2
                    || qb.shape().rank() != 2
                    || qa.shape().dim(1) == qb.shape().dim(1)) {
                return text;
            }
            var fitted = WeightAlignment.fit(s, r, name, warnings);
            if (fitted == null || (text.align() != null && text.align().meanAbsCos() >= fitted.meanAbsCos())) {
                return text;
            }
            warnings.add(String.format(
                    Locale.ROOT,
                    "residual widths differ (%d vs %d): residual coordinates aligned on the attention weights"
                            + " (mean |r| %.3f%s), used for the MLP tests only",
                    qa.shape().dim(1),
                    qb.shape().dim(1),
                    fitted.meanAbsCos(),
                    text.align() == null
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    "; token embeddings gave %.3f",
                                    text.align().meanAbsCos())));
            return text.withWeightAlignment(fitted, (int) qb.shape().dim(1));
        }

        /**
         * Issue 14 §4: the component's closeness. A stack: per suspect block its first layer-map partner
         * (or, without a map, the same-index block of the reference's stack of the same name), measured
         * after undoing the permutation where the permutation-robust tests found the pair; token rows:
         * the held-out probe rows, as stored or aligned. Null for the others.
         */
        private Closeness closeness(Component c, BatteryContext text, StackComparison stacks, boolean shared)
                throws IOException, ModelFormatException {
            if (c.kind() == ComponentKind.EMBEDDINGS) {
                return ClosenessMeasure.tokenRows(text, c.name(), Role.EMBEDDING, stacks.textRotation());
            }
            if (c.kind() == ComponentKind.LM_HEAD) {
                return ClosenessMeasure.tokenRows(text, c.name(), Role.LM_HEAD, stacks.textRotation());
            }
            List<Integer> ls = s.layers(c.name());
            if (ls.isEmpty() || c.kind() == ComponentKind.EXPERTS) {
                return null;
            }
            boolean textStack = c.kind() == ComponentKind.TEXT_DECODER || c.kind() == ComponentKind.TEXT_ENCODER;
            BatteryContext ctx = stacks.context(c.name(), textStack);
            Map<Block, LayerMatch> first = new java.util.LinkedHashMap<>();
            for (LayerMatch m : stacks.layerMap()) {
                if (m.suspect().component().equals(c.name())) {
                    first.putIfAbsent(m.suspect(), m);
                }
            }
            List<Closeness.BlockCloseness> blocks = new ArrayList<>();
            List<Integer> lr = r.layers(c.name());
            for (int layer : ls) {
                Block sb = new Block(c.name(), layer);
                LayerMatch m = first.get(sb);
                Block rb = m != null ? m.reference() : lr.contains(layer) ? new Block(c.name(), layer) : null;
                if (rb == null || (m == null && !first.isEmpty())) {
                    continue; // with a map, only its pairs
                }
                // A shared component's pairs are the ones the customisation summary measures: measured here, on the
                // rows just read, when it measures them as stored.
                boolean undo = stacks.undoTried(sb, rb);
                Closeness.BlockCloseness b = ClosenessMeasure.block(
                        ctx, sb, rb, undo, undo ? stacks.rotation(ctx) : null, shared && m != null ? measured : null);
                if (b != null) {
                    blocks.add(b);
                }
            }
            return ClosenessMeasure.summary(blocks);
        }

        /**
         * Issue 14 §3: when the text stack is shared through block pairs that only the
         * permutation-robust tests found, the token rows (embeddings, head) sit in the same permuted
         * residual basis, which their fixed-basis tests cannot see through. They are tested again after
         * the residual alignment the held-out matchings find on the stack's blocks ({@link
         * HeldOutMatching#blockAlignment}, started from the probes' fit half), on the held-out probe rows
         * with the residual coordinates as units ({@link TokenRowComparison#heldOutColumns}); a component
         * whose test reaches the shared threshold after a Bonferroni factor over the token components
         * shares the stack's lineage, with the larger of the two values (both must hold), and its
         * closeness is measured through that alignment.
         */
        private void carryThroughTokenRows(List<ComponentResult> results, BatteryContext text, StackComparison stacks)
                throws IOException, ModelFormatException {
            // A shared stack whose residual stream is the token rows': a text stack on either side, under any
            // reference name (StackComparison keeps its held-out matchings only then).
            ComponentResult stack = null;
            for (ComponentResult c : results) {
                if (c.verdict() == Verdict.SHARED_LINEAGE && stacks.heldOut(c.name()) != null) {
                    stack = c;
                }
            }
            TokenProbes probes = text.probes();
            if (stack == null || probes == null || !probes.present() || probes.align() == null) {
                return;
            }
            List<Integer> tokenRows = new ArrayList<>();
            for (int k = 0; k < results.size(); k++) {
                ComponentResult c = results.get(k);
                boolean rows = c.kind() == ComponentKind.EMBEDDINGS || c.kind() == ComponentKind.LM_HEAD;
                if (rows && c.verdict() != Verdict.SHARED_LINEAGE) {
                    tokenRows.add(k);
                }
            }
            if (tokenRows.isEmpty()) {
                return;
            }
            String name = stack.name();
            // The instance the stack's battery used (fitted once, its blocks still held).
            HeldOutMatching matching = stacks.heldOut(name);
            SignedPermutation al = matching.blockAlignment(probes.align());
            double bonferroni = Math.log10(tokenRows.size());
            for (int k : tokenRows) {
                ComponentResult c = results.get(k);
                Role role = c.kind() == ComponentKind.EMBEDDINGS ? Role.EMBEDDING : Role.LM_HEAD;
                TokenRowComparison.Carried t = TokenRowComparison.heldOutColumns(text, c.name(), role, al);
                if (t == null || !t.test().applicable()) {
                    continue;
                }
                double l = Math.min(0, t.test().log10p() + bonferroni);
                List<Evidence> evidence = new ArrayList<>(c.evidence());
                evidence.add(new Evidence(
                        t.test().testId(),
                        t.test().statistic(),
                        l,
                        t.test().note()
                                + String.format(
                                        Locale.ROOT,
                                        "; held-out probe rows after the residual alignment of the %s stack's held-out"
                                                + " matchings; Bonferroni x%d (n=%d, effect %.4g)",
                                        name,
                                        tokenRows.size(),
                                        t.test().n(),
                                        t.test().effectSize())));
                if (l > o.thresholds().sharedLog10p()) {
                    results.set(
                            k,
                            new ComponentResult(
                                    c.name(),
                                    c.kind(),
                                    c.parameters(),
                                    c.verdict(),
                                    c.log10p(),
                                    evidence,
                                    c.reason(),
                                    c.closeness()));
                    continue;
                }
                Closeness x = t.closeness();
                // Both must hold (the stack shared, these rows in its basis): the larger of the two values.
                double both = Math.max(l, stack.log10p());
                String reason = String.format(
                        Locale.ROOT,
                        "its residual basis is the %s stack's, which the permutation-robust tests found shared"
                                + " (Holm-adjusted log10 p %.1f): after the residual alignment fitted on that"
                                + " stack's blocks, the held-out probe tokens' rows match the reference's"
                                + " coordinate by coordinate (log10 p %.1f; r = %.2f); the larger of the two values",
                        name,
                        stack.log10p(),
                        l,
                        x == null ? Double.NaN : x.correlation());
                warnings.add(c.name() + " judged after undoing the residual permutation of the " + name
                        + " stack: its tests at fixed residual coordinates saw a permuted basis");
                results.set(
                        k,
                        new ComponentResult(
                                c.name(),
                                c.kind(),
                                c.parameters(),
                                Verdict.SHARED_LINEAGE,
                                both,
                                evidence,
                                reason,
                                closer(x, c.closeness())));
            }
        }

        /**
         * The token rows' closeness that explains them better (the higher correlation): through the stack's
         * held-out alignment ({@code carried}) or as measured before ({@code own}: as stored, through the
         * probes' alignment or the rotation of the residual basis, {@link ClosenessMeasure#tokenRows}).
         */
        private static Closeness closer(Closeness carried, Closeness own) {
            if (carried == null) {
                return own;
            }
            return own != null && own.correlation() > carried.correlation() ? own : carried;
        }

        /** The text stack both models have, or null. */
        private String textStackName() {
            for (Component c : s.components.values()) {
                boolean isText = c.kind() == ComponentKind.TEXT_DECODER || c.kind() == ComponentKind.TEXT_ENCODER;
                if (isText
                        && !s.layers(c.name()).isEmpty()
                        && !r.layers(c.name()).isEmpty()) {
                    return c.name();
                }
            }
            return null;
        }

        /**
         * Sends a component to the comparison of its kind: token rows for embeddings and head, the
         * stack for components with blocks on both sides, tensor by tensor otherwise.
         */
        private ComponentEvidence compareComponent(
                Component c,
                long params,
                BatteryContext text,
                StackComparison stacks,
                List<IdenticalTensors.Pair> identical)
                throws IOException, ModelFormatException {
            return switch (c.kind()) {
                // Evidence for experts is gathered with the blocks of their stack (see StackComparison).
                case EXPERTS -> ComponentEvidence.none(c, params, "experts are compared with their stack");
                case EMBEDDINGS ->
                    hasPartner(c) ? TokenRowComparison.compare(text, c, params, Role.EMBEDDING) : noPartner(c, params);
                case LM_HEAD ->
                    hasPartner(c) ? TokenRowComparison.compare(text, c, params, Role.LM_HEAD) : noPartner(c, params);
                case TEXT_DECODER, TEXT_ENCODER, VISION_ENCODER, AUDIO_ENCODER, PROJECTOR, OTHER -> {
                    // A stack is paired by structure, the label first: labels are a hint, never a gate.
                    List<String> refs = s.layers(c.name()).isEmpty()
                            ? List.of()
                            : ComponentPairing.candidates(s, r, c.name(), identical);
                    if (!refs.isEmpty()) {
                        yield stacks.compareAcross(c, refs, params);
                    }
                    yield hasPartner(c) ? FlatComparison.compare(text, c, params) : noPartner(c, params);
                }
            };
        }

        /** Whether the reference has the component (an untied head is compared with tied embeddings). */
        private boolean hasPartner(Component c) {
            return r.components.containsKey(c.name())
                    || (c.kind() == ComponentKind.LM_HEAD && r.components.containsKey(Component.EMBEDDINGS.name()));
        }

        private ComponentEvidence noPartner(Component c, long params) {
            return ComponentEvidence.none(c, params, WhyNotCompared.noPartner(r, c.name()));
        }

        private SamplingInfo sampling(int probeTokens) {
            return new SamplingInfo(
                    o.sampleRows(),
                    o.seed(),
                    maxUnits,
                    probeTokens,
                    (o.sampleRows() == null
                                    ? "every row read; at most " + maxUnits
                                            + " units per tensor enter one assignment problem"
                                    : "p-values computed on " + o.sampleRows()
                                            + " seeded sampled rows per tensor (whole tensors only for norms,"
                                            + " biases and vision patch/position embeddings; attention output and MLP down projections not read)")
                            + "; " + probeTokens + " shared tokens as probes; seed " + o.seed(),
                    accounting.bytesRead(),
                    accounting.weightBytes(),
                    accounting.nonFinite(),
                    s.screens.summary(),
                    deterministicTables());
        }

        /** The tensors of both models left out as deterministic tables, suspect first. */
        private List<DeterministicTable> deterministicTables() {
            List<DeterministicTable> out = new ArrayList<>();
            for (ModelIndex.Table t : s.tables()) {
                out.add(new DeterministicTable("suspect", t.tensor().name(), t.kind()));
            }
            for (ModelIndex.Table t : r.tables()) {
                out.add(new DeterministicTable("reference", t.tensor().name(), t.kind()));
            }
            return out;
        }

        private long sharedParametersOf(ComponentEvidence p) {
            if (p.matchedBlocks().isEmpty()) {
                return p.parameters();
            }
            Map<Block, Long> blocks = ParameterCounts.byBlock(s.logical);
            long inBlocks = 0;
            long matched = 0;
            for (Map.Entry<Block, Long> e : blocks.entrySet()) {
                if (e.getKey().component().equals(p.component().name())) {
                    inBlocks += e.getValue();
                    if (p.matchedBlocks().containsKey(e.getKey().layer())) {
                        matched += e.getValue();
                    }
                }
            }
            return p.parameters() - inBlocks + matched;
        }

        private static ModelSummary summary(ModelIndex m) {
            return new ModelSummary(
                    m.view.source(), m.view.format().jsonName(), m.view.architecture(), ParameterCounts.total(m.view));
        }

        private static List<Evidence> evidence(ComponentEvidence p) {
            List<Evidence> out = new ArrayList<>();
            for (TaggedTest t : p.tests()) {
                TestResult x = t.result();
                String note = x.note() + (t.kind() == Kind.WEAK ? " [weak evidence; not combined]" : "");
                if (x.applicable() && x.n() > 0) {
                    note = note + " (n=" + x.n()
                            + (Double.isFinite(x.effectSize())
                                    ? String.format(Locale.ROOT, ", effect %.4g", x.effectSize())
                                    : "")
                            + ")";
                }
                out.add(new Evidence(
                        x.testId(),
                        x.applicable() && Double.isFinite(x.statistic()) ? x.statistic() : null,
                        x.applicable() ? Math.min(0, x.log10p()) : null,
                        note));
            }
            return out;
        }
    }
}
