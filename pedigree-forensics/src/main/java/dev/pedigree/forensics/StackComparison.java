package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.TestIds.Statistic;
import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.LayerEvidenceMatrix;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.Thresholds;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.ComponentKind;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.CentredVectorTest;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Stacks of blocks (a text stack, a vision or audio tower): the screening matrix over every suspect
 * block × reference block, the full battery on each suspect block's best screened reference block
 * (and its same-index block), the layer map, the stack's tensors outside its blocks, and the
 * experts, whose tests are gathered with their blocks. A non-text tower is aligned on its own patch
 * and position embeddings. Collects the layer map and the evidence matrices of every stack it
 * compares; one per comparison, not thread-safe.
 */
final class StackComparison {
    private final BatteryContext text;
    private final Thresholds thresholds;
    private final List<String> warnings;
    private final List<LayerMatch> layerMap = new ArrayList<>();
    private final List<LayerEvidenceMatrix> matrices = new ArrayList<>();
    /**
     * Block pairs the permutation-robust tests found (the agreement of their unit matchings reaches
     * the layer threshold): the customisation and closeness of these pairs are measured after
     * undoing the permutation when that explains them better ({@link ClosenessMeasure#undone}).
     */
    private final java.util.Set<BlockPair> permuted = new java.util.HashSet<>();

    /** A suspect block and a reference block. */
    record BlockPair(Block suspect, Block reference) {}

    /**
     * Block pairs in the layer map that the plain fixed-index tests (as stored) do not explain, other than
     * {@link #permuted}'s: the tests that decided see through a change of the residual basis (the aligned
     * fixed-index tests, the attention invariants, the held-out matchings), as for a copy whose residual stream
     * alone was permuted or rotated, under --sample as well. Their closeness and customisation are measured after the undo like {@link #permuted}'s; unlike
     * those, they take no part in any verdict (the token-row carry asks {@link #anyPermuted} only).
     */
    private final java.util.Set<BlockPair> realigned = new java.util.HashSet<>();

    /** The rotation of the residual basis fitted on the token probes ({@link ClosenessMeasure#residualRotation}). */
    private Matrix rotation;

    private boolean rotationFitted;

    /** Per suspect stack compared, the context its chosen reference stack was compared in (its alignment). */
    private final Map<String, BatteryContext> contexts = new java.util.HashMap<>();
    /**
     * The held-out matchings of each stack with a permuted block pair that is a text stack on either side (under
     * any reference name), kept (with the blocks they read) for the token-row carry ({@link #heldOut}) so that it
     * asks the fitted instance instead of reading and fitting again.
     */
    private final Map<String, HeldOutMatching> heldOut = new java.util.HashMap<>();

    /** The context of the stack pair compared last. */
    private BatteryContext lastContext;
    /** The held-out matchings of the stack pair compared last. */
    private HeldOutMatching lastMatching;

    /** The experts' evidence, gathered with the blocks of their stack; null until a stack had expert tests. */
    private ComponentEvidence experts;

    /**
     * @param text the comparison's context for the text stack
     * @param warnings the comparison's warnings, to which failed tower alignments are added
     */
    StackComparison(BatteryContext text, Thresholds thresholds, List<String> warnings) {
        this.text = text;
        this.thresholds = thresholds;
        this.warnings = warnings;
    }

    /** Every significant block pair of the stacks compared so far, in comparison order. */
    List<LayerMatch> layerMap() {
        return layerMap;
    }

    /** Whether block pair (suspect, reference) was found by the permutation-robust tests. */
    boolean permuted(Block suspect, Block reference) {
        return permuted.contains(new BlockPair(suspect, reference));
    }

    /**
     * Whether block pair (suspect, reference) is measured after undoing a change of basis: found by the
     * permutation-robust tests, or in the map through tests that see through a change of the residual basis
     * only ({@link #realigned}).
     */
    boolean undoTried(Block suspect, Block reference) {
        BlockPair p = new BlockPair(suspect, reference);
        return permuted.contains(p) || realigned.contains(p);
    }

    /**
     * The rotation of the residual basis ({@link #rotation}) when some block pair of a text stack is measured after
     * an undo ({@link #undoTried}), for the token rows' closeness; otherwise null.
     */
    Matrix textRotation() throws IOException, ModelFormatException {
        boolean any = java.util.stream.Stream.concat(permuted.stream(), realigned.stream())
                .anyMatch(p -> {
                    BatteryContext c = contexts.get(p.suspect().component());
                    return c != null && c.anchorsS() != null;
                });
        return any ? rotation(text) : null;
    }

    /**
     * The rotation of the residual basis for text stack contexts ({@link ClosenessMeasure#residualRotation}),
     * fitted once, when first asked; null for a tower's context or when none can be fitted.
     */
    Matrix rotation(BatteryContext c) throws IOException, ModelFormatException {
        if (c.anchorsS() == null) {
            return null; // a tower's context: no token rows in its basis
        }
        if (!rotationFitted) {
            rotation = ClosenessMeasure.residualRotation(text);
            rotationFitted = true;
        }
        return rotation;
    }

    /**
     * The context suspect stack {@code component} was compared in (a tower's own alignment); the
     * text context, without alignment for a non-text stack, when it was not compared.
     */
    BatteryContext context(String component, boolean textStack) {
        BatteryContext c = contexts.get(component);
        return c != null ? c : textStack ? text : text.forTower(null, 0);
    }

    /**
     * Block pair {@code m} with its permutation undone ({@link ClosenessMeasure#undone}) in the
     * context its stack was compared in, when the permutation-robust tests found it; otherwise null.
     */
    ClosenessMeasure.Undone undone(LayerMatch m) throws IOException, ModelFormatException {
        if (!undoTried(m.suspect(), m.reference())) {
            return null;
        }
        BatteryContext c = contexts.get(m.suspect().component());
        BatteryContext ctx = c != null ? c : text;
        return ClosenessMeasure.undone(ctx, m.suspect(), m.reference(), rotation(ctx));
    }

    /**
     * The held-out matchings of stack {@code component} against the reference stack it was compared with (of any
     * name), fitted or not yet; null unless one of its block pairs was found permuted ({@link #anyPermuted}) and it
     * or that reference stack is a text stack (its residual stream is the token rows').
     */
    HeldOutMatching heldOut(String component) {
        return heldOut.get(component);
    }

    private static boolean isText(ComponentKind k) {
        return k == ComponentKind.TEXT_DECODER || k == ComponentKind.TEXT_ENCODER;
    }

    private static boolean isText(Component c) {
        return c != null && isText(c.kind());
    }

    /** Whether some block pair of the suspect's stack {@code component} was found by the permutation-robust tests. */
    boolean anyPermuted(String component) {
        return layerMap.stream()
                .anyMatch(m -> m.suspect().component().equals(component) && permuted(m.suspect(), m.reference()));
    }

    /** The full block × block matrix of each stack compared so far. */
    List<LayerEvidenceMatrix> matrices() {
        return matrices;
    }

    /**
     * The evidence of the experts component {@code c}, from the expert tests gathered with its stack's
     * blocks; none when no expert could be paired.
     */
    ComponentEvidence experts(Component c, long params) {
        return experts == null
                ? ComponentEvidence.none(c, params, WhyNotCompared.experts(text.s(), text.r()))
                : experts.as(c, params);
    }

    /** Combined screening value of suspect block {@code i} against each reference block, computed in parallel. */
    private static Double[] screenRow(BlockBattery battery, int i, List<Integer> lr)
            throws IOException, ModelFormatException {
        Double[] row = new Double[lr.size()];
        ParallelTasks.forEach(lr.size(), 2, b -> row[b] = Combination.cauchy(battery.screen(i, lr.get(b))));
        return row;
    }

    /**
     * A stack against each reference stack of {@code refs} ({@link ComponentPairing#candidates}, best
     * first) until one decides: the first alone when it reaches the shared threshold (or is the only
     * candidate); otherwise every candidate, keeping the smallest value times a Bonferroni factor
     * {@code 2K} for the K stacks tried (with the first branch, the chance under H0 of a value ≤ α is
     * at most 1.5α). The layer map, matrices and experts kept are those of the stack chosen; a
     * warning names a pairing across labels.
     */
    ComponentEvidence compareAcross(Component c, List<String> refs, long params)
            throws IOException, ModelFormatException {
        Attempt first = attempt(c, refs.get(0), params);
        Attempt best = first;
        Double value = first.evidence().log10p();
        if (refs.size() > 1 && (value == null || value > thresholds.sharedLog10p())) {
            for (String ref : refs.subList(1, refs.size())) {
                Attempt a = attempt(c, ref, params);
                Double v = a.evidence().log10p();
                if (v != null
                        && (best.evidence().log10p() == null
                                || v < best.evidence().log10p())) {
                    best = a;
                }
            }
            Double m = best.evidence().log10p();
            value = m == null ? null : Math.min(0, m + Math.log10(2.0 * refs.size()));
        }
        if (best.matching() != null && best.matching().skipped() != null) {
            warnings.add(best.matching().skipped());
        }
        layerMap.addAll(best.map());
        matrices.addAll(best.matrices());
        contexts.put(c.name(), best.context());
        // Kept for the token-row carry under whichever name the reference files the stack (issue 14 §3).
        if (best.matching() != null
                && (isText(c.kind()) || isText(text.r().components.get(best.reference())))
                && anyPermuted(c.name())) {
            heldOut.put(c.name(), best.matching());
        }
        if (best.experts() != null) {
            experts = best.experts();
        }
        if (!best.reference().equals(c.name())) {
            warnings.add("suspect " + c.name() + " compared with the reference's " + best.reference()
                    + " stack, paired by structure (block roles and shapes"
                    + (refs.size() > 1 ? "; " + refs.size() + " reference stacks tried, Bonferroni-corrected" : "")
                    + "): component labels are a hint, not a gate");
        }
        ComponentEvidence e = best.evidence();
        return new ComponentEvidence(
                e.component(), e.parameters(), e.tests(), value, e.power(), e.reason(), e.matchedBlocks());
    }

    /** One stack pair's evidence and what it added to the layer map, matrices and experts. */
    private record Attempt(
            String reference,
            BatteryContext context,
            ComponentEvidence evidence,
            List<LayerMatch> map,
            List<LayerEvidenceMatrix> matrices,
            ComponentEvidence experts,
            HeldOutMatching matching) {}

    /** Compares a stack with one reference stack, taking back what it adds to the shared lists. */
    private Attempt attempt(Component c, String ref, long params) throws IOException, ModelFormatException {
        int m0 = layerMap.size();
        int x0 = matrices.size();
        ComponentEvidence e0 = experts;
        experts = null;
        ComponentEvidence e = compare(c, ref, params);
        List<LayerMatch> map = new ArrayList<>(layerMap.subList(m0, layerMap.size()));
        List<LayerEvidenceMatrix> mats = new ArrayList<>(matrices.subList(x0, matrices.size()));
        layerMap.subList(m0, layerMap.size()).clear();
        matrices.subList(x0, matrices.size()).clear();
        ComponentEvidence ex = experts;
        experts = e0;
        return new Attempt(ref, lastContext, e, map, mats, ex, lastMatching);
    }

    /**
     * Whether the fixed-index tests of the attention and of the MLP of one block pair, each
     * combined, reach the layer threshold (a sublayer without such tests counts as found).
     */
    private boolean fixedIndexFindsEverySublayer(List<TaggedTest> tests, String name, int n1, int n2) {
        return findsEverySublayer(tests, name, n1, n2, false);
    }

    /**
     * Whether the plain fixed-index tests alone (same indices, as stored: no residual alignment) find the
     * attention and the MLP of one block pair, each combined at the layer threshold, with at least one
     * sublayer tested: the pair is explained as stored, nothing to undo. A copy whose residual stream was
     * permuted or rotated is found only by the aligned tests, one whose heads or hidden units were
     * permuted not in that sublayer: both still need the undo.
     */
    private boolean plainFindsEverySublayer(List<TaggedTest> tests, String name, int n1, int n2) {
        return findsEverySublayer(tests, name, n1, n2, true);
    }

    private boolean findsEverySublayer(List<TaggedTest> tests, String name, int n1, int n2, boolean plainOnly) {
        String plain = "." + TestIds.Statistic.PEARSON.suffix();
        boolean tested = false;
        for (String sublayer : new String[] {".attn.", ".mlp."}) {
            List<TaggedTest> fixed = tests.stream()
                    .filter(x -> x.component().equals(name)
                            && x.result().testId().contains(sublayer)
                            && TestIds.family(x.result().testId())
                                    == dev.pedigree.forensics.TestFamily.FIXED_INDEX_CORRELATION
                            && (!plainOnly || x.result().testId().endsWith(plain)))
                    .toList();
            Double v = Combination.cauchy(fixed);
            if (v != null && Combination.layerMatch(v, n1, n2, thresholds) == null) {
                return false;
            }
            tested |= v != null;
        }
        return tested || !plainOnly;
    }

    /** A stack of blocks: screening matrix, full battery on chosen pairs, combination, layer map. */
    ComponentEvidence compare(Component c, long params) throws IOException, ModelFormatException {
        return compare(c, c.name(), params);
    }

    /**
     * A stack of blocks against the reference's stack {@code refName}: the component of the same
     * name, or the stack {@link ComponentPairing} paired with it by structure when the labels do not
     * line up (a tower filed under another component). Only a text stack compared with the
     * reference's text stack uses the token probes' alignment; any other pair is aligned on its own
     * patch and position embeddings when both sides have them of one shape.
     */
    ComponentEvidence compare(Component c, String refName, long params) throws IOException, ModelFormatException {
        String name = c.name();
        ModelIndex s = text.s();
        ModelIndex r = text.r();
        List<Integer> ls = s.layers(name);
        List<Integer> lr = r.layers(refName);
        boolean textStack = isText(c.kind()) && name.equals(refName);
        BatteryContext ctx = textStack ? text : towerContext(name, refName);
        lastContext = ctx;
        contexts.putIfAbsent(name, ctx);
        HeldOutMatching matching = new HeldOutMatching(
                ctx, name, refName, ls.stream().filter(lr::contains).toList(), textStack);
        lastMatching = matching;
        BlockBattery battery = new BlockBattery(ctx, name, refName, matching);
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
        List<TaggedTest> all = new ArrayList<>();
        List<Double> blockAll = new ArrayList<>();
        List<Double> blockExact = new ArrayList<>();
        List<Double> blockHeldOut = new ArrayList<>();
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
            List<TaggedTest> bestTests = List.of();
            // Wide block pairs are first tested on samples (EarlyStop); when neither candidate's fixed-index
            // sample shows anything, only the same-index candidate's MLP is matched (a permuted derivative's
            // screening cannot point at its partner; the same index can), so the other's is not read.
            List<BlockBattery.Sampled> samples = new ArrayList<>();
            List<TaggedTest> heldOutTests = List.of();
            for (int b : candidates) {
                samples.add(battery.sample(ls.get(a), lr.get(b), rows.get(a).get(b)));
            }
            boolean quiet = candidates.size() > 1 && samples.stream().allMatch(x -> x != null && !x.signal());
            for (int k = 0; k < candidates.size(); k++) {
                int b = candidates.get(k);
                BlockBattery.BlockTests bt = battery.full(ls.get(a), lr.get(b), samples.get(k), !quiet || b == same);
                List<TaggedTest> t = bt.tests();
                Double pa = bt.log10p();
                Double pe = Combination.cauchyExact(t);
                if (pa != null && (bestAll == null || pa < bestAll)) {
                    bestAll = pa;
                    bestTests = t;
                }
                if (pe != null && (bestExact == null || pe < bestExact)) {
                    bestExact = pe;
                }
                Double pr = Combination.permutationRobust(t);
                Double ph = Combination.heldOut(t);
                if (ph != null) {
                    // Only the same-index pair runs them (not chosen by the data): no correction for the choice.
                    blockHeldOut.add(ph);
                    heldOutTests = t.stream()
                            .filter(x -> TestIds.family(x.result().testId()) == TestFamily.HELD_OUT_MATCH)
                            .toList();
                }
                Double screened = rows.get(a).get(b);
                double fixedBasis = Math.min(pe == null ? 0 : pe, screened == null ? 0 : screened);
                if (pe != null || pr != null) {
                    // Only block-specific evidence enters the layer matrix: the exact unit matchings and,
                    // for a suspect whose units were permuted, the agreement of the matchings of one block.
                    rows.get(a).set(b, Math.min(fixedBasis, pr == null ? 0 : pr));
                }
                Double value = rows.get(a).get(b);
                boolean inMap = value != null && Combination.layerMatch(value, n1, n2, thresholds) != null;
                boolean found = (pr != null && Combination.layerMatch(pr, n1, n2, thresholds) != null)
                        || (pr == null && inMap && !fixedIndexFindsEverySublayer(t, name, n1, n2));
                boolean plain = plainFindsEverySublayer(t, name, n1, n2);
                if (!found && inMap && !plain) {
                    realigned.add(new BlockPair(new Block(name, ls.get(a)), new Block(refName, lr.get(b))));
                }
                if (found && !plain) {
                    // The pair is found once units are matched (the agreement of the matchings), or, where no
                    // agreement could run (a non-gated MLP under --sample: one matching, the down projection
                    // is not read), it is in the map while the fixed-index tests of a sublayer do not find
                    // it: its change may be measured after undoing a permutation, which ClosenessMeasure
                    // keeps only when that explains it better. Not where the plain fixed-index tests find
                    // every sublayer as stored: the agreement finds such a noisy copy too, and undoing it
                    // would read its units again (every unit of a wide MLP) for nothing.
                    permuted.add(new BlockPair(new Block(name, ls.get(a)), new Block(refName, lr.get(b))));
                }
            }
            if (!heldOutTests.isEmpty() && !bestTests.contains(heldOutTests.get(0))) {
                all.addAll(heldOutTests);
            }
            for (TaggedTest t : bestTests) {
                if (t.component().equals(name)) {
                    all.add(t);
                } else {
                    expertTests.computeIfAbsent(a, k -> new ArrayList<>()).add(t);
                }
            }
            if (bestAll != null) {
                blockAll.add(Combination.overReferenceBlocks(bestAll, n2));
            }
            if (bestExact != null) {
                blockExact.add(Combination.overReferenceBlocks(bestExact, n2));
            }
            // Layer map: every significant pair of this suspect block (duplicates and skips stay visible).
            for (int b = 0; b < n2; b++) {
                Double v = rows.get(a).get(b);
                Double corrected = v == null ? null : Combination.layerMatch(v, n1, n2, thresholds);
                if (corrected != null) {
                    layerMap.add(new LayerMatch(new Block(name, ls.get(a)), new Block(refName, lr.get(b)), corrected));
                    matched.putIfAbsent(ls.get(a), lr.get(b));
                }
            }
        }
        matrices.add(new LayerEvidenceMatrix(name, ls, lr, rows));
        // Non-block tensors of the stack (position embeddings, final norm, patch embedding, ...).
        List<Double> stackTensors = new ArrayList<>();
        for (ModelIndex.Key k : s.keys(name)) {
            if (k.layer() != null || k.part() != Part.WEIGHT) {
                continue;
            }
            TensorRef ta = s.byKey.get(k);
            TensorRef tb = r.byKey.get(k.in(refName));
            if (tb == null
                    || (ctx.align() != null
                            && !textStack
                            && (k.role() == Role.PATCH_EMBEDDING || k.role() == Role.POSITION_EMBEDDING))) {
                continue; // used to fit the tower's alignment
            }
            String subject = TestIds.tensor(k.role(), null, null);
            if (k.role().isNorm() || ta.shape().rank() == 1) {
                float[] va = s.vector(ta);
                float[] vb = r.vector(tb);
                if (va.length == vb.length) {
                    TestResult t = CentredVectorTest.test(TestIds.of(subject, Statistic.CENTRED), va, vb);
                    all.add(new TaggedTest(name, t, Kind.WEAK));
                }
                continue;
            }
            List<TaggedTest> t = FlatComparison.tensorPair(ctx, name, subject, ta, tb);
            all.addAll(t);
            Double v = Combination.cauchy(t);
            if (v != null) {
                stackTensors.add(v);
            }
        }
        // The stack's v/o sign-symmetry test (issue 14 §3): one more entry of the held-out Bonferroni.
        TaggedTest sign = matching.signSymmetry(TestIds.SIGN_SYMMETRY_OVER_BLOCKS);
        Double signP = sign != null && sign.combinable() ? sign.result().log10p() : null;
        if (sign != null) {
            all.add(sign);
        }
        Combination.StackValue value =
                Combination.stack(name, blockExact, blockAll, stackTensors, padded(blockHeldOut, ls, lr), signP);
        all.addAll(value.combinations());
        // Experts: collected per block, combined like the stack.
        if (!expertTests.isEmpty() && s.components.containsKey(Component.EXPERTS.name())) {
            experts = expertEvidence(expertTests, n2, WhyNotCompared.experts(s, r));
        }
        Double p = value.log10p();
        String why = p == null ? WhyNotCompared.stack(s, r, name, refName, textStack) : "";
        return new ComponentEvidence(c, params, all, p, Combination.hasPower(all), why, matched);
    }

    /**
     * The blocks' held-out values, with p = 1 for each same-index block pair that did not run them (an
     * early-stopped battery), so that the Bonferroni over blocks counts every block that could have.
     */
    private static List<Double> padded(List<Double> heldOut, List<Integer> ls, List<Integer> lr) {
        if (heldOut.isEmpty()) {
            return heldOut;
        }
        List<Double> out = new ArrayList<>(heldOut);
        long pairs = ls.stream().filter(lr::contains).count();
        while (out.size() < pairs) {
            out.add(0.0);
        }
        return out;
    }

    private static ComponentEvidence expertEvidence(
            Map<Integer, List<TaggedTest>> perBlock, int referenceBlocks, String whyNone) {
        List<TaggedTest> all = new ArrayList<>();
        List<Double> blocks = new ArrayList<>();
        for (List<TaggedTest> t : perBlock.values()) {
            all.addAll(t);
            Double v = Combination.cauchy(t);
            if (v != null) {
                blocks.add(Combination.overReferenceBlocks(v, referenceBlocks));
            }
        }
        Double p = blocks.isEmpty() ? null : Combination.cauchyOf(blocks);
        return new ComponentEvidence(
                Component.EXPERTS, 0, all, p, Combination.hasPower(all), p == null ? whyNone : "", Map.of());
    }

    /** The context of a non-text tower: aligned from its patch and position embeddings (both sides), when they allow it. */
    private BatteryContext towerContext(String comp, String refComp) throws IOException, ModelFormatException {
        ModelIndex s = text.s();
        ModelIndex r = text.r();
        List<Matrix> as = new ArrayList<>();
        List<Matrix> bs = new ArrayList<>();
        TensorRef pa = s.weight(comp, null, Role.PATCH_EMBEDDING);
        TensorRef pb = r.weight(refComp, null, Role.PATCH_EMBEDDING);
        if (pa != null && pb != null && pa.shape().equals(pb.shape())) {
            as.add(s.rows(pa, null).transpose());
            bs.add(r.rows(pb, null).transpose());
        }
        TensorRef qa = s.weightOrTable(comp, null, Role.POSITION_EMBEDDING);
        TensorRef qb = r.weightOrTable(refComp, null, Role.POSITION_EMBEDDING);
        if (qa != null && qb != null && qa.shape().equals(qb.shape())) {
            as.add(s.rows(qa, null));
            bs.add(r.rows(qb, null));
        }
        if (as.isEmpty()) {
            return text.forTower(null, 0);
        }
        Matrix a = stackRows(as);
        Matrix b = stackRows(bs);
        if (a == null || b == null || a.rows() < Combination.MIN_POWER_N) {
            return text.forTower(null, 0);
        }
        SignedPermutation align = TokenProbes.fitAlignment(b, a, comp + " patch/position embeddings", warnings);
        return text.forTower(align, b.cols());
    }

    /** The rows of matrices with equal column counts, one below the other; null when the counts differ or there is none. */
    static Matrix stackRows(List<Matrix> ms) {
        if (ms.isEmpty()) {
            return null;
        }
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
}
