package dev.pedigree.forensics;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.naming.TensorNaming;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.SeededSample;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;

/**
 * The canonical, logical tensors of one model indexed by reported component, layer, role, expert
 * and part. Values are read on demand, one tensor (or a row sample) at a time, through {@link
 * #rows}, which keeps reads in a bounded cache (a twelfth of the heap, at most {@value
 * #CACHE_CAP_BYTES} bytes, per model; the first reads that fit stay) so that the block × block
 * screening does not decode a tensor once per partner block. Output-side tensors seen as [units ×
 * residual] ({@link #unitsOfColumns}) are cached after transposition and unit sampling. Every tensor is wrapped by the comparison's {@link ReadAccounting}. The cache is
 * synchronised; the rest is read-only after construction.
 */
final class ModelIndex {
    /**
     * Key of one logical tensor.
     *
     * @param slot null for tensors whose role is known; for {@link Role#OTHER} (names no family
     *     knows) the name with its layer segment replaced by {@code #}, so that unknown names give
     *     distinct keys and the same unknown name of every block the same slot
     */
    record Key(String component, Integer layer, Role role, Integer expert, Part part, String slot) {
        Key(String component, Integer layer, Role role, Integer expert, Part part) {
            this(component, layer, role, expert, part, null);
        }

        /** The same key in another component (a stack paired across component labels). */
        Key in(String otherComponent) {
            return new Key(otherComponent, layer, role, expert, part, slot);
        }
    }

    /** The slot of a tensor's key: null for known roles, otherwise its name without the layer index. */
    static String slot(TensorRef t) {
        TensorAddress a = t.address();
        if (a.role() != Role.OTHER) {
            return null;
        }
        String[] segs = t.name().split("\\.", -1);
        if (a.layer() != null) {
            String layer = Integer.toString(a.layer());
            for (int i = 0; i < segs.length; i++) {
                if (segs[i].equals(layer)) {
                    segs[i] = "#";
                    break;
                }
            }
        }
        return String.join(".", segs);
    }

    final ModelView view;
    final List<TensorRef> logical;
    final Map<Key, TensorRef> byKey = new LinkedHashMap<>();
    final Map<String, Component> components = new LinkedHashMap<>();
    final boolean tied;
    final List<String> notes = new ArrayList<>();

    /** Most bytes of decoded values one model keeps cached, whatever the heap. */
    static final long CACHE_CAP_BYTES = 256L << 20;

    private final Map<CacheKey, Matrix> cache = new LinkedHashMap<>(64, 0.75f, true);
    private final long cacheBudgetFloats;
    private long cachedFloats;

    /**
     * Cache key: the tensor (by identity), whether it is transposed, and the rows read (of the
     * transposed matrix when transposed; null: all), compared by content.
     */
    private record CacheKey(TensorRef tensor, boolean transposed, int[] rows) {
        @Override
        public boolean equals(Object o) {
            return o instanceof CacheKey k
                    && k.tensor == tensor
                    && k.transposed == transposed
                    && Arrays.equals(k.rows, rows);
        }

        @Override
        public int hashCode() {
            return 31 * (31 * System.identityHashCode(tensor) + Boolean.hashCode(transposed)) + Arrays.hashCode(rows);
        }
    }

    ModelIndex(ModelView view) {
        this(view, new ReadAccounting());
    }

    /**
     * What {@link EarlyStop}'s screens did in the comparison this index is the suspect of (the
     * suspect's index is one per comparison).
     */
    final EarlyStop.Tally screens = new EarlyStop.Tally();

    /** As-stored closeness measures of tensor pairs the sampled battery read (this index the suspect's). */
    final ClosenessMeasure.Seen closenessSeen = new ClosenessMeasure.Seen();

    ModelIndex(ModelView view, ReadAccounting accounting) {
        this.view = view;
        this.logical = TensorNaming.logicalTensors(view.tensors(), view.hints()).stream()
                .map(accounting::wrap)
                .toList();
        this.cacheBudgetFloats = Math.min(Runtime.getRuntime().maxMemory() / 12, CACHE_CAP_BYTES) / Float.BYTES;
        boolean hasHead = false;
        for (TensorRef t : logical) {
            TensorAddress a = t.address();
            Component c = ReportComponents.of(a);
            components.putIfAbsent(c.name(), c);
            Key k = new Key(c.name(), a.layer(), a.role(), a.expert(), a.part(), slot(t));
            if (byKey.putIfAbsent(k, t) != null) {
                notes.add("duplicate tensor address " + a + " (" + t.name() + "); the first is used");
            }
            hasHead |= a.role() == Role.LM_HEAD && a.part() == Part.WEIGHT;
        }
        this.tied = Boolean.TRUE.equals(view.hints().tiedEmbeddings()) || !hasHead;
        if (Boolean.TRUE.equals(view.hints().tiedEmbeddings()) && hasHead) {
            components.remove(Component.LM_HEAD.name());
            notes.add("lm_head is tied to the embeddings and is compared once, as embeddings");
        }
    }

    /** A tensor found to be a deterministic table, and its kind ({@link DeterministicTables#kind}). */
    record Table(TensorRef tensor, Key key, String kind) {}

    private final List<Table> tables = new ArrayList<>();
    private final Map<TensorRef, Table> tableOf = new IdentityHashMap<>();

    /**
     * Finds the deterministic tables among the tensors ({@link DeterministicTables}) and takes them
     * out of the keyed lookup, so that no weight test sees them; {@link #isTable} tells exact reuse
     * and the searches by shape to leave them out too. Reads a few rows of each candidate. Called
     * once, before any test.
     *
     * @param known tables found beforehand on the whole model, by tensor name (a fingerprint's samples
     *     no longer show the formula); empty when none
     */
    void findTables(Map<String, String> known) throws IOException, ModelFormatException {
        Map<TensorRef, Key> keyOf = new IdentityHashMap<>();
        byKey.forEach((k, t) -> keyOf.put(t, k));
        for (TensorRef t : logical) {
            String kind = known.containsKey(t.name()) ? known.get(t.name()) : DeterministicTables.kind(t);
            if (kind != null) {
                Key k = keyOf.get(t); // null for a tensor whose address repeats (not keyed)
                Table tb = new Table(t, k, kind);
                tables.add(tb);
                tableOf.put(t, tb);
                if (k != null) {
                    byKey.remove(k);
                }
            }
        }
    }

    /** Whether {@code t} is a deterministic table (no lineage evidence). */
    boolean isTable(TensorRef t) {
        return tableOf.containsKey(t);
    }

    /** The deterministic tables found, in tensor order. */
    List<Table> tables() {
        return List.copyOf(tables);
    }

    /**
     * A weight by key even when it is a deterministic table (for fitting a tower's residual alignment,
     * which a table shared by the two models fixes as it fixes their residual coordinates; never for
     * evidence).
     */
    TensorRef weightOrTable(String component, Integer layer, Role role) {
        TensorRef t = weight(component, layer, role);
        if (t != null) {
            return t;
        }
        Key k = new Key(component, layer, role, null, Part.WEIGHT);
        for (Table tb : tables) {
            if (k.equals(tb.key())) {
                return tb.tensor();
            }
        }
        return null;
    }

    TensorRef get(String component, Integer layer, Role role, Integer expert, Part part) {
        return byKey.get(new Key(component, layer, role, expert, part));
    }

    TensorRef weight(String component, Integer layer, Role role) {
        return get(component, layer, role, null, Part.WEIGHT);
    }

    /** Sorted block layers of a component. */
    List<Integer> layers(String component) {
        TreeSet<Integer> s = new TreeSet<>();
        for (Key k : byKey.keySet()) {
            if (k.component().equals(component) && k.layer() != null) {
                s.add(k.layer());
            }
        }
        return new ArrayList<>(s);
    }

    /** Expert indices present in a block ({@code experts} component), ascending. */
    List<Integer> experts(int layer) {
        TreeSet<Integer> s = new TreeSet<>();
        for (Key k : byKey.keySet()) {
            if (k.component().equals(Component.EXPERTS.name())
                    && Objects.equals(k.layer(), layer)
                    && k.expert() != null) {
                s.add(k.expert());
            }
        }
        return new ArrayList<>(s);
    }

    /** Keys of one component (all layers). */
    List<Key> keys(String component) {
        return byKey.keySet().stream()
                .filter(k -> k.component().equals(component))
                .toList();
    }

    // ------------------------------------------------------------------ reading

    /** Rows and columns of a tensor seen as a matrix [first dim, rest] (1 × n for vectors). */
    static int[] matrixShape(TensorRef t) {
        Shape s = t.shape();
        long rows = s.rank() <= 1 ? 1 : s.dim(0);
        long cols = rows == 0 ? 0 : s.elementCount() / rows;
        if (rows > Integer.MAX_VALUE || cols > Integer.MAX_VALUE) {
            throw new IllegalStateException("tensor " + t.name() + " too large: " + s);
        }
        return new int[] {(int) rows, (int) cols};
    }

    /** Fewest scattered rows read on several threads (fewer: on the caller's). */
    static final int PARALLEL_ROWS = 64;

    /**
     * Reads a tensor as a [first dim, rest] float32 matrix, or only the given rows of it (sorted or
     * not; in the given order). A conv kernel [out, in, kh, kw] becomes [out, in·kh·kw].
     */
    static Matrix read(TensorRef t, int[] rows) throws IOException, ModelFormatException {
        int[] rc = matrixShape(t);
        int cols = rc[1];
        Shape s = t.shape();
        if (s.rank() <= 2) {
            if (rows == null) {
                return Matrix.of(rc[0], cols, t.readAll());
            }
            float[] out = new float[Math.multiplyExact(rows.length, cols)];
            // Over a remote source the scattered rows are fetched concurrently while they are decoded.
            t.prefetchRows(rows);
            ParallelTasks.forEach(rows.length, PARALLEL_ROWS, i -> t.readRows(rows[i], 1, out, i * cols));
            return Matrix.of(rows.length, cols, out);
        }
        long perRow = s.elementCount() / Math.max(1, rc[0]);
        long canonicalPerRow = perRow / s.columns();
        if (rows == null) {
            return Matrix.of(rc[0], cols, t.readAll());
        }
        float[] out = new float[Math.multiplyExact(rows.length, cols)];
        int[] canonical = new int[Math.multiplyExact(rows.length, (int) canonicalPerRow)];
        for (int i = 0; i < rows.length; i++) {
            for (int q = 0; q < canonicalPerRow; q++) {
                canonical[(int) (i * canonicalPerRow + q)] = (int) (rows[i] * canonicalPerRow + q);
            }
        }
        t.prefetchRows(canonical);
        ParallelTasks.forEach(
                rows.length,
                PARALLEL_ROWS,
                i -> t.readRows(rows[i] * canonicalPerRow, (int) canonicalPerRow, out, i * cols));
        return Matrix.of(rows.length, cols, out);
    }

    /**
     * Reads rows {@code from[first + q]} of {@code t} (q &lt; n; a negative index gives zeros) into
     * {@code dst}, each multiplied by {@code sign[first + q]}: a residual alignment applied to the
     * rows of an output-side tensor.
     */
    static void readRowsSigned(TensorRef t, int[] from, float[] sign, int first, int n, float[] dst, int width)
            throws IOException, ModelFormatException {
        for (int q = 0; q < n; q++) {
            int r = from[first + q];
            if (r < 0) {
                Arrays.fill(dst, q * width, (q + 1) * width, 0f);
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

    /**
     * {@link #read}, cached: the same rows of the same tensor are decoded once while they stay in
     * the cache. The returned matrix is shared and must not be modified.
     */
    Matrix rows(TensorRef t, int[] rows) throws IOException, ModelFormatException {
        CacheKey k = new CacheKey(t, false, rows == null ? null : rows.clone());
        Matrix m = cached(k);
        if (m != null) {
            return m;
        }
        return keep(k, read(t, rows));
    }

    /**
     * The tensor transposed ([columns × rows]: units in columns become rows), keeping only the given
     * rows of the transpose (null: all). Cached after transposition, so that a tensor compared with
     * every partner block is transposed once; the whole tensor is read for it (from the cache when
     * there) but not itself cached. The returned matrix is shared and must not be modified.
     */
    Matrix unitsOfColumns(TensorRef t, int[] units) throws IOException, ModelFormatException {
        CacheKey k = new CacheKey(t, true, units == null ? null : units.clone());
        Matrix m = cached(k);
        if (m != null) {
            return m;
        }
        Matrix whole = cached(new CacheKey(t, false, null));
        Matrix tr = (whole != null ? whole : read(t, null)).transpose();
        return keep(k, units == null ? tr : tr.rowsSubset(units));
    }

    private Matrix cached(CacheKey k) {
        synchronized (cache) {
            return cache.get(k);
        }
    }

    private Matrix keep(CacheKey k, Matrix m) {
        long size = m.data().length;
        synchronized (cache) {
            // No eviction: the block × block screening reads every block's tensors once per partner,
            // a cyclic pattern under which an LRU cache that cannot hold them all never hits. Keeping
            // the first reads that fit gives hits in proportion to the budget.
            if (cachedFloats + size <= cacheBudgetFloats && cache.putIfAbsent(k, m) == null) {
                cachedFloats += size;
            }
        }
        return m;
    }

    /** A vector tensor's values (cached; do not modify). */
    float[] vector(TensorRef t) throws IOException, ModelFormatException {
        return rows(t, null).data();
    }

    /** Reads a vector (any rank, flattened). */
    static float[] readVector(TensorRef t) throws IOException, ModelFormatException {
        return t.readAll();
    }

    /**
     * A sorted seeded sample of {@code k} of {@code n} indices, or null (all) when {@code k >= n}:
     * {@link SeededSample#subsetOrNull} with the seed as given.
     */
    static int[] sample(int n, int k, long seed) {
        return SeededSample.subsetOrNull(n, k, seed, SeededSample.SeedMix.AS_GIVEN);
    }
}
