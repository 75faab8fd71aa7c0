package dev.pedigree.forensics;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.Procrustes;
import dev.pedigree.stats.RankStats;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Issue 14 §1: blocks of a renamed suspect inferred WITHOUT its file order. A renamed copy's file
 * usually stores its tensors sorted by their new names, so runs of shapes ({@link StructuralBlocks})
 * find no block; and a copy may also have swapped tensors of one shape inside its blocks (q and o,
 * gate and up).
 *
 * <p>Each suspect matrix is given the address (layer, role, expert) of the reference block matrix of
 * its shape whose residual-side Gram matrix is closest. The residual basis of the suspect is first
 * mapped onto the reference's by the orthogonal Procrustes fit of the token embeddings (rows =
 * tokens; this undoes a permutation or rotation of the residual stream). For a matrix reading the
 * residual ({@code m × d}) the Gram is {@code WᵀW}, for one writing it ({@code d × m}: attention
 * output, MLP down) {@code WWᵀ}; both are unchanged by a permutation of the matrix's other side (its
 * units or heads), so which reference tensor a suspect tensor resembles does not depend on unit
 * order, file order or names. The Gram is taken on a seeded sample of residual coordinates (of the
 * reference basis), and the similarity is the Pearson correlation of its off-diagonal entries. Pairs
 * are taken greedily, best first, one reference tensor per suspect tensor.
 *
 * <p>The addresses depend on both models' values, so the tests run on them must be corrected for
 * the choice: {@link Guided#log10Assignments} is log10 of the number of assignments this matching can
 * output (per shape, the injective maps from the smaller side into the larger). For every fixed
 * assignment the block tests are valid, so the chosen one's p-value times that number is a valid
 * p-value whatever chose it (union bound). Tensors outside blocks take the reference's tensors of
 * their shape when both have as many (shape alone, no value). Stateless.
 */
final class GuidedBlocks {
    private GuidedBlocks() {}

    /** Residual coordinates sampled for the Gram matrices. */
    static final int COORDINATES = 96;

    /** Widest residual handled (the embedding fit reads about 8 × d rows of both embeddings). */
    static final int MAX_WIDTH = 1024;

    /** Token rows per residual coordinate read for the embedding fit. */
    static final int ROWS_PER_COORDINATE = 8;

    /** The suspect's tensors with inferred addresses and log10 of the number of assignments possible. */
    record Guided(StructuralBlocks.Inferred inferred, double log10Assignments) {}

    /**
     * The suspect's matrices addressed by their closest reference block matrix; null when the models
     * have no token embedding of one shape, the residual is too wide, or no block matrix is placed.
     */
    static Guided of(ModelView suspect, ModelView reference) throws IOException, ModelFormatException {
        Matrix q = residualMap(suspect, reference);
        if (q == null) {
            return null;
        }
        int d = q.rows();
        int[] coords = sample(d, Math.min(d, COORDINATES));
        List<TensorRef> tensors = suspect.tensors();
        // Reference block matrices with a residual side, by shape.
        Map<Shape, List<TensorRef>> refs = new LinkedHashMap<>();
        for (TensorRef t : reference.tensors()) {
            if (t.address().layer() != null && side(t, d) != 0) {
                refs.computeIfAbsent(t.shape(), x -> new ArrayList<>()).add(t);
            }
        }
        Map<TensorRef, double[]> refGram = new HashMap<>();
        List<double[]> pairs = new ArrayList<>(); // {similarity, suspect index, reference index in its shape list}
        Map<Shape, Integer> suspectCount = new HashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            TensorRef a = tensors.get(i);
            List<TensorRef> cands = refs.get(a.shape());
            if (cands == null) {
                continue;
            }
            suspectCount.merge(a.shape(), 1, Integer::sum);
            double[][] own = new double[3][];
            for (int j = 0; j < cands.size(); j++) {
                TensorRef b = cands.get(j);
                int side = side(b, d);
                if (own[side] == null) {
                    own[side] = suspectGram(a, side, q, coords);
                }
                double[] gb = refGram.get(b);
                if (gb == null) {
                    gb = referenceGram(b, side, coords);
                    refGram.put(b, gb);
                }
                pairs.add(new double[] {offDiagonalCorrelation(own[side], gb, coords.length), i, j});
            }
        }
        pairs.sort((x, y) -> Double.compare(y[0], x[0]));
        TensorAddress[] to = new TensorAddress[tensors.size()];
        Set<TensorRef> taken = new HashSet<>();
        Set<String> blocks = new HashSet<>();
        for (double[] p : pairs) {
            int i = (int) p[1];
            TensorRef b = refs.get(tensors.get(i).shape()).get((int) p[2]);
            if (to[i] != null || taken.contains(b) || !Double.isFinite(p[0])) {
                continue;
            }
            to[i] = b.address();
            taken.add(b);
            blocks.add(b.address().component().name() + "/" + b.address().layer());
        }
        if (blocks.isEmpty()) {
            return null;
        }
        double log10 = 0;
        for (Map.Entry<Shape, Integer> e : suspectCount.entrySet()) {
            int nr = refs.get(e.getKey()).size();
            int ns = e.getValue();
            int large = Math.max(nr, ns);
            for (int k = 0; k < Math.min(nr, ns); k++) {
                log10 += Math.log10(large - k);
            }
        }
        StructuralBlocks.addressLoose(tensors, to, reference.tensors());
        return new Guided(StructuralBlocks.readdressed(tensors, to, blocks.size()), log10);
    }

    /** 1 when {@code t} reads the residual (its columns), 2 when it writes it (its rows), 0 when neither. */
    private static int side(TensorRef t, int d) {
        if (t.shape().rank() != 2) {
            return 0;
        }
        int[] rc = ModelIndex.matrixShape(t);
        boolean cols = rc[1] == d;
        boolean rows = rc[0] == d;
        if (cols && rows) {
            Role role = t.address().role();
            return role == Role.ATTN_O || role == Role.MLP_DOWN ? 2 : 1;
        }
        return cols ? 1 : rows ? 2 : 0;
    }

    /**
     * The orthogonal map {@code Q} ({@code d × d}) with {@code E_ref Q ≈ E_suspect} fitted on the
     * token embeddings (the same token rows), the best of the candidate pairs of one shape; null when
     * there is none.
     */
    private static Matrix residualMap(ModelView suspect, ModelView reference) throws IOException, ModelFormatException {
        List<TensorRef> re = reference.tensors().stream()
                .filter(t -> t.address().layer() == null
                        && t.address().role() == Role.EMBEDDING
                        && t.shape().rank() == 2)
                .toList();
        if (re.size() != 1) {
            return null;
        }
        TensorRef er = re.getFirst();
        int[] rc = ModelIndex.matrixShape(er);
        int d = rc[1];
        if (d < 4 || d > MAX_WIDTH) {
            return null;
        }
        int[] rows = sample(rc[0], Math.min(rc[0], ROWS_PER_COORDINATE * d));
        if (rows.length < 2 * d) {
            return null;
        }
        Matrix mr = rowsOf(er, rows, d);
        Matrix best = null;
        double bestCor = Double.NEGATIVE_INFINITY;
        for (TensorRef t : suspect.tensors()) {
            if (!t.shape().equals(er.shape())) {
                continue;
            }
            Matrix ms = rowsOf(t, rows, d);
            Matrix q = Procrustes.fit(mr, ms);
            double cor = fitCorrelation(mr, q, ms);
            if (cor > bestCor) {
                bestCor = cor;
                best = q;
            }
        }
        return best;
    }

    /** Pearson correlation of {@code a q} with {@code b}, entry by entry. */
    private static double fitCorrelation(Matrix a, Matrix q, Matrix b) {
        int n = a.rows();
        int d = a.cols();
        double[] x = new double[n * d];
        float[] av = a.data();
        float[] qv = q.data();
        for (int r = 0; r < n; r++) {
            for (int k = 0; k < d; k++) {
                double v = av[r * d + k];
                if (v == 0) {
                    continue;
                }
                for (int c = 0; c < d; c++) {
                    x[r * d + c] += v * qv[k * d + c];
                }
            }
        }
        float[] bv = b.data();
        double[] y = new double[bv.length];
        for (int k = 0; k < y.length; k++) {
            y[k] = bv[k];
        }
        return RankStats.pearson(x, y);
    }

    /** Rows {@code rows} of {@code t} (width {@code d}). */
    private static Matrix rowsOf(TensorRef t, int[] rows, int d) throws IOException, ModelFormatException {
        float[] out = new float[rows.length * d];
        for (int k = 0; k < rows.length; k++) {
            t.readRows(rows[k], 1, out, k * d);
        }
        return Matrix.of(rows.length, d, out);
    }

    /**
     * The suspect's residual-side Gram, mapped into the reference basis and restricted to {@code
     * coords}: {@code (W Q_Sᵀ)ᵀ (W Q_Sᵀ)} for a reading matrix, {@code (Q_S W)(Q_S W)ᵀ} for a writing one.
     */
    private static double[] suspectGram(TensorRef t, int side, Matrix q, int[] coords)
            throws IOException, ModelFormatException {
        int[] rc = ModelIndex.matrixShape(t);
        int d = q.rows();
        int k = coords.length;
        float[] qv = q.data();
        float[] row = new float[rc[1]];
        if (side == 1) {
            return columnGram(t, k, (w, y) -> {
                for (int a = 0; a < k; a++) {
                    int o = coords[a] * d;
                    double s = 0;
                    for (int j = 0; j < d; j++) {
                        s += w[j] * qv[o + j];
                    }
                    y[a] = s;
                }
            });
        }
        int m = rc[1];
        double[] z = new double[k * m];
        for (int j = 0; j < rc[0]; j++) {
            t.readRows(j, 1, row, 0);
            for (int a = 0; a < k; a++) {
                double w = qv[coords[a] * d + j];
                int o = a * m;
                for (int c = 0; c < m; c++) {
                    z[o + c] += w * row[c];
                }
            }
        }
        return rowGram(z, k, m);
    }

    /** The reference's residual-side Gram restricted to {@code coords}. */
    private static double[] referenceGram(TensorRef t, int side, int[] coords)
            throws IOException, ModelFormatException {
        int[] rc = ModelIndex.matrixShape(t);
        int k = coords.length;
        float[] row = new float[rc[1]];
        if (side == 1) {
            return columnGram(t, k, (w, y) -> {
                for (int a = 0; a < k; a++) {
                    y[a] = w[coords[a]];
                }
            });
        }
        int m = rc[1];
        double[] z = new double[k * m];
        for (int a = 0; a < k; a++) {
            t.readRows(coords[a], 1, row, 0);
            for (int c = 0; c < m; c++) {
                z[a * m + c] = row[c];
            }
        }
        return rowGram(z, k, m);
    }

    /** How a row of a reading matrix is taken to the {@code k} sampled coordinates. */
    @FunctionalInterface
    private interface Projection {
        void apply(float[] row, double[] y);
    }

    /** The upper off-diagonal entries of {@code Σ y yᵀ} over the rows of {@code t}, each projected to {@code y}. */
    private static double[] columnGram(TensorRef t, int k, Projection p) throws IOException, ModelFormatException {
        int[] rc = ModelIndex.matrixShape(t);
        float[] row = new float[rc[1]];
        double[] g = new double[k * k];
        double[] y = new double[k];
        for (int i = 0; i < rc[0]; i++) {
            t.readRows(i, 1, row, 0);
            p.apply(row, y);
            for (int a = 0; a < k; a++) {
                double ya = y[a];
                for (int b = a + 1; b < k; b++) {
                    g[a * k + b] += ya * y[b];
                }
            }
        }
        return g;
    }

    /** The upper off-diagonal entries of {@code z zᵀ} ({@code z}: {@code k × m}). */
    private static double[] rowGram(double[] z, int k, int m) {
        double[] g = new double[k * k];
        for (int a = 0; a < k; a++) {
            for (int b = a + 1; b < k; b++) {
                double s = 0;
                for (int c = 0; c < m; c++) {
                    s += z[a * m + c] * z[b * m + c];
                }
                g[a * k + b] = s;
            }
        }
        return g;
    }

    /** Pearson correlation of the upper off-diagonal entries of two {@code k × k} Gram matrices. */
    static double offDiagonalCorrelation(double[] x, double[] y, int k) {
        int n = k * (k - 1) / 2;
        double[] a = new double[n];
        double[] b = new double[n];
        int p = 0;
        for (int i = 0; i < k; i++) {
            for (int j = i + 1; j < k; j++) {
                a[p] = x[i * k + j];
                b[p] = y[i * k + j];
                p++;
            }
        }
        return RankStats.pearson(a, b);
    }

    /** {@code k} of {@code 0..n-1}, evenly spaced (no value read, no randomness). */
    private static int[] sample(int n, int k) {
        int[] out = new int[k];
        for (int i = 0; i < k; i++) {
            out[i] = (int) ((long) i * n / k);
        }
        return Arrays.stream(out).distinct().toArray();
    }
}
