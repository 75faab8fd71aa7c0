package dev.pedigree.forensics;

import com.sun.management.HotSpotDiagnosticMXBean;
import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.TestIds.Statistic;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.LinearAssignment;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.ResidualAlignment;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * Held-out matching of a stack whose residual coordinates, attention heads and MLP hidden units may
 * all be permuted at once (an obfuscated copy), with noise on top (issue 14 §3).
 *
 * <p><b>Fit.</b> The same-index block pairs of the two stacks are split into two folds (even and odd
 * positions). For each fold a residual alignment (signed permutation) is fitted on the token rows
 * (embeddings and an untied head, text stack only) and on every matrix of the fold's blocks pooled:
 * every residual coordinate is a column of each q/k/v/gate/up matrix and a row of each o/down matrix
 * of every block, so the pooled fit sees far more of each coordinate than the token rows alone. The
 * blocks' rows are paired through head and hidden-unit matchings, and the fit alternates: matchings
 * given the alignment (one assignment over heads, from q, k, v and o together; one over hidden units,
 * from gate rows, up rows and down columns together), then the alignment given the matchings, a few
 * rounds. Each matrix enters with its columns centred and normalised, so that norm gains folded into
 * the columns change nothing. Each fold's fit is also started from the fold's blocks alone ({@link #blockStart}:
 * residual correlation matrices, unchanged by head and unit permutations) and alternated without token rows; the
 * fold keeps the alignment its own blocks agree with more, so token rows from another model cannot lead the fit
 * astray (issue 14 §3). Stacks of at most {@link #LEAVE_ONE_OUT_MAX} usable blocks fit each block's alignment on
 * all the other blocks instead of two folds.
 *
 * <p><b>Tests.</b> A block pair of one fold is tested with the other fold's alignment (its own
 * weights took no part in it). Within the pair, heads are matched on q and k and the test runs on v
 * and o; then matched on v and o, tested on q and k; hidden units are matched on gate and up rows,
 * tested on down columns, and the reverse. Each test counts the diagonal wins ({@link #wins}) of the
 * held-out matrices with the reference's units put in matched order and its residual coordinates
 * aligned: the rows of the reference are exchangeable under H0 when they took no part in choosing the
 * order, which holds exactly for independently initialised weights (each matrix is drawn on its own);
 * for trained models the null is empirical, as for the agreement of unit matchings, and `calibrate`
 * tracks it in the same-data families.
 *
 * <p>Runs on whole tensors, for residual widths up to {@link #MAX_WIDTH} and stacks of at most {@link
 * #MAX_FLOATS} block weights per model; the hidden-unit part when the MLP has at most {@code
 * maxUnits} units. Not under {@code --sample}. Fitted once per stack, on first use; not thread-safe.
 */
final class HeldOutMatching {
    /** Widest residual stream fitted (a width × width assignment per round). */
    static final int MAX_WIDTH = 1024;
    /** Most block weights per model held for the fit. */
    static final long MAX_FLOATS = 16L << 20;
    /**
     * Share of a tested matrix's units that the null of {@link #wins} lets depend on the other model (convergent
     * units of models trained on the same data), rounded down. Without it the tiny same-data family reached
     * M = 7 winners of 64 MLP units and was below 0.05 in 12% of pairs; the larger families reached 5 of 256 and
     * 4 of 512 (docs/same-data-null.md). Across seeds of GPT-2, 1–5% of neurons are reported universal (Gurnee
     * et al. 2024, not re-verified here). Rounded down so that small matrices (the head dimensions of a small
     * model: 16 or 32 units) keep the exact bound of independent initialisation.
     */
    static final double CONVERGENT_SHARE = 0.03;

    /** Most usable blocks for which each block's alignment is fitted on all the others (else two folds). */
    static final int LEAVE_ONE_OUT_MAX = 4;

    /** Rounds of the alternating fit. */
    static final int ROUNDS = 4;

    private static final Role[] ROLES = {
        Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V, Role.ATTN_O, Role.MLP_GATE, Role.MLP_UP, Role.MLP_DOWN
    };
    private static final int Q = 0;
    private static final int K = 1;
    private static final int V = 2;
    private static final int O = 3;
    private static final int GATE = 4;
    private static final int UP = 5;
    private static final int DOWN = 6;

    private final BatteryContext ctx;
    private final String component;
    private final String refComponent;
    private final boolean textStack;
    private final List<Integer> layers;
    private boolean fitted;
    private Map<Integer, SignedPermutation> alignFor = Map.of();
    private final Map<Integer, Matrix[][]> blocks = new HashMap<>();
    private Heads heads;
    private String fitNote = "";
    /** The fit's starting alignment (token rows or the stack's own alignment: never v or o) and its token rows. */
    private SignedPermutation start;

    private List<Matrix[]> tokens = List.of();
    /** The blocks' residual width (columns of every held matrix). */
    private int residualWidth;

    /** Attention layout: {@code groups} key/value heads of {@code dim} dimensions, {@code perGroup} query heads each. */
    record Heads(int groups, int perGroup, int dim) {}

    /**
     * @param layers suspect block indices that also exist in the reference stack (same-index pairs)
     * @param textStack whether token rows (embeddings, head) live in this stack's residual space
     */
    HeldOutMatching(
            BatteryContext ctx, String component, String refComponent, List<Integer> layers, boolean textStack) {
        this.ctx = ctx;
        this.component = component;
        this.refComponent = refComponent;
        this.layers = List.copyOf(layers);
        this.textStack = textStack;
    }

    /** The held-out tests of block pair (i, j); empty unless it is a same-index pair this stack could fit. */
    List<TaggedTest> tests(String p, int i, int j, boolean attention, boolean mlp)
            throws IOException, ModelFormatException {
        if (i != j || !layers.contains(i) || !(attention || mlp)) {
            return List.of();
        }
        fitOnce();
        SignedPermutation al = alignFor.get(i);
        Matrix[][] b = blocks.get(i);
        if (al == null || b == null) {
            return List.of();
        }
        Matrix[] s = b[0];
        Matrix[] r = aligned(b[1], al);
        List<TaggedTest> out = new ArrayList<>();
        String note = "; " + fitNote;
        if (attention && heads != null) {
            out.add(test(
                    p + "attn.vo",
                    heldOut(qk(s), qk(r), vo(s), vo(r), heads.dim()),
                    "heads matched on q, k; tested on v, o" + note));
            out.add(test(
                    p + "attn.qk",
                    heldOut(vo(s), vo(r), qk(s), qk(r), heads.dim()),
                    "heads matched on v, o; tested on q, k" + note));
        }
        if (mlp && s[DOWN] != null && r[DOWN] != null && s[DOWN].rows() <= ctx.maxUnits()) {
            Matrix gs = gateUp(s);
            Matrix gr = gateUp(r);
            if (gs != null && gr != null) {
                out.add(test(
                        p + "mlp.down",
                        heldOut(gs, gr, s[DOWN], r[DOWN], 1),
                        "units matched on gate, up; tested on down" + note));
                out.add(test(
                        p + "mlp.gate_up",
                        heldOut(s[DOWN], r[DOWN], gs, gr, 1),
                        "units matched on down; tested on gate, up" + note));
            }
        }
        return out;
    }

    /**
     * The residual alignment (reference → suspect) fitted on every block pair this stack could fit and no
     * token rows, alternating from {@code start} ({@link #alternate}); null when the stack could not be fitted or
     * {@code start} has another width; when alternating from the blocks' own start ({@link #blockStart}) makes the
     * blocks agree better, that one (neither uses token rows). For tests of token rows that took no part in
     * {@code start} (issue 14 §3:
     * the token rows of an obfuscated copy, see {@code TokenRowComparison.heldOutColumns}).
     */
    SignedPermutation blockAlignment(SignedPermutation start) throws IOException, ModelFormatException {
        try {
            return blockAlignmentWithin(start);
        } catch (OutOfMemoryError e) {
            outOfMemory();
            return null;
        }
    }

    private SignedPermutation blockAlignmentWithin(SignedPermutation start) throws IOException, ModelFormatException {
        fitOnce();
        List<Integer> usable = layers.stream().filter(blocks::containsKey).toList();
        if (start == null || usable.isEmpty()) {
            return null;
        }
        Matrix[] s = blocks.get(usable.getFirst())[0];
        if (s[firstPresent(s)].cols() != start.index().length) {
            return null;
        }
        SignedPermutation a = alternate(start, List.of(), usable);
        SignedPermutation bs = blockStart(usable);
        SignedPermutation b = bs == null ? null : alternate(bs, List.of(), usable);
        return b != null && agreement(b, usable) > agreement(a, usable) + 1e-6 ? b : a;
    }

    /** Runs {@link #fit} the first time either the tests or the block alignment need it. */
    private void fitOnce() throws IOException, ModelFormatException {
        if (!fitted) {
            fitted = true;
            fit();
        }
    }

    private TaggedTest test(String scope, Matrix[] pair, String note) {
        String id = TestIds.of(scope, Statistic.MATCH_HELD_OUT);
        TestResult t = pair == null ? TestResult.notApplicable(id, "no units to match") : wins(id, pair[0], pair[1]);
        return new TaggedTest(component, TaggedTest.relabel(t, id, t.note() + "; " + note), Kind.PRIMARY);
    }

    /**
     * Diagonal wins of the held-out rows, M = #{i : corr(a_i, b_i) > corr(a_i, b_j) for every j != i}, with a budget
     * of c = ⌊{@link #CONVERGENT_SHARE}·h⌋ convergent units: log10 p = −log10 (M − c)!.
     *
     * <p><b>Null.</b> H0': some set C of at most c units may be dependent across the two models in any way (units that
     * independent training on the same data made alike: convergent or "universal" features), and the remaining rows
     * of {@code b} are exchangeable relative to {@code a}. Then M ≥ m needs at least m − c winners among the
     * exchangeable rows; any s given exchangeable rows all win with probability at most 1/(h − c)_s (each must land
     * in its one best slot among the h − c exchangeable slots), and a union bound over the C(h − c, s) sets gives
     * P(M ≥ m) ≤ 1/(m − c)!. With c = 0 this is the bound of {@link dev.pedigree.stats.tests.AlignedCorrelationTest}
     * for independently initialised weights, where every row is exchangeable; H0' also covers trained models up to
     * c convergent units (measured on the same-data families of {@code calibrate}: at c = 0 the tiny family's
     * {@code mlp.down.match_heldout} was below 0.05 in 12% of pairs with up to M = 7 of 64 units winning; see
     * docs/same-data-null.md). Only the count is used, not the sum of the diagonal correlations: models trained on
     * the same data converge to weakly similar units, which a sum picks up over many units, while a copy's units
     * beat every other unit one by one.
     */
    static TestResult wins(String id, Matrix a, Matrix b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            return TestResult.notApplicable(
                    id, "shapes differ: " + a.rows() + "x" + a.cols() + " vs " + b.rows() + "x" + b.cols());
        }
        int h = a.rows();
        if (h < 3 || a.cols() < BatteryContext.MIN_FEATURES) {
            return TestResult.notApplicable(id, "too few units or features: " + h + "x" + a.cols());
        }
        float[] c = a.centreAndNormaliseRows()
                .multiplyTransposed(b.centreAndNormaliseRows())
                .data();
        int m = 0;
        double diag = 0;
        for (int i = 0; i < h; i++) {
            float d = c[i * h + i];
            diag += d;
            boolean win = true;
            for (int j = 0; j < h && win; j++) {
                win = j == i || c[i * h + j] < d;
            }
            m += win ? 1 : 0;
        }
        int budget = convergentBudget(h);
        double l = m - budget <= 1 ? 0 : -LogP.log10Factorial(m - budget);
        String null0 = budget == 0
                ? String.format(
                        Locale.ROOT,
                        "row-permutation null, h=%d: diagonal wins M=%d (log10p <= -log10 M! = %.4g)",
                        h,
                        m,
                        l)
                : String.format(
                        Locale.ROOT,
                        "row-permutation null with up to %d convergent units, h=%d: diagonal wins M=%d (log10p <="
                                + " -log10 (M-%d)! = %.4g)",
                        budget,
                        h,
                        m,
                        budget,
                        l);
        return new TestResult(
                id, m, l, diag / h, h, null0 + String.format(Locale.ROOT, "; mean matched r %.3f", diag / h));
    }

    /** The convergent units the null of {@link #wins} allows among h: ⌊{@link #CONVERGENT_SHARE}·h⌋. */
    static int convergentBudget(int h) {
        return (int) Math.floor(CONVERGENT_SHARE * h + 1e-9);
    }

    /**
     * Matches groups of {@code dim} consecutive units on ({@code fitS}, {@code fitR}) and returns the
     * test matrices (suspect, reference in matched order); null when there is nothing to match.
     */
    private static Matrix[] heldOut(Matrix fitS, Matrix fitR, Matrix testS, Matrix testR, int dim) {
        if (fitS == null
                || fitR == null
                || testS == null
                || testR == null
                || fitS.rows() != fitR.rows()
                || fitS.cols() != fitR.cols()
                || testS.rows() != testR.rows()
                || testS.cols() != testR.cols()
                || fitS.rows() != testS.rows()
                || fitS.rows() < 2 * dim) {
            return null;
        }
        int[] perm = unitPermutation(matchGroups(fitS, fitR, dim), dim);
        return new Matrix[] {testS, testR.rowsSubset(perm)};
    }

    /** For each suspect group of {@code dim} consecutive rows, the reference group it matches best (one assignment). */
    private static int[] matchGroups(Matrix s, Matrix r, int dim) {
        int g = s.rows() / dim;
        Matrix a = Matrix.of(g, dim * s.cols(), s.data()).centreAndNormaliseRows();
        Matrix b = Matrix.of(g, dim * r.cols(), r.data()).centreAndNormaliseRows();
        return LinearAssignment.maximise(a.multiplyTransposed(b).data(), g, g);
    }

    private static int[] unitPermutation(int[] groups, int dim) {
        int[] p = new int[groups.length * dim];
        for (int g = 0; g < groups.length; g++) {
            for (int d = 0; d < dim; d++) {
                p[g * dim + d] = groups[g] * dim + d;
            }
        }
        return p;
    }

    /**
     * The stack's v/o head-dimension sign-symmetry test ({@link SignSymmetry}) over every block pair this stack
     * could fit, pooled. The residual alignment is refitted ({@link #signFreeRefit}) from several starts, none of which
     * carries the v/o head-dimension signs: {@link #start} (token rows or the stack's alignment), the blocks' residual
     * correlations of q, k, gate, up and down ({@link #blockStart(List, boolean)} without v and o), and each token
     * matrix alone; the refit with the largest mean |correlation| of its last fit is kept (a function of sign-free
     * data, so the choice keeps the null exact). Heads are matched on q and k, and the terms are the cosines of the
     * matched [v row; o columns] units. Blocks whose value matrix repeats an earlier block's on either side (tied
     * weights) are left out. Null when the stack could not be fitted or has no attention.
     */
    TaggedTest signSymmetry(String id) throws IOException, ModelFormatException {
        try {
            return signSymmetryWithin(id);
        } catch (OutOfMemoryError e) {
            outOfMemory();
            return null;
        }
    }

    private TaggedTest signSymmetryWithin(String id) throws IOException, ModelFormatException {
        fitOnce();
        List<Integer> usable = layers.stream().filter(blocks::containsKey).toList();
        if (start == null || heads == null || usable.isEmpty()) {
            return null;
        }
        List<SignedPermutation> starts = new ArrayList<>();
        starts.add(start);
        starts.add(blockStart(usable, false));
        for (Matrix[] t : tokens) {
            starts.add(fitSections(List.<Matrix[]>of(t)));
        }
        SignedPermutation al = null;
        int candidates = 0;
        for (SignedPermutation from : starts) {
            if (from == null || from.index().length != start.index().length) {
                continue;
            }
            candidates++;
            SignedPermutation c = signFreeRefit(from, usable);
            if (al == null || c.meanAbsCos() > al.meanAbsCos()) {
                al = c;
            }
        }
        SignSymmetry sum = new SignSymmetry();
        List<float[]> seen = new ArrayList<>();
        int tied = 0;
        for (int l : usable) {
            Matrix[][] b = blocks.get(l);
            Matrix[] ra = aligned(b[1], al);
            int[] g = qkGroups(b[0], ra);
            Matrix vs = vo(b[0]);
            Matrix vr = vo(ra);
            if (g == null || !sameShape(vs, vr)) {
                continue;
            }
            if (seen.stream().anyMatch(x -> Arrays.equals(x, b[0][V].data()) || Arrays.equals(x, b[1][V].data()))) {
                tied++;
                continue;
            }
            seen.add(b[0][V].data());
            seen.add(b[1][V].data());
            sum.add(vs, vr.rowsSubset(unitPermutation(g, heads.dim())));
        }
        String note = String.format(
                Locale.ROOT,
                "residual alignment fitted on %sq, k and sign-free v, o of %d blocks (best of %d starts), heads matched"
                        + " on q, k%s",
                tokens.isEmpty() ? "the stack's alignment and " : "token rows and ",
                usable.size(),
                candidates,
                tied == 0 ? "" : "; " + tied + " blocks tied to an earlier one left out");
        TestResult t = sum.result(id, note);
        return new TaggedTest(component, t, Kind.PRIMARY);
    }

    /** Rounds of {@link #signFreeRefit}. */
    static final int SIGN_ROUNDS = 3 * ROUNDS;

    /**
     * Alternates, from {@code from}, head matchings on q and k and the residual alignment fitted on the token rows,
     * the matched q and k rows and the sign-free v and o rows ({@link #signFreeValueSections}) of the blocks {@code
     * usable}; at most {@link #SIGN_ROUNDS} rounds. Nothing it uses changes when a suspect unit [v row i; o columns
     * i] changes sign.
     */
    private SignedPermutation signFreeRefit(SignedPermutation from, List<Integer> usable) {
        return settled(from, SIGN_ROUNDS, al -> fitBlocks(byRows(tokens), usable, false, b -> signFreeSections(al, b)));
    }

    /**
     * {@code step} applied from {@code start} until it returns its input (index and signs), returns null (the last
     * alignment stands) or has run {@code rounds} times: the alternation every refit here uses.
     */
    private static SignedPermutation settled(
            SignedPermutation start, int rounds, UnaryOperator<SignedPermutation> step) {
        SignedPermutation al = start;
        for (int round = 0; round < rounds; round++) {
            SignedPermutation next = step.apply(al);
            if (next == null) {
                break;
            }
            boolean same = Arrays.equals(next.index(), al.index()) && Arrays.equals(next.sign(), al.sign());
            al = next;
            if (same) {
                break;
            }
        }
        return al;
    }

    /**
     * Block {@code b}'s sections of the sign-free refit under {@code al}: matched q and k rows and the sign-free v and o
     * rows ({@link #signFreeValueSections}), each weighing as its rows ({@link #byRows}).
     */
    private List<Matrix[]> signFreeSections(SignedPermutation al, Matrix[][] b) {
        List<Matrix[]> sections = new ArrayList<>();
        Matrix[] ra = aligned(b[1], al);
        int[] g = qkGroups(b[0], ra);
        if (g != null) {
            addSection(sections, b[0][Q], b[1][Q], queryPermutation(g));
            addSection(sections, b[0][K], b[1][K], unitPermutation(g, heads.dim()));
            signFreeValueSections(sections, b[0], b[1], ra, g);
        }
        return byRows(sections);
    }

    /**
     * Each section weighing as its rows (unit-variance columns, not unit-norm): a block's few noisy q, k rows must not
     * outweigh the token rows.
     */
    private static List<Matrix[]> byRows(List<Matrix[]> sections) {
        List<Matrix[]> out = new ArrayList<>(sections.size());
        for (Matrix[] x : sections) {
            out.add(new Matrix[] {byRows(x[0]), byRows(x[1])});
        }
        return out;
    }

    /**
     * The v rows and o columns of block (s, r) with heads matched by {@code g}, each suspect unit [v row i; o columns
     * i] multiplied by the sign of its cosine with the matched aligned reference unit ({@code ra}): ε_i·s_i is the
     * same whatever the sign of s_i, so a fit on it carries no v/o head-dimension sign (SignSymmetry's null stays
     * exact) while the relative signs within each unit still locate the residual coordinates.
     */
    private void signFreeValueSections(List<Matrix[]> sections, Matrix[] s, Matrix[] r, Matrix[] ra, int[] g) {
        Matrix vs = vo(s);
        Matrix vr = vo(ra);
        if (!sameShape(vs, vr) || s[V] == null || s[O] == null || r[V] == null || r[O] == null) {
            return;
        }
        int[] kv = unitPermutation(g, heads.dim());
        Matrix vm = vr.rowsSubset(kv);
        int n = vs.rows();
        int f = vs.cols();
        float[] eps = new float[n];
        for (int i = 0; i < n; i++) {
            double d = 0;
            for (int j = 0; j < f; j++) {
                d += (double) vs.data()[i * f + j] * vm.data()[i * f + j];
            }
            eps[i] = d < 0 ? -1f : 1f;
        }
        int per = heads.perGroup();
        int dim = heads.dim();
        float[] qeps = new float[n * per];
        for (int x = 0; x < heads.groups(); x++) {
            for (int t = 0; t < per; t++) {
                for (int d = 0; d < dim; d++) {
                    qeps[(x * per + t) * dim + d] = eps[x * dim + d];
                }
            }
        }
        addSection(sections, signedRows(s[V], eps), r[V], kv);
        addSection(sections, signedRows(s[O], qeps), r[O], queryPermutation(g));
    }

    /** Row i of {@code m} times {@code sign[i]}. */
    private static Matrix signedRows(Matrix m, float[] sign) {
        float[] d = m.data().clone();
        int w = m.cols();
        for (int i = 0; i < m.rows(); i++) {
            for (int j = 0; j < w; j++) {
                d[i * w + j] *= sign[i];
            }
        }
        return Matrix.of(m.rows(), w, d);
    }

    /** {@code m} times √rows. */
    private static Matrix byRows(Matrix m) {
        float[] d = m.data().clone();
        float f = (float) Math.sqrt(m.rows());
        for (int i = 0; i < d.length; i++) {
            d[i] *= f;
        }
        return Matrix.of(m.rows(), m.cols(), d);
    }

    /** Heads of suspect block {@code s} matched to those of the aligned reference block {@code ra} on q and k; null when they cannot be. */
    private int[] qkGroups(Matrix[] s, Matrix[] ra) {
        Matrix a = qk(s);
        Matrix b = qk(ra);
        return sameShape(a, b) ? matchGroups(a, b, heads.dim()) : null;
    }

    // ------------------------------------------------------------------ the fit

    private void fit() throws IOException, ModelFormatException {
        if (ctx.sampled()
                || layers.isEmpty()
                || !withinLimits(ctx.s(), component)
                || !withinLimits(ctx.r(), refComponent)) {
            return;
        }
        long need = memoryNeed();
        long heap = heapLimit();
        if (need > HEAP_SHARE * heap) {
            skipped = String.format(
                    Locale.ROOT,
                    "held-out matching of %s skipped: its fit would hold about %d MB, more than %.0f%% of the %d MB"
                            + " heap (PEDIGREE_JAVA_OPTS=-Xmx<size> runs it)",
                    component,
                    need >> 20,
                    100 * HEAP_SHARE,
                    heap >> 20);
            return;
        }
        try {
            fitWithin();
        } catch (OutOfMemoryError e) {
            outOfMemory();
        }
    }

    /**
     * Last resort where the fit, the sign-symmetry refits or the block alignment ran out of memory (the estimate of
     * {@link #fit} should have turned the stack away): the blocks and token rows are let go, later calls find nothing
     * fitted, and the comparison goes on without these tests, with a warning, instead of ending "out of memory".
     */
    private void outOfMemory() {
        blocks.clear();
        alignFor = Map.of();
        tokens = List.of();
        start = null;
        skipped = String.format(
                Locale.ROOT,
                "held-out matching of %s stopped: it ran out of the %d MB heap (PEDIGREE_JAVA_OPTS=-Xmx<size> runs it)",
                component,
                Runtime.getRuntime().maxMemory() >> 20);
    }

    /**
     * Share of the heap limit ({@link #heapLimit}) the fit's estimated memory ({@link #memoryNeed}) may take. The
     * estimate leaves out the rest of the comparison: measured live after full collections, 1.12-1.13 times the
     * estimate, and ParallelGC ran out with 86% of its usable heap live. At the launcher's 512 MB (456 MiB usable, a
     * bound of 282 MiB): the demo pair (237 MiB estimated) runs; a 384-wide 9-block pair at {@link #MAX_FLOATS} (307
     * estimated, 346 live as a permuted copy, out of memory as a rotated one), a 512-wide 6-block pair (332 estimated,
     * 372 live at 512 MB, out of memory at -Xmx500m) and a 1024-wide 2-block pair with 32,000 token rows (456
     * estimated, out of memory at 512 MB) are turned away.
     */
    static final double HEAP_SHARE = 0.55;

    /**
     * The JVM's heap limit ({@code -Xmx}, the MaxHeapSize flag), which unlike {@code Runtime.maxMemory()} (the limit less a
     * survivor space that the collector resizes as it goes) is the same in every run, so that whether a stack is
     * fitted does not depend on the run; {@code maxMemory()} where the flag cannot be read.
     */
    static long heapLimit() {
        try {
            return Long.parseLong(ManagementFactory.getPlatformMXBean(HotSpotDiagnosticMXBean.class)
                    .getVMOption("MaxHeapSize")
                    .getValue());
        } catch (RuntimeException | LinkageError e) {
            return Runtime.getRuntime().maxMemory();
        }
    }

    /** Why the fit did not run for lack of memory (for the comparison's warnings), or null. */
    private String skipped;

    /** The note of a fit turned away or stopped for lack of memory ({@link #HEAP_SHARE}); null otherwise. */
    String skipped() {
        return skipped;
    }

    /**
     * The fit's memory, in bytes, estimated from the tensors' shapes: both models' block matrices (held throughout),
     * the suspect's stacked columns of a fit over every block on both sides ({@link ColumnStack}), about six copies of
     * the largest block beside them (aligned, concatenated and normalised copies while its sections are made), and
     * the token rows (embeddings and head, both models: {@link TokenProbes#DEFAULT_PROBE_TOKENS} rows, at most {@link
     * TokenProbes#PROBE_FLOATS} floats each).
     */
    private long memoryNeed() {
        long[] s = blockFloats(ctx.s(), component);
        long[] r = blockFloats(ctx.r(), refComponent);
        long width = Math.max(s[2], r[2]);
        long tokenFloats =
                textStack ? 4L * Math.min(TokenProbes.PROBE_FLOATS, TokenProbes.DEFAULT_PROBE_TOKENS * width) : 0;
        return Float.BYTES * (s[0] + r[0] + 2 * s[0] + 6 * Math.max(s[1], r[1]) + tokenFloats);
    }

    /** Floats of one model's block matrices over {@link #layers}: {total, largest block, widest residual}. */
    private long[] blockFloats(ModelIndex m, String comp) {
        long total = 0;
        long largest = 0;
        long width = 0;
        for (int l : layers) {
            long block = 0;
            for (int k = 0; k < ROLES.length; k++) {
                TensorRef t = m.weight(comp, l, ROLES[k]);
                if (t != null && t.shape().rank() == 2) {
                    int[] shape = ModelIndex.matrixShape(t);
                    block += (long) shape[0] * shape[1];
                    width = Math.max(width, k == O || k == DOWN ? shape[0] : shape[1]);
                }
            }
            total += block;
            largest = Math.max(largest, block);
        }
        return new long[] {total, largest, width};
    }

    private void fitWithin() throws IOException, ModelFormatException {
        long floats = 0;
        int width = -1;
        for (int l : layers) {
            Matrix[] s = read(ctx.s(), component, l);
            Matrix[] r = read(ctx.r(), refComponent, l);
            if (s == null || r == null) {
                continue;
            }
            boolean anyPair = false;
            for (int k = 0; k < ROLES.length; k++) {
                if (s[k] == null || r[k] == null || s[k].rows() != r[k].rows() || s[k].cols() != r[k].cols()) {
                    s[k] = null;
                    r[k] = null;
                } else {
                    anyPair = true;
                }
            }
            if (!anyPair) {
                continue;
            }
            int w = s[firstPresent(s)].cols();
            if (width >= 0 && w != width) {
                return;
            }
            width = w;
            for (int k = 0; k < ROLES.length; k++) {
                floats += s[k] == null ? 0 : (long) s[k].rows() * s[k].cols();
            }
            if (floats > MAX_FLOATS) {
                blocks.clear();
                return;
            }
            blocks.put(l, new Matrix[][] {s, r});
        }
        if (blocks.isEmpty() || width < BatteryContext.MIN_FEATURES || width > MAX_WIDTH) {
            blocks.clear();
            return;
        }
        residualWidth = width;
        heads = heads(blocks.values().iterator().next()[0]);
        List<Matrix[]> tokens = textStack ? tokenSections(width) : List.of();
        SignedPermutation start =
                tokens.isEmpty() ? (ctx.aligns(width, width) ? ctx.align() : null) : fitSections(tokens);
        // The sign-symmetry test starts from this one only (token rows or the stack's alignment, never v or o).
        this.start = start;
        this.tokens = tokens;
        List<Integer> usable = layers.stream().filter(blocks::containsKey).toList();
        List<Integer> even = new ArrayList<>();
        List<Integer> odd = new ArrayList<>();
        for (int k = 0; k < usable.size(); k++) {
            (k % 2 == 0 ? even : odd).add(usable.get(k));
        }
        Map<Integer, SignedPermutation> out = new HashMap<>();
        if (odd.isEmpty()) {
            // One block: a start from its own weights would not be held out; only the token rows' or the stack's.
            if (start == null) {
                blocks.clear();
                return;
            }
            out.put(even.get(0), start);
            fitNote =
                    "residual alignment from " + (tokens.isEmpty() ? "the stack's alignment" : "token rows") + " only";
        } else if (usable.size() <= LEAVE_ONE_OUT_MAX) {
            // Few blocks: each block's alignment is fitted on all the others (a fold of one block is too little for a
            // start from the blocks alone).
            boolean fromBlocks = false;
            boolean fromTokens = false;
            for (int l : usable) {
                List<Integer> others = usable.stream().filter(x -> x != l).toList();
                FoldFit f = foldFit(start, tokens, others);
                if (f == null) {
                    blocks.clear();
                    return;
                }
                out.put(l, f.alignment());
                fromBlocks |= f.fromBlocks();
                fromTokens |= !f.fromBlocks();
            }
            fitNote = String.format(
                    Locale.ROOT,
                    "residual alignment fitted on %sthe other %s (each block left out)%s",
                    tokens.isEmpty() || !fromTokens ? "" : "token rows and ",
                    usable.size() == 2 ? "block" : (usable.size() - 1) + " blocks",
                    startNote(fromBlocks, start));
        } else {
            FoldFit fromEven = foldFit(start, tokens, even);
            FoldFit fromOdd = foldFit(start, tokens, odd);
            if (fromEven == null || fromOdd == null) {
                blocks.clear();
                return;
            }
            for (int l : odd) {
                out.put(l, fromEven.alignment());
            }
            for (int l : even) {
                out.put(l, fromOdd.alignment());
            }
            fitNote = String.format(
                    Locale.ROOT,
                    "residual alignment fitted on %sthe other fold's blocks (%d and %d blocks, even and odd positions)%s",
                    tokens.isEmpty() || fromEven.fromBlocks() && fromOdd.fromBlocks() ? "" : "token rows and ",
                    even.size(),
                    odd.size(),
                    startNote(fromEven.fromBlocks() || fromOdd.fromBlocks(), start));
        }
        alignFor = out;
    }

    private static String startNote(boolean fromBlocks, SignedPermutation start) {
        return fromBlocks
                ? ", started from the blocks' residual correlations (a fit started from "
                        + (start == null ? "no token rows was possible" : "the token rows agreed less") + ")"
                : "";
    }

    /** A fold's residual alignment and whether it was started from the blocks' own residual correlations. */
    private record FoldFit(SignedPermutation alignment, boolean fromBlocks) {}

    /**
     * The residual alignment of one fold: alternated from {@code start} (token rows or the stack's alignment; may be
     * null) with the token rows, and from {@link #blockStart} without them; the blocks' start is kept when it makes
     * the fold's blocks agree better ({@link #agreement}). Both candidates and the choice use the fold's weights (and
     * the token rows) only, so a block of the other fold tested under it stays held out (issue 14 §3: an obfuscated
     * copy whose token rows come from another model gives a start from the token rows that leads nowhere).
     */
    private FoldFit foldFit(SignedPermutation start, List<Matrix[]> tokens, List<Integer> fold) {
        SignedPermutation a = start == null ? null : alternate(start, tokens, fold);
        SignedPermutation bs = blockStart(fold);
        SignedPermutation b = bs == null ? null : alternate(bs, List.of(), fold);
        if (b != null && (a == null || agreement(b, fold) > agreement(a, fold) + 1e-6)) {
            return new FoldFit(b, true);
        }
        return a == null ? null : new FoldFit(a, false);
    }

    /**
     * Mean signed correlation of the suspect's residual coordinates with their aligned reference coordinates over the
     * fold's blocks, heads and hidden units matched under {@code al} ({@link #matchedSections}); no token rows.
     */
    private double agreement(SignedPermutation al, List<Integer> fold) {
        ColumnStack[] st = blockStacks(List.of(), fold, true);
        for (int l : fold) {
            Matrix[][] b = blocks.get(l);
            for (Matrix[] x : matchedSections(b[0], b[1], aligned(b[1], al))) {
                st[0].add(x[0]);
                st[1].add(x[1]);
            }
        }
        Matrix ts = st[0].columns();
        Matrix tr = st[1].columns();
        if (ts == null || tr == null || ts.rows() != al.index().length) {
            return Double.NEGATIVE_INFINITY;
        }
        Matrix cs = ts.centreAndNormaliseRowsInPlace();
        Matrix cr = tr.centreAndNormaliseRowsInPlace();
        int[] index = al.index();
        float[] sign = al.sign();
        int n = cs.cols();
        double sum = 0;
        for (int j = 0; j < index.length; j++) {
            if (index[j] >= 0) {
                double d = 0;
                for (int t = 0; t < n; t++) {
                    d += cs.data()[j * n + t] * cr.data()[index[j] * n + t];
                }
                sum += sign[j] * d;
            }
        }
        return sum / index.length;
    }

    // ------------------------------------------------------------------ a start from the blocks alone

    /** Most multiply-adds of one round of {@link #blockStart} (pooled correlation matrices × width³). */
    static final long START_BUDGET = 1L << 31;
    /** Rounds of each refinement stage of {@link #blockStart}. */
    static final int START_ROUNDS = 8;

    /**
     * A residual alignment (reference → suspect) from the fold's block weights alone, with no token rows and no
     * matchings: every matrix's residual correlation matrix (its columns' correlations over its units, {@link
     * #residualCorrelation}) is unchanged by any permutation of heads or units and by column gains, and a residual
     * signed permutation P turns the reference's C into PᵀCP. The coordinates are matched on their sorted |C| rows
     * (invariant to the other coordinates' order), refined on the squared entries (sign-free), given signs from the
     * leading eigenvector of the agreement of the signed entries, and refined on the signed entries; each refinement
     * round matches a coordinate's row with the rows of the reference's coordinates re-ordered by the current
     * alignment. Null when the fold has no matrix pair.
     */
    private SignedPermutation blockStart(List<Integer> fold) {
        return blockStart(fold, true);
    }

    private SignedPermutation blockStart(List<Integer> fold, boolean withValues) {
        List<Matrix> ms = new ArrayList<>();
        List<Matrix> mr = new ArrayList<>();
        for (int l : fold) {
            Matrix[][] b = blocks.get(l);
            for (int k = 0; k < ROLES.length; k++) {
                if ((withValues || k != V && k != O) && b[0][k] != null && b[1][k] != null && b[0][k].rows() >= 2) {
                    ms.add(b[0][k]);
                    mr.add(b[1][k]);
                }
            }
        }
        if (ms.isEmpty()) {
            return null;
        }
        // Only matrices with the first one's width on both sides: their correlation matrices are pooled.
        int n = ms.getFirst().cols();
        for (int k = ms.size() - 1; k >= 0; k--) {
            if (ms.get(k).cols() != n || mr.get(k).cols() != n) {
                ms.remove(k);
                mr.remove(k);
            }
        }
        if (ms.isEmpty()) {
            return null;
        }
        int groups = (int) Math.max(1, Math.min(ms.size(), START_BUDGET / ((long) n * n * n)));
        Matrix[] gs = pooledCorrelations(ms, groups);
        Matrix[] gr = pooledCorrelations(mr, groups);
        int[] profile = profileMatch(gs, gr, n);
        if (profile == null) {
            return null;
        }
        return refined(gs, gr, profile);
    }

    /** The refinement stages of {@link #blockStart} from the order {@code idx}. */
    private static SignedPermutation refined(Matrix[] gs, Matrix[] gr, int[] idx) {
        SignedPermutation p = refinedWithoutSigns(gs, gr, idx);
        return settled(withSigns(gs, gr, p), START_ROUNDS, q -> refine(gs, gr, q));
    }

    /**
     * The sign-free stage of {@link #refined}: refinement rounds on the squared entries. The squares are this
     * method's own, so that they are gone before the signed stage (two fewer copies of the pooled matrices alive).
     */
    private static SignedPermutation refinedWithoutSigns(Matrix[] gs, Matrix[] gr, int[] idx) {
        Matrix[] qs = squared(gs);
        Matrix[] qr = squared(gr);
        int n = idx.length;
        float[] plus = new float[n];
        Arrays.fill(plus, 1f);
        SignedPermutation p = new SignedPermutation(idx, plus, 0);
        for (int round = 0; round < START_ROUNDS; round++) {
            SignedPermutation next = refine(qs, qr, p);
            if (next == null || Arrays.equals(next.index(), p.index())) {
                break;
            }
            p = new SignedPermutation(next.index(), plus, 0);
        }
        return p;
    }

    /** The residual correlation matrices of the matrices, summed into {@code groups} groups (round robin). */
    private static Matrix[] pooledCorrelations(List<Matrix> ms, int groups) {
        Matrix[] out = new Matrix[groups];
        for (int k = 0; k < ms.size(); k++) {
            Matrix c = residualCorrelation(ms.get(k));
            int g = k % groups;
            if (out[g] == null) {
                out[g] = c;
            } else {
                float[] a = out[g].data();
                float[] b = c.data();
                for (int i = 0; i < a.length; i++) {
                    a[i] += b[i];
                }
            }
        }
        return out;
    }

    /** Cᵀ... the correlations of {@code w}'s columns over its rows, width × width, with a zero diagonal. */
    static Matrix residualCorrelation(Matrix w) {
        Matrix cols = w.transpose().centreAndNormaliseRows();
        Matrix c = cols.multiplyTransposed(cols);
        float[] d = c.data().clone();
        for (int i = 0; i < c.rows(); i++) {
            d[i * c.cols() + i] = 0;
        }
        return Matrix.of(c.rows(), c.cols(), d);
    }

    private static Matrix[] squared(Matrix[] cs) {
        Matrix[] out = new Matrix[cs.length];
        for (int g = 0; g < cs.length; g++) {
            float[] d = cs[g].data().clone();
            for (int i = 0; i < d.length; i++) {
                d[i] *= d[i];
            }
            out[g] = Matrix.of(cs[g].rows(), cs[g].cols(), d);
        }
        return out;
    }

    /**
     * For each suspect coordinate, the reference coordinate whose profile (its row of each |C|, sorted; each profile
     * position centred over the coordinates) correlates best, one assignment; null when it cannot be fitted.
     */
    private static int[] profileMatch(Matrix[] gs, Matrix[] gr, int n) {
        Matrix fs = profiles(gs, n);
        Matrix fr = profiles(gr, n);
        try {
            return ResidualAlignment.fit(fr, fs).index();
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Profile positions × coordinates: coordinate i's sorted |C| rows, each position centred over coordinates. */
    private static Matrix profiles(Matrix[] cs, int n) {
        int f = cs.length * n;
        float[] out = new float[f * n];
        float[] row = new float[n];
        for (int g = 0; g < cs.length; g++) {
            float[] c = cs[g].data();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    row[j] = Math.abs(c[i * n + j]);
                }
                Arrays.sort(row);
                for (int j = 0; j < n; j++) {
                    out[(g * n + j) * n + i] = row[j];
                }
            }
        }
        for (int t = 0; t < f; t++) {
            double mean = 0;
            for (int i = 0; i < n; i++) {
                mean += out[t * n + i];
            }
            mean /= n;
            for (int i = 0; i < n; i++) {
                out[t * n + i] -= (float) mean;
            }
        }
        return Matrix.of(f, n, out);
    }

    /**
     * One refinement round: suspect coordinate j's rows of each C against every reference coordinate's rows with
     * their entries re-ordered (and signed) by {@code p}; one assignment ({@link #fitSections}).
     */
    private static SignedPermutation refine(Matrix[] gs, Matrix[] gr, SignedPermutation p) {
        List<Matrix[]> sections = new ArrayList<>();
        for (int g = 0; g < gs.length; g++) {
            // Rows of the reference's C in the suspect's order (row j = sign_j · C[index_j]); C is symmetric.
            sections.add(new Matrix[] {gs[g], p.applyToColumns(gr[g]).transpose()});
        }
        return fitSections(sections);
    }

    /**
     * {@code p} with signs: s_i s_j C_s[i][j] should agree with C_r[p_i][p_j], so the matrix Σ C_s[i][j] C_r[p_i][p_j]
     * is about s sᵀ times a positive scale; s is the sign of its leading eigenvector (power iteration).
     */
    private static SignedPermutation withSigns(Matrix[] gs, Matrix[] gr, SignedPermutation p) {
        int n = p.index().length;
        int[] idx = p.index();
        double[] t = new double[n * n];
        for (int g = 0; g < gs.length; g++) {
            float[] a = gs[g].data();
            float[] b = gr[g].data();
            for (int i = 0; i < n; i++) {
                for (int j = 0; j < n; j++) {
                    t[i * n + j] += a[i * n + j] * b[idx[i] * n + idx[j]];
                }
            }
        }
        double[] v = new double[n];
        Arrays.fill(v, 1.0 / Math.sqrt(n));
        for (int it = 0; it < 100; it++) {
            double[] w = new double[n];
            double norm = 0;
            for (int i = 0; i < n; i++) {
                double x = 0;
                for (int j = 0; j < n; j++) {
                    x += t[i * n + j] * v[j];
                }
                w[i] = x;
                norm += x * x;
            }
            norm = Math.sqrt(norm);
            if (norm == 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                v[i] = w[i] / norm;
            }
        }
        float[] sign = new float[n];
        for (int i = 0; i < n; i++) {
            sign[i] = v[i] < 0 ? -1f : 1f;
        }
        return new SignedPermutation(idx, sign, 0);
    }

    /** Alternates block matchings and the residual alignment on the blocks {@code fold} (and the token rows). */
    private SignedPermutation alternate(SignedPermutation start, List<Matrix[]> tokens, List<Integer> fold) {
        return settled(
                start,
                ROUNDS,
                al -> fitBlocks(tokens, fold, true, b -> matchedSections(b[0], b[1], aligned(b[1], al))));
    }

    /**
     * The block's matrices as (suspect, reference) row pairs in the reference's own residual basis,
     * its heads and hidden units put in the order matched on the aligned copy {@code ra}.
     */
    private List<Matrix[]> matchedSections(Matrix[] s, Matrix[] r, Matrix[] ra) {
        List<Matrix[]> out = new ArrayList<>();
        if (heads != null) {
            Matrix qs = qk(s);
            Matrix vs = vo(s);
            Matrix qr = qk(ra);
            Matrix vr = vo(ra);
            Matrix both = qs == null || vs == null ? null : hconcat(qs, vs);
            Matrix bothR = qr == null || vr == null ? null : hconcat(qr, vr);
            if (sameShape(both, bothR)) {
                int[] g = matchGroups(both, bothR, heads.dim());
                int[] kv = unitPermutation(g, heads.dim());
                int[] qo = queryPermutation(g);
                addSection(out, s[Q], r[Q], qo);
                addSection(out, s[K], r[K], kv);
                addSection(out, s[V], r[V], kv);
                addSection(out, s[O], r[O], qo);
            }
        }
        Matrix us = hconcat(gateUp(s), s[DOWN]);
        Matrix ur = hconcat(gateUp(ra), ra[DOWN]);
        if (sameShape(us, ur) && us.rows() <= ctx.maxUnits()) {
            int[] u = matchGroups(us, ur, 1);
            addSection(out, s[GATE], r[GATE], u);
            addSection(out, s[UP], r[UP], u);
            addSection(out, s[DOWN], r[DOWN], u);
        }
        return out;
    }

    /** Both present with equal shapes (one side may lack a matrix the other has, or hold it in another shape). */
    private static boolean sameShape(Matrix a, Matrix b) {
        return a != null && b != null && a.rows() == b.rows() && a.cols() == b.cols();
    }

    private int[] queryPermutation(int[] groups) {
        return unitPermutation(groups, heads.perGroup() * heads.dim());
    }

    private static void addSection(List<Matrix[]> out, Matrix s, Matrix r, int[] perm) {
        if (s != null && r != null && s.rows() == r.rows() && s.rows() == perm.length) {
            out.add(new Matrix[] {normaliseColumns(s), normaliseColumns(r.rowsSubset(perm))});
        }
    }

    /** The residual alignment (reference → suspect) fitted on the pooled sections; null when it fails. */
    private static SignedPermutation fitSections(List<Matrix[]> sections) {
        if (sections.isEmpty()) {
            return null;
        }
        return fitColumns(stacked(sections, 0, rows(sections)), stacked(sections, 1, rows(sections)));
    }

    /** The residual alignment (reference → suspect) fitted on stacked columns ({@link ColumnStack}); null when it fails. */
    private static SignedPermutation fitColumns(ColumnStack a, ColumnStack b) {
        Matrix ca = a.columns();
        Matrix cb = b.columns();
        if (ca == null || cb == null || ca.cols() < Combination.MIN_POWER_N) {
            return null;
        }
        try {
            return ResidualAlignment.fitColumns(cb, ca);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** Rows of the sections (either side: the suspect's). */
    private static long rows(List<Matrix[]> sections) {
        long n = 0;
        for (Matrix[] x : sections) {
            n += Math.max(x[0].rows(), x[1].rows());
        }
        return n;
    }

    /** Side {@code side} (0 suspect, 1 reference) of the sections in a stack of room {@code capacity}. */
    private static ColumnStack stacked(List<Matrix[]> sections, int side, long capacity) {
        ColumnStack out = new ColumnStack(sections.getFirst()[side].cols(), capacity);
        for (Matrix[] x : sections) {
            out.add(x[side]);
        }
        return out;
    }

    /**
     * The residual alignment fitted on {@code fixed} (token rows) and the sections {@code perBlock} gives for each
     * block of {@code fold}, written into the stacked columns block by block ({@link ColumnStack}), so that only one
     * block's sections are alive beside them; the same alignment as {@link #fitSections} on all of them.
     */
    private SignedPermutation fitBlocks(
            List<Matrix[]> fixed, List<Integer> fold, boolean mlp, Function<Matrix[][], List<Matrix[]>> perBlock) {
        ColumnStack[] st = blockStacks(fixed, fold, mlp);
        for (int l : fold) {
            for (Matrix[] x : perBlock.apply(blocks.get(l))) {
                st[0].add(x[0]);
                st[1].add(x[1]);
            }
        }
        return fitColumns(st[0], st[1]);
    }

    /**
     * Stacks for {@link #fitBlocks} holding {@code fixed}: room besides for every row of the fold's suspect attention
     * matrices (when heads are known) and, with {@code mlp}, MLP matrices of at most {@code maxUnits} units; each
     * section is one of a block's matrices, at most once (a bound: a stack filled less is compacted).
     */
    private ColumnStack[] blockStacks(List<Matrix[]> fixed, List<Integer> fold, boolean mlp) {
        long cap = rows(fixed);
        for (int l : fold) {
            Matrix[] s = blocks.get(l)[0];
            for (int k = 0; k < ROLES.length; k++) {
                boolean attention = k <= O;
                if (s[k] != null && (attention ? heads != null : mlp && s[k].rows() <= ctx.maxUnits())) {
                    cap += s[k].rows();
                }
            }
        }
        ColumnStack[] st = {new ColumnStack(residualWidth, cap), new ColumnStack(residualWidth, cap)};
        for (Matrix[] x : fixed) {
            st[0].add(x[0]);
            st[1].add(x[1]);
        }
        return st;
    }

    /** The probe tokens' embedding rows and, when both models have an untied head of that width, head rows. */
    private List<Matrix[]> tokenSections(int width) throws IOException, ModelFormatException {
        TokenProbes pr = ctx.probes();
        if (pr == null || !pr.present()) {
            return List.of();
        }
        List<Matrix[]> out = new ArrayList<>();
        for (Component c : new Component[] {Component.EMBEDDINGS, Component.LM_HEAD}) {
            Role role = c == Component.EMBEDDINGS ? Role.EMBEDDING : Role.LM_HEAD;
            TensorRef a = ctx.s().weight(c.name(), null, role);
            TensorRef b = ctx.r().weight(c.name(), null, role);
            if (a == null
                    || b == null
                    || ModelIndex.matrixShape(a)[1] != width
                    || ModelIndex.matrixShape(b)[1] != width) {
                continue;
            }
            int[] rs = pr.suspectRows();
            int[] rr = pr.referenceRows();
            if (max(rs) >= ModelIndex.matrixShape(a)[0] || max(rr) >= ModelIndex.matrixShape(b)[0]) {
                continue;
            }
            out.add(new Matrix[] {
                normaliseColumns(ctx.s().rows(a, rs)), normaliseColumns(ctx.r().rows(b, rr))
            });
        }
        return out;
    }

    // ------------------------------------------------------------------ matrices

    /** The block's seven matrices as [units × residual] (o and down transposed); null when none is there. */
    private static Matrix[] read(ModelIndex m, String comp, int layer) throws IOException, ModelFormatException {
        Matrix[] out = new Matrix[ROLES.length];
        boolean any = false;
        for (int k = 0; k < ROLES.length; k++) {
            TensorRef t = m.weight(comp, layer, ROLES[k]);
            if (t == null || t.shape().rank() != 2) {
                continue;
            }
            out[k] = k == O || k == DOWN ? m.unitsOfColumns(t, null) : m.rows(t, null);
            any = true;
        }
        return any ? out : null;
    }

    /**
     * Whether one model's blocks fit the limits ({@link #MAX_WIDTH}, {@link #MAX_FLOATS}), from the tensors' shapes
     * alone: the fit holds every block of both models, so a wide model must be turned away before anything is read
     * (block 0 of a 1B-parameter model is already some 350 MB of floats).
     */
    private boolean withinLimits(ModelIndex m, String comp) {
        long floats = 0;
        for (int l : layers) {
            for (int k = 0; k < ROLES.length; k++) {
                TensorRef t = m.weight(comp, l, ROLES[k]);
                if (t == null || t.shape().rank() != 2) {
                    continue;
                }
                int[] shape = ModelIndex.matrixShape(t);
                int residual = k == O || k == DOWN ? shape[0] : shape[1];
                floats += (long) shape[0] * shape[1];
                if (residual > MAX_WIDTH || floats > MAX_FLOATS) {
                    return false;
                }
            }
        }
        return true;
    }

    private static int firstPresent(Matrix[] b) {
        for (int k = 0; k < b.length; k++) {
            if (b[k] != null) {
                return k;
            }
        }
        throw new IllegalStateException("empty block");
    }

    /** The attention layout from the suspect's hints when they fit the shapes; one-dimension heads when q, k, v, o have one unit count. */
    private Heads heads(Matrix[] b) {
        if (b[Q] == null || b[K] == null || b[V] == null || b[O] == null) {
            return null;
        }
        ArchitectureHints h = ctx.s().view.hints();
        Integer nh = h.numHeads();
        Integer nkv = h.numKvHeads() == null ? nh : h.numKvHeads();
        Integer dim = h.effectiveHeadDim();
        if (nh != null
                && nkv != null
                && dim != null
                && nkv > 0
                && nh % nkv == 0
                && b[Q].rows() == nh * dim
                && b[O].rows() == nh * dim
                && b[K].rows() == nkv * dim
                && b[V].rows() == nkv * dim) {
            return new Heads(nkv, nh / nkv, dim);
        }
        int u = b[Q].rows();
        return b[K].rows() == u && b[V].rows() == u && b[O].rows() == u ? new Heads(u, 1, 1) : null;
    }

    /** Units of the key/value layout (group, dimension): the key row and the query rows of the group's heads at that dimension. */
    private Matrix qk(Matrix[] b) {
        return heads == null ? null : perKvUnit(b[K], b[Q]);
    }

    /** The value row and the output columns of the group's heads at that dimension. */
    private Matrix vo(Matrix[] b) {
        return heads == null ? null : perKvUnit(b[V], b[O]);
    }

    /**
     * Rows of the key/value layout, each with its group's query (or output) rows at that dimension; null
     * when the two matrices do not have the layout's shapes (a block whose matrices differ from the first
     * block's, or whose width differs between them).
     */
    private Matrix perKvUnit(Matrix kv, Matrix q) {
        if (kv == null || q == null) {
            return null;
        }
        int g = heads.groups();
        int per = heads.perGroup();
        int dim = heads.dim();
        int w = kv.cols();
        if (kv.rows() != g * dim || q.rows() != g * per * dim || q.cols() != w) {
            return null;
        }
        int f = (1 + per) * w;
        float[] out = new float[g * dim * f];
        for (int x = 0; x < g; x++) {
            for (int d = 0; d < dim; d++) {
                int unit = x * dim + d;
                System.arraycopy(kv.data(), unit * w, out, unit * f, w);
                for (int t = 0; t < per; t++) {
                    int qu = (x * per + t) * dim + d;
                    System.arraycopy(q.data(), qu * w, out, unit * f + (1 + t) * w, w);
                }
            }
        }
        return Matrix.of(g * dim, f, out);
    }

    private static Matrix gateUp(Matrix[] b) {
        return hconcat(b[GATE], b[UP]);
    }

    /** Side by side (same rows); either may be null. */
    private static Matrix hconcat(Matrix a, Matrix b) {
        if (a == null || b == null) {
            return a == null ? b : a;
        }
        if (a.rows() != b.rows()) {
            return null;
        }
        int n = a.rows();
        float[] out = new float[n * (a.cols() + b.cols())];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a.data(), i * a.cols(), out, i * (a.cols() + b.cols()), a.cols());
            System.arraycopy(b.data(), i * b.cols(), out, i * (a.cols() + b.cols()) + a.cols(), b.cols());
        }
        return Matrix.of(n, a.cols() + b.cols(), out);
    }

    private static Matrix[] aligned(Matrix[] r, SignedPermutation al) {
        Matrix[] out = new Matrix[r.length];
        for (int k = 0; k < r.length; k++) {
            out[k] = r[k] == null || r[k].cols() != al.index().length ? null : al.applyToColumns(r[k]);
        }
        return out;
    }

    private static Matrix normaliseColumns(Matrix m) {
        return m.transpose().centreAndNormaliseRows().transpose();
    }

    private static int max(int[] x) {
        int m = -1;
        for (int v : x) {
            m = Math.max(m, v);
        }
        return m;
    }
}
