package dev.pedigree.forensics;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import java.io.IOException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Per-block sketches of the screening battery: [units × residual coordinates] matrices of a seeded
 * sample of units and residual coordinates of the query, up and (without --sample) down
 * projections, built once per block so that screening the whole block × block matrix reads each
 * tensor's sampled rows once. A reference sketch comes plain and, when the residual alignment
 * applies, aligned (from one read). Sketches are built under this object's lock ({@link #prepare}
 * builds them all up front, so that parallel screening then only reads them); thread-safe.
 */
final class ScreeningSketches {
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

    private final BatteryContext ctx;
    private final ModelIndex s;
    private final ModelIndex r;
    private final String component;
    /** The reference's component paired with {@link #component} (the same name unless paired by structure). */
    private final String refComponent;

    ScreeningSketches(BatteryContext ctx, String component, String refComponent) {
        this.ctx = ctx;
        this.s = ctx.s();
        this.r = ctx.r();
        this.component = component;
        this.refComponent = refComponent;
    }

    /**
     * One block pair's sketches of a role: the suspect's, and the reference's plain (null when the
     * residual widths differ) and aligned (null when the alignment does not apply) ones.
     */
    record Pair(Matrix suspect, Matrix plain, Matrix aligned) {}

    /** The sketches of suspect block {@code i} and reference block {@code j} for {@code role}, built if needed; null when a tensor is missing. */
    synchronized Pair pair(int i, int j, Role role) throws IOException, ModelFormatException {
        SketchKey ks = new SketchKey(i, role);
        SketchKey kr = new SketchKey(j, role);
        buildSketches(ks, kr);
        Matrix ma = sketchS.get(ks)[0];
        Matrix[] mb = sketchR.get(kr);
        return ma == null || mb == null ? null : new Pair(ma, mb[0], mb[1]);
    }

    /** The roles screened: query, up and (unless under --sample, which does not read output-side tensors) down. */
    Role[] roles() {
        return ctx.sampled()
                ? new Role[] {Role.ATTN_Q, Role.MLP_UP}
                : new Role[] {Role.ATTN_Q, Role.MLP_UP, Role.MLP_DOWN};
    }

    /**
     * Builds every sketch that screening suspect blocks {@code ls} against reference blocks {@code lr}
     * needs, in the order a sequential screen would build them, so that {@link #pair} can then run
     * for many pairs at once without reading.
     */
    synchronized void prepare(List<Integer> ls, List<Integer> lr) throws IOException, ModelFormatException {
        for (int i : ls) {
            for (int j : lr) {
                for (Role role : roles()) {
                    buildSketches(new SketchKey(i, role), new SketchKey(j, role));
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
        prefetchSketch(s, component, k.layer() + 1, k.role());
        int width = residualWidth(t, k.role());
        int[] cols = columnsFor(width);
        return sketch(s, t, k.role() == Role.MLP_DOWN, cols, null);
    }

    private Matrix[] referenceSketches(SketchKey k) throws IOException, ModelFormatException {
        TensorRef t = r.weight(refComponent, k.layer(), k.role());
        if (t == null) {
            return null;
        }
        prefetchSketch(r, refComponent, k.layer() + 1, k.role());
        boolean down = k.role() == Role.MLP_DOWN;
        int width = residualWidth(t, k.role());
        boolean wantPlain = sketchWidth == width;
        int[] from = null;
        float[] sg = null;
        if (ctx.alignsFor(k.role()) && ctx.aligns(sketchWidth, width)) {
            int[] idx = ctx.align().index();
            float[] sign = ctx.align().sign();
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
    private void prefetchSketch(ModelIndex m, String comp, int layer, Role role) {
        TensorRef next = m.weight(comp, layer, role);
        if (next == null || role == Role.MLP_DOWN) {
            return;
        }
        int unitCount = ModelIndex.matrixShape(next)[0];
        int[] u = ModelIndex.sample(unitCount, Math.min(ctx.maxUnits(), SCREEN_UNITS), ctx.seed() + 31L * unitCount);
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
            sketchCols = ModelIndex.sample(width, SCREEN_COLUMNS, ctx.seed() ^ 0x5C2EE7L);
        }
        return width == sketchWidth ? sketchCols : ModelIndex.sample(width, SCREEN_COLUMNS, ctx.seed() ^ 0x5C2EE7L);
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
        int units = Math.min(ctx.maxUnits(), SCREEN_UNITS);
        int unitCount = outputSide ? rc[1] : rc[0];
        int width = outputSide ? rc[0] : rc[1];
        int[] u = ModelIndex.sample(unitCount, units, ctx.seed() + 31L * unitCount);
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
                    gatherRow(d, k * width, cq, sq, out, k * nc, nc);
                }
            }
        } else {
            if (ctx.sampled()) {
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
                        gatherColumn(d, base, u, sg, out, c, nc, nu);
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

    /*
     * The gathers are methods of their own: sketches runs once per tensor (about a hundred calls on a 1B-parameter
     * pair), so loops inlined there ran interpreted until an on-stack replacement was compiled (a JFR profile of the
     * derived bench pair on a loaded machine: 6-9 samples of sketches in Interpreted frames); these are called once per
     * unit or coordinate and compiled by their call counts. The values are the same.
     */

    /** out[to + c] = d[from + cq[c]]·sq[c] for c &lt; nc (cq null: all; cq[c] &lt; 0: 0; sq null: 1). */
    private static void gatherRow(float[] d, int from, int[] cq, float[] sq, float[] out, int to, int nc) {
        for (int c = 0; c < nc; c++) {
            int at = cq == null ? c : cq[c];
            out[to + c] = at < 0 ? 0f : d[from + at] * (sq == null ? 1f : sq[c]);
        }
    }

    /** Column c of the nu × nc {@code out}: d[base + u[k]]·sg for unit k (u null: k). */
    private static void gatherColumn(float[] d, int base, int[] u, float sg, float[] out, int c, int nc, int nu) {
        for (int k = 0; k < nu; k++) {
            out[k * nc + c] = d[base + (u == null ? k : u[k])] * sg;
        }
    }
}
