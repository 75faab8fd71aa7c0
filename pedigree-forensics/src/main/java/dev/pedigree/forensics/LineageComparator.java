package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.LayerEvidenceMatrix;
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
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.AlignedCorrelationTest;
import dev.pedigree.stats.tests.HiddenUnitMatchTest;
import dev.pedigree.stats.tests.ResidualAlignment;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

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
 *       {@link BlockBattery#full}). Pairs
 *       whose evidence, Bonferroni-corrected for all block pairs, reaches the layer threshold enter
 *       the map, so many-to-one and skipping maps appear as they are.
 *   <li>Combination: Cauchy (ACAT) within a block pair and across blocks (valid under dependence);
 *       Fisher only across blocks for the exact matching tests (independent under H0 by Zhu et al.'s
 *       Theorem 3); a block's value is Bonferroni-corrected for the reference blocks it was chosen
 *       among; Holm across components. All in log10 space; never 0 or −∞.
 *   <li>Verdicts: SHARED_LINEAGE when the Holm-adjusted log10 p ≤ {@link Thresholds#sharedLog10p}
 *       (default −6); INDEPENDENT when it stays above {@link Thresholds#independentLog10p} and the
 *       tests had power (at least one applicable matching or correlation over ≥ {@value
 *       #MIN_POWER_N} units); otherwise INCONCLUSIVE with the reason. The pair is SHARED_LINEAGE if
 *       any component is; INDEPENDENT when components judged INDEPENDENT hold at least half of the
 *       compared suspect parameters and none is shared.
 * </ol>
 *
 * <p>Memory: a few tensors at a time (two blocks' worth of one role, the probe rows), whatever the
 * model size. Stateless; thread-safe as long as the views are.
 */
public final class LineageComparator {
    /** Fewest units (rows or matched hidden units) for a test to count as having power. */
    public static final int MIN_POWER_N = 32;
    /**
     * Fewest features (columns) per unit for a correlation or matching test: below it cosines tie
     * (one feature: every cosine is ±1) and a LAP's tie order would favour the identity.
     */
    public static final int MIN_FEATURES = 8;
    /** Default cap on rows per tensor entering an assignment problem when no --sample is given. */
    public static final int DEFAULT_MAX_UNITS = 1024;
    /** Default cap on shared tokens used as probes (half to fit the alignment, half to test). */
    public static final int DEFAULT_PROBE_TOKENS = 4096;
    /**
     * Probe values per model (probe tokens × residual width, 16 MB) above which wide models get fewer
     * probe tokens (never fewer than {@link #MIN_PROBE_TOKENS}): the probes' column matchings cost
     * tokens × width², and their memory tokens × width.
     */
    public static final int PROBE_FLOATS = 4 << 20;
    /** Fewest probe tokens of a full compare (when the vocabularies share that many). */
    public static final int MIN_PROBE_TOKENS = 1024;
    /** Shared tokens used as anchors of the attention invariants. */
    public static final int INVARIANT_ANCHORS = 256;
    /** Rank of the low-rank probe of the customisation summary. */
    public static final int LOW_RANK_PROBE = 8;

    private LineageComparator() {}

    /**
     * Compares {@code suspect} against {@code reference}.
     *
     * @throws IOException if reading a tensor fails
     * @throws ModelFormatException if a tensor's bytes are corrupt or cannot be decoded
     */
    public static ComparisonResult compare(ModelView suspect, ModelView reference, CompareOptions options)
            throws IOException, ModelFormatException {
        return new Run(suspect, reference, options).run();
    }

    /** Cauchy combination of the combinable tests; null when none applies. */
    static Double combine(List<TaggedTest> tests, boolean exactOnly) {
        List<Double> ps = new ArrayList<>();
        for (TaggedTest t : tests) {
            if (t.combinable() && (!exactOnly || t.kind() == Kind.EXACT)) {
                ps.add(t.result().log10p());
            }
        }
        return ps.isEmpty() ? null : cauchy(ps);
    }

    static Double combineExact(List<TaggedTest> tests) {
        return combine(tests, true);
    }

    static double cauchy(List<Double> ps) {
        if (ps.size() == 1) {
            return ps.get(0);
        }
        double[] l = ps.stream().mapToDouble(Double::doubleValue).toArray();
        double[] w = new double[l.length];
        Arrays.fill(w, 1.0 / l.length);
        return LogP.cauchy(l, w);
    }

    /** Per-component intermediate results. */
    private record Partial(
            Component component,
            long parameters,
            List<TaggedTest> tests,
            Double log10p,
            boolean power,
            String reason,
            Map<Integer, Integer> matchedBlocks) {}

    private static final class Run {
        final ModelIndex s;
        final ModelIndex r;
        final CompareOptions o;
        final int maxUnits;
        final List<String> warnings = new ArrayList<>();
        final List<LayerMatch> layerMap = new ArrayList<>();
        final List<LayerEvidenceMatrix> matrices = new ArrayList<>();
        final Map<String, List<int[]>> bestPairs = new LinkedHashMap<>();
        int[] fitS;
        int[] fitR;
        int[] testS;
        int[] testR;
        int probeTokens;
        SignedPermutation textAlign;
        /** Residual width of the reference embeddings {@link #textAlign} was fitted on. */
        int textAlignFrom;
        /** Residual width of the reference tower the last {@link #towerAlignment} was fitted on. */
        int towerAlignFrom;

        Matrix anchorsS;
        Matrix anchorsR;

        final ReadAccounting accounting = new ReadAccounting();

        Run(ModelView suspect, ModelView reference, CompareOptions o) {
            this.s = new ModelIndex(suspect, accounting);
            this.r = new ModelIndex(reference, accounting);
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
            prepareTokens();
            List<Partial> parts = new ArrayList<>();
            for (Component c : s.components.values()) {
                long n = params.getOrDefault(c, 0L);
                parts.add(compareComponent(c, n));
            }
            for (int k = 0; k < parts.size(); k++) {
                Partial p = parts.get(k);
                if (p.component().name().equals(Component.EXPERTS.name())) {
                    parts.set(
                            k,
                            expertPartial == null
                                    ? new Partial(
                                            p.component(),
                                            p.parameters(),
                                            List.of(),
                                            null,
                                            false,
                                            "no expert could be paired with the reference",
                                            Map.of())
                                    : new Partial(
                                            p.component(),
                                            p.parameters(),
                                            expertPartial.tests(),
                                            expertPartial.log10p(),
                                            expertPartial.power(),
                                            expertPartial.reason(),
                                            Map.of()));
                }
            }
            for (Component c : r.components.values()) {
                if (!s.components.containsKey(c.name())) {
                    warnings.add("reference component " + c.name() + " has no counterpart in the suspect");
                }
            }
            // Holm across components that have evidence.
            List<Integer> withP = new ArrayList<>();
            for (int k = 0; k < parts.size(); k++) {
                if (parts.get(k).log10p() != null) {
                    withP.add(k);
                }
            }
            double[] raw =
                    withP.stream().mapToDouble(k -> parts.get(k).log10p()).toArray();
            double[] adj = raw.length == 0 ? raw : LogP.holm(raw);
            Map<Integer, Double> adjusted = new HashMap<>();
            for (int k = 0; k < withP.size(); k++) {
                adjusted.put(withP.get(k), adj[k]);
            }
            Thresholds th = o.thresholds();
            List<ComponentResult> results = new ArrayList<>();
            long sharedParams = 0;
            long comparedParams = 0;
            long independentParams = 0;
            Double best = null;
            for (int k = 0; k < parts.size(); k++) {
                Partial p = parts.get(k);
                Double a = adjusted.get(k);
                Verdict v;
                String reason;
                if (a == null) {
                    v = Verdict.INCONCLUSIVE;
                    reason = p.reason();
                } else if (a <= th.sharedLog10p()) {
                    v = Verdict.SHARED_LINEAGE;
                    reason = String.format(Locale.ROOT, "Holm-adjusted log10 p %.1f ≤ %.1f", a, th.sharedLog10p());
                } else if (a > th.independentLog10p() && p.power()) {
                    v = Verdict.INDEPENDENT;
                    reason = String.format(
                            Locale.ROOT,
                            "Holm-adjusted log10 p %.2f > %.1f with tests of adequate power",
                            a,
                            th.independentLog10p());
                } else {
                    v = Verdict.INCONCLUSIVE;
                    reason = !p.power()
                            ? "tests too small to have power (fewer than " + MIN_POWER_N + " units)"
                            : String.format(
                                    Locale.ROOT,
                                    "Holm-adjusted log10 p %.2f lies between the thresholds %.1f and %.1f",
                                    a,
                                    th.sharedLog10p(),
                                    th.independentLog10p());
                }
                if (a != null) {
                    best = best == null ? a : Math.min(best, a);
                    comparedParams += p.parameters();
                    if (v == Verdict.INDEPENDENT) {
                        independentParams += p.parameters();
                    }
                }
                if (v == Verdict.SHARED_LINEAGE) {
                    sharedParams += sharedParametersOf(p);
                }
                results.add(new ComponentResult(
                        p.component().name(), p.component().kind(), p.parameters(), v, a, evidence(p), reason));
            }
            boolean anyShared = results.stream().anyMatch(c -> c.verdict() == Verdict.SHARED_LINEAGE);
            Verdict overall;
            if (anyShared) {
                overall = Verdict.SHARED_LINEAGE;
            } else if (comparedParams > 0 && independentParams * 2 >= comparedParams) {
                overall = Verdict.INDEPENDENT;
            } else {
                overall = Verdict.INCONCLUSIVE;
                if (best == null) {
                    warnings.add("no weight test could run: the models have no components with corresponding tensors");
                }
            }
            // Layer map only for shared components (the map lists significant pairs; keep them all).
            CustomisationSummary custom = anyShared
                    ? Customisation.summarise(
                            s, r, results, layerMap, textAlign, fitS, fitR, testS, testR, o.sampleRows(), o.seed())
                    : null;
            double frac = total == 0 ? 0 : Math.min(1, sharedParams / (double) total);
            SamplingInfo sampling = new SamplingInfo(
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
                    accounting.weightBytes());
            return new ComparisonResult(
                    ComparisonResult.SCHEMA,
                    summary(s),
                    summary(r),
                    overall,
                    best,
                    results,
                    layerMap,
                    tok,
                    frac,
                    warnings,
                    matrices,
                    custom,
                    sampling,
                    th);
        }

        private long sharedParametersOf(Partial p) {
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

        private static List<Evidence> evidence(Partial p) {
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

        // ---------------------------------------------------------------- tokens and alignment

        private void prepareTokens() throws IOException, ModelFormatException {
            TensorRef es = s.weight(Component.EMBEDDINGS.name(), null, Role.EMBEDDING);
            TensorRef er = r.weight(Component.EMBEDDINGS.name(), null, Role.EMBEDDING);
            if (es == null || er == null) {
                return;
            }
            int rowsS = ModelIndex.matrixShape(es)[0];
            int rowsR = ModelIndex.matrixShape(er)[0];
            int[][] pairs = sharedTokenRows(rowsS, rowsR);
            if (pairs == null) {
                warnings.add("embeddings not compared: no vocabularies to align rows by token and row counts differ ("
                        + rowsS + " vs " + rowsR + ")");
                return;
            }
            int n = pairs[0].length;
            int width = ModelIndex.matrixShape(es)[1];
            int cap = o.sampleRows() != null
                    ? Math.max(2 * MIN_POWER_N, o.sampleRows())
                    : Math.max(MIN_PROBE_TOKENS, Math.min(DEFAULT_PROBE_TOKENS, PROBE_FLOATS / Math.max(1, width)));
            int[] order = shuffled(n, o.seed() ^ 0x70CE5L);
            int k = Math.min(n, cap);
            probeTokens = k;
            int half = k / 2;
            fitS = new int[half];
            fitR = new int[half];
            testS = new int[k - half];
            testR = new int[k - half];
            for (int i = 0; i < k; i++) {
                int idx = order[i];
                if (i < half) {
                    fitS[i] = pairs[0][idx];
                    fitR[i] = pairs[1][idx];
                } else {
                    testS[i - half] = pairs[0][idx];
                    testR[i - half] = pairs[1][idx];
                }
            }
            // Every probe row is read once (cached): fit rows first, then the held-out test rows.
            Matrix allS = s.rows(es, concat(fitS, testS));
            Matrix allR = r.rows(er, concat(fitR, testR));
            if (half >= MIN_POWER_N) {
                Matrix a = allS.rowsSubset(range(0, half));
                Matrix b = allR.rowsSubset(range(0, half));
                // fit(A = reference, B = suspect): applyToColumns maps reference columns into the suspect's basis.
                textAlign = fitAlignment(b, a, "token embeddings of " + half + " shared tokens");
                textAlignFrom = b.cols();
            }
            int na = Math.min(INVARIANT_ANCHORS, testS.length);
            if (na >= 16) {
                anchorsS = allS.rowsSubset(range(half, half + na));
                anchorsR = allR.rowsSubset(range(half, half + na));
            }
        }

        /** Fits reference → suspect; {@code ref} and {@code sus} hold the same anchor rows. */
        private SignedPermutation fitAlignment(Matrix ref, Matrix sus, String what) {
            try {
                return ResidualAlignment.fit(ref, sus);
            } catch (IllegalArgumentException e) {
                warnings.add("residual alignment from " + what + " not possible: " + e.getMessage());
                return null;
            }
        }

        /** Row pairs (suspect row, reference row) of shared tokens, or null. */
        private int[][] sharedTokenRows(int rowsS, int rowsR) {
            Vocabulary vs = s.view.vocabulary().orElse(null);
            Vocabulary vr = r.view.vocabulary().orElse(null);
            if (vs == null || vr == null) {
                if (rowsS != rowsR) {
                    return null;
                }
                warnings.add("a vocabulary is missing: embedding rows paired by index");
                int[] id = new int[rowsS];
                for (int i = 0; i < rowsS; i++) {
                    id[i] = i;
                }
                return new int[][] {id, id.clone()};
            }
            Map<String, Integer> ref = new HashMap<>();
            for (Token t : vr.tokens()) {
                if (t.id() < rowsR) {
                    ref.putIfAbsent(t.key(), t.id());
                }
            }
            List<int[]> pairs = new ArrayList<>();
            java.util.Set<String> seen = new java.util.HashSet<>();
            for (Token t : vs.tokens()) {
                Integer j = ref.get(t.key());
                if (j != null && t.id() < rowsS && seen.add(t.key())) {
                    pairs.add(new int[] {t.id(), j});
                }
            }
            int[][] out = new int[2][pairs.size()];
            for (int i = 0; i < pairs.size(); i++) {
                out[0][i] = pairs.get(i)[0];
                out[1][i] = pairs.get(i)[1];
            }
            return out;
        }

        private static int[] shuffled(int n, long seed) {
            int[] idx = new int[n];
            for (int i = 0; i < n; i++) {
                idx[i] = i;
            }
            SplittableRandom rnd = new SplittableRandom(seed);
            for (int i = n - 1; i > 0; i--) {
                int j = rnd.nextInt(i + 1);
                int x = idx[i];
                idx[i] = idx[j];
                idx[j] = x;
            }
            return idx;
        }

        // ---------------------------------------------------------------- components

        private Partial compareComponent(Component c, long params) throws IOException, ModelFormatException {
            if (c.name().equals(Component.EXPERTS.name())) {
                // Evidence for experts is gathered with the blocks of their stack (see compareStack).
                return new Partial(
                        c, params, new ArrayList<>(), null, false, "experts are compared with their stack", Map.of());
            }
            if (!r.components.containsKey(c.name())
                    && !(c.name().equals(Component.LM_HEAD.name())
                            && r.components.containsKey(Component.EMBEDDINGS.name()))) {
                return new Partial(
                        c, params, List.of(), null, false, "the reference has no " + c.name() + " component", Map.of());
            }
            if (c.name().equals(Component.EMBEDDINGS.name()) || c.name().equals(Component.LM_HEAD.name())) {
                return compareTokenRows(c, params);
            }
            if (!s.layers(c.name()).isEmpty() && !r.layers(c.name()).isEmpty()) {
                return compareStack(c, params);
            }
            return compareFlat(c, params);
        }

        /** Embeddings or head: rows of shared tokens, fixed-index and aligned correlations on held-out tokens. */
        private Partial compareTokenRows(Component c, long params) throws IOException, ModelFormatException {
            Role role = c.name().equals(Component.EMBEDDINGS.name()) ? Role.EMBEDDING : Role.LM_HEAD;
            TensorRef a = s.weight(c.name(), null, role);
            TensorRef b = r.weight(c.name(), null, role);
            if (b == null && role == Role.LM_HEAD && r.tied) {
                return new Partial(
                        c,
                        params,
                        List.of(),
                        null,
                        false,
                        "the reference ties its head to the embeddings; the suspect's head is untied",
                        Map.of());
            }
            if (a == null || b == null || testS == null) {
                return new Partial(
                        c,
                        params,
                        List.of(),
                        null,
                        false,
                        "no token rows to compare (missing tensor or vocabulary alignment)",
                        Map.of());
            }
            List<TaggedTest> tests = new ArrayList<>();
            // Fixed-basis tests take the residual dimensions as units (columns of the token rows): under
            // H0 the residual coordinates of independently initialised models are exchangeable (Zhu et
            // al.'s Π), whatever the data. Tokens are not exchangeable (both models learn the same data),
            // so token-indexed nulls are not used for evidence.
            int[] rowsS = concat(fitS, testS);
            int[] rowsR = concat(fitR, testR);
            int haveS = ModelIndex.matrixShape(a)[0];
            int haveR = ModelIndex.matrixShape(b)[0];
            if (Arrays.stream(rowsS).anyMatch(x -> x >= haveS)
                    || Arrays.stream(rowsR).anyMatch(x -> x >= haveR)) {
                return new Partial(
                        c,
                        params,
                        List.of(),
                        null,
                        false,
                        "the " + c.name() + " rows do not cover the shared tokens of the embeddings (shapes "
                                + a.shape() + " vs " + b.shape() + ")",
                        Map.of());
            }
            Matrix ma = s.rows(a, rowsS);
            Matrix mb = r.rows(b, rowsR);
            String id = c.name() + ".columns";
            if (ma.rows() < MIN_FEATURES) {
                tests.add(new TaggedTest(
                        c.name(),
                        TestResult.notApplicable(id + ".pearson", "too few shared tokens: " + ma.rows()),
                        Kind.PRIMARY));
            } else if (ma.cols() == mb.cols()) {
                Matrix ta = ma.transpose();
                Matrix tb = mb.transpose();
                tests.add(new TaggedTest(c.name(), AlignedCorrelationTest.test(id + ".pearson", ta, tb), Kind.PRIMARY));
                if (ta.rows() >= 3) {
                    HiddenUnitMatchTest.Match m = ta.rows() > maxUnits
                            ? HiddenUnitMatchTest.matchSampled(ta, tb, maxUnits, o.seed())
                            : HiddenUnitMatchTest.match(ta, tb);
                    TestResult t = m.result();
                    tests.add(new TaggedTest(
                            c.name(),
                            new TestResult(id + ".match", t.statistic(), t.log10p(), t.effectSize(), t.n(), t.note()),
                            Kind.EXACT));
                }
            } else {
                tests.add(new TaggedTest(
                        c.name(),
                        TestResult.notApplicable(id + ".pearson", "widths differ: " + ma.cols() + " vs " + mb.cols()),
                        Kind.PRIMARY));
                if (ma.rows() >= 3 && Math.min(ma.cols(), mb.cols()) >= 3) {
                    // Residual widths differ (residual pruning or another model): match the narrower model's
                    // residual dimensions into the wider one's over the same tokens; exact under H0 because
                    // residual coordinates are exchangeable (see HiddenUnitMatchTest.matchRectangular).
                    HiddenUnitMatchTest.Match m =
                            HiddenUnitMatchTest.matchRectangular(ma.transpose(), mb.transpose(), maxUnits, o.seed());
                    TestResult t = m.result();
                    tests.add(new TaggedTest(
                            c.name(),
                            new TestResult(
                                    id + ".match",
                                    t.statistic(),
                                    t.log10p(),
                                    t.effectSize(),
                                    t.n(),
                                    "widths " + ma.cols() + " vs " + mb.cols() + ": " + t.note()),
                            Kind.EXACT));
                }
            }
            if (textAlign != null && ma.cols() == textAlign.index().length && mb.cols() == textAlignFrom) {
                // Held-out token rows after the alignment: reported as an effect size only. Independent
                // models trained on the same data learn the same token geometry up to a change of basis,
                // and an alignment fitted on some tokens transfers to the others, so its p-value is not
                // valid under H0 (calibration: tiny models trained from different seeds reach 1e-6).
                int half = fitS.length;
                int[] held = new int[rowsS.length - half];
                for (int i = 0; i < held.length; i++) {
                    held[i] = half + i;
                }
                Matrix ha = ma.rowsSubset(held);
                Matrix hb = textAlign.applyToColumns(mb.rowsSubset(held));
                tests.add(new TaggedTest(
                        c.name(), AlignedCorrelationTest.test(c.name() + ".rows.pearson_aligned", ha, hb), Kind.WEAK));
            }
            return finish(c, params, tests, Map.of(), "token rows compared on " + ma.rows() + " shared tokens");
        }

        /** Components without blocks (projector, other): tensors with the same role and shape. */
        private Partial compareFlat(Component c, long params) throws IOException, ModelFormatException {
            List<TaggedTest> tests = new ArrayList<>();
            for (ModelIndex.Key k : s.keys(c.name())) {
                if (k.part() != Part.WEIGHT) {
                    continue;
                }
                TensorRef a = s.byKey.get(k);
                TensorRef b = r.get(c.name(), k.layer(), k.role(), k.expert(), k.part());
                String id = "tensor." + k.role().name().toLowerCase(Locale.ROOT)
                        + (k.layer() == null ? "" : "." + k.layer())
                        + (k.expert() == null ? "" : ".expert" + k.expert());
                if (b == null) {
                    continue;
                }
                tests.addAll(tensorPair(c.name(), id, a, b));
            }
            return finish(
                    c, params, tests, Map.of(), "no tensor of this component has a partner of the same role and shape");
        }

        private List<TaggedTest> tensorPair(String comp, String id, TensorRef a, TensorRef b)
                throws IOException, ModelFormatException {
            List<TaggedTest> out = new ArrayList<>();
            int[] sa = ModelIndex.matrixShape(a);
            int[] sb = ModelIndex.matrixShape(b);
            if (sa[0] != sb[0] || sa[1] != sb[1]) {
                out.add(new TaggedTest(
                        comp,
                        TestResult.notApplicable(id + ".pearson", "shapes differ: " + a.shape() + " vs " + b.shape()),
                        Kind.PRIMARY));
                return out;
            }
            if (sa[1] < MIN_FEATURES && sa[0] < MIN_FEATURES) {
                out.add(new TaggedTest(
                        comp, TestResult.notApplicable(id + ".pearson", "too small: " + a.shape()), Kind.PRIMARY));
                return out;
            }
            int[] rows = ModelIndex.sample(sa[0], Math.max(maxUnits, 1), o.seed() + sa[0]);
            Matrix ma = s.rows(a, rows);
            Matrix mb = r.rows(b, rows);
            if (ma.rows() == 1) {
                out.add(new TaggedTest(comp, AlignedCorrelationTest.test(id + ".pearson", ma, mb), Kind.PRIMARY));
                return out;
            }
            out.add(new TaggedTest(comp, AlignedCorrelationTest.test(id + ".pearson", ma, mb), Kind.PRIMARY));
            if (ma.rows() >= 3 && ma.cols() >= MIN_FEATURES) {
                HiddenUnitMatchTest.Match m = HiddenUnitMatchTest.match(ma, mb);
                TestResult t = m.result();
                out.add(new TaggedTest(
                        comp,
                        new TestResult(id + ".match", t.statistic(), t.log10p(), t.effectSize(), t.n(), t.note()),
                        Kind.EXACT));
            }
            return out;
        }

        /** Combined screening value of suspect block {@code i} against each reference block, computed in parallel. */
        private static Double[] screenRow(BlockBattery battery, int i, List<Integer> lr)
                throws IOException, ModelFormatException {
            Double[] row = new Double[lr.size()];
            ParallelTasks.forEach(lr.size(), 2, b -> row[b] = combine(battery.screen(i, lr.get(b)), false));
            return row;
        }

        /** A stack of blocks: screening matrix, full battery on chosen pairs, combination, layer map. */
        private Partial compareStack(Component c, long params) throws IOException, ModelFormatException {
            String name = c.name();
            List<Integer> ls = s.layers(name);
            List<Integer> lr = r.layers(name);
            SignedPermutation align = textAlign;
            int alignFrom = textAlignFrom;
            Matrix ancS = anchorsS;
            Matrix ancR = anchorsR;
            if (c.kind() != ComponentKind.TEXT_DECODER && c.kind() != ComponentKind.TEXT_ENCODER) {
                align = towerAlignment(name);
                alignFrom = towerAlignFrom;
                ancS = null;
                ancR = null;
            }
            BlockBattery battery =
                    new BlockBattery(s, r, name, align, alignFrom, ancS, ancR, maxUnits, o.sampleRows(), o.seed());
            int n1 = ls.size();
            int n2 = lr.size();
            double[][] screen = new double[n1][n2];
            List<List<Double>> rows = new ArrayList<>();
            battery.prepareScreening(ls, lr);
            for (int a = 0; a < n1; a++) {
                // The reference blocks are screened in parallel, on sketches built beforehand.
                Double[] row = screenRow(battery, ls.get(a), lr);
                for (int b = 0; b < n2; b++) {
                    screen[a][b] = row[b] == null ? 0 : row[b];
                }
                rows.add(new ArrayList<>(Arrays.asList(row)));
            }
            double bonfPairs = Math.log10((double) n1 * n2);
            double bonfRef = Math.log10(n2);
            List<TaggedTest> all = new ArrayList<>();
            List<Double> blockAll = new ArrayList<>();
            List<Double> blockExact = new ArrayList<>();
            Map<Integer, Integer> matched = new LinkedHashMap<>();
            Map<Integer, List<TaggedTest>> expertTests = new LinkedHashMap<>();
            for (int a = 0; a < n1; a++) {
                int bestB = 0;
                for (int b = 1; b < n2; b++) {
                    if (screen[a][b] < screen[a][bestB]) {
                        bestB = b;
                    }
                }
                List<Integer> candidates = new ArrayList<>(List.of(bestB));
                int same = lr.indexOf(ls.get(a));
                if (same >= 0 && same != bestB) {
                    candidates.add(same);
                }
                Double bestAll = null;
                Double bestExact = null;
                int bestJ = -1;
                List<TaggedTest> bestTests = List.of();
                for (int b : candidates) {
                    BlockBattery.BlockTests bt = battery.full(ls.get(a), lr.get(b));
                    List<TaggedTest> t = bt.tests();
                    Double pa = bt.log10p();
                    Double pe = combineExact(t);
                    if (pa != null && (bestAll == null || pa < bestAll)) {
                        bestAll = pa;
                        bestJ = b;
                        bestTests = t;
                    }
                    if (pe != null && (bestExact == null || pe < bestExact)) {
                        bestExact = pe;
                    }
                    if (pe != null) {
                        // Only block-specific evidence enters the layer matrix: the exact unit matchings.
                        rows.get(a)
                                .set(
                                        b,
                                        Math.min(
                                                pe,
                                                rows.get(a).get(b) == null
                                                        ? 0
                                                        : rows.get(a).get(b)));
                    }
                }
                for (TaggedTest t : bestTests) {
                    if (t.component().equals(name)) {
                        all.add(t);
                    } else {
                        expertTests.computeIfAbsent(a, k -> new ArrayList<>()).add(t);
                    }
                }
                if (bestAll != null) {
                    blockAll.add(Math.min(0, bestAll + bonfRef));
                }
                if (bestExact != null) {
                    blockExact.add(Math.min(0, bestExact + bonfRef));
                }
                // Layer map: every significant pair of this suspect block (duplicates and skips stay visible).
                for (int b = 0; b < n2; b++) {
                    Double v = rows.get(a).get(b);
                    if (v != null && v + bonfPairs <= o.thresholds().layerLog10p()) {
                        layerMap.add(new LayerMatch(
                                new Block(name, ls.get(a)),
                                new Block(name, lr.get(b)),
                                LogP.clamp(Math.min(0, v + bonfPairs))));
                        matched.putIfAbsent(ls.get(a), lr.get(b));
                    }
                }
            }
            matrices.add(new LayerEvidenceMatrix(name, ls, lr, rows));
            // Non-block tensors of the stack (position embeddings, final norm, patch embedding, ...).
            List<Double> extra = new ArrayList<>();
            for (ModelIndex.Key k : s.keys(name)) {
                if (k.layer() != null || k.part() != Part.WEIGHT) {
                    continue;
                }
                TensorRef ta = s.byKey.get(k);
                TensorRef tb = r.get(name, null, k.role(), k.expert(), k.part());
                if (tb == null
                        || (align != null
                                && c.kind() != ComponentKind.TEXT_DECODER
                                && c.kind() != ComponentKind.TEXT_ENCODER
                                && (k.role() == Role.PATCH_EMBEDDING || k.role() == Role.POSITION_EMBEDDING))) {
                    continue; // used to fit the tower's alignment
                }
                String id = "tensor." + k.role().name().toLowerCase(Locale.ROOT);
                if (k.role().isNorm() || ta.shape().rank() == 1) {
                    float[] va = s.vector(ta);
                    float[] vb = r.vector(tb);
                    if (va.length == vb.length) {
                        TestResult t = dev.pedigree.stats.tests.CentredVectorTest.test(id + ".centred", va, vb);
                        all.add(new TaggedTest(name, t, Kind.WEAK));
                    }
                    continue;
                }
                List<TaggedTest> t = tensorPair(name, id, ta, tb);
                all.addAll(t);
                Double v = combine(t, false);
                if (v != null) {
                    extra.add(v);
                }
            }
            List<Double> parts = new ArrayList<>();
            if (!blockExact.isEmpty()) {
                double f = LogP.fisher(
                        blockExact.stream().mapToDouble(Double::doubleValue).toArray());
                parts.add(f);
                all.add(new TaggedTest(
                        name,
                        new TestResult(
                                "blocks.fisher_exact",
                                Double.NaN,
                                f,
                                Double.NaN,
                                blockExact.size(),
                                "Fisher over " + blockExact.size()
                                        + " suspect blocks of the hidden-unit matching tests (independent under H0)"),
                        Kind.PRIMARY));
            }
            if (!blockAll.isEmpty()) {
                blockAll.addAll(extra);
                double cc = cauchy(blockAll);
                parts.add(cc);
                all.add(new TaggedTest(
                        name,
                        new TestResult(
                                "blocks.cauchy_all",
                                Double.NaN,
                                cc,
                                Double.NaN,
                                blockAll.size(),
                                "Cauchy combination over " + blockAll.size()
                                        + " blocks and stack tensors (valid under dependence)"),
                        Kind.PRIMARY));
            } else if (!extra.isEmpty()) {
                parts.add(cauchy(extra));
            }
            // Experts: collected per block, combined like the stack.
            if (!expertTests.isEmpty() && s.components.containsKey(Component.EXPERTS.name())) {
                expertPartial = expertPartial(expertTests, bonfRef);
            }
            Double p = parts.isEmpty() ? null : cauchy(parts);
            boolean power = hasPower(all);
            String why = p == null ? "no block test applies (shapes or roles differ)" : "";
            return new Partial(c, params, all, p, power, why, matched);
        }

        Partial expertPartial;

        private Partial expertPartial(Map<Integer, List<TaggedTest>> perBlock, double bonfRef) {
            List<TaggedTest> all = new ArrayList<>();
            List<Double> blocks = new ArrayList<>();
            for (List<TaggedTest> t : perBlock.values()) {
                all.addAll(t);
                Double v = combine(t, false);
                if (v != null) {
                    blocks.add(Math.min(0, v + bonfRef));
                }
            }
            Double p = blocks.isEmpty() ? null : cauchy(blocks);
            return new Partial(
                    Component.EXPERTS, 0, all, p, hasPower(all), p == null ? "no expert test applies" : "", Map.of());
        }

        /** Alignment of a non-text tower from its patch and position embeddings (both sides). */
        private SignedPermutation towerAlignment(String comp) throws IOException, ModelFormatException {
            List<Matrix> as = new ArrayList<>();
            List<Matrix> bs = new ArrayList<>();
            TensorRef pa = s.weight(comp, null, Role.PATCH_EMBEDDING);
            TensorRef pb = r.weight(comp, null, Role.PATCH_EMBEDDING);
            if (pa != null && pb != null && pa.shape().equals(pb.shape())) {
                as.add(s.rows(pa, null).transpose());
                bs.add(r.rows(pb, null).transpose());
            }
            TensorRef qa = s.weight(comp, null, Role.POSITION_EMBEDDING);
            TensorRef qb = r.weight(comp, null, Role.POSITION_EMBEDDING);
            if (qa != null && qb != null && qa.shape().equals(qb.shape())) {
                as.add(s.rows(qa, null));
                bs.add(r.rows(qb, null));
            }
            if (as.isEmpty()) {
                return null;
            }
            Matrix a = stackRows(as);
            Matrix b = stackRows(bs);
            if (a == null || b == null || a.rows() < MIN_POWER_N) {
                return null;
            }
            towerAlignFrom = b.cols();
            return fitAlignment(b, a, comp + " patch/position embeddings");
        }

        private static Matrix stackRows(List<Matrix> ms) {
            int cols = ms.get(0).cols();
            int rows = 0;
            for (Matrix m : ms) {
                if (m.cols() != cols) {
                    return null;
                }
                rows += m.rows();
            }
            float[] d = new float[rows * cols];
            int off = 0;
            for (Matrix m : ms) {
                System.arraycopy(m.data(), 0, d, off, m.data().length);
                off += m.data().length;
            }
            return Matrix.of(rows, cols, d);
        }

        private Partial finish(
                Component c, long params, List<TaggedTest> tests, Map<Integer, Integer> matched, String whyNone) {
            Double p = combine(tests, false);
            return new Partial(c, params, tests, p, hasPower(tests), p == null ? whyNone : "", matched);
        }

        private static boolean hasPower(List<TaggedTest> tests) {
            return tests.stream().anyMatch(t -> t.combinable() && t.result().n() >= MIN_POWER_N);
        }

        private static int[] range(int from, int to) {
            int[] x = new int[to - from];
            for (int i = 0; i < x.length; i++) {
                x[i] = from + i;
            }
            return x;
        }

        private static int[] concat(int[] a, int[] b) {
            int[] o = Arrays.copyOf(a, a.length + b.length);
            System.arraycopy(b, 0, o, a.length, b.length);
            return o;
        }
    }
}
