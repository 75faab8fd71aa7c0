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

    /**
     * Both blocks' tensors as stored ([rows × cols]), the reference's re-expressed in the suspect's
     * basis; null when the pair cannot be undone (shapes differ, units beyond the assignment cap, or
     * whole tensors may not be read under --sample) or when undoing does not explain it better than
     * the stored basis (mean relative change over the block's tensors not below 90% of the stored
     * one's: nothing was permuted).
     */
    static Map<Role, Matrix[]> undone(BatteryContext ctx, Block suspect, Block reference)
            throws IOException, ModelFormatException {
        if (ctx.sampled()) {
            return null;
        }
        Map<Role, Matrix[]> out = new EnumMap<>(Role.class);
        for (Role role : ROLES) {
            TensorRef a = ctx.s().weight(suspect.component(), suspect.layer(), role);
            TensorRef b = ctx.r().weight(reference.component(), reference.layer(), role);
            if (a == null || b == null || a.shape().rank() != 2 || !a.shape().equals(b.shape())) {
                continue;
            }
            int[] rc = ModelIndex.matrixShape(a);
            if ((outputSide(role) ? rc[1] : rc[0]) > ctx.maxUnits()) {
                return null;
            }
            Matrix ma = ctx.s().rows(a, null);
            Matrix mb = ctx.r().rows(b, null);
            int d = outputSide(role) ? rc[0] : rc[1];
            if (ctx.alignsFor(role) && ctx.aligns(d, d)) {
                mb = outputSide(role) ? ctx.alignCols(mb.transpose()).transpose() : ctx.alignCols(mb);
            }
            out.put(role, new Matrix[] {ma, mb});
        }
        if (out.isEmpty()) {
            return null;
        }
        List<Double> stored = new ArrayList<>();
        for (Role role : out.keySet()) {
            stored.add(relativeChange(
                    ctx.s()
                            .rows(ctx.s().weight(suspect.component(), suspect.layer(), role), null)
                            .data(),
                    ctx.r()
                            .rows(ctx.r().weight(reference.component(), reference.layer(), role), null)
                            .data()));
        }
        matchUnits(out, List.of(Role.MLP_GATE, Role.MLP_UP, Role.MLP_DOWN));
        matchUnits(out, List.of(Role.ATTN_Q, Role.ATTN_O));
        matchUnits(out, List.of(Role.ATTN_K, Role.ATTN_V));
        rescaleColumns(out, List.of(Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V));
        rescaleColumns(out, List.of(Role.MLP_GATE, Role.MLP_UP));
        List<Double> after = new ArrayList<>();
        for (Matrix[] p : out.values()) {
            after.add(relativeChange(p[0].data(), p[1].data()));
        }
        return mean(after) < 0.9 * mean(stored) ? out : null;
    }

    /** The tensor as [units × features]: input-side as stored, output-side transposed. */
    private static Matrix units(Role role, Matrix m) {
        return outputSide(role) ? m.transpose() : m;
    }

    /**
     * One assignment of the units the {@code roles} share (summed cosines over all of them), applied
     * to the reference's tensors.
     */
    private static void matchUnits(Map<Role, Matrix[]> pairs, List<Role> roles) {
        float[] score = null;
        int h = -1;
        for (Role role : roles) {
            Matrix[] p = pairs.get(role);
            if (p == null) {
                continue;
            }
            Matrix ua = units(role, p[0]);
            Matrix ub = units(role, p[1]);
            if (h >= 0 && ua.rows() != h) {
                return; // the roles do not share their units (shapes not understood): leave as stored
            }
            h = ua.rows();
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
            return;
        }
        for (int i = 0; i < score.length; i++) {
            if (!Float.isFinite(score[i])) {
                score[i] = 0f;
            }
        }
        int[] pi = LinearAssignment.maximise(score, h, h);
        for (Role role : roles) {
            Matrix[] p = pairs.get(role);
            if (p != null) {
                Matrix ub = units(role, p[1]).rowsSubset(pi);
                p[1] = outputSide(role) ? ub.transpose() : ub;
            }
        }
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

    /**
     * A block pair's closeness: undone when {@code permuted} (and possible), otherwise on the seeded
     * rows {@link Customisation} reads (the battery's own rows under --sample; output-side tensors
     * left out there). Null when no tensor pair of equal shape exists.
     */
    static BlockCloseness block(BatteryContext ctx, Block suspect, Block reference, boolean permuted)
            throws IOException, ModelFormatException {
        Map<Role, Matrix[]> pairs = permuted ? undone(ctx, suspect, reference) : null;
        boolean undone = pairs != null;
        if (pairs == null) {
            pairs = asStored(ctx, suspect, reference);
        }
        List<Double> r = new ArrayList<>();
        List<Double> change = new ArrayList<>();
        long units = 0;
        long matched = 0;
        for (Map.Entry<Role, Matrix[]> e : pairs.entrySet()) {
            Matrix a = e.getValue()[0];
            Matrix b = e.getValue()[1];
            r.add(Kernels.pearson(a.data(), b.data()));
            change.add(relativeChange(a.data(), b.data()));
            Matrix ua = undone ? units(e.getKey(), a) : a;
            Matrix ub = undone ? units(e.getKey(), b) : b;
            double bound = CHANCE_Z / Math.sqrt(Math.max(1, ua.cols()));
            for (int i = 0; i < ua.rows(); i++) {
                units++;
                if (Kernels.pearson(ua.row(i), ub.row(i)) > bound) {
                    matched++;
                }
            }
        }
        if (r.isEmpty()) {
            return null;
        }
        return new BlockCloseness(
                suspect, reference, median(r), units == 0 ? 0 : matched / (double) units, median(change), undone);
    }

    /** The block pair's tensors as stored, on the rows {@link Customisation} measures. */
    private static Map<Role, Matrix[]> asStored(BatteryContext ctx, Block suspect, Block reference)
            throws IOException, ModelFormatException {
        Map<Role, Matrix[]> out = new EnumMap<>(Role.class);
        Integer sampleRows = ctx.sampleRows();
        for (Role role : ROLES) {
            TensorRef a = ctx.s().weight(suspect.component(), suspect.layer(), role);
            TensorRef b = ctx.r().weight(reference.component(), reference.layer(), role);
            if (a == null || b == null || a.shape().rank() != 2 || !a.shape().equals(b.shape())) {
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
                blocks);
    }

    /**
     * The held-out probe tokens' rows of the token embeddings or head ({@code role}) of component
     * {@code comp}: {@link #tokenRows(Matrix, Matrix, Matrix)} with the alignment fitted on the
     * other probe tokens; null when there are none.
     */
    static Closeness tokenRows(BatteryContext ctx, String comp, Role role) throws IOException, ModelFormatException {
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
        return tokenRows(ma, mb, aligned);
    }

    /**
     * Token rows (embeddings or head) of the probe tokens, as stored or after the residual alignment
     * when that explains them better (as {@link Customisation} reports the embeddings).
     */
    static Closeness tokenRows(Matrix a, Matrix b, Matrix bAligned) {
        if (a.rows() == 0 || a.cols() != b.cols()) {
            return null;
        }
        Closeness plain = rows(a, b, false);
        Closeness aligned = bAligned == null ? null : rows(a, bAligned, true);
        return aligned != null && aligned.correlation() > plain.correlation() ? aligned : plain;
    }

    private static Closeness rows(Matrix a, Matrix b, boolean undone) {
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
