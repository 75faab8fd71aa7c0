package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.TestIds.Statistic;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.kernels.VectorSupport;
import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.CentredVectorTest;
import dev.pedigree.stats.tests.Cka;
import dev.pedigree.stats.tests.HiddenUnitMatchTest;
import dev.pedigree.stats.tests.InvariantTest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The second stage of a block pair's full battery, the tests that survive a permutation of units:
 * Zhu's hidden-unit matchings of the MLP matrices and their agreement (exact under H0), the same
 * for each expert against its partner expert or the partner's dense MLP (upcycling), the aligned
 * Gram CKA and the gain-folded attention invariant of the attention (weak), and the norm-gain and
 * bias statistics (weak). Wide layers are matched streamed, with bounded memory. Reads a few tensors
 * at a time; stateless apart from the indexes' caches.
 */
final class PermutationStage {
    /** The MLP matrices, in the order their matchings and agreements are listed. */
    static final List<Role> MLP_ROLES = List.of(Role.MLP_GATE, Role.MLP_UP, Role.MLP_DOWN);
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

    private final BatteryContext ctx;
    private final int maxUnits;
    private final long seed;
    private final ModelIndex s;
    private final ModelIndex r;
    private final String component;
    /** The reference's component paired with {@link #component} (the same name unless paired by structure). */
    private final String refComponent;

    PermutationStage(BatteryContext ctx, String component, String refComponent) {
        this.ctx = ctx;
        this.maxUnits = ctx.maxUnits();
        this.seed = ctx.seed();
        this.s = ctx.s();
        this.r = ctx.r();
        this.component = component;
        this.refComponent = refComponent;
    }

    /** Norm gains and biases of block pair (i, j): centred statistics only, weak evidence. */
    void normsAndBiases(List<TaggedTest> out, String p, int i, int j) throws IOException, ModelFormatException {
        for (Role role : Role.values()) {
            for (Part part : new Part[] {Part.WEIGHT, Part.BIAS}) {
                if (part == Part.WEIGHT && !role.isNorm()) {
                    continue;
                }
                TensorRef a = s.get(component, i, role, null, part);
                TensorRef b = r.get(refComponent, j, role, null, part);
                if (a == null || b == null || a.shape().rank() != 1 || b.shape().rank() != 1) {
                    continue;
                }
                float[] va = s.vector(a);
                float[] vb = r.vector(b);
                String id = TestIds.centred(p, part, role);
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
                        TaggedTest.relabel(
                                t,
                                t.testId(),
                                t.note() + String.format(Locale.ROOT, "; raw cosine %.4f (never evidence)", raw)),
                        Kind.WEAK));
            }
        }
    }

    /** Aligned Gram CKA of the query and key matrices and the attention invariant (weak evidence). */
    void attention(List<TaggedTest> out, String p, int i, int j) throws IOException, ModelFormatException {
        for (Role role : new Role[] {Role.ATTN_Q, Role.ATTN_K}) {
            TensorRef a = s.weight(component, i, role);
            TensorRef b = r.weight(refComponent, j, role);
            if (a == null || b == null) {
                continue;
            }
            // At most CKA_UNITS units are used: read only those (seeded as in cka()).
            long salt = i * 7919L + j + role.ordinal();
            Matrix ma = s.rows(a, ckaUnits(a, salt));
            Matrix mb = r.rows(b, ckaUnits(b, salt));
            if (ctx.alignsFor(role) && ctx.canAlign(ma, mb)) {
                // AWM's Gram CKA takes residual dimensions as units; the alignment was fitted on token
                // embeddings, which independent models trained on the same data share up to a change of
                // basis, so its permutation null is optimistic. Reported as an effect size, not combined.
                out.add(new TaggedTest(
                        component,
                        cka(TestIds.ofRole(p, role, Statistic.CKA_ALIGNED), ma, ctx.alignCols(mb), salt),
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
        return ctx.sampled()
                ? ModelIndex.sample(units, maxUnits, seed + 31L * units)
                : ModelIndex.sample(units, CKA_UNITS, seed ^ salt);
    }

    /** Hidden-unit matchings of the dense MLP of block pair (i, j) and their agreement (exact). */
    List<TaggedTest> denseMlp(String p, int i, int j) throws IOException, ModelFormatException {
        return mlp(p, component, i, null, refComponent, j, null, component);
    }

    /**
     * Experts (MoE) against the partner's experts or dense MLP (upcycling). With several reference
     * experts, each suspect expert is tested against its matched source, not the expert of the same
     * index: the reference expert the assignment of {@link Customisation#assignExperts} gives it (the
     * summed correlation of the seeded gate and up rows, maximised over the block's experts), so that
     * reordered experts are compared with their own source. The partner is chosen among K reference
     * experts by the data, so each of its tests' p-values is multiplied by K (Bonferroni over the
     * candidates: valid whichever partner the choice picks).
     */
    void experts(List<TaggedTest> out, String p, int i, int j) throws IOException, ModelFormatException {
        List<Integer> es = s.experts(i);
        if (es.isEmpty()) {
            return;
        }
        List<Integer> er = r.experts(j);
        List<Integer> tested = es.subList(0, Math.min(MAX_EXPERTS, es.size()));
        int[] source = null;
        if (er.size() > 1) {
            List<float[]> mine = Customisation.expertProfiles(s, i, tested, ctx.sampleRows(), seed);
            List<float[]> theirs = Customisation.expertProfiles(r, j, er, ctx.sampleRows(), seed);
            source = Customisation.assignExperts(mine, theirs, new double[tested.size()]);
        }
        for (int k = 0; k < tested.size(); k++) {
            int e = tested.get(k);
            String ep = TestIds.expert(p, e);
            if (er.isEmpty()) {
                out.addAll(mlp(ep, Component.EXPERTS.name(), i, e, refComponent, j, null, Component.EXPERTS.name()));
                continue;
            }
            int partner =
                    source != null && source[k] >= 0 ? er.get(source[k]) : er.contains(e) ? e : er.get(k % er.size());
            List<TaggedTest> ts = mlp(
                    ep, Component.EXPERTS.name(), i, e, Component.EXPERTS.name(), j, partner, Component.EXPERTS.name());
            out.addAll(er.size() > 1 ? chosenAmong(ts, partner, er.size()) : ts);
        }
    }

    /** An expert's tests against a partner chosen among {@code candidates} reference experts: p × candidates. */
    private static List<TaggedTest> chosenAmong(List<TaggedTest> ts, int partner, int candidates) {
        double factor = Math.log10(candidates);
        List<TaggedTest> out = new ArrayList<>();
        for (TaggedTest t : ts) {
            TestResult x = t.result();
            if (!x.applicable()) {
                out.add(t);
                continue;
            }
            String note = x.note()
                    + String.format(
                            Locale.ROOT,
                            "; against reference expert %d, its matched source among %d (Bonferroni x%d)",
                            partner,
                            candidates,
                            candidates);
            out.add(new TaggedTest(
                    t.component(),
                    new TestResult(
                            x.testId(), x.statistic(), Math.min(0, x.log10p() + factor), x.effectSize(), x.n(), note),
                    t.kind()));
        }
        return out;
    }

    private List<TaggedTest> mlp(
            String p, String compS, int i, Integer eS, String compR, int j, Integer eR, String target)
            throws IOException, ModelFormatException {
        List<TaggedTest> early = screened(p, compS, i, eS, compR, j, eR, target);
        if (early != null) {
            return early;
        }
        List<TaggedTest> out = new ArrayList<>();
        List<int[]> assignments = new ArrayList<>();
        List<Role> assignmentRoles = new ArrayList<>();
        List<int[]> sampled = new ArrayList<>();
        List<Role> sampledRoles = new ArrayList<>();
        int sampledRange = 0;
        for (Role role : MLP_ROLES) {
            TensorRef a = s.get(compS, i, role, eS, Part.WEIGHT);
            TensorRef b = r.get(compR, j, role, eR, Part.WEIGHT);
            boolean down = role == Role.MLP_DOWN;
            if (a == null || b == null || (down && ctx.sampled())) {
                continue;
            }
            String matchId = TestIds.ofRole(p, role, Statistic.MATCH);
            String alignedId = TestIds.ofRole(p, role, Statistic.MATCH_ALIGNED);
            if (!ctx.sampled() && a.shape().rank() == 2 && b.shape().rank() == 2) {
                int[] rca = ModelIndex.matrixShape(a);
                int[] rcb = ModelIndex.matrixShape(b);
                int ha = down ? rca[1] : rca[0];
                int hb = down ? rcb[1] : rcb[0];
                int w = down ? rca[0] : rca[1];
                int wb = down ? rcb[0] : rcb[1];
                boolean canAlignStreamed = ctx.aligns(w, w);
                if (w == wb && Math.max(ha, hb) > maxUnits && w >= BatteryContext.MIN_FEATURES) {
                    // Wide layer, whole tensors: stream the reference's units into the sampled cosine
                    // matrix instead of holding both tensors (bounded memory at any width).
                    if (ha == hb) {
                        HiddenUnitMatchTest.Match m = streamedMatch(matchId, a, b, down, ha, w, false);
                        out.add(new TaggedTest(target, m.result(), Kind.EXACT));
                        if (canAlignStreamed) {
                            m = streamedMatch(alignedId, a, b, down, ha, w, true);
                            out.add(new TaggedTest(target, m.result(), Kind.EXACT));
                        }
                        sampled.add(m.assignment());
                        sampledRoles.add(role);
                        sampledRange = ha;
                    } else {
                        out.add(new TaggedTest(
                                target,
                                streamedRectangular(matchId, a, b, down, ha, hb, w, false)
                                        .result(),
                                Kind.EXACT));
                        if (canAlignStreamed) {
                            out.add(new TaggedTest(
                                    target,
                                    streamedRectangular(alignedId, a, b, down, ha, hb, w, true)
                                            .result(),
                                    Kind.EXACT));
                        }
                    }
                    continue;
                }
            }
            Matrix ma = ctx.unitsByResidual(s, a, down);
            Matrix mb = ctx.unitsByResidual(r, b, down);
            int[] used = null;
            if (ma.cols() == mb.cols()) {
                HiddenUnitMatchTest.Match m = match(matchId, ma, mb);
                out.add(new TaggedTest(target, m.result(), Kind.EXACT));
                used = ma.rows() == mb.rows() ? m.assignment() : null;
            } else {
                out.add(new TaggedTest(
                        target,
                        TestResult.notApplicable(matchId, "residual widths differ: " + ma.cols() + " vs " + mb.cols()),
                        Kind.EXACT));
            }
            if (ctx.canAlign(ma, mb)) {
                HiddenUnitMatchTest.Match m = match(alignedId, ma, ctx.alignCols(mb));
                out.add(new TaggedTest(target, m.result(), Kind.EXACT));
                used = ma.rows() == mb.rows() ? m.assignment() : null;
            }
            if (used != null && used.length > 0 && java.util.Arrays.stream(used).allMatch(x -> x >= 0)) {
                assignments.add(used);
                assignmentRoles.add(role);
            }
        }
        // Streamed (sampled) matchings of the same units: agreement on the common sample.
        for (int k = 1; k < sampled.size(); k++) {
            String id = TestIds.agreement(p, sampledRoles.get(0), sampledRoles.get(k));
            out.add(new TaggedTest(
                    target,
                    HiddenUnitMatchTest.agreementSampled(sampled.get(0), sampled.get(k), sampledRange, id),
                    Kind.PRIMARY));
        }
        for (int k = 1; k < assignments.size(); k++) {
            int[] x = assignments.get(0);
            int[] y = assignments.get(k);
            String id = TestIds.agreement(p, assignmentRoles.get(0), assignmentRoles.get(k));
            if (x.length != y.length) {
                out.add(new TaggedTest(
                        target, TestResult.notApplicable(id, "matchings of different sizes"), Kind.PRIMARY));
            } else {
                out.add(new TaggedTest(target, HiddenUnitMatchTest.agreement(x, y, id), Kind.PRIMARY));
            }
        }
        return out;
    }

    /**
     * {@link EarlyStop}'s screen of a wide MLP (every matrix on the streamed same-width path): the
     * matchings, aligned matchings and agreements of a few sampled units. The screen's tests when no
     * signal shows; null to run the full assignment (a signal, or no screen with enough power).
     */
    private List<TaggedTest> screened(
            String p, String compS, int i, Integer eS, String compR, int j, Integer eR, String target)
            throws IOException, ModelFormatException {
        Screen sc = screen(p, compS, i, eS, compR, j, eR, target, false);
        if (sc == null) {
            return null;
        }
        if (EarlyStop.escalate(sc.tests())) {
            s.screens.escalated(sc.plan());
            return null;
        }
        s.screens.stopped(sc.plan());
        return EarlyStop.stopped(sc.tests(), sc.plan(), sc.units());
    }

    /**
     * An {@link EarlyStop} screen's tests as computed (p-values not yet raised, nothing tallied), its
     * plan and the layer's unit count.
     */
    record Screen(List<TaggedTest> tests, EarlyStop.Plan plan, int units) {}

    /**
     * The screen of the dense MLP of block pair (i, j) for {@link BlockBattery}'s sampled battery;
     * null when no screen applies (the full assignment would run without one). A gated MLP is
     * screened on its gate and up matrices alone: their agreement is the permutation-robust test the
     * screen's power is stated for ({@link EarlyStop#plan}: one matching, or one agreement of two), so
     * the down matrix, read whole for its matchings, is left to the full battery a signal runs.
     */
    Screen denseMlpScreen(String p, int i, int j) throws IOException, ModelFormatException {
        return screen(p, component, i, null, refComponent, j, null, component, true);
    }

    /** The plan {@link #denseMlpScreen} would screen with (reads nothing); null when none applies. */
    EarlyStop.Plan denseMlpPlan(int i, int j) {
        Screenable sc = screenable(component, i, null, refComponent, j, null, true);
        return sc == null ? null : sc.plan();
    }

    /**
     * How many tests {@link #denseMlpScreen} would report for block pair (i, j) (matchings, aligned
     * matchings, agreements; reads nothing); 0 when no screen applies.
     */
    int denseMlpScreenTests(int i, int j) {
        Screenable sc = screenable(component, i, null, refComponent, j, null, true);
        if (sc == null) {
            return 0;
        }
        int n = sc.roles().size();
        return n * (ctx.aligns(sc.w(), sc.w()) ? 2 : 1) + n - 1;
    }

    /** A screenable MLP: the plan, its unit count and residual width, the roles and their tensor pairs. */
    private record Screenable(EarlyStop.Plan plan, int h, int w, List<Role> roles, List<TensorRef[]> pairs) {}

    /**
     * Whether the MLP of a block pair can be screened, and how; null when it cannot. {@code battery}:
     * for {@link #denseMlpScreen} (gate and up alone when both exist).
     */
    private Screenable screenable(String compS, int i, Integer eS, String compR, int j, Integer eR, boolean battery) {
        if (ctx.sampled()) {
            return null;
        }
        List<Role> roles = new ArrayList<>();
        List<TensorRef[]> pairs = new ArrayList<>();
        int h = -1;
        int w = -1;
        for (Role role : MLP_ROLES) {
            TensorRef a = s.get(compS, i, role, eS, Part.WEIGHT);
            TensorRef b = r.get(compR, j, role, eR, Part.WEIGHT);
            if (a == null || b == null) {
                continue;
            }
            if (a.shape().rank() != 2 || !a.shape().equals(b.shape())) {
                return null;
            }
            int[] rc = ModelIndex.matrixShape(a);
            boolean down = role == Role.MLP_DOWN;
            int units = down ? rc[1] : rc[0];
            int width = down ? rc[0] : rc[1];
            if (units <= maxUnits || width < BatteryContext.MIN_FEATURES || (h >= 0 && (units != h || width != w))) {
                return null;
            }
            h = units;
            w = width;
            roles.add(role);
            pairs.add(new TensorRef[] {a, b});
        }
        if (roles.isEmpty()) {
            return null;
        }
        if (battery && roles.contains(Role.MLP_GATE) && roles.contains(Role.MLP_UP)) {
            int down = roles.indexOf(Role.MLP_DOWN);
            if (down >= 0) {
                roles.remove(down);
                pairs.remove(down);
            }
        }
        // The battery's screen of input-side matrices on every coordinate (screenCosines) may sample the
        // reference units too: it reads only the sampled rows.
        boolean sampleReference = battery
                && !roles.contains(Role.MLP_DOWN)
                && screenFeatures(w) == w
                && (!ctx.aligns(w, w) || bijective(ctx.align().index(), w));
        EarlyStop.Plan plan = EarlyStop.plan(h, screenFeatures(w), maxUnits, sampleReference);
        return plan == null ? null : new Screenable(plan, h, w, roles, pairs);
    }

    /** The screen of {@link #screened} as computed; null when none applies. */
    private Screen screen(
            String p, String compS, int i, Integer eS, String compR, int j, Integer eR, String target, boolean battery)
            throws IOException, ModelFormatException {
        Screenable sc = screenable(compS, i, eS, compR, j, eR, battery);
        if (sc == null) {
            return null;
        }
        EarlyStop.Plan plan = sc.plan();
        int h = sc.h();
        int w = sc.w();
        List<Role> roles = sc.roles();
        List<TensorRef[]> pairs = sc.pairs();
        List<TaggedTest> out = new ArrayList<>();
        List<int[]> plain = new ArrayList<>();
        List<int[]> aligned = new ArrayList<>();
        // Sampled reference units (null: all), a seeded sample that contains the sampled units' indices.
        int[] range = plan.range() == 0 ? null : HiddenUnitMatchTest.sampledRows(h, plan.range(), seed);
        int candidates = range == null ? h : range.length;
        for (int k = 0; k < roles.size(); k++) {
            Role role = roles.get(k);
            boolean down = role == Role.MLP_DOWN;
            TensorRef a = pairs.get(k)[0];
            TensorRef b = pairs.get(k)[1];
            boolean withAligned = ctx.aligns(w, w);
            HiddenUnitMatchTest.Match[] ms = screenMatches(
                    TestIds.ofRole(p, role, Statistic.MATCH),
                    TestIds.ofRole(p, role, Statistic.MATCH_ALIGNED),
                    a,
                    b,
                    down,
                    h,
                    w,
                    withAligned,
                    plan.units(),
                    range);
            out.add(new TaggedTest(target, ms[0].result(), Kind.EXACT));
            plain.add(ms[0].assignment());
            if (withAligned) {
                out.add(new TaggedTest(target, ms[1].result(), Kind.EXACT));
                aligned.add(ms[1].assignment());
            }
        }
        for (int k = 1; k < roles.size(); k++) {
            // The screen's agreement: the better of the plain and the aligned matchings' (Bonferroni x2), so
            // that a weakly related block whose residual alignment failed still shows.
            String id = TestIds.agreement(p, roles.get(0), roles.get(k));
            TestResult t = HiddenUnitMatchTest.agreementSampled(plain.get(0), plain.get(k), candidates, id);
            if (!aligned.isEmpty()) {
                TestResult u = HiddenUnitMatchTest.agreementSampled(aligned.get(0), aligned.get(k), candidates, id);
                TestResult best = u.applicable() && (!t.applicable() || u.log10p() < t.log10p()) ? u : t;
                t = best.applicable()
                        ? new TestResult(
                                id,
                                best.statistic(),
                                Math.min(0, best.log10p() + Math.log10(2)),
                                best.effectSize(),
                                best.n(),
                                (best == u ? "aligned matchings: " : "plain matchings: ") + best.note()
                                        + "; better of plain and aligned, Bonferroni x2")
                        : best;
            }
            out.add(new TaggedTest(target, t, Kind.PRIMARY));
        }
        return new Screen(out, plan, h);
    }

    private List<TaggedTest> invariant(String p, int i, int j) throws IOException, ModelFormatException {
        if (ctx.anchorsS() == null || ctx.anchorsR() == null || ctx.sampled()) {
            return List.of(); // needs whole query/key matrices; weak evidence, left out under --sample
        }
        TensorRef qa = s.weight(component, i, Role.ATTN_Q);
        TensorRef ka = s.weight(component, i, Role.ATTN_K);
        TensorRef qb = r.weight(refComponent, j, Role.ATTN_Q);
        TensorRef kb = r.weight(refComponent, j, Role.ATTN_K);
        if (qa == null || ka == null || qb == null || kb == null) {
            return List.of();
        }
        String id = TestIds.attentionInvariant(p);
        Matrix invA = attnInvariant(ctx.anchorsS(), s, component, i, qa, ka);
        Matrix invB = attnInvariant(ctx.anchorsR(), r, refComponent, j, qb, kb);
        if (invA == null || invB == null) {
            return List.of(new TaggedTest(
                    component, TestResult.notApplicable(id, "query/key shapes not understood"), Kind.WEAK));
        }
        // Its Mantel null is "no association between anchors", not independent initialisation: models
        // trained on the same tokens converge to similar token geometry. Reported, never combined.
        TestResult t = InvariantTest.test(id, invA, invB);
        return List.of(new TaggedTest(component, t, Kind.WEAK));
    }

    private Matrix attnInvariant(Matrix anchors, ModelIndex m, String comp, int layer, TensorRef q, TensorRef k)
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
        TensorRef g = m.weight(comp, layer, Role.ATTN_NORM);
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

    /** Floats per side read at once by the streamed matchings (32 MB). */
    static final int STREAM_CHUNK_FLOATS = 8 << 20;

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
        return streamedResult(id, HiddenUnitMatchTest.matchSampled(sample, h, cross, seed), w, MATCH_FEATURES);
    }

    /**
     * Most residual coordinates a screen compares units on: every one up to this width (the cosines of
     * a sampled unit with all reference units are then one product over the rows as stored, with no
     * gather, and the power per unit is far higher: at r = 0.1 the partner's standardised cosine is
     * r·√f, 4.5 at f = 2,048 against 3.2 at 1,024), above it {@value #MATCH_FEATURES} seeded ones.
     */
    static final int SCREEN_FEATURES = 4096;

    /** The residual coordinates a screen of width {@code w} compares units on ({@link #SCREEN_FEATURES}). */
    static int screenFeatures(int w) {
        return w <= SCREEN_FEATURES ? w : Math.min(w, MATCH_FEATURES);
    }

    /**
     * The screen's sampled matchings of {@code units} units, plain and (when {@code withAligned})
     * through the residual alignment, from one pass over {@code b}, on {@link #screenFeatures}
     * residual coordinates: input-side matrices compared on every coordinate take {@link
     * #screenCosines} (one product for both variants), the others {@link #crossCosines} with two
     * variants.
     */
    private HiddenUnitMatchTest.Match[] screenMatches(
            String plainId,
            String alignedId,
            TensorRef a,
            TensorRef b,
            boolean outputSide,
            int h,
            int w,
            boolean withAligned,
            int units,
            int[] range)
            throws IOException, ModelFormatException {
        int[] sample = HiddenUnitMatchTest.sampledRows(h, units, seed);
        int features = screenFeatures(w);
        boolean direct = !outputSide
                && features == w
                && (!withAligned || bijective(ctx.align().index(), w));
        if (range != null && !direct) {
            throw new IllegalStateException("sampled reference units need the direct screen product");
        }
        float[][] cross = direct
                ? screenCosines(a, sample, b, range, h, w, withAligned)
                : crossCosines(
                        a,
                        sample,
                        false,
                        b,
                        h,
                        withAligned ? new boolean[] {false, true} : new boolean[] {false},
                        null,
                        outputSide,
                        h,
                        w,
                        features);
        HiddenUnitMatchTest.Match[] out = new HiddenUnitMatchTest.Match[cross.length];
        for (int v = 0; v < cross.length; v++) {
            out[v] = streamedResult(
                    v == 0 ? plainId : alignedId,
                    range == null
                            ? HiddenUnitMatchTest.matchSampled(sample, h, cross[v], seed)
                            : HiddenUnitMatchTest.matchSampledWithin(sample, range, h, cross[v], seed),
                    w,
                    features);
        }
        return out;
    }

    /** Whether {@code index} is a permutation of 0 .. w−1 (an alignment of equal widths with every dimension matched). */
    private static boolean bijective(int[] index, int w) {
        if (index.length != w) {
            return false;
        }
        boolean[] seen = new boolean[w];
        for (int x : index) {
            if (x < 0 || x >= w || seen[x]) {
                return false;
            }
            seen[x] = true;
        }
        return true;
    }

    /**
     * {@link #crossCosines} of the sampled {@code units} of input-side tensor {@code q} with every
     * unit (row) of {@code t}, on all {@code w} residual coordinates: plain, and with {@code
     * withAligned} also through the residual alignment (a signed permutation of all w coordinates).
     * The alignment moves to the sampled side: {@code cos(q, Pt) = cos(Pᵀq, t)} for a signed
     * permutation P, so both variants are one product of the 2k normalised sampled rows with the
     * rows of {@code t} as stored, divided by their norms; {@code t} is decoded once, in parallel
     * slices. Rows with a non-finite value give cosines of 0, as {@link Matrix#normaliseRows} does.
     * With {@code rows} (ascending), only those rows of {@code t} are read, and the result is k ×
     * rows.length (column j: row {@code rows[j]}); null: all {@code ht}.
     */
    float[][] screenCosines(TensorRef q, int[] units, TensorRef t, int[] rows, int ht, int w, boolean withAligned)
            throws IOException, ModelFormatException {
        int k = units.length;
        int variants = withAligned ? 2 : 1;
        float[] qr = ModelIndex.read(q, units).normaliseRows().data();
        float[] qs = java.util.Arrays.copyOf(qr, Math.multiplyExact(variants * k, w));
        if (withAligned) {
            // Row i of the aligned block is Pᵀq_i: (Pᵀq)[idx[c]] = sign[c]·q[c].
            int[] idx = ctx.align().index();
            float[] sg = ctx.align().sign();
            for (int i = 0; i < k; i++) {
                int src = i * w;
                int dst = (k + i) * w;
                for (int c = 0; c < w; c++) {
                    qs[dst + idx[c]] = sg[c] * qr[src + c];
                }
            }
        }
        int vk = variants * k;
        int nt = rows == null ? ht : rows.length;
        if (rows != null) {
            t.prefetchRows(rows);
        }
        float[][] cross = new float[variants][Math.multiplyExact(k, nt)];
        int block = Math.max(1, Math.min(nt, SCREEN_CHUNK_ROWS));
        float[] xb = new float[Math.multiplyExact(block, w)];
        double[] norm2 = new double[block];
        float[] inv = new float[block];
        Kernels kernels = VectorSupport.numeric();
        for (int j0 = 0; j0 < nt; j0 += block) {
            int n = Math.min(block, nt - j0);
            float[] x = n == block ? xb : new float[n * w];
            int slices = Math.ceilDiv(n, SCREEN_SLICE_ROWS);
            final int first = j0;
            ParallelTasks.forEach(slices, 2, sl -> {
                int r0 = sl * SCREEN_SLICE_ROWS;
                int nr = Math.min(SCREEN_SLICE_ROWS, n - r0);
                if (rows == null) {
                    t.readRows(first + r0, nr, x, r0 * w);
                } else {
                    for (int u = r0; u < r0 + nr; u++) {
                        t.readRows(rows[first + u], 1, x, u * w);
                    }
                }
                for (int u = r0; u < r0 + nr; u++) {
                    double ss = Kernels.sumSquares(x, u * w, w);
                    if (!Double.isFinite(ss)) {
                        ss = Kernels.scalar().sumOfSquares(x, u * w, w);
                    }
                    norm2[u] = ss;
                }
            });
            float[] c = kernels.multiplyTransposed(qs, vk, x, n, w, true);
            for (int u = 0; u < n; u++) {
                double ss = norm2[u];
                inv[u] = ss > 0 && Double.isFinite(ss) ? (float) (1.0 / Math.sqrt(ss)) : 0f;
            }
            for (int r = 0; r < vk; r++) {
                float[] dst = cross[r / k];
                int off = (r % k) * nt + j0;
                for (int u = 0; u < n; u++) {
                    dst[off + u] = inv[u] == 0f ? 0f : c[r * n + u] * inv[u];
                }
            }
        }
        return cross;
    }

    /** Reference rows decoded and multiplied at once by {@link #screenCosines} (8 MB at width 2,048). */
    private static final int SCREEN_CHUNK_ROWS = 1024;

    /** Rows one task of {@link #screenCosines} decodes. */
    private static final int SCREEN_SLICE_ROWS = 128;

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
                        TaggedTest.relabel(t, t.testId(), "widths " + ha + " vs " + hb + " (pruned?): " + t.note())),
                w,
                MATCH_FEATURES);
    }

    private static HiddenUnitMatchTest.Match streamedResult(
            String id, HiddenUnitMatchTest.Match m, int w, int features) {
        TestResult t = m.result();
        String on = w > features
                ? "; streamed, units compared on " + features + " of " + w + " seeded residual coordinates"
                : "; streamed";
        return new HiddenUnitMatchTest.Match(m.assignment(), TaggedTest.relabel(t, id, t.note() + on));
    }

    /**
     * Cosines (k × ht, row-major) between the {@code units} of tensor {@code q} (of {@code hq} units)
     * and every unit of tensor {@code t} (ht units, streamed), over at most
     * {@value #MATCH_FEATURES} seeded residual coordinates; streamed unit u lands in column
     * {@code position[u]} (null: u). A side marked aligned reads its residual coordinates through
     * the residual alignment (signed, permuted). Units are rows of the tensors, or columns when
     * {@code outputSide} (then only the picked residual rows are read).
     */
    float[] crossCosines(
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
        return crossCosines(
                q, units, alignQ, t, ht, new boolean[] {alignT}, position, outputSide, hq, w, MATCH_FEATURES)[0];
    }

    /**
     * {@link #crossCosines} for several ways of reading {@code t} ({@code alignT[v]}: through the
     * residual alignment or not), the same units of {@code q}: with units in rows, every variant is
     * computed from one pass over {@code t} (one decode), with units in columns each variant reads its
     * own picked residual rows.
     */
    float[][] crossCosines(
            TensorRef q,
            int[] units,
            boolean alignQ,
            TensorRef t,
            int ht,
            boolean[] alignT,
            int[] position,
            boolean outputSide,
            int hq,
            int w,
            int maxFeatures)
            throws IOException, ModelFormatException {
        int k = units.length;
        int variants = alignT.length;
        int[] picked = ModelIndex.sample(w, maxFeatures, seed ^ 0xFEA7L);
        int nf = picked == null ? w : picked.length;
        int[] colsQ = new int[nf];
        int[][] colsT = new int[variants][nf];
        float[] signQ = new float[nf];
        float[][] signT = new float[variants][nf];
        boolean anyAligned = alignQ;
        for (boolean x : alignT) {
            anyAligned |= x;
        }
        int[] idx = anyAligned ? ctx.align().index() : null;
        float[] sg = anyAligned ? ctx.align().sign() : null;
        for (int f = 0; f < nf; f++) {
            int c = picked == null ? f : picked[f];
            colsQ[f] = alignQ ? idx[c] : c;
            signQ[f] = alignQ ? sg[c] : 1f;
            for (int v = 0; v < variants; v++) {
                colsT[v][f] = alignT[v] ? idx[c] : c;
                signT[v][f] = alignT[v] ? sg[c] : 1f;
            }
        }
        float[][] cross = new float[variants][Math.multiplyExact(k, ht)];
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
                for (int v = 0; v < variants; v++) {
                    int[] ct = colsT[v];
                    float[] st = signT[v];
                    float[] tf = new float[n * nf];
                    for (int u = 0; u < n; u++) {
                        for (int f = 0; f < nf; f++) {
                            tf[u * nf + f] = ct[f] < 0 ? 0f : xb[u * w + ct[f]] * st[f];
                        }
                    }
                    float[] c = qn.multiplyTransposed(Matrix.of(n, nf, tf).normaliseRows())
                            .data();
                    for (int i = 0; i < k; i++) {
                        if (position == null) {
                            System.arraycopy(c, i * n, cross[v], i * ht + j0, n);
                        } else {
                            for (int u = 0; u < n; u++) {
                                cross[v][i * ht + position[j0 + u]] = c[i * n + u];
                            }
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
        for (int v = 0; v < variants; v++) {
            double[] norm2 = new double[ht];
            float[] acc = new float[Math.multiplyExact(k, ht)];
            int chunk = Math.max(1, Math.min(nf, STREAM_CHUNK_FLOATS / ht));
            float[] xb = new float[Math.multiplyExact(chunk, ht)];
            for (int f0 = 0; f0 < nf; f0 += chunk) {
                int n = Math.min(chunk, nf - f0);
                ModelIndex.readRowsSigned(t, colsT[v], signT[v], f0, n, xb, ht);
                for (int f = 0; f < n; f++) {
                    for (int u = 0; u < ht; u++) {
                        double x = xb[f * ht + u];
                        norm2[u] += x * x;
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
                    cross[v][i * ht + (position == null ? u : position[u])] =
                            norm2[u] > 0 ? (float) (acc[i * ht + u] / Math.sqrt(norm2[u])) : 0f;
                }
            }
        }
        return cross;
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
        if (a.cols() < BatteryContext.MIN_FEATURES) {
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
        return new HiddenUnitMatchTest.Match(m.assignment(), TaggedTest.relabel(t, id, note));
    }
}
