package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.AlignedCorrelationTest;
import dev.pedigree.stats.tests.CentredVectorTest;
import dev.pedigree.stats.tests.Cka;
import dev.pedigree.stats.tests.GroupedCorrelation;
import dev.pedigree.stats.tests.HiddenUnitMatchTest;
import dev.pedigree.stats.tests.InvariantTest;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The tests run on one suspect block against one reference block of the same stacked component.
 * The screening battery is cheap (aligned correlations on per-block sketches of sampled units and
 * residual coordinates, built once per block) and fills the full block × block matrix; the full
 * battery (two stages, see {@link #full}) adds Zhu-style hidden-unit matchings (exact under H0),
 * their agreement across matrices, gain-folded attention invariants and the weak norm/bias
 * statistics. Reads a few tensors at a time. Not thread-safe.
 */
final class BlockBattery {
    private static final Role[] MLP_ROLES = {Role.MLP_GATE, Role.MLP_UP, Role.MLP_DOWN};
    private static final Role[] ATTN_ROLES = {Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V, Role.ATTN_O};
    /**
     * Most units per tensor in the screening battery. Screening fills the whole block × block matrix,
     * and the correlation test costs units² × width per pair, so it uses fewer units than the full
     * battery: a derived block pair still lies far beyond the layer threshold with 256 units, and
     * the nulls are exact whatever the number of units.
     */
    static final int SCREEN_UNITS = 256;
    /**
     * Most residual coordinates in a screening sketch (a seeded sample, the same coordinates on both
     * sides; the reference's aligned sketch takes the coordinates the alignment maps onto them). The
     * units stay exchangeable under H0, so the nulls are unchanged; the sketches of every block are
     * built once, so the block × block screening reads each tensor's sampled rows once.
     */
    static final int SCREEN_COLUMNS = 512;
    /**
     * Fixed-index evidence of a block pair at or below this log10 p decides it: the permutation-robust
     * second stage (hidden-unit matchings, aligned CKA, attention invariants) is skipped. Those tests
     * exist to find a relationship that a permutation of hidden units hides from fixed-index tests;
     * a block pair already far beyond every threshold without them gains nothing but cost. The
     * block's value pays for these data-dependent choices by Bonferroni (see {@link BlockTests#log10p}).
     */
    static final double DECISIVE_LOG10P = -50;
    /** Most units and residual coordinates entering the aligned Gram CKA (weak evidence, sampled). */
    static final int CKA_UNITS = 256;

    static final int CKA_COLUMNS = 512;
    /**
     * Monte-Carlo permutations of the aligned Gram CKA (weak evidence, never combined; each costs
     * residual width² operations, so fewer than {@link Cka#DEFAULT_PERMUTATIONS}: its p-value floor
     * is 1/50, the split-wins bound covers the far tail).
     */
    static final int CKA_PERMUTATIONS = 49;
    /** Most experts of one block compared with their partner (cost bound). */
    static final int MAX_EXPERTS = 8;

    private final ModelIndex s;
    private final ModelIndex r;
    private final String component;
    private final SignedPermutation align;
    /** Residual width of the reference side the alignment was fitted on (its columns' range). */
    private final int alignFrom;

    private final Matrix anchorsS;
    private final Matrix anchorsR;
    private final int maxUnits;
    /** The --sample limit (null: every row); when set, no tensor is read beyond that many rows. */
    private final Integer sampleRows;

    private final long seed;

    /**
     * @param align residual alignment mapping reference columns into the suspect's basis (fitted as
     *     {@code ResidualAlignment.fit(reference, suspect)}; null: none)
     * @param alignFrom residual width of the reference embeddings the alignment was fitted on
     * @param anchorsS probe rows (token embeddings) for attention invariants, null when unavailable
     * @param sampleRows null to read whole tensors; otherwise at most this many seeded rows of each
     *     tensor are read, and only tensors whose rows are units (query/key/value, gate, up): the
     *     output-side tensors (o, down) have their units in columns, which cannot be sampled
     *     without reading every row
     */
    BlockBattery(
            ModelIndex s,
            ModelIndex r,
            String component,
            SignedPermutation align,
            int alignFrom,
            Matrix anchorsS,
            Matrix anchorsR,
            int maxUnits,
            Integer sampleRows,
            long seed) {
        this.s = s;
        this.r = r;
        this.component = component;
        this.align = align;
        this.alignFrom = alignFrom;
        this.anchorsS = anchorsS;
        this.anchorsR = anchorsR;
        this.maxUnits = maxUnits;
        this.sampleRows = sampleRows;
        this.seed = seed;
    }

    /**
     * Screening tests of block pair (i, j): block-specific statistics only (rows at fixed unit
     * indices, before and after the residual alignment). Gram CKA is left out on purpose: every
     * block of a derived model shares the residual basis, so CKA links a block to all blocks of its
     * parent and would blur the layer map.
     */
    List<TaggedTest> screen(int i, int j) throws IOException, ModelFormatException {
        List<TaggedTest> out = new ArrayList<>();
        String p = prefix(i, j);
        for (Role role : screenRoles()) {
            SketchKey ks = new SketchKey(i, role);
            SketchKey kr = new SketchKey(j, role);
            Matrix ma;
            Matrix[] mb;
            // Sketches are built once (all of them up front by prepareScreening when pairs are screened
            // in parallel, so that no parallel read runs while the lock is held).
            synchronized (sketchS) {
                buildSketches(ks, kr);
                ma = sketchS.get(ks)[0];
                mb = sketchR.get(kr);
            }
            if (ma == null || mb == null) {
                continue;
            }
            if (mb[0] != null) {
                out.add(primary(pearsonSameRows(p + name(role) + ".pearson", ma, mb[0])));
            } else {
                out.add(primary(TestResult.notApplicable(p + name(role) + ".pearson", "residual widths differ")));
            }
            if (mb[1] != null) {
                out.add(primary(pearsonSameRows(p + name(role) + ".pearson_aligned", ma, mb[1])));
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ screening sketches

    private Role[] screenRoles() {
        return sampleRows != null
                ? new Role[] {Role.ATTN_Q, Role.MLP_UP}
                : new Role[] {Role.ATTN_Q, Role.MLP_UP, Role.MLP_DOWN};
    }

    /**
     * Builds every sketch that screening suspect blocks {@code ls} against reference blocks {@code lr}
     * needs, in the order a sequential screen would build them, so that {@link #screen} can then run
     * for many pairs at once without reading.
     */
    void prepareScreening(List<Integer> ls, List<Integer> lr) throws IOException, ModelFormatException {
        synchronized (sketchS) {
            for (int i : ls) {
                for (int j : lr) {
                    for (Role role : screenRoles()) {
                        buildSketches(new SketchKey(i, role), new SketchKey(j, role));
                    }
                }
            }
        }
    }

    private void buildSketches(SketchKey ks, SketchKey kr) throws IOException, ModelFormatException {
        if (!sketchS.containsKey(ks)) {
            sketchS.put(ks, new Matrix[] {suspectSketch(ks)});
        }
        if (!sketchR.containsKey(kr)) {
            sketchR.put(kr, referenceSketches(kr));
        }
    }

    private record SketchKey(int layer, Role role) {}

    /** Suspect sketches by (layer, role): one element, null when the tensor is missing. */
    private final Map<SketchKey, Matrix[]> sketchS = new HashMap<>();
    /** Reference sketches by (layer, role): {plain or null, aligned or null}; null when missing. */
    private final Map<SketchKey, Matrix[]> sketchR = new HashMap<>();
    /** Suspect residual coordinates kept in the sketches (null: all), fixed by the first sketch. */
    private int[] sketchCols;

    private int sketchWidth = -1;

    private Matrix suspectSketch(SketchKey k) throws IOException, ModelFormatException {
        TensorRef t = s.weight(component, k.layer(), k.role());
        if (t == null) {
            return null;
        }
        prefetchSketch(s, k.layer() + 1, k.role());
        int width = residualWidth(t, k.role());
        int[] cols = columnsFor(width);
        return sketch(s, t, k.role() == Role.MLP_DOWN, cols, null);
    }

    private Matrix[] referenceSketches(SketchKey k) throws IOException, ModelFormatException {
        TensorRef t = r.weight(component, k.layer(), k.role());
        if (t == null) {
            return null;
        }
        prefetchSketch(r, k.layer() + 1, k.role());
        boolean down = k.role() == Role.MLP_DOWN;
        int width = residualWidth(t, k.role());
        boolean wantPlain = sketchWidth == width;
        int[] from = null;
        float[] sg = null;
        if (align != null && sketchWidth == align.index().length && width == alignFrom) {
            int[] idx = align.index();
            float[] sign = align.sign();
            int n = sketchCols == null ? idx.length : sketchCols.length;
            from = new int[n];
            sg = new float[n];
            for (int c = 0; c < n; c++) {
                int sc = sketchCols == null ? c : sketchCols[c];
                from[c] = idx[sc];
                sg[c] = sign[sc];
            }
        }
        if (!wantPlain && from == null) {
            return null;
        }
        // Both sketches from one read of the rows either needs (the same rows when the alignment is near identity).
        Matrix[] both = sketches(
                r, t, down, new int[][] {wantPlain ? sketchCols : null, from}, new float[][] {null, sg}, new boolean[] {
                    wantPlain, from != null
                });
        return new Matrix[] {both[0], both[1]};
    }

    /**
     * Hints the rows the next block's sketch of this role will read (input-side tensors), so that
     * over a remote source they arrive while this block is being decoded and tested (a no-op for
     * local files).
     */
    private void prefetchSketch(ModelIndex m, int layer, Role role) {
        TensorRef next = m.weight(component, layer, role);
        if (next == null || role == Role.MLP_DOWN) {
            return;
        }
        int unitCount = ModelIndex.matrixShape(next)[0];
        int[] u = ModelIndex.sample(unitCount, Math.min(maxUnits, SCREEN_UNITS), seed + 31L * unitCount);
        if (u != null) {
            next.prefetchRows(u);
        }
    }

    private static int residualWidth(TensorRef t, Role role) {
        int[] rc = ModelIndex.matrixShape(t);
        return role == Role.MLP_DOWN ? rc[0] : rc[1];
    }

    /** The suspect's sampled residual coordinates for sketches of this width (fixed by the first call). */
    private int[] columnsFor(int width) {
        if (sketchWidth < 0) {
            sketchWidth = width;
            sketchCols = ModelIndex.sample(width, SCREEN_COLUMNS, seed ^ 0x5C2EE7L);
        }
        return width == sketchWidth ? sketchCols : ModelIndex.sample(width, SCREEN_COLUMNS, seed ^ 0x5C2EE7L);
    }

    /** Floats of residual rows an output-side sketch decodes at once (2 MB). */
    static final int SKETCH_BATCH_FLOATS = 1 << 19;

    /**
     * [units × coordinates] sketch: at most {@link #SCREEN_UNITS} units (seeded by the unit count,
     * as in the full battery) and the residual coordinates {@code cols} (null: all; entries below 0
     * give zeros), each multiplied by {@code sign} when given. Input-side tensors read only the
     * sampled unit rows (through the shared cache); output-side tensors read only the sampled
     * residual rows.
     */
    private Matrix sketch(ModelIndex m, TensorRef t, boolean outputSide, int[] cols, float[] sign)
            throws IOException, ModelFormatException {
        return sketches(m, t, outputSide, new int[][] {cols}, new float[][] {sign}, new boolean[] {true})[0];
    }

    /**
     * Several sketches of one tensor, one per column spec {@code cols[s]} (with {@code sign[s]}; entry s is
     * null unless {@code want[s]}); an output-side tensor's residual rows are read once for all of them.
     */
    private Matrix[] sketches(
            ModelIndex m, TensorRef t, boolean outputSide, int[][] cols, float[][] sign, boolean[] want)
            throws IOException, ModelFormatException {
        int[] rc = ModelIndex.matrixShape(t);
        int units = Math.min(maxUnits, SCREEN_UNITS);
        int unitCount = outputSide ? rc[1] : rc[0];
        int width = outputSide ? rc[0] : rc[1];
        int[] u = ModelIndex.sample(unitCount, units, seed + 31L * unitCount);
        int nu = u == null ? unitCount : u.length;
        Matrix[] result = new Matrix[cols.length];
        float[][] outs = new float[cols.length][];
        int[] ncs = new int[cols.length];
        for (int q = 0; q < cols.length; q++) {
            if (want[q]) {
                ncs[q] = cols[q] == null ? width : cols[q].length;
                outs[q] = new float[Math.multiplyExact(nu, ncs[q])];
            }
        }
        if (!outputSide) {
            Matrix rows = m.rows(t, u);
            float[] d = rows.data();
            for (int q = 0; q < cols.length; q++) {
                if (!want[q]) {
                    continue;
                }
                int[] cq = cols[q];
                float[] sq = sign[q];
                int nc = ncs[q];
                float[] out = outs[q];
                for (int k = 0; k < nu; k++) {
                    for (int c = 0; c < nc; c++) {
                        int from = cq == null ? c : cq[c];
                        out[k * nc + c] = from < 0 ? 0f : d[k * width + from] * (sq == null ? 1f : sq[c]);
                    }
                }
            }
        } else {
            if (sampleRows != null) {
                throw new IllegalStateException("output-side tensor " + t.name() + " would be read under --sample");
            }
            java.util.stream.IntStream needed = java.util.stream.IntStream.empty();
            for (int q = 0; q < cols.length; q++) {
                if (want[q]) {
                    needed = java.util.stream.IntStream.concat(
                            needed,
                            cols[q] == null
                                    ? java.util.stream.IntStream.range(0, width)
                                    : java.util.Arrays.stream(cols[q]).filter(x -> x >= 0));
                }
            }
            int[] need = needed.distinct().sorted().toArray();
            int[] pos = new int[width];
            for (int k = 0; k < need.length; k++) {
                pos[need[k]] = k;
            }
            // The residual rows in batches (a whole row holds every unit; only the sampled units are kept), so
            // that no full [rows × units] copy is made: one batch at a time.
            int batch = Math.max(1, Math.min(need.length, SKETCH_BATCH_FLOATS / Math.max(1, unitCount)));
            for (int b0 = 0; b0 < need.length; b0 += batch) {
                int b1 = Math.min(need.length, b0 + batch);
                float[] d = ModelIndex.read(t, java.util.Arrays.copyOfRange(need, b0, b1))
                        .data();
                for (int q = 0; q < cols.length; q++) {
                    if (!want[q]) {
                        continue;
                    }
                    int[] cq = cols[q];
                    int nc = ncs[q];
                    float[] out = outs[q];
                    for (int c = 0; c < nc; c++) {
                        int from = cq == null ? c : cq[c];
                        if (from < 0 || pos[from] < b0 || pos[from] >= b1) {
                            continue;
                        }
                        int base = (pos[from] - b0) * unitCount;
                        float sg = sign[q] == null ? 1f : sign[q][c];
                        for (int k = 0; k < nu; k++) {
                            out[k * nc + c] = d[base + (u == null ? k : u[k])] * sg;
                        }
                    }
                }
            }
        }
        for (int q = 0; q < cols.length; q++) {
            if (want[q]) {
                result[q] = Matrix.of(nu, ncs[q], outs[q]);
            }
        }
        return result;
    }

    /**
     * Tests of one block pair.
     *
     * @param tests every test run (ids prefixed with the block pair)
     * @param fixedIndexLog10p Cauchy combination of the fixed-index stage (null: none applied)
     * @param complete whether every second-stage test ran (nothing was skipped as decided)
     */
    record BlockTests(List<TaggedTest> tests, Double fixedIndexLog10p, boolean complete) {
        /**
         * The block pair's value: {@code 4·p_fixed} when a part's second stage was skipped, otherwise
         * {@code 4·min(p_fixed, p_all)}; null if no test applied. Two choices depend on the data (an
         * aligned fixed-index test is skipped when its plain twin is decisive; a part's second stage
         * when its fixed-index tests are), each paid for by a Bonferroni factor 2, so that
         * {@code P(value ≤ α) ≤ α} under H0 whatever was skipped.
         */
        Double log10p() {
            Double all = LineageComparator.combine(tests, false);
            if (fixedIndexLog10p == null) {
                return all;
            }
            double m = !complete || all == null ? fixedIndexLog10p : Math.min(all, fixedIndexLog10p);
            return Math.min(0, m + Math.log10(4));
        }
    }

    /**
     * Full battery of block pair (i, j), in two stages. First the fixed-index row correlations of
     * every attention and MLP matrix (plain and after the residual alignment). Then, for the
     * attention and the MLP separately, the permutation-robust second stage unless that part's
     * fixed-index tests already decide it ({@link #DECISIVE_LOG10P}): aligned Gram CKA and the
     * attention invariant (weak) for attention, Zhu's hidden-unit matchings and their agreement
     * (exact) for the MLP. Experts and the norm and bias statistics always run.
     */
    BlockTests full(int i, int j) throws IOException, ModelFormatException {
        List<TaggedTest> out = new ArrayList<>();
        String p = prefix(i, j);
        // Stage 1: fixed-index correlations. Units are head dimensions or hidden units, exchangeable
        // under H0 whatever the alignment: valid with and without it.
        List<TaggedTest> attn = new ArrayList<>();
        for (Role role : ATTN_ROLES) {
            attn.addAll(fixedIndex(p, role, s.weight(component, i, role), r.weight(component, j, role)));
        }
        List<TaggedTest> mlp = new ArrayList<>();
        for (Role role : MLP_ROLES) {
            mlp.addAll(fixedIndex(p, role, s.weight(component, i, role), r.weight(component, j, role)));
        }
        out.addAll(attn);
        out.addAll(mlp);
        Double fixed = LineageComparator.combine(out, false);
        Double pa = LineageComparator.combine(attn, false);
        Double pm = LineageComparator.combine(mlp, false);
        boolean attnDecided = pa != null && pa <= DECISIVE_LOG10P;
        boolean mlpDecided = pm != null && pm <= DECISIVE_LOG10P;
        if (attnDecided) {
            out.add(skipped(p + "attn.stage2", pa, "aligned CKA and attention invariants"));
        } else {
            attentionSecondStage(out, p, i, j);
        }
        if (mlpDecided) {
            out.add(skipped(p + "mlp.stage2", pm, "hidden-unit matchings"));
        } else {
            // MLP of the dense block (text or other stack).
            out.addAll(mlp(p, component, i, null, component, j, null, component));
        }
        experts(out, p, i, j);
        // Norm gains and biases: centred statistics only, weak evidence.
        for (Role role : Role.values()) {
            for (Part part : new Part[] {Part.WEIGHT, Part.BIAS}) {
                if (part == Part.WEIGHT && !role.isNorm()) {
                    continue;
                }
                TensorRef a = s.get(component, i, role, null, part);
                TensorRef b = r.get(component, j, role, null, part);
                if (a == null || b == null || a.shape().rank() != 1 || b.shape().rank() != 1) {
                    continue;
                }
                float[] va = s.vector(a);
                float[] vb = r.vector(b);
                String id = p + (part == Part.BIAS ? "bias." : "norm.") + name(role) + ".centred";
                if (va.length != vb.length) {
                    out.add(new TaggedTest(
                            component,
                            TestResult.notApplicable(id, "lengths differ: " + va.length + " vs " + vb.length),
                            Kind.WEAK));
                    continue;
                }
                TestResult t = CentredVectorTest.test(id, va, vb);
                double raw = CentredVectorTest.rawCosine(va, vb);
                out.add(new TaggedTest(
                        component,
                        new TestResult(
                                t.testId(),
                                t.statistic(),
                                t.log10p(),
                                t.effectSize(),
                                t.n(),
                                t.note() + String.format(Locale.ROOT, "; raw cosine %.4f (never evidence)", raw)),
                        Kind.WEAK));
            }
        }
        return new BlockTests(out, fixed, !attnDecided && !mlpDecided);
    }

    private List<TaggedTest> fixedIndex(String p, Role role, TensorRef a, TensorRef b)
            throws IOException, ModelFormatException {
        boolean outputSide = role == Role.ATTN_O || role == Role.MLP_DOWN;
        if (a == null || b == null || (outputSide && sampleRows != null)) {
            return List.of();
        }
        List<TaggedTest> out = new ArrayList<>();
        int[] ra = ModelIndex.matrixShape(a);
        int[] rb = ModelIndex.matrixShape(b);
        if (ra[0] != rb[0] || ra[1] != rb[1]) {
            // Nothing to read: the fixed-index test needs the same shape (pruned or other models).
            out.add(primary(TestResult.notApplicable(
                    p + name(role) + ".pearson", "shapes differ: " + a.shape() + " vs " + b.shape())));
            return out;
        }
        if (sampleRows == null && a.shape().rank() == 2 && a.shape().equals(b.shape())) {
            int[] rc = ra;
            int h = outputSide ? rc[1] : rc[0];
            int w = outputSide ? rc[0] : rc[1];
            if (w >= LineageComparator.MIN_FEATURES && AlignedCorrelationTest.usesGroupedForm(h, w)) {
                return streamed(p + name(role), a, b, outputSide, h, w);
            }
        }
        Matrix ma = unitsByResidual(s, a, outputSide, sampleRows != null);
        Matrix mb = unitsByResidual(r, b, outputSide, sampleRows != null);
        TestResult plain = pearsonSameRows(p + name(role) + ".pearson", ma, mb);
        out.add(primary(plain));
        if (canAlign(ma, mb)) {
            out.add(
                    plain.applicable() && plain.log10p() <= DECISIVE_LOG10P
                            ? alignedSkipped(p + name(role) + ".pearson_aligned", plain.log10p())
                            : primary(pearsonSameRows(p + name(role) + ".pearson_aligned", ma, alignCols(mb))));
        }
        return out;
    }

    private TaggedTest skipped(String id, double log10p, String what) {
        return new TaggedTest(
                component,
                TestResult.notApplicable(
                        id,
                        String.format(
                                Locale.ROOT,
                                "skipped: the fixed-index tests already give log10 p %.1f <= %.0f; %s only matter when units may be permuted",
                                log10p,
                                DECISIVE_LOG10P,
                                what)),
                Kind.WEAK);
    }

    /** Floats per side read at once by the streamed matchings (32 MB). */
    static final int STREAM_CHUNK_FLOATS = 8 << 20;

    /**
     * The fixed-index tests of a same-shape 2-D pair in the grouped form, streamed from the tensors
     * (not through the cache): unit blocks of rows, or chunks of residual rows when the units are
     * columns. Memory: a few chunks, whatever the tensor size; every value is read once per side
     * (twice for the reference when the aligned test runs on output-side tensors).
     */
    private List<TaggedTest> streamed(String id, TensorRef a, TensorRef b, boolean outputSide, int h, int w)
            throws IOException, ModelFormatException {
        List<TaggedTest> out = new ArrayList<>();
        TestResult plain = streamedPass(id + ".pearson", a, b, outputSide, h, w, null);
        out.add(primary(plain));
        if (align != null && w == align.index().length && w == alignFrom) {
            out.add(
                    plain.applicable() && plain.log10p() <= DECISIVE_LOG10P
                            ? alignedSkipped(id + ".pearson_aligned", plain.log10p())
                            : primary(streamedPass(id + ".pearson_aligned", a, b, outputSide, h, w, align)));
        }
        return out;
    }

    /**
     * Floats per side of one piece of the streamed fixed-index tests (2 MB): pieces this small stay in the
     * cache between decoding and the correlation kernels (measured: a quarter less time than 32 MB chunks).
     */
    static final int STREAM_TILE_FLOATS = 1 << 19;

    /**
     * One streamed pass; with {@code al} the reference's residual coordinates are aligned (signed, permuted). Unit
     * blocks are read a few groups at a time (each group's rows are strided through its block), feature rows in
     * chunks of whole float-summation tiles, so the sums are those of one pass whatever the piece size.
     */
    private static TestResult streamedPass(
            String id, TensorRef a, TensorRef b, boolean outputSide, int h, int w, SignedPermutation al)
            throws IOException, ModelFormatException {
        GroupedCorrelation g = new GroupedCorrelation(h);
        if (!outputSide) {
            float[] xa = new float[0];
            float[] xb = xa;
            for (int k = 0; k < g.blocks(); k++) {
                long b0 = g.blockStart(k);
                int nb = g.blockSize(k);
                int kb = g.groups(k);
                int pb = g.positions(k);
                int m = Math.max(1, Math.min(kb, STREAM_TILE_FLOATS / Math.max(1, pb * w)));
                int need = Math.multiplyExact(pb * m, w);
                if (xa.length < need) {
                    xa = new float[need];
                    xb = new float[need];
                }
                for (int t0 = 0; t0 < kb; t0 += m) {
                    int mm = Math.min(m, kb - t0);
                    int from = t0;
                    readBoth(a, b, xa, xb, (t, x) -> {
                        // Position u of groups t0 … t0+mm−1: units b0 + u·kb + t0 …, consecutive in the tensor.
                        for (int u = 0; u < pb; u++) {
                            int first = u * kb + from;
                            int count = Math.min(mm, nb - first);
                            if (count > 0) {
                                t.readRows(b0 + first, count, x, u * mm * w);
                            }
                        }
                    });
                    float[] yb = xb;
                    if (al != null) {
                        int filled = pb * mm * w;
                        yb = al.applyToColumns(Matrix.of(
                                        pb * mm, w, filled == xb.length ? xb : java.util.Arrays.copyOf(xb, filled)))
                                .data();
                    }
                    g.addUnitGroups(k, t0, mm, xa, yb, w);
                }
            }
        } else {
            int tile = GroupedCorrelation.FLUSH_ROWS;
            int chunk = Math.min(w, Math.max(tile, STREAM_TILE_FLOATS / h / tile * tile));
            float[] xa = new float[Math.multiplyExact(chunk, h)];
            float[] xb = new float[xa.length];
            for (int r0 = 0; r0 < w; r0 += chunk) {
                int n = Math.min(chunk, w - r0);
                int first = r0;
                if (al == null) {
                    readBoth(a, b, xa, xb, (t, x) -> t.readRows(first, n, x, 0));
                } else {
                    a.readRows(r0, n, xa, 0);
                    readRowsSigned(b, al.index(), al.sign(), r0, n, xb, h);
                }
                g.addFeatureRows(xa, xb, n);
            }
        }
        return g.result(id);
    }

    private TaggedTest alignedSkipped(String id, double plainLog10p) {
        return new TaggedTest(
                component,
                TestResult.notApplicable(
                        id,
                        String.format(
                                Locale.ROOT,
                                "skipped: the same tensor's fixed-index test already gives log10 p %.1f <= %.0f",
                                plainLog10p,
                                DECISIVE_LOG10P)),
                Kind.WEAK);
    }

    /** Most residual coordinates the streamed matchings compare units on (a seeded sample). */
    static final int MATCH_FEATURES = 1024;

    /**
     * Zhu's sampled matching ({@link HiddenUnitMatchTest#matchSampled(int[], int, float[], long)}) of
     * two same-shape 2-D tensors read in pieces: the sampled units of the suspect are gathered once,
     * then the reference is streamed (blocks of unit rows, or its residual rows when the units are
     * columns) into the k × h cosine matrix. Units are compared on at most {@value #MATCH_FEATURES}
     * seeded residual coordinates, the same on both sides (the units stay exchangeable under H0, so
     * the null is unchanged; the cost falls with the width). Memory: the k × h matrix and one chunk.
     * With {@code idx}, the reference's residual coordinates are aligned first (signed, permuted).
     */
    private HiddenUnitMatchTest.Match streamedMatch(
            String id, TensorRef a, TensorRef b, boolean outputSide, int h, int w, boolean aligned)
            throws IOException, ModelFormatException {
        int[] sample = HiddenUnitMatchTest.sampledRows(h, maxUnits, seed);
        float[] cross = crossCosines(a, sample, false, b, h, aligned, null, outputSide, h, w);
        return streamedResult(id, HiddenUnitMatchTest.matchSampled(sample, h, cross, seed), w);
    }

    /**
     * The rectangular matching ({@link HiddenUnitMatchTest#matchRectangular(HiddenUnitMatchTest.RectangularPlan,
     * float[], long)}) of tensors with the same residual width and different unit counts (width
     * pruning), streamed like {@link #streamedMatch}: the narrow side's sampled units are gathered,
     * the wide side is streamed into the cosine matrix in the plan's column order.
     */
    private HiddenUnitMatchTest.Match streamedRectangular(
            String id, TensorRef a, TensorRef b, boolean outputSide, int ha, int hb, int w, boolean aligned)
            throws IOException, ModelFormatException {
        HiddenUnitMatchTest.RectangularPlan plan = HiddenUnitMatchTest.rectangularPlan(ha, hb, maxUnits, seed);
        TensorRef narrow = plan.swap() ? b : a;
        TensorRef wide = plan.swap() ? a : b;
        int hn = plan.swap() ? hb : ha;
        int hw = plan.swap() ? ha : hb;
        int[] pi = plan.widePermutation();
        int[] position = new int[hw];
        for (int j = 0; j < hw; j++) {
            position[pi[j]] = j;
        }
        float[] cross = crossCosines(
                narrow,
                plan.sample(),
                aligned && narrow == b,
                wide,
                hw,
                aligned && wide == b,
                position,
                outputSide,
                hn,
                w);
        HiddenUnitMatchTest.Match m = HiddenUnitMatchTest.matchRectangular(plan, cross, seed);
        TestResult t = m.result();
        return streamedResult(
                id,
                new HiddenUnitMatchTest.Match(
                        m.assignment(),
                        new TestResult(
                                t.testId(),
                                t.statistic(),
                                t.log10p(),
                                t.effectSize(),
                                t.n(),
                                "widths " + ha + " vs " + hb + " (pruned?): " + t.note())),
                w);
    }

    private static HiddenUnitMatchTest.Match streamedResult(String id, HiddenUnitMatchTest.Match m, int w) {
        TestResult t = m.result();
        String on = w > MATCH_FEATURES
                ? "; streamed, units compared on " + MATCH_FEATURES + " of " + w + " seeded residual coordinates"
                : "; streamed";
        return new HiddenUnitMatchTest.Match(
                m.assignment(), new TestResult(id, t.statistic(), t.log10p(), t.effectSize(), t.n(), t.note() + on));
    }

    /**
     * Cosines (k × ht, row-major) between the {@code units} of tensor {@code q} (of {@code hq} units)
     * and every unit of tensor {@code t} (ht units, streamed), over at most
     * {@value #MATCH_FEATURES} seeded residual coordinates; streamed unit u lands in column
     * {@code position[u]} (null: u). A side marked aligned reads its residual coordinates through
     * the residual alignment (signed, permuted). Units are rows of the tensors, or columns when
     * {@code outputSide} (then only the picked residual rows are read).
     */
    private float[] crossCosines(
            TensorRef q,
            int[] units,
            boolean alignQ,
            TensorRef t,
            int ht,
            boolean alignT,
            int[] position,
            boolean outputSide,
            int hq,
            int w)
            throws IOException, ModelFormatException {
        int k = units.length;
        int[] picked = ModelIndex.sample(w, MATCH_FEATURES, seed ^ 0xFEA7L);
        int nf = picked == null ? w : picked.length;
        int[] colsQ = new int[nf];
        int[] colsT = new int[nf];
        float[] signQ = new float[nf];
        float[] signT = new float[nf];
        int[] idx = alignQ || alignT ? align.index() : null;
        float[] sg = alignQ || alignT ? align.sign() : null;
        for (int f = 0; f < nf; f++) {
            int c = picked == null ? f : picked[f];
            colsQ[f] = alignQ ? idx[c] : c;
            colsT[f] = alignT ? idx[c] : c;
            signQ[f] = alignQ ? sg[c] : 1f;
            signT[f] = alignT ? sg[c] : 1f;
        }
        float[] cross = new float[Math.multiplyExact(k, ht)];
        if (!outputSide) {
            float[] qr = ModelIndex.read(q, units).data();
            float[] qf = new float[Math.multiplyExact(k, nf)];
            for (int i = 0; i < k; i++) {
                for (int f = 0; f < nf; f++) {
                    qf[i * nf + f] = colsQ[f] < 0 ? 0f : qr[i * w + colsQ[f]] * signQ[f];
                }
            }
            Matrix qn = Matrix.of(k, nf, qf).normaliseRows();
            int block = Math.max(1, Math.min(ht, STREAM_CHUNK_FLOATS / w));
            float[] xb = new float[Math.multiplyExact(block, w)];
            for (int j0 = 0; j0 < ht; j0 += block) {
                int n = Math.min(block, ht - j0);
                t.readRows(j0, n, xb, 0);
                float[] tf = new float[n * nf];
                for (int u = 0; u < n; u++) {
                    for (int f = 0; f < nf; f++) {
                        tf[u * nf + f] = colsT[f] < 0 ? 0f : xb[u * w + colsT[f]] * signT[f];
                    }
                }
                float[] c = qn.multiplyTransposed(Matrix.of(n, nf, tf).normaliseRows())
                        .data();
                for (int i = 0; i < k; i++) {
                    if (position == null) {
                        System.arraycopy(c, i * n, cross, i * ht + j0, n);
                    } else {
                        for (int u = 0; u < n; u++) {
                            cross[i * ht + position[j0 + u]] = c[i * n + u];
                        }
                    }
                }
            }
            return cross;
        }
        // Units are columns; the residual coordinates are the rows: read only the picked ones.
        float[] row = new float[hq];
        float[] qs = new float[Math.multiplyExact(k, nf)];
        for (int f = 0; f < nf; f++) {
            if (colsQ[f] < 0) {
                continue;
            }
            q.readRows(colsQ[f], 1, row, 0);
            for (int i = 0; i < k; i++) {
                qs[i * nf + f] = row[units[i]] * signQ[f];
            }
        }
        Matrix qn = Matrix.of(k, nf, qs).normaliseRows();
        double[] norm2 = new double[ht];
        float[] acc = new float[Math.multiplyExact(k, ht)];
        int chunk = Math.max(1, Math.min(nf, STREAM_CHUNK_FLOATS / ht));
        float[] xb = new float[Math.multiplyExact(chunk, ht)];
        for (int f0 = 0; f0 < nf; f0 += chunk) {
            int n = Math.min(chunk, nf - f0);
            readRowsSigned(t, colsT, signT, f0, n, xb, ht);
            for (int f = 0; f < n; f++) {
                for (int u = 0; u < ht; u++) {
                    double v = xb[f * ht + u];
                    norm2[u] += v * v;
                }
            }
            float[] qp = new float[k * n];
            for (int i = 0; i < k; i++) {
                System.arraycopy(qn.data(), i * nf + f0, qp, i * n, n);
            }
            float[] c = Matrix.of(k, n, qp)
                    .multiplyTransposed(Matrix.of(n, ht, java.util.Arrays.copyOf(xb, n * ht))
                            .transpose())
                    .data();
            for (int x = 0; x < c.length; x++) {
                acc[x] += c[x];
            }
        }
        for (int i = 0; i < k; i++) {
            for (int u = 0; u < ht; u++) {
                cross[i * ht + (position == null ? u : position[u])] =
                        norm2[u] > 0 ? (float) (acc[i * ht + u] / Math.sqrt(norm2[u])) : 0f;
            }
        }
        return cross;
    }

    /**
     * Reads rows {@code from[first + q]} of {@code t} (q &lt; n; a negative index gives zeros) into
     * {@code dst}, each multiplied by {@code sign[first + q]}: a residual alignment applied to the
     * rows of an output-side tensor.
     */
    private static void readRowsSigned(TensorRef t, int[] from, float[] sign, int first, int n, float[] dst, int width)
            throws IOException, ModelFormatException {
        for (int q = 0; q < n; q++) {
            int r = from[first + q];
            if (r < 0) {
                java.util.Arrays.fill(dst, q * width, (q + 1) * width, 0f);
                continue;
            }
            t.readRows(r, 1, dst, q * width);
            float sg = sign[first + q];
            if (sg != 1f) {
                for (int u = 0; u < width; u++) {
                    dst[q * width + u] *= sg;
                }
            }
        }
    }

    /** Reads rows of one tensor into a buffer. */
    @FunctionalInterface
    private interface RowsInto {
        void read(TensorRef t, float[] into) throws IOException, ModelFormatException;
    }

    /** The same rows of both tensors: the reference's on the common pool while this thread reads the suspect's. */
    private static void readBoth(TensorRef a, TensorRef b, float[] xa, float[] xb, RowsInto rows)
            throws IOException, ModelFormatException {
        java.util.concurrent.ForkJoinTask<?> other = java.util.concurrent.ForkJoinPool.commonPool()
                .submit(() -> {
                    rows.read(b, xb);
                    return null;
                });
        rows.read(a, xa);
        try {
            other.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading " + b.name());
        } catch (java.util.concurrent.ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case ModelFormatException mf -> throw mf;
                case RuntimeException re -> throw re;
                case Error er -> throw er;
                default -> throw new IOException("reading " + b.name() + " failed", e.getCause());
            }
        }
    }

    /** Aligned Gram CKA of the query and key matrices and the attention invariant (weak evidence). */
    private void attentionSecondStage(List<TaggedTest> out, String p, int i, int j)
            throws IOException, ModelFormatException {
        for (Role role : new Role[] {Role.ATTN_Q, Role.ATTN_K}) {
            TensorRef a = s.weight(component, i, role);
            TensorRef b = r.weight(component, j, role);
            if (a == null || b == null) {
                continue;
            }
            // At most CKA_UNITS units are used: read only those (seeded as in cka()).
            long salt = i * 7919L + j + role.ordinal();
            Matrix ma = s.rows(a, ckaUnits(a, salt));
            Matrix mb = r.rows(b, ckaUnits(b, salt));
            if (canAlign(ma, mb)) {
                // AWM's Gram CKA takes residual dimensions as units; the alignment was fitted on token
                // embeddings, which independent models trained on the same data share up to a change of
                // basis, so its permutation null is optimistic. Reported as an effect size, not combined.
                out.add(new TaggedTest(
                        component,
                        cka(p + name(role) + ".cka_aligned", ma, alignCols(mb), i * 7919L + j + role.ordinal()),
                        Kind.WEAK));
            }
        }
        out.addAll(invariant(p, i, j));
    }

    /**
     * Units read for the aligned CKA: under --sample the battery's own sampled rows (already read),
     * otherwise the {@link #CKA_UNITS} units {@link #cka} keeps (seeded by {@code salt}).
     */
    private int[] ckaUnits(TensorRef t, long salt) {
        int units = ModelIndex.matrixShape(t)[0];
        return sampleRows != null
                ? ModelIndex.sample(units, maxUnits, seed + 31L * units)
                : ModelIndex.sample(units, CKA_UNITS, seed ^ salt);
    }

    /** Experts (MoE) against the partner's experts or dense MLP (upcycling). */
    private void experts(List<TaggedTest> out, String p, int i, int j) throws IOException, ModelFormatException {
        List<Integer> es = s.experts(i);
        if (es.isEmpty()) {
            return;
        }
        List<Integer> er = r.experts(j);
        for (int k = 0; k < Math.min(MAX_EXPERTS, es.size()); k++) {
            int e = es.get(k);
            String ep = p + "expert" + e + ".";
            if (!er.isEmpty()) {
                int partner = er.contains(e) ? e : er.get(k % er.size());
                out.addAll(mlp(
                        ep,
                        Component.EXPERTS.name(),
                        i,
                        e,
                        Component.EXPERTS.name(),
                        j,
                        partner,
                        Component.EXPERTS.name()));
            } else {
                out.addAll(mlp(ep, Component.EXPERTS.name(), i, e, component, j, null, Component.EXPERTS.name()));
            }
        }
    }

    private List<TaggedTest> mlp(
            String p, String compS, int i, Integer eS, String compR, int j, Integer eR, String target)
            throws IOException, ModelFormatException {
        List<TaggedTest> out = new ArrayList<>();
        List<int[]> assignments = new ArrayList<>();
        List<String> assignmentRoles = new ArrayList<>();
        List<int[]> sampled = new ArrayList<>();
        List<String> sampledRoles = new ArrayList<>();
        int sampledRange = 0;
        for (Role role : MLP_ROLES) {
            TensorRef a = s.get(compS, i, role, eS, Part.WEIGHT);
            TensorRef b = r.get(compR, j, role, eR, Part.WEIGHT);
            boolean down = role == Role.MLP_DOWN;
            if (a == null || b == null || (down && sampleRows != null)) {
                continue;
            }
            if (sampleRows == null && a.shape().rank() == 2 && b.shape().rank() == 2) {
                int[] rca = ModelIndex.matrixShape(a);
                int[] rcb = ModelIndex.matrixShape(b);
                int ha = down ? rca[1] : rca[0];
                int hb = down ? rcb[1] : rcb[0];
                int w = down ? rca[0] : rca[1];
                int wb = down ? rcb[0] : rcb[1];
                boolean canAlignStreamed = align != null && w == align.index().length && w == alignFrom;
                if (w == wb && Math.max(ha, hb) > maxUnits && w >= LineageComparator.MIN_FEATURES) {
                    // Wide layer, whole tensors: stream the reference's units into the sampled cosine
                    // matrix instead of holding both tensors (bounded memory at any width).
                    String base = p + name(role);
                    if (ha == hb) {
                        HiddenUnitMatchTest.Match m = streamedMatch(base + ".match", a, b, down, ha, w, false);
                        out.add(new TaggedTest(target, m.result(), Kind.EXACT));
                        if (canAlignStreamed) {
                            m = streamedMatch(base + ".match_aligned", a, b, down, ha, w, true);
                            out.add(new TaggedTest(target, m.result(), Kind.EXACT));
                        }
                        sampled.add(m.assignment());
                        sampledRoles.add(name(role).substring(4));
                        sampledRange = ha;
                    } else {
                        out.add(new TaggedTest(
                                target,
                                streamedRectangular(base + ".match", a, b, down, ha, hb, w, false)
                                        .result(),
                                Kind.EXACT));
                        if (canAlignStreamed) {
                            out.add(new TaggedTest(
                                    target,
                                    streamedRectangular(base + ".match_aligned", a, b, down, ha, hb, w, true)
                                            .result(),
                                    Kind.EXACT));
                        }
                    }
                    continue;
                }
            }
            Matrix ma = unitsByResidual(s, a, down, sampleRows != null);
            Matrix mb = unitsByResidual(r, b, down, sampleRows != null);
            String base = p + name(role);
            int[] used = null;
            if (ma.cols() == mb.cols()) {
                HiddenUnitMatchTest.Match m = match(base + ".match", ma, mb);
                out.add(new TaggedTest(target, m.result(), Kind.EXACT));
                used = ma.rows() == mb.rows() ? m.assignment() : null;
            } else {
                out.add(new TaggedTest(
                        target,
                        TestResult.notApplicable(
                                base + ".match", "residual widths differ: " + ma.cols() + " vs " + mb.cols()),
                        Kind.EXACT));
            }
            if (canAlign(ma, mb)) {
                HiddenUnitMatchTest.Match m = match(base + ".match_aligned", ma, alignCols(mb));
                out.add(new TaggedTest(target, m.result(), Kind.EXACT));
                used = ma.rows() == mb.rows() ? m.assignment() : null;
            }
            if (used != null && used.length > 0 && java.util.Arrays.stream(used).allMatch(x -> x >= 0)) {
                assignments.add(used);
                assignmentRoles.add(name(role).substring(4));
            }
        }
        // Streamed (sampled) matchings of the same units: agreement on the common sample.
        for (int k = 1; k < sampled.size(); k++) {
            String id = p + "mlp." + sampledRoles.get(0) + "_" + sampledRoles.get(k) + ".agreement";
            out.add(new TaggedTest(
                    target,
                    HiddenUnitMatchTest.agreementSampled(sampled.get(0), sampled.get(k), sampledRange, id),
                    Kind.PRIMARY));
        }
        for (int k = 1; k < assignments.size(); k++) {
            int[] x = assignments.get(0);
            int[] y = assignments.get(k);
            String id = p + "mlp." + assignmentRoles.get(0) + "_" + assignmentRoles.get(k) + ".agreement";
            if (x.length != y.length) {
                out.add(new TaggedTest(
                        target, TestResult.notApplicable(id, "matchings of different sizes"), Kind.PRIMARY));
            } else {
                out.add(new TaggedTest(target, HiddenUnitMatchTest.agreement(x, y, id), Kind.PRIMARY));
            }
        }
        return out;
    }

    private List<TaggedTest> invariant(String p, int i, int j) throws IOException, ModelFormatException {
        if (anchorsS == null || anchorsR == null || sampleRows != null) {
            return List.of(); // needs whole query/key matrices; weak evidence, left out under --sample
        }
        TensorRef qa = s.weight(component, i, Role.ATTN_Q);
        TensorRef ka = s.weight(component, i, Role.ATTN_K);
        TensorRef qb = r.weight(component, j, Role.ATTN_Q);
        TensorRef kb = r.weight(component, j, Role.ATTN_K);
        if (qa == null || ka == null || qb == null || kb == null) {
            return List.of();
        }
        String id = p + "attn.qk.invariant";
        Matrix invA = attnInvariant(anchorsS, s, i, qa, ka);
        Matrix invB = attnInvariant(anchorsR, r, j, qb, kb);
        if (invA == null || invB == null) {
            return List.of(new TaggedTest(
                    component, TestResult.notApplicable(id, "query/key shapes not understood"), Kind.WEAK));
        }
        // Its Mantel null is "no association between anchors", not independent initialisation: models
        // trained on the same tokens converge to similar token geometry. Reported, never combined.
        TestResult t = InvariantTest.test(id, invA, invB);
        return List.of(new TaggedTest(component, t, Kind.WEAK));
    }

    private Matrix attnInvariant(Matrix anchors, ModelIndex m, int layer, TensorRef q, TensorRef k)
            throws IOException, ModelFormatException {
        int[] qs = ModelIndex.matrixShape(q);
        int[] ks = ModelIndex.matrixShape(k);
        if (qs[1] != anchors.cols() || ks[1] != anchors.cols()) {
            return null;
        }
        int headDim = qs[0];
        if (qs[0] != ks[0]) {
            Integer hd = m.view.hints().effectiveHeadDim();
            if (hd == null || qs[0] % hd != 0 || ks[0] % hd != 0) {
                return null;
            }
            headDim = hd;
        }
        TensorRef g = m.weight(component, layer, Role.ATTN_NORM);
        float[] gamma = g != null && g.elementCount() == anchors.cols() ? m.vector(g) : null;
        if (gamma == null) {
            gamma = new float[anchors.cols()];
            java.util.Arrays.fill(gamma, 1f);
        }
        Matrix x = InvariantTest.normalisedAnchors(anchors, gamma, InvariantTest.DEFAULT_EPS);
        try {
            return InvariantTest.attentionInvariantFromProjections(project(x, q, qs), project(x, k, ks), headDim);
        } catch (IllegalArgumentException e) {
            return null; // head counts that do not divide
        }
    }

    /** {@code x · Wᵀ} (anchors × rows of W), reading W in blocks of rows (bounded memory at any width). */
    private static Matrix project(Matrix x, TensorRef w, int[] shape) throws IOException, ModelFormatException {
        int rows = shape[0];
        int cols = shape[1];
        int n = x.rows();
        float[] out = new float[Math.multiplyExact(n, rows)];
        int block = Math.max(1, Math.min(rows, STREAM_CHUNK_FLOATS / Math.max(1, cols)));
        float[] buf = new float[Math.multiplyExact(block, cols)];
        for (int r0 = 0; r0 < rows; r0 += block) {
            int nb = Math.min(block, rows - r0);
            w.readRows(r0, nb, buf, 0);
            float[] c = x.multiplyTransposed(
                            Matrix.of(nb, cols, nb == block ? buf : java.util.Arrays.copyOf(buf, nb * cols)))
                    .data();
            for (int i = 0; i < n; i++) {
                System.arraycopy(c, i * nb, out, i * rows + r0, nb);
            }
        }
        return Matrix.of(n, rows, out);
    }

    // ------------------------------------------------------------------ helpers

    static String prefix(int i, int j) {
        return "block" + i + "~" + j + ".";
    }

    static String name(Role role) {
        return switch (role) {
            case ATTN_Q -> "attn.q";
            case ATTN_K -> "attn.k";
            case ATTN_V -> "attn.v";
            case ATTN_O -> "attn.o";
            case MLP_GATE -> "mlp.gate";
            case MLP_UP -> "mlp.up";
            case MLP_DOWN -> "mlp.down";
            default -> role.name().toLowerCase(Locale.ROOT);
        };
    }

    private TaggedTest primary(TestResult t) {
        return new TaggedTest(component, t, Kind.PRIMARY);
    }

    /**
     * The tensor as [units × residual]: input-side tensors as stored, output-side tensors (down,
     * o_proj) transposed. When {@code sampled}, keeps at most {@code maxUnits} units, seeded by the
     * unit count so that both sides of a same-shape pair keep the same unit indices.
     */
    private Matrix unitsByResidual(ModelIndex m, TensorRef t, boolean outputSide, boolean sampled)
            throws IOException, ModelFormatException {
        return unitsByResidual(m, t, outputSide, sampled ? maxUnits : Integer.MAX_VALUE);
    }

    /** As above, keeping at most {@code units} units (seeded by the unit count). */
    private Matrix unitsByResidual(ModelIndex m, TensorRef t, boolean outputSide, int units)
            throws IOException, ModelFormatException {
        int[] rc = ModelIndex.matrixShape(t);
        boolean sampled = units < Integer.MAX_VALUE;
        if (!outputSide) {
            return m.rows(t, sampled ? ModelIndex.sample(rc[0], units, seed + 31L * rc[0]) : null);
        }
        if (sampleRows != null) {
            throw new IllegalStateException("output-side tensor " + t.name() + " would be read whole under --sample");
        }
        // Units are the columns: the transpose has rc[1] rows.
        return m.unitsOfColumns(t, sampled ? ModelIndex.sample(rc[1], units, seed + 31L * rc[1]) : null);
    }

    /**
     * True when the residual alignment applies to this pair: the suspect matrix's columns are the
     * suspect's residual basis and the reference matrix's columns the reference's, as fitted. Any
     * other widths (a tensor whose columns are not residual coordinates, models of other widths)
     * leave the aligned tests out rather than failing.
     */
    private boolean canAlign(Matrix suspectUnits, Matrix referenceUnits) {
        return align != null && suspectUnits.cols() == align.index().length && referenceUnits.cols() == alignFrom;
    }

    private Matrix alignCols(Matrix m) {
        return align.applyToColumns(m);
    }

    private static TestResult pearsonSameRows(String id, Matrix a, Matrix b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            return TestResult.notApplicable(
                    id, "shapes differ: " + a.rows() + "x" + a.cols() + " vs " + b.rows() + "x" + b.cols());
        }
        if (a.cols() < LineageComparator.MIN_FEATURES) {
            return TestResult.notApplicable(id, "too few features per unit: " + a.cols());
        }
        return AlignedCorrelationTest.test(id, a, b);
    }

    private TestResult cka(String id, Matrix a, Matrix b, long salt) {
        if (a.cols() != b.cols()) {
            return TestResult.notApplicable(id, "residual widths differ");
        }
        // Cka wants the residual dimensions as rows: Wqᵀ (d × units), Grams over residual dimensions.
        // At most CKA_UNITS units and CKA_COLUMNS residual dimensions (seeded, the same on both sides):
        // the Grams cost d²·units, and this weak statistic does not need all of them.
        // The Grams are sums over units, so each side keeps its own unit sample (unit counts may differ).
        int[] unitsA = ModelIndex.sample(a.rows(), CKA_UNITS, seed ^ salt);
        int[] unitsB = ModelIndex.sample(b.rows(), CKA_UNITS, seed ^ salt);
        int[] dims = ModelIndex.sample(a.cols(), CKA_COLUMNS, (seed ^ salt) + 1);
        Matrix at = (unitsA == null ? a : a.rowsSubset(unitsA)).transpose();
        Matrix bt = (unitsB == null ? b : b.rowsSubset(unitsB)).transpose();
        if (dims != null) {
            at = at.rowsSubset(dims);
            bt = bt.rowsSubset(dims);
        }
        return Cka.test(id, at, bt, seed ^ salt, CKA_PERMUTATIONS);
    }

    /**
     * Hidden-unit matching of [units × residual] matrices with equal residual widths: Zhu's φ_U
     * (sampled above {@code maxUnits}) when the unit counts agree, otherwise the rectangular variant
     * that matches the narrower layer's units into the wider one's (width pruning).
     */
    private HiddenUnitMatchTest.Match match(String id, Matrix a, Matrix b) {
        if (a.cols() != b.cols()) {
            return new HiddenUnitMatchTest.Match(
                    new int[0],
                    TestResult.notApplicable(
                            id, "shapes differ: " + a.rows() + "x" + a.cols() + " vs " + b.rows() + "x" + b.cols()));
        }
        if (a.cols() < LineageComparator.MIN_FEATURES) {
            // With one or two features the cosines tie and the LAP's tie order favours the identity.
            return new HiddenUnitMatchTest.Match(
                    new int[0], TestResult.notApplicable(id, "too few features per unit: " + a.cols()));
        }
        HiddenUnitMatchTest.Match m;
        if (a.rows() == b.rows()) {
            m = a.rows() > maxUnits
                    ? HiddenUnitMatchTest.matchSampled(a, b, maxUnits, seed)
                    : HiddenUnitMatchTest.match(a, b);
        } else {
            m = HiddenUnitMatchTest.matchRectangular(a, b, maxUnits, seed);
        }
        TestResult t = m.result();
        String note =
                a.rows() == b.rows() ? t.note() : "widths " + a.rows() + " vs " + b.rows() + " (pruned?): " + t.note();
        return new HiddenUnitMatchTest.Match(
                m.assignment(), new TestResult(id, t.statistic(), t.log10p(), t.effectSize(), t.n(), note));
    }
}
