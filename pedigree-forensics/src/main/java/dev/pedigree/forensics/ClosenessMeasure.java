package dev.pedigree.forensics;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.Closeness.BlockCloseness;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.LinearAssignment;
import dev.pedigree.stats.Matrix;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 14 §3–§4: how close a block pair's weights are, bounded and comparable across results, and
 * the block pair with a permutation undone. For a pair the permutation-robust tests found ({@link
 * StackComparison#permuted}), the reference block is first re-expressed in the suspect's basis: its
 * residual coordinates through the comparison's residual alignment (signed permutation), its MLP
 * hidden units and attention units by one assignment each over every matrix that shares them (gate
 * rows, up rows and down columns; query rows and output columns; key and value rows), and the norm
 * gains folded into the reading matrices by a least-squares scale per residual coordinate. Other
 * pairs are measured as stored, on the seeded rows {@link Customisation} reads. Descriptive only:
 * nothing here is evidence. Stateless.
 */
final class ClosenessMeasure {
    static final Role[] ROLES = {
        Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V, Role.ATTN_O, Role.MLP_GATE, Role.MLP_UP, Role.MLP_DOWN
    };
    /** A unit counts as matched when its row correlates with its partner's above this many standard errors. */
    static final double CHANCE_Z = 4;

    private ClosenessMeasure() {}

    /** Whether a role's tensor has its units (hidden units, head dimensions) in columns. */
    static boolean outputSide(Role role) {
        return role == Role.ATTN_O || role == Role.MLP_DOWN;
    }

    /** The roles that share one set of units, each set matched by one assignment. */
    static final List<List<Role>> UNIT_SETS = List.of(
            List.of(Role.MLP_GATE, Role.MLP_UP, Role.MLP_DOWN),
            List.of(Role.ATTN_Q, Role.ATTN_O),
            List.of(Role.ATTN_K, Role.ATTN_V));

    /**
     * Units of a unit set wider than the assignment cap that are matched (a seeded sample, each
     * against every reference unit) and measured: as many as {@link Customisation} reads rows.
     */
    static final int WIDE_UNITS = Customisation.PROBE_ROWS;

    /**
     * A block pair with its permutation undone.
     *
     * @param pairs per role, the suspect's tensor and the reference's re-expressed in the suspect's
     *     basis, [rows × cols] as stored, or restricted to the units matched ([units × residual] rows,
     *     [residual × units] columns) when {@code sampling} says so
     * @param sampling how units were sampled, one phrase per unit set that was (empty: every unit)
     * @param rotated whether the residual basis was undone by an orthogonal rotation ({@link #residualRotation}),
     *     the suspect's tensors then re-expressed in the reference's basis instead
     */
    record Undone(Map<Role, Matrix[]> pairs, List<String> sampling, boolean rotated) {}

    /** An {@link Undone} with the mean relative change it leaves over the block's tensors. */
    private record Attempt(Undone undone, double change) {}

    /**
     * Fewest probe-token rows per residual coordinate for fitting a rotation of the residual basis (below it
     * the fitted rotation mostly reads the noise of the rows).
     */
    static final int ROTATION_ROWS_PER_COORDINATE = 2;

    /** Widest residual basis whose rotation is fitted (one SVD of a d × d matrix). */
    static final int ROTATION_MAX_WIDTH = PermutationStage.MATCH_FEATURES;

    /**
     * The orthogonal rotation {@code Q} of the residual basis with {@code E_reference Q ≈ E_suspect} on the
     * probe tokens' fit half ({@link TokenProbes}), for a copy whose residual stream was rotated rather than
     * permuted (which the signed-permutation alignment cannot express); null without token embeddings, with
     * widths that differ, more than {@link #ROTATION_MAX_WIDTH} coordinates or fewer than {@link
     * #ROTATION_ROWS_PER_COORDINATE} fit rows per coordinate. Fitted on embeddings only: a block's weights
     * take no part, so an unrelated block stays unrelated after it.
     */
    static Matrix residualRotation(BatteryContext ctx) throws IOException, ModelFormatException {
        TokenProbes probes = ctx.probes();
        if (probes == null || !probes.present() || probes.fitS().length == 0) {
            return null;
        }
        String emb = dev.pedigree.model.Component.EMBEDDINGS.name();
        TensorRef a = ctx.s().weight(emb, null, Role.EMBEDDING);
        TensorRef b = ctx.r().weight(emb, null, Role.EMBEDDING);
        if (a == null || b == null || a.shape().rank() != 2 || !a.shape().equals(b.shape())) {
            return null;
        }
        int d = ModelIndex.matrixShape(a)[1];
        int n = probes.fitS().length;
        if (d < 2 || d > ROTATION_MAX_WIDTH || n < ROTATION_ROWS_PER_COORDINATE * d) {
            return null;
        }
        // The probe rows as TokenProbes read them (cached): fit rows first.
        int[] fit = java.util.stream.IntStream.range(0, n).toArray();
        Matrix ms = ctx.s().rows(a, probes.suspectRows()).rowsSubset(fit);
        Matrix mr = ctx.r().rows(b, probes.referenceRows()).rowsSubset(fit);
        if (ms.nonFiniteRows() > 0 || mr.nonFiniteRows() > 0) {
            return null;
        }
        return dev.pedigree.stats.Procrustes.fit(mr, ms);
    }

    /** How a layer-map pair is undone: {@link Undone}, or null to measure it as stored. */
    @FunctionalInterface
    interface Undo {
        Undone of(dev.pedigree.forensics.result.LayerMatch m) throws IOException, ModelFormatException;
    }

    /**
     * Both blocks' tensors, the reference's re-expressed in the suspect's basis ({@link Undone}); null
     * when no tensor pair of equal shape exists or when undoing does not explain the pair better than
     * the stored basis (mean relative change over the block's tensors not below 90% of the stored
     * one's: nothing was permuted). A unit set of at most {@link BatteryContext#maxUnits} units is
     * matched whole by one assignment; a wider one on {@link #WIDE_UNITS} seeded suspect units, each
     * against every reference unit (cosines streamed as the permutation-robust tests do, bounded
     * memory); under --sample, the rows the sampled battery read (output-side tensors not read),
     * matched among the reference's rows read, keeping the pairs that correlate beyond chance.
     */
    static Undone undone(BatteryContext ctx, Block suspect, Block reference) throws IOException, ModelFormatException {
        return undone(ctx, suspect, reference, null);
    }

    /**
     * {@link #undone(BatteryContext, Block, Block)}, and with a {@code rotation} of the residual basis ({@link
     * #residualRotation}) also undone through that rotation instead of the signed permutation: the one that
     * leaves the smaller mean relative change is kept (a residual-permuted copy: the permutation, exact; a
     * rotated one: the rotation). Through the rotation, the suspect's tensors are re-expressed in the reference's
     * basis ({@code A Qᵀ}, which leaves norms and so the relative change as they are), so the norm gains folded
     * into them are undone in the reference's basis too; a unit set wider than {@link BatteryContext#maxUnits}
     * (not under --sample) is not undone through a rotation.
     */
    static Undone undone(BatteryContext ctx, Block suspect, Block reference, Matrix rotation)
            throws IOException, ModelFormatException {
        Attempt p = attempt(ctx, suspect, reference, null);
        Attempt q = rotation == null ? null : attempt(ctx, suspect, reference, rotation);
        if (p == null || (q != null && q.change() < p.change())) {
            p = q;
        }
        return p == null ? null : p.undone();
    }

    private static Attempt attempt(BatteryContext ctx, Block suspect, Block reference, Matrix rotation)
            throws IOException, ModelFormatException {
        Map<Role, Matrix[]> out = new EnumMap<>(Role.class);
        Map<Role, Matrix[]> stored = new EnumMap<>(Role.class);
        List<String> sampling = new ArrayList<>();
        for (List<Role> set : UNIT_SETS) {
            undoUnits(ctx, suspect, reference, set, rotation, out, stored, sampling);
        }
        if (out.isEmpty()) {
            return null;
        }
        rescaleColumns(out, List.of(Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V));
        rescaleColumns(out, List.of(Role.MLP_GATE, Role.MLP_UP));
        List<Double> before = new ArrayList<>();
        List<Double> after = new ArrayList<>();
        for (Map.Entry<Role, Matrix[]> e : out.entrySet()) {
            Matrix[] st = stored.get(e.getKey());
            before.add(relativeChange(st[0].data(), st[1].data()));
            after.add(relativeChange(e.getValue()[0].data(), e.getValue()[1].data()));
        }
        return mean(after) < 0.9 * mean(before)
                ? new Attempt(new Undone(out, List.copyOf(sampling), rotation != null), mean(after))
                : null;
    }

    /**
     * Undoes the permutation of one unit set ({@code roles}): puts the pairs re-expressed into {@code
     * out} and the same units as stored (same indices, no alignment) into {@code stored}.
     */
    private static void undoUnits(
            BatteryContext ctx,
            Block suspect,
            Block reference,
            List<Role> set,
            Matrix rotation,
            Map<Role, Matrix[]> out,
            Map<Role, Matrix[]> stored,
            List<String> sampling)
            throws IOException, ModelFormatException {
        List<Role> roles = new ArrayList<>();
        List<TensorRef[]> refs = new ArrayList<>();
        int h = -1;
        for (Role role : set) {
            TensorRef a = ctx.s().weight(suspect.component(), suspect.layer(), role);
            TensorRef b = ctx.r().weight(reference.component(), reference.layer(), role);
            if (a == null || b == null || a.shape().rank() != 2 || !a.shape().equals(b.shape())) {
                continue;
            }
            if (ctx.sampled() && outputSide(role)) {
                continue; // units in columns: not read under --sample
            }
            int[] rc = ModelIndex.matrixShape(a);
            int units = outputSide(role) ? rc[1] : rc[0];
            if (h >= 0 && units != h) {
                return; // the roles do not share their units (shapes not understood): leave as stored
            }
            h = units;
            roles.add(role);
            refs.add(new TensorRef[] {a, b});
        }
        if (roles.isEmpty() || h < 2) {
            return;
        }
        Map<Role, Matrix[]> pairs = new EnumMap<>(Role.class);
        if (!ctx.sampled() && h > ctx.maxUnits()) {
            if (rotation != null) {
                return; // wide unit sets are matched through the signed permutation only
            }
            wideUnits(ctx, suspect, reference, roles, refs, h, pairs, stored, sampling);
        } else {
            // Whole tensors (at most maxUnits units), or under --sample the battery's own rows.
            int[] rows = ctx.sampled() ? ModelIndex.sample(h, ctx.maxUnits(), ctx.seed() + 31L * h) : null;
            for (int k = 0; k < roles.size(); k++) {
                Matrix ma = ctx.s().rows(refs.get(k)[0], rows);
                Matrix mb = ctx.r().rows(refs.get(k)[1], rows);
                stored.put(roles.get(k), new Matrix[] {ma, mb});
                pairs.put(
                        roles.get(k),
                        rotation == null
                                ? new Matrix[] {ma, aligned(ctx, roles.get(k), mb)}
                                : new Matrix[] {rotated(roles.get(k), ma, rotation), mb});
            }
            int kept = matchUnits(pairs, roles, rows != null);
            if (rows != null) {
                sampling.add(String.format(
                        java.util.Locale.ROOT,
                        "%s: %d of the %d sampled units matched among the reference's %d sampled units (of %d)",
                        unitSetName(roles),
                        kept,
                        rows.length,
                        rows.length,
                        h));
                if (kept == 0) {
                    return;
                }
            }
        }
        out.putAll(pairs);
    }

    /** A unit set's name for notes: its roles, lower case. */
    private static String unitSetName(List<Role> roles) {
        return String.join(
                "/",
                roles.stream()
                        .map(r -> r.name().toLowerCase(java.util.Locale.ROOT))
                        .toList());
    }

    /**
     * The suspect's tensor re-expressed in the reference's residual basis, {@code A Qᵀ} in [units × residual]
     * form, for {@code E_reference Q ≈ E_suspect} (as stored when its residual width is not the rotation's).
     */
    private static Matrix rotated(Role role, Matrix ma, Matrix q) {
        Matrix u = units(role, ma);
        if (u.cols() != q.rows()) {
            return ma;
        }
        Matrix back = u.multiplyTransposed(q);
        return outputSide(role) ? back.transpose() : back;
    }

    /** The reference's tensor with its residual coordinates aligned to the suspect's (when the alignment applies). */
    private static Matrix aligned(BatteryContext ctx, Role role, Matrix mb) {
        int d = outputSide(role) ? mb.rows() : mb.cols();
        if (!ctx.alignsFor(role) || !ctx.aligns(d, d)) {
            return mb;
        }
        return outputSide(role) ? ctx.alignCols(mb.transpose()).transpose() : ctx.alignCols(mb);
    }

    /**
     * A unit set wider than the assignment cap: {@link #WIDE_UNITS} seeded suspect units, each
     * matched against every reference unit by one rectangular assignment over the summed cosines of
     * the set's tensors (streamed on at most {@link PermutationStage#MATCH_FEATURES} residual
     * coordinates, never an h × h matrix); the pairs hold only those units and their partners.
     */
    private static void wideUnits(
            BatteryContext ctx,
            Block suspect,
            Block reference,
            List<Role> roles,
            List<TensorRef[]> refs,
            int h,
            Map<Role, Matrix[]> pairs,
            Map<Role, Matrix[]> stored,
            List<String> sampling)
            throws IOException, ModelFormatException {
        int[] units = ModelIndex.sample(h, WIDE_UNITS, ctx.seed() + 31L * h);
        PermutationStage stage = new PermutationStage(ctx, suspect.component(), reference.component());
        float[] score = new float[Math.multiplyExact(units.length, h)];
        for (int k = 0; k < roles.size(); k++) {
            Role role = roles.get(k);
            int[] rc = ModelIndex.matrixShape(refs.get(k)[0]);
            int w = outputSide(role) ? rc[0] : rc[1];
            boolean al = ctx.alignsFor(role) && ctx.aligns(w, w);
            float[] c = stage.crossCosines(
                    refs.get(k)[0], units, false, refs.get(k)[1], h, al, null, outputSide(role), h, w);
            for (int i = 0; i < score.length; i++) {
                score[i] += Float.isFinite(c[i]) ? c[i] : 0f;
            }
        }
        int[] partner = LinearAssignment.maximise(score, units.length, h);
        for (int k = 0; k < roles.size(); k++) {
            Role role = roles.get(k);
            TensorRef a = refs.get(k)[0];
            TensorRef b = refs.get(k)[1];
            Matrix ma = outputSide(role) ? columns(a, units) : ModelIndex.read(a, units);
            Matrix mbStored = outputSide(role) ? columns(b, units) : ModelIndex.read(b, units);
            Matrix mb = outputSide(role) ? columns(b, partner) : ModelIndex.read(b, partner);
            stored.put(role, new Matrix[] {ma, mbStored});
            pairs.put(role, new Matrix[] {ma, aligned(ctx, role, mb)});
        }
        sampling.add(String.format(
                java.util.Locale.ROOT,
                "%s: %d of %d seeded units, each matched against all %d reference units",
                unitSetName(roles),
                units.length,
                h,
                h));
    }

    /** Columns {@code cols} of a 2-D tensor, in that order ([rows × cols.length]), read in blocks of rows. */
    private static Matrix columns(TensorRef t, int[] cols) throws IOException, ModelFormatException {
        int[] rc = ModelIndex.matrixShape(t);
        int block = Math.max(1, Math.min(rc[0], PermutationStage.STREAM_CHUNK_FLOATS / Math.max(1, rc[1])));
        float[] buf = new float[Math.multiplyExact(block, rc[1])];
        float[] out = new float[Math.multiplyExact(rc[0], cols.length)];
        for (int r0 = 0; r0 < rc[0]; r0 += block) {
            int n = Math.min(block, rc[0] - r0);
            t.readRows(r0, n, buf, 0);
            for (int u = 0; u < n; u++) {
                for (int k = 0; k < cols.length; k++) {
                    out[(r0 + u) * cols.length + k] = buf[u * rc[1] + cols[k]];
                }
            }
        }
        return Matrix.of(rc[0], cols.length, out);
    }

    /** The tensor as [units × features]: input-side as stored, output-side transposed. */
    private static Matrix units(Role role, Matrix m) {
        return outputSide(role) ? m.transpose() : m;
    }

    /**
     * One assignment of the units the {@code roles} share (summed cosines over all of them), applied
     * to the reference's tensors.
     */
    private static int matchUnits(Map<Role, Matrix[]> pairs, List<Role> roles, boolean partial) {
        float[] score = null;
        int h = -1;
        int features = 0;
        for (Role role : roles) {
            Matrix[] p = pairs.get(role);
            if (p == null) {
                continue;
            }
            Matrix ua = units(role, p[0]);
            Matrix ub = units(role, p[1]);
            if (h >= 0 && ua.rows() != h) {
                return 0; // the roles do not share their units (shapes not understood): leave as stored
            }
            h = ua.rows();
            features += ua.cols();
            float[] c =
                    ua.normaliseRows().multiplyTransposed(ub.normaliseRows()).data();
            if (score == null) {
                score = c;
            } else {
                for (int i = 0; i < c.length; i++) {
                    score[i] += c[i];
                }
            }
        }
        if (score == null || h < 2) {
            return 0;
        }
        for (int i = 0; i < score.length; i++) {
            if (!Float.isFinite(score[i])) {
                score[i] = 0f;
            }
        }
        int[] pi = LinearAssignment.maximise(score, h, h);
        int[] keep = null;
        if (partial) {
            // Only some suspect units have their partner among the reference's rows read: keep the pairs
            // whose summed cosine is beyond chance (each cosine's null sd about 1/sqrt(features)).
            int m = 0;
            for (Role role : roles) {
                m += pairs.containsKey(role) ? 1 : 0;
            }
            double bound = CHANCE_Z * Math.sqrt(m * (double) m / Math.max(1, features));
            float[] sc = score;
            int n = h;
            keep = java.util.stream.IntStream.range(0, n)
                    .filter(i -> sc[i * n + pi[i]] > bound)
                    .toArray();
        }
        for (Role role : roles) {
            Matrix[] p = pairs.get(role);
            if (p != null) {
                Matrix ua = units(role, p[0]);
                Matrix ub = units(role, p[1]).rowsSubset(pi);
                if (keep != null) {
                    ua = ua.rowsSubset(keep);
                    ub = ub.rowsSubset(keep);
                    p[0] = outputSide(role) ? ua.transpose() : ua;
                }
                p[1] = outputSide(role) ? ub.transpose() : ub;
            }
        }
        return keep == null ? h : keep.length;
    }

    /**
     * Scales each residual column of the reference's reading matrices {@code roles} (one norm gain
     * reads into all of them) by its least-squares ratio to the suspect's: undoes new norm gains
     * whose ratio was folded into the weights (function-preserving).
     */
    private static void rescaleColumns(Map<Role, Matrix[]> pairs, List<Role> roles) {
        int cols = -1;
        double[] ab = null;
        double[] bb = null;
        for (Role role : roles) {
            Matrix[] p = pairs.get(role);
            if (p == null) {
                continue;
            }
            if (cols >= 0 && p[0].cols() != cols) {
                return;
            }
            cols = p[0].cols();
            if (ab == null) {
                ab = new double[cols];
                bb = new double[cols];
            }
            float[] a = p[0].data();
            float[] b = p[1].data();
            for (int i = 0; i < a.length; i++) {
                ab[i % cols] += (double) a[i] * b[i];
                bb[i % cols] += (double) b[i] * b[i];
            }
        }
        if (ab == null) {
            return;
        }
        for (Role role : roles) {
            Matrix[] p = pairs.get(role);
            if (p == null) {
                continue;
            }
            float[] b = p[1].data().clone();
            for (int i = 0; i < b.length; i++) {
                int c = i % cols;
                b[i] *= bb[c] > 0 ? (float) (ab[c] / bb[c]) : 1f;
            }
            p[1] = Matrix.of(p[1].rows(), p[1].cols(), b);
        }
    }

    /** {@link #block(BatteryContext, Block, Block, boolean, Matrix, Customisation.Measured)} without a rotation. */
    static BlockCloseness block(
            BatteryContext ctx, Block suspect, Block reference, boolean permuted, Customisation.Measured measured)
            throws IOException, ModelFormatException {
        return block(ctx, suspect, reference, permuted, null, measured);
    }

    /**
     * A block pair's closeness: undone when {@code permuted} (and possible; through {@code rotation} too
     * when given, {@link #undone(BatteryContext, Block, Block, Matrix)}), otherwise on the seeded rows {@link
     * Customisation} reads (the battery's own rows under --sample; output-side tensors left out there). Null
     * when no tensor pair of equal shape exists.
     */
    static BlockCloseness block(
            BatteryContext ctx,
            Block suspect,
            Block reference,
            boolean permuted,
            Matrix rotation,
            Customisation.Measured measured)
            throws IOException, ModelFormatException {
        Undone u = permuted ? undone(ctx, suspect, reference, rotation) : null;
        Map<Role, Matrix[]> pairs = u == null ? null : u.pairs();
        boolean undone = pairs != null;
        if (pairs == null && !permuted && measured == null) {
            BlockCloseness seen = fromSeen(ctx, suspect, reference);
            if (seen != null) {
                return seen;
            }
        }
        List<double[]> roles = new ArrayList<>();
        if (pairs == null) {
            // Tensor pairs whose probe rows the streamed fixed-index pass already measured: not decoded again.
            java.util.Set<Role> kept =
                    !permuted ? fromStreamed(ctx, suspect, reference, measured, roles) : java.util.Set.of();
            pairs = asStored(ctx, suspect, reference, kept);
            if (measured != null && !permuted) {
                // The customisation summary measures these same rows of an as-stored pair: now, without decoding them
                // again.
                List<Role> read = List.copyOf(pairs.keySet());
                Map<Role, Matrix[]> rows = pairs;
                ParallelTasks.forEach(read.size(), 2, i -> {
                    Role role = read.get(i);
                    measured.measure(
                            ctx.s(),
                            ctx.r(),
                            suspect,
                            reference,
                            role,
                            ctx.s().weight(suspect.component(), suspect.layer(), role),
                            ctx.r().weight(reference.component(), reference.layer(), role),
                            rows.get(role),
                            ctx.sampleRows(),
                            ctx.seed());
                });
            }
        }
        for (Map.Entry<Role, Matrix[]> e : pairs.entrySet()) {
            Matrix a = e.getValue()[0];
            Matrix b = e.getValue()[1];
            roles.add(undone ? measure(a, b, units(e.getKey(), a), units(e.getKey(), b)) : measure(a, b, a, b));
        }
        return of(suspect, reference, roles, undone, undone && u.rotated());
    }

    /**
     * One tensor pair's measures: {Pearson r, relative change, units, units matched}, the change on
     * {@code a}, {@code b} and the units on {@code ua}, {@code ub} (the same matrices as stored, their
     * units when undone).
     */
    static double[] measure(Matrix a, Matrix b, Matrix ua, Matrix ub) {
        double bound = CHANCE_Z / Math.sqrt(Math.max(1, ua.cols()));
        long matched = 0;
        for (int i = 0; i < ua.rows(); i++) {
            if (Kernels.pearson(ua.row(i), ub.row(i)) > bound) {
                matched++;
            }
        }
        return new double[] {Kernels.pearson(a.data(), b.data()), relativeChange(a.data(), b.data()), ua.rows(), matched
        };
    }

    /** The block pair's closeness from its tensor pairs' {@link #measure}s, in role order; null when there are none. */
    private static BlockCloseness of(
            Block suspect, Block reference, List<double[]> roles, boolean undone, boolean rotated) {
        if (roles.isEmpty()) {
            return null;
        }
        List<Double> r = new ArrayList<>();
        List<Double> change = new ArrayList<>();
        long units = 0;
        long matched = 0;
        for (double[] m : roles) {
            r.add(m[0]);
            change.add(m[1]);
            units += (long) m[2];
            matched += (long) m[3];
        }
        return new BlockCloseness(
                suspect,
                reference,
                median(r),
                units == 0 ? 0 : matched / (double) units,
                median(change),
                undone,
                rotated);
    }

    /**
     * The as-stored closeness of a block pair from the measures {@link Seen} kept when the sampled battery read
     * the same seeded rows of every tensor pair {@link #asStored} would read; null when one is missing (or none
     * would be read), and the rows are then read again.
     */
    private static BlockCloseness fromSeen(BatteryContext ctx, Block suspect, Block reference) {
        Integer sampleRows = ctx.sampleRows();
        if (sampleRows == null) {
            return null;
        }
        List<double[]> roles = new ArrayList<>();
        for (Role role : ROLES) {
            TensorRef a = ctx.s().weight(suspect.component(), suspect.layer(), role);
            TensorRef b = ctx.r().weight(reference.component(), reference.layer(), role);
            if (a == null || b == null || a.shape().rank() != 2 || !a.shape().equals(b.shape()) || outputSide(role)) {
                continue;
            }
            int[] pick = Customisation.probeRows(ModelIndex.matrixShape(a)[0], sampleRows, ctx.seed());
            double[] m = ctx.s().closenessSeen.get(a, b, pick);
            if (m == null) {
                return null;
            }
            roles.add(m);
        }
        return roles.isEmpty() ? null : of(suspect, reference, roles, false, false);
    }

    /**
     * As-stored {@link #measure}s of tensor pairs, kept by the sampled fixed-index tests (which read the seeded
     * rows closeness measures) so that an as-stored block pair's closeness is taken without reading those rows
     * again: over HTTP they are fetched again once the caches have let them go (2.0 GB of the 100B synthetic
     * remote bench pair's 8.0 GB). A few doubles per tensor pair; thread-safe.
     */
    static final class Seen {
        private record Key(TensorRef a, TensorRef b) {
            @Override
            public boolean equals(Object o) {
                return o instanceof Key k && k.a == a && k.b == b;
            }

            @Override
            public int hashCode() {
                return 31 * System.identityHashCode(a) + System.identityHashCode(b);
            }
        }

        /**
         * {@code whole}: kept by a whole-tensor compare's streamed pass, with the customisation's measure {@code taken}
         * (null when the summary does not measure the pair).
         */
        private record Entry(int[] rows, double[] measure, boolean whole, Customisation.Measured.Taken taken) {}

        private final Map<Key, Entry> seen = new java.util.concurrent.ConcurrentHashMap<>();

        /** Keeps the as-stored measures of {@code a} and {@code b} read at rows {@code rows} (null: all). */
        void put(TensorRef a, TensorRef b, int[] rows, Matrix ma, Matrix mb) {
            seen.putIfAbsent(
                    new Key(a, b), new Entry(rows == null ? null : rows.clone(), measure(ma, mb, ma, mb), false, null));
        }

        /**
         * Keeps, from a whole-tensor compare (no --sample), the as-stored measures of {@code a} and {@code b} on their
         * probe rows {@code rows} ({@link Customisation#probeRows}; null: all), and the customisation summary's
         * measure of them ({@code taken}; null when it does not measure them).
         */
        void putWhole(TensorRef a, TensorRef b, int[] rows, Matrix ma, Matrix mb, Customisation.Measured.Taken taken) {
            seen.putIfAbsent(
                    new Key(a, b), new Entry(rows == null ? null : rows.clone(), measure(ma, mb, ma, mb), true, taken));
        }

        /** What {@link #putWhole} kept for {@code a} and {@code b} at exactly these rows; null when nothing was. */
        Entry whole(TensorRef a, TensorRef b, int[] rows) {
            Entry e = seen.get(new Key(a, b));
            return e == null || !e.whole() || !java.util.Arrays.equals(e.rows(), rows) ? null : e;
        }

        /** The measures kept for {@code a} and {@code b} at exactly these rows; null when none were. */
        double[] get(TensorRef a, TensorRef b, int[] rows) {
            Entry e = seen.get(new Key(a, b));
            return e == null || !java.util.Arrays.equals(e.rows(), rows) ? null : e.measure();
        }
    }

    /**
     * The as-stored {@link #measure}s (into {@code roles}) of the block pair's tensor pairs that a whole-tensor
     * compare's streamed fixed-index pass measured on the probe rows {@link #asStored} would read (their customisation
     * measures into {@code measured} when given); the roles so measured. Empty under --sample.
     */
    private static java.util.Set<Role> fromStreamed(
            BatteryContext ctx, Block suspect, Block reference, Customisation.Measured measured, List<double[]> roles) {
        java.util.Set<Role> kept = java.util.EnumSet.noneOf(Role.class);
        if (ctx.sampleRows() != null) {
            return kept;
        }
        for (Role role : ROLES) {
            TensorRef a = ctx.s().weight(suspect.component(), suspect.layer(), role);
            TensorRef b = ctx.r().weight(reference.component(), reference.layer(), role);
            if (a == null || b == null || a.shape().rank() != 2 || !a.shape().equals(b.shape())) {
                continue;
            }
            int[] pick = Customisation.probeRows(ModelIndex.matrixShape(a)[0], null, ctx.seed());
            Seen.Entry e = ctx.s().closenessSeen.whole(a, b, pick);
            if (e == null) {
                continue;
            }
            if (measured != null && e.taken() != null) {
                measured.put(suspect, reference, role, null, ctx.seed(), e.taken());
            }
            roles.add(e.measure());
            kept.add(role);
        }
        return kept;
    }

    /** The block pair's tensors as stored (but those of {@code skip}), on the rows {@link Customisation} measures. */
    private static Map<Role, Matrix[]> asStored(
            BatteryContext ctx, Block suspect, Block reference, java.util.Set<Role> skip)
            throws IOException, ModelFormatException {
        Map<Role, Matrix[]> out = new EnumMap<>(Role.class);
        Integer sampleRows = ctx.sampleRows();
        for (Role role : ROLES) {
            TensorRef a = ctx.s().weight(suspect.component(), suspect.layer(), role);
            TensorRef b = ctx.r().weight(reference.component(), reference.layer(), role);
            if (a == null
                    || b == null
                    || a.shape().rank() != 2
                    || !a.shape().equals(b.shape())
                    || skip.contains(role)) {
                continue;
            }
            if (sampleRows != null && outputSide(role)) {
                continue; // not read under --sample (units in columns)
            }
            int rows = ModelIndex.matrixShape(a)[0];
            int[] pick = Customisation.probeRows(rows, sampleRows, ctx.seed());
            out.put(role, new Matrix[] {ctx.s().rows(a, pick), ctx.r().rows(b, pick)});
        }
        return out;
    }

    /** ‖a − b‖ / ‖b‖ (0 when b is zero). */
    static double relativeChange(float[] a, float[] b) {
        double dd = 0;
        for (int i = 0; i < a.length; i++) {
            double x = a[i] - b[i];
            dd += x * x;
        }
        double rr = Kernels.sumSquares(b, 0, b.length);
        return rr == 0 ? 0 : Math.sqrt(dd / rr);
    }

    /** The component summary of its block pairs: medians; null when there are none. */
    static Closeness summary(List<BlockCloseness> blocks) {
        if (blocks.isEmpty()) {
            return null;
        }
        return new Closeness(
                median(blocks.stream().map(BlockCloseness::correlation).toList()),
                median(blocks.stream().map(BlockCloseness::unitsMatched).toList()),
                median(blocks.stream().map(BlockCloseness::relativeChange).toList()),
                blocks.stream().anyMatch(BlockCloseness::permutationUndone),
                blocks.stream().anyMatch(BlockCloseness::rotationUndone),
                blocks);
    }

    /**
     * The held-out probe tokens' rows of the token embeddings or head ({@code role}) of component
     * {@code comp}: {@link #tokenRows(Matrix, Matrix, Matrix)} with the alignment fitted on the
     * other probe tokens, or through {@code rotation} ({@link #residualRotation}, fitted on the same other probe
     * tokens; null: not tried) when that explains them better; null when there are none.
     */
    static Closeness tokenRows(BatteryContext ctx, String comp, Role role, Matrix rotation)
            throws IOException, ModelFormatException {
        TokenProbes probes = ctx.probes();
        TensorRef a = ctx.s().weight(comp, null, role);
        TensorRef b = ctx.r().weight(comp, null, role);
        if (a == null || b == null || !probes.present() || probes.testS().length == 0) {
            return null;
        }
        int haveS = ModelIndex.matrixShape(a)[0];
        int haveR = ModelIndex.matrixShape(b)[0];
        if (java.util.Arrays.stream(probes.suspectRows()).anyMatch(x -> x >= haveS)
                || java.util.Arrays.stream(probes.referenceRows()).anyMatch(x -> x >= haveR)) {
            return null;
        }
        int[] held = probes.heldOut();
        Matrix ma = ctx.s().rows(a, probes.suspectRows()).rowsSubset(held);
        Matrix mb = ctx.r().rows(b, probes.referenceRows()).rowsSubset(held);
        var align = probes.align();
        Matrix aligned = align != null && align.index().length == ma.cols() && ma.cols() == mb.cols()
                ? align.applyToColumns(mb)
                : null;
        Closeness best = tokenRows(ma, mb, aligned);
        if (best != null && rotation != null && rotation.rows() == ma.cols() && ma.cols() == mb.cols()) {
            // E_reference Q ≈ E_suspect: the suspect's rows re-expressed in the reference's basis.
            Closeness rotated = rows(ma.multiplyTransposed(rotation), mb, true, true);
            if (rotated.correlation() > best.correlation()) {
                best = rotated;
            }
        }
        return best;
    }

    /**
     * Token rows (embeddings or head) of the probe tokens, as stored or after the residual alignment
     * when that explains them better (as {@link Customisation} reports the embeddings).
     */
    static Closeness tokenRows(Matrix a, Matrix b, Matrix bAligned) {
        if (a.rows() == 0 || a.cols() != b.cols()) {
            return null;
        }
        Closeness plain = rows(a, b, false, false);
        Closeness aligned = bAligned == null ? null : rows(a, bAligned, true, false);
        return aligned != null && aligned.correlation() > plain.correlation() ? aligned : plain;
    }

    private static Closeness rows(Matrix a, Matrix b, boolean undone, boolean rotated) {
        double bound = CHANCE_Z / Math.sqrt(Math.max(1, a.cols()));
        int matched = 0;
        for (int i = 0; i < a.rows(); i++) {
            if (Kernels.pearson(a.row(i), b.row(i)) > bound) {
                matched++;
            }
        }
        return new Closeness(
                Kernels.pearson(a.data(), b.data()),
                matched / (double) a.rows(),
                relativeChange(a.data(), b.data()),
                undone,
                rotated,
                List.of());
    }

    private static double mean(List<Double> x) {
        return x.stream().mapToDouble(Double::doubleValue).average().orElse(Double.NaN);
    }

    static double median(List<Double> x) {
        double[] c = x.stream()
                .mapToDouble(Double::doubleValue)
                .filter(Double::isFinite)
                .sorted()
                .toArray();
        if (c.length == 0) {
            return Double.NaN;
        }
        return c.length % 2 == 1 ? c[c.length / 2] : (c[c.length / 2 - 1] + c[c.length / 2]) / 2;
    }
}
