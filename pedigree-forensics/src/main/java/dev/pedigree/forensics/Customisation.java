package dev.pedigree.forensics;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.CustomisationSummary.EmbeddingChange;
import dev.pedigree.forensics.result.CustomisationSummary.LayerChange;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;

/** Builds the {@link CustomisationSummary} of a shared-lineage pair. Reads two tensors at a time. */
final class Customisation {
    private static final Role[] ROLES = {
        Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V, Role.ATTN_O, Role.MLP_GATE, Role.MLP_UP, Role.MLP_DOWN
    };

    /**
     * Rows (seeded sample) on which the relative change and the low-rank probe are measured when no
     * --sample is given: both are descriptive, and the probe costs rank × rounds passes over them.
     */
    static final int PROBE_ROWS = 128;
    /** Rank of the low-rank probe of the customisation summary. */
    static final int LOW_RANK_PROBE = 8;

    private Customisation() {}

    /**
     * Measures of as-stored tensor pairs taken while {@link ClosenessMeasure#block} had their probe rows in hand, so
     * that {@link #summarise} does not decode those rows a second time (issue 16: one decode per weight). Keyed by
     * block pair, role, seed and sampling; thread-safe.
     */
    static final class Measured {
        private record Key(Block suspect, Block reference, Role role, long seed, Integer sampleRows) {}

        private record Result(LayerChange change, boolean[] onGrid) {}

        private final Map<Key, Result> byKey = new java.util.concurrent.ConcurrentHashMap<>();

        /**
         * Measures tensor pair {@code a}, {@code b} of block pair {@code sb}, {@code rb} as stored, as {@link
         * #summarise} would (nothing when it would not measure it: shapes differ, too large, or output-side under
         * --sample), on {@code probe}: both tensors' rows {@link #probeRows} as stored, which the caller has read.
         */
        void measure(
                ModelIndex s,
                ModelIndex r,
                Block sb,
                Block rb,
                Role role,
                TensorRef a,
                TensorRef b,
                Matrix[] probe,
                Integer sampleRows,
                long seed)
                throws IOException, ModelFormatException {
            if (!measurable(role, a, b, sampleRows)) {
                return;
            }
            boolean[] grid = new boolean[2];
            LayerChange c = Customisation.measure(s, r, sb, rb, role, a, b, null, probe, sampleRows, seed, grid);
            byKey.put(new Key(sb, rb, role, seed, sampleRows), new Result(c, grid));
        }

        /**
         * Keeps for block pair {@code sb}, {@code rb} the measure {@code taken} of one of its tensor pairs, taken by {@link
         * #take} before the blocks were paired (the streamed fixed-index pass had the probe rows in hand).
         */
        void put(Block sb, Block rb, Role role, Integer sampleRows, long seed, Taken taken) {
            LayerChange c = taken.change();
            byKey.put(
                    new Key(sb, rb, role, seed, sampleRows),
                    new Result(
                            new LayerChange(
                                    sb,
                                    rb,
                                    c.role(),
                                    c.relativeChange(),
                                    c.bitIdentical(),
                                    c.rank(),
                                    c.topRankEnergy(),
                                    c.estimatedRank(),
                                    c.lowRank()),
                            taken.onGrid().clone()));
        }

        /**
         * The measure {@link #measure} would take of tensor pair {@code a}, {@code b} as stored on {@code probe} (both
         * tensors' rows {@link #probeRows}, whole tensors compared, no --sample), before its block pair is known (the
         * change's blocks are left null: {@link #put} sets them); null when {@link #summarise} would not measure it.
         */
        static Taken take(ModelIndex s, ModelIndex r, Role role, TensorRef a, TensorRef b, Matrix[] probe, long seed)
                throws IOException, ModelFormatException {
            if (!measurable(role, a, b, null)) {
                return null;
            }
            boolean[] grid = new boolean[2];
            LayerChange c = Customisation.measure(s, r, null, null, role, a, b, null, probe, null, seed, grid);
            return new Taken(c, grid);
        }

        /** A measure taken by {@link #take}: the change (blocks null) and the grid flags. */
        record Taken(LayerChange change, boolean[] onGrid) {}

        /** The measure of an as-stored pair taken beforehand (its grid flags into {@code onGrid}), or null. */
        LayerChange get(Block sb, Block rb, Role role, Integer sampleRows, long seed, boolean[] onGrid) {
            Result x = byKey.get(new Key(sb, rb, role, seed, sampleRows));
            if (x == null) {
                return null;
            }
            onGrid[0] = x.onGrid()[0];
            onGrid[1] = x.onGrid()[1];
            return x.change();
        }
    }

    /** Whether {@link #summarise} measures tensor pair {@code a}, {@code b} of {@code role}. */
    private static boolean measurable(Role role, TensorRef a, TensorRef b, Integer sampleRows) {
        if (a == null || b == null || !a.shape().equals(b.shape()) || a.elementCount() > 64L << 20) {
            return false;
        }
        // Not read under --sample (units in columns).
        return sampleRows == null || (role != Role.ATTN_O && role != Role.MLP_DOWN);
    }

    /** Whether every decoded value of two same-shape tensors agrees (streamed in chunks of rows). */
    private static boolean valuesEqual(TensorRef a, TensorRef b) throws IOException, ModelFormatException {
        int[] rc = ModelIndex.matrixShape(a);
        if (a.shape().rank() > 2) {
            return Arrays.equals(a.readAll(), b.readAll());
        }
        int chunk = Math.max(1, Math.min(rc[0], (4 << 20) / Math.max(1, rc[1])));
        float[] x = new float[Math.multiplyExact(chunk, rc[1])];
        float[] y = new float[x.length];
        for (int r0 = 0; r0 < rc[0]; r0 += chunk) {
            int n = Math.min(chunk, rc[0] - r0);
            a.readRows(r0, n, x, 0);
            b.readRows(r0, n, y, 0);
            if (!Arrays.equals(x, 0, n * rc[1], y, 0, n * rc[1])) {
                return false;
            }
        }
        return true;
    }

    private static boolean storedEqual(TensorRef a, TensorRef b) throws IOException, ModelFormatException {
        java.lang.foreign.MemorySegment x = a.storedBytes();
        java.lang.foreign.MemorySegment y = b.storedBytes();
        return x.byteSize() == y.byteSize() && x.mismatch(y) < 0;
    }

    /**
     * The summary of the components judged SHARED_LINEAGE, measured on the first-listed partner of
     * each matched suspect block and on the probe tokens' embedding rows.
     *
     * @param text the comparison's text context: its indexes, text alignment, probes, seed and
     *     sampling (under --sample only the rows the sampled block battery read, the same seeded
     *     rows, of the tensors whose rows are units; nothing new is read)
     */
    static CustomisationSummary summarise(
            BatteryContext text,
            List<ComponentResult> results,
            List<LayerMatch> map,
            ClosenessMeasure.Undo undo,
            Measured beforehand)
            throws IOException, ModelFormatException {
        ModelIndex s = text.s();
        ModelIndex r = text.r();
        Integer sampleRows = text.sampleRows();
        long seed = text.seed();
        Set<String> shared = new HashSet<>();
        for (ComponentResult c : results) {
            if (c.verdict() == Verdict.SHARED_LINEAGE) {
                shared.add(c.name());
            }
        }
        // The tensors to measure, in report order; measured in parallel (each independently), then listed in order.
        record Job(LayerMatch match, Role role, TensorRef a, TensorRef b, Matrix[] undone) {}
        List<Job> jobs = new ArrayList<>();
        Set<Block> seen = new HashSet<>();
        int undoneBlocks = 0;
        int rotatedBlocks = 0;
        Set<String> sampledUnits = new java.util.LinkedHashSet<>();
        for (LayerMatch m : map) {
            if (!shared.contains(m.suspect().component()) || !seen.add(m.suspect())) {
                continue; // first (best-listed) partner of each suspect block only
            }
            // A pair found only by the permutation-robust tests is measured after undoing the permutation.
            ClosenessMeasure.Undone u = undo.of(m);
            Map<Role, Matrix[]> undone = u == null ? null : u.pairs();
            if (u != null) {
                undoneBlocks++;
                rotatedBlocks += u.rotated() ? 1 : 0;
                sampledUnits.addAll(u.sampling());
            }
            for (Role role : ROLES) {
                TensorRef a = s.weight(m.suspect().component(), m.suspect().layer(), role);
                TensorRef b = r.weight(m.reference().component(), m.reference().layer(), role);
                if (!measurable(role, a, b, sampleRows)) {
                    continue;
                }
                jobs.add(new Job(m, role, a, b, undone == null ? null : undone.get(role)));
            }
        }
        LayerChange[] measured = new LayerChange[jobs.size()];
        boolean[][] grids = new boolean[jobs.size()][];
        ParallelTasks.forEach(jobs.size(), 2, i -> {
            Job j = jobs.get(i);
            grids[i] = new boolean[2];
            Block sb = j.match().suspect();
            Block rb = j.match().reference();
            LayerChange before =
                    j.undone() == null ? beforehand.get(sb, rb, j.role(), sampleRows, seed, grids[i]) : null;
            measured[i] = before != null
                    ? before
                    : measure(s, r, sb, rb, j.role(), j.a(), j.b(), j.undone(), null, sampleRows, seed, grids[i]);
        });
        int compared = 0;
        int suspectOnGrid = 0;
        int referenceOnGrid = 0;
        for (int i = 0; i < measured.length; i++) {
            if (!measured[i].bitIdentical()) {
                compared++;
                suspectOnGrid += grids[i][0] ? 1 : 0;
                referenceOnGrid += grids[i][1] ? 1 : 0;
            }
        }
        List<Descent.Sign> signs = new ArrayList<>();
        signs.add(Descent.quantised(compared, suspectOnGrid, referenceOnGrid));
        signs.addAll(Descent.layerSubsets(map, s, r, List.of(measured)));
        signs.add(Descent.vocabulary(
                s.view.vocabulary().orElse(null), r.view.vocabulary().orElse(null)));
        dev.pedigree.forensics.result.Direction direction = Descent.combine(signs);
        List<LayerChange> changes = new ArrayList<>(List.of(measured));
        // A block is untouched when every tensor measured in it is bit-identical (blocks with none measured are not
        // listed).
        Map<Block, Boolean> allIdentical = new LinkedHashMap<>();
        for (LayerChange c : measured) {
            allIdentical.merge(c.suspect(), c.bitIdentical(), Boolean::logicalAnd);
        }
        List<Block> untouched = new ArrayList<>();
        allIdentical.forEach((block, identical) -> {
            if (identical) {
                untouched.add(block);
            }
        });
        EmbeddingChange emb =
                shared.contains(Component.EMBEDDINGS.name()) ? embeddings(s, r, text.align(), text.probes()) : null;
        String basis = undoneBlocks == 0
                ? "fixed index basis; a permuted or rotated suspect shows large relative change"
                : undoneBlocks + " of " + seen.size()
                        + " blocks after undoing the permutation of residual coordinates, units and heads that"
                        + " the permutation-robust tests found (and the norm gains folded into the weights)"
                        + (rotatedBlocks == 0
                                ? ""
                                : "; " + rotatedBlocks + " of them through a rotation of the residual stream"
                                        + " fitted on the probe tokens' embeddings")
                        + (sampledUnits.isEmpty()
                                ? ""
                                : "; units matched on a sample: " + String.join(", ", sampledUnits));
        String note = changes.isEmpty()
                ? "no matched block pair with tensors of equal shape"
                : changes.size() + " tensors of " + seen.size()
                        + " matched blocks measured (" + basis + ";"
                        + " relative change and low-rank share on "
                        + (sampleRows == null ? "at most " + PROBE_ROWS : "the " + sampleRows)
                        + " seeded rows per tensor"
                        + (sampleRows == null ? ", identity on all stored bytes or values" : "") + ")";
        return new CustomisationSummary(changes, untouched, emb, note, experts(s, r, map, sampleRows, seed), direction);
    }

    /** Most experts per suspect block whose source is looked for (cost bound). */
    static final int MAX_EXPERTS_PER_BLOCK = 64;
    /** Most expert × candidate comparisons per block before the candidates shrink to the layer map's partners. */
    static final int MAX_EXPERT_COMPARISONS = 1024;

    private static final Role[] EXPERT_ROLES = {Role.MLP_GATE, Role.MLP_UP};

    /**
     * The source of every expert of the matched suspect blocks (issue 14 §4): against the reference's experts of the
     * partner block, by an assignment maximising the summed correlation, when the reference has experts there;
     * otherwise against the reference's dense MLPs of the same shape (every layer of the partner's stack, or only the
     * layer map's partners of the block when that would be too many comparisons), the best correlation wins.
     * Measured on the gate and up rows of the seeded probe sample, in the stored basis.
     */
    private static List<CustomisationSummary.ExpertMatch> experts(
            ModelIndex s, ModelIndex r, List<LayerMatch> map, Integer sampleRows, long seed)
            throws IOException, ModelFormatException {
        List<CustomisationSummary.ExpertMatch> out = new ArrayList<>();
        Set<Block> done = new HashSet<>();
        for (LayerMatch m : map) {
            Block sb = m.suspect();
            if (!done.add(sb)) {
                continue;
            }
            List<Integer> es = s.experts(sb.layer());
            if (es.isEmpty()) {
                continue;
            }
            es = es.subList(0, Math.min(es.size(), MAX_EXPERTS_PER_BLOCK));
            List<float[]> mine = expertProfiles(s, sb.layer(), es, sampleRows, seed);
            Block rb = m.reference();
            List<Integer> er = r.experts(rb.layer());
            if (!er.isEmpty()) {
                List<float[]> theirs = expertProfiles(r, rb.layer(), er, sampleRows, seed);
                double[] score = new double[es.size()];
                int[] asg = assignExperts(mine, theirs, score);
                for (int a = 0; a < es.size(); a++) {
                    if (asg[a] >= 0) {
                        out.add(new CustomisationSummary.ExpertMatch(
                                sb,
                                es.get(a),
                                rb,
                                er.get(asg[a]),
                                score[a],
                                relative(mine.get(a), theirs.get(asg[a]))));
                    }
                }
                continue;
            }
            List<Integer> candidates = new ArrayList<>(r.layers(rb.component()));
            if ((long) candidates.size() * es.size() > MAX_EXPERT_COMPARISONS) {
                candidates.clear();
                for (LayerMatch p : map) {
                    if (p.suspect().equals(sb) && p.reference().component().equals(rb.component())) {
                        candidates.add(p.reference().layer());
                    }
                }
            }
            List<float[]> dense = new ArrayList<>();
            for (int layer : candidates) {
                dense.add(profile(r, rb.component(), layer, null, sampleRows, seed));
            }
            for (int a = 0; a < es.size(); a++) {
                float[] x = mine.get(a);
                int best = -1;
                double bestCorr = Double.NEGATIVE_INFINITY;
                for (int c = 0; c < candidates.size(); c++) {
                    double cor = correlation(x, dense.get(c));
                    if (cor > bestCorr) {
                        bestCorr = cor;
                        best = c;
                    }
                }
                if (best >= 0 && Double.isFinite(bestCorr)) {
                    out.add(new CustomisationSummary.ExpertMatch(
                            sb,
                            es.get(a),
                            new Block(rb.component(), candidates.get(best)),
                            null,
                            bestCorr,
                            relative(x, dense.get(best))));
                }
            }
        }
        return out;
    }

    /** {@link #profile} of each expert {@code es} of block {@code layer} of the experts component. */
    static List<float[]> expertProfiles(ModelIndex m, int layer, List<Integer> es, Integer sampleRows, long seed)
            throws IOException, ModelFormatException {
        List<float[]> out = new ArrayList<>();
        for (int e : es) {
            out.add(profile(m, Component.EXPERTS.name(), layer, e, sampleRows, seed));
        }
        return out;
    }

    /**
     * The assignment of suspect experts ({@code mine}, profiles) to reference experts ({@code theirs})
     * that maximises the summed correlation (Hungarian): per suspect expert the index of its partner in
     * {@code theirs}, or −1 (more suspect experts than reference ones, or no comparable rows); the
     * partner's correlation goes to {@code score}.
     */
    static int[] assignExperts(List<float[]> mine, List<float[]> theirs, double[] score) {
        int n = mine.size();
        int k = theirs.size();
        double[] c = new double[n * k];
        double[] cT = new double[n * k];
        for (int a = 0; a < n; a++) {
            for (int b = 0; b < k; b++) {
                // −2: below any correlation (no comparable rows)
                double x = Math.max(-2, correlation(mine.get(a), theirs.get(b)));
                c[a * k + b] = x;
                cT[b * n + a] = x;
            }
        }
        int[] asg = new int[n];
        if (n <= k) {
            asg = dev.pedigree.stats.LinearAssignment.maximise(c, n, k);
        } else {
            Arrays.fill(asg, -1);
            int[] back = dev.pedigree.stats.LinearAssignment.maximise(cT, k, n);
            for (int b = 0; b < k; b++) {
                asg[back[b]] = b;
            }
        }
        for (int a = 0; a < n; a++) {
            if (asg[a] >= 0 && c[a * k + asg[a]] <= -2) {
                asg[a] = -1;
            }
            score[a] = asg[a] >= 0 ? c[a * k + asg[a]] : Double.NaN;
        }
        return asg;
    }

    /**
     * The gate and up rows (seeded probe sample) of one MLP or expert, concatenated; null when it has neither or the
     * shapes differ from what the rows of an MLP are.
     */
    private static float[] profile(
            ModelIndex m, String component, int layer, Integer expert, Integer sampleRows, long seed)
            throws IOException, ModelFormatException {
        List<float[]> parts = new ArrayList<>();
        int total = 0;
        for (Role role : EXPERT_ROLES) {
            TensorRef t = m.get(component, layer, role, expert, dev.pedigree.model.Part.WEIGHT);
            if (t == null || t.shape().rank() != 2) {
                parts.add(null);
                continue;
            }
            int rowCount = ModelIndex.matrixShape(t)[0];
            int[] pick =
                    ModelIndex.sample(rowCount, sampleRows == null ? PROBE_ROWS : sampleRows, seed + 31L * rowCount);
            float[] v = m.rows(t, pick).data();
            parts.add(v);
            total += v.length;
        }
        if (total == 0) {
            return null;
        }
        // Roles absent on one side would misalign the concatenation: mark them by length (a role's slot is kept
        // only when present, and profiles of different layouts have different lengths and are not compared).
        float[] out = new float[total];
        int at = 0;
        for (float[] p : parts) {
            if (p != null) {
                System.arraycopy(p, 0, out, at, p.length);
                at += p.length;
            }
        }
        return out;
    }

    private static double correlation(float[] a, float[] b) {
        if (a == null || b == null || a.length != b.length || a.length < 2) {
            return Double.NEGATIVE_INFINITY;
        }
        double c = Kernels.pearson(a, b);
        return Double.isFinite(c) ? c : Double.NEGATIVE_INFINITY;
    }

    private static double relative(float[] a, float[] b) {
        float[] d = difference(a, b);
        double dd = Kernels.sumSquares(d, 0, d.length);
        double bb = Kernels.sumSquares(b, 0, b.length);
        return bb == 0 ? 0 : Math.sqrt(dd / bb);
    }

    /**
     * Relative change, identity and low-rank share of one matched tensor pair (on at most {@link #PROBE_ROWS} seeded
     * rows: {@code probe} when the caller has them, as stored); sets {@code onGrid[0]}/{@code onGrid[1]} when the suspect's/reference's rows lie on a quantisation grid.
     */
    private static LayerChange measure(
            ModelIndex s,
            ModelIndex r,
            Block suspect,
            Block reference,
            Role role,
            TensorRef a,
            TensorRef b,
            Matrix[] undone,
            Matrix[] probe,
            Integer sampleRows,
            long seed,
            boolean[] onGrid)
            throws IOException, ModelFormatException {
        // Undone tensors may hold only the units matched (a sample of a wide or --sample layer).
        int rowCount = undone == null ? ModelIndex.matrixShape(a)[0] : undone[0].rows();
        int[] pick = probeRows(rowCount, sampleRows, seed);
        // The probe rows as stored: given (already read), or read here.
        float[] va = probe != null
                ? probe[0].data()
                : undone == null ? s.rows(a, pick).data() : rowsOf(undone[0], pick);
        float[] vb = probe != null
                ? probe[1].data()
                : undone == null ? r.rows(b, pick).data() : rowsOf(undone[1], pick);
        // Identity: the rows read must agree and, when the whole tensors may be read, so must all
        // the stored bytes (same type: a memory comparison) or all the decoded values.
        boolean same = Arrays.equals(va, vb)
                && (sampleRows == null ? (a.dtype() == b.dtype() ? storedEqual(a, b) : valuesEqual(a, b)) : true);
        float[] delta = difference(va, vb);
        double dd = Kernels.sumSquares(delta, 0, delta.length);
        double rr = Kernels.sumSquares(vb, 0, vb.length);
        int cols = undone == null ? ModelIndex.matrixShape(a)[1] : undone[0].cols();
        int rows = va.length / Math.max(1, cols);
        int rank = Math.min(LOW_RANK_PROBE, Math.min(rows, cols));
        // One float Gram matrix of the probe rows serves the fixed-rank probe and, where its rounding cannot change
        // a decision, the change's rank.
        float[] gram = same || dd == 0
                ? null
                : Matrix.of(rows, cols, delta)
                        .multiplyTransposed(Matrix.of(rows, cols, delta))
                        .data();
        double energy = same ? 0 : topRankEnergy(gram, rows, rank, seed, dd);
        ChangeRank.Estimate est = same ? null : ChangeRank.of(delta, rows, cols, gram);
        onGrid[0] = !same && Descent.onGrid(va, cols);
        onGrid[1] = !same && Descent.onGrid(vb, cols);
        return new LayerChange(
                suspect,
                reference,
                role.name(),
                rr == 0 ? 0 : Math.sqrt(dd / rr),
                same,
                rank,
                energy,
                est == null ? null : est.rank(),
                est != null && est.lowRank());
    }

    /** The rows Customisation measures of a tensor of {@code rowCount} rows (null: all). */
    static int[] probeRows(int rowCount, Integer sampleRows, long seed) {
        return ModelIndex.sample(rowCount, sampleRows == null ? PROBE_ROWS : sampleRows, seed + 31L * rowCount);
    }

    private static float[] rowsOf(Matrix m, int[] pick) {
        return (pick == null ? m : m.rowsSubset(pick)).data();
    }

    /**
     * a − b elementwise. A method of its own, so that its loop is compiled after a few calls instead of running
     * interpreted until the JIT replaces it mid-loop.
     */
    private static float[] difference(float[] a, float[] b) {
        float[] d = new float[a.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = a[i] - b[i];
        }
        return d;
    }

    /**
     * Fraction of ‖Δ‖²_F in the top-{@code rank} singular directions, by subspace iteration (4 rounds) on the Gram
     * matrix G = ΔΔᵀ of the probe rows (m × m, m ≤ {@link #PROBE_ROWS} under the default): the captured energy
     * trace(Uᵀ G U) of the orthonormal row-space basis U is ‖ΔᵀU‖²_F, and the subspaces are those that iterating
     * ΔᵀΔ on the column space gives. G ({@code gf}, float, m × m) is one blocked product the caller formed (it also
     * serves {@link ChangeRank}); every round then costs m² · rank.
     */
    static double topRankEnergy(float[] gf, int m, int rank, long seed, double total) {
        if (total == 0 || rank == 0) {
            return 0;
        }
        double[] g = new double[gf.length];
        for (int i = 0; i < g.length; i++) {
            g[i] = gf[i];
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        double[][] u = new double[rank][m];
        for (double[] row : u) {
            for (int j = 0; j < m; j++) {
                row[j] = rnd.nextDouble() - 0.5;
            }
        }
        double cap = 0;
        for (int it = 0; it < 5; it++) {
            orthonormalise(u);
            double[][] gu = symmetricTimes(g, m, u);
            cap = 0;
            for (int k = 0; k < rank; k++) {
                for (int j = 0; j < m; j++) {
                    cap += u[k][j] * gu[k][j];
                }
            }
            u = gu;
        }
        return Math.min(1, Math.max(0, cap) / total);
    }

    /**
     * G·x for each vector x of {@code xs}, G a row-major m × m matrix: one pass over G for all of them, so that
     * their sums (each in the order j = 0 … m−1, as one product at a time would add them) run side by side.
     */
    private static double[][] symmetricTimes(double[] g, int m, double[][] xs) {
        int r = xs.length;
        double[] xt = new double[m * r]; // x_k[j] at j·r + k: the k loop runs over contiguous values
        for (int k = 0; k < r; k++) {
            for (int j = 0; j < m; j++) {
                xt[j * r + k] = xs[k][j];
            }
        }
        double[][] y = new double[r][m];
        double[] acc = new double[r];
        for (int i = 0; i < m; i++) {
            java.util.Arrays.fill(acc, 0);
            int row = i * m;
            for (int j = 0; j < m; j++) {
                double gij = g[row + j];
                int base = j * r;
                for (int k = 0; k < r; k++) {
                    acc[k] += gij * xt[base + k];
                }
            }
            for (int k = 0; k < r; k++) {
                y[k][i] = acc[k];
            }
        }
        return y;
    }

    private static void orthonormalise(double[][] v) {
        for (int i = 0; i < v.length; i++) {
            for (int k = 0; k < i; k++) {
                double dot = 0;
                for (int j = 0; j < v[i].length; j++) {
                    dot += v[i][j] * v[k][j];
                }
                for (int j = 0; j < v[i].length; j++) {
                    v[i][j] -= dot * v[k][j];
                }
            }
            double nrm = 0;
            for (double x : v[i]) {
                nrm += x * x;
            }
            nrm = Math.sqrt(nrm);
            for (int j = 0; j < v[i].length; j++) {
                v[i][j] = nrm == 0 ? 0 : v[i][j] / nrm;
            }
        }
    }

    private static EmbeddingChange embeddings(ModelIndex s, ModelIndex r, SignedPermutation align, TokenProbes probes)
            throws IOException, ModelFormatException {
        TensorRef es = s.weight(Component.EMBEDDINGS.name(), null, Role.EMBEDDING);
        TensorRef er = r.weight(Component.EMBEDDINGS.name(), null, Role.EMBEDDING);
        if (es == null || er == null || !probes.present() || probes.testS().length == 0) {
            return null;
        }
        Vocabulary vs = s.view.vocabulary().orElse(null);
        Vocabulary vr = r.view.vocabulary().orElse(null);
        long shared = 0;
        List<String> newTokens = new ArrayList<>();
        long newCount = 0;
        if (vs != null && vr != null) {
            Set<String> ref = new HashSet<>();
            for (Token t : vr.tokens()) {
                ref.add(t.key());
            }
            for (Token t : vs.tokens()) {
                if (ref.contains(t.key())) {
                    shared++;
                } else if (t.kind().regular() || t.kind() == dev.pedigree.model.TokenKind.ADDED) {
                    newCount++;
                    if (newTokens.size() < 10) {
                        newTokens.add(t.text());
                    }
                }
            }
        } else {
            shared = Math.min(ModelIndex.matrixShape(es)[0], ModelIndex.matrixShape(er)[0]);
        }
        // The probe rows as the comparison read them (fit rows, then test rows): cached, not read again.
        int[] held = probes.heldOut();
        Matrix a = s.rows(es, probes.suspectRows()).rowsSubset(held);
        Matrix b = r.rows(er, probes.referenceRows()).rowsSubset(held);
        if (a.cols() != b.cols()) {
            return new EmbeddingChange(shared, newCount, 0, Double.NaN, newTokens);
        }
        Matrix bAligned = align != null && align.index().length == a.cols() ? align.applyToColumns(b) : b;
        double[] corr = new double[a.rows()];
        double[] corrRaw = new double[a.rows()];
        for (int i = 0; i < a.rows(); i++) {
            corr[i] = Kernels.pearson(a.row(i), bAligned.row(i));
            corrRaw[i] = Kernels.pearson(a.row(i), b.row(i));
        }
        double[] use = median(corrRaw) >= median(corr) ? corrRaw : corr;
        double med = median(use);
        long reinit = 0;
        if (med > 0.5) {
            for (double c : use) {
                if (!(c >= 0.2)) {
                    reinit++;
                }
            }
        }
        return new EmbeddingChange(shared, newCount, reinit, med, newTokens);
    }

    private static double median(double[] x) {
        double[] c = Arrays.stream(x).filter(Double::isFinite).sorted().toArray();
        return c.length == 0 ? Double.NaN : c[c.length / 2];
    }
}
