package dev.pedigree.forensics;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorHashes;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * Exact reuse: suspect tensors whose values are bit-identical to a reference tensor, found by
 * content whatever the names, components or roles of either side (a renamed copy, a tower filed
 * under another component label). It is the strongest evidence there is, and it decides its
 * component: a component with an identical tensor is {@link Verdict#SHARED_LINEAGE} in {@code
 * compare} and for every {@code identify} candidate, whatever the statistical tests say, and the
 * result says "N of M tensors, P parameters identical" (reason and an evidence entry {@code
 * tensors.identical}).
 *
 * <p>Which tensors count: parameters (weights and biases) of at least {@value #MIN_ELEMENTS}
 * values that are not constant (norm gains at 1, zero biases are equal in independent models).
 * Pairs are found cheaply first (shape and a few rows) and confirmed by the canonical SHA-256 of
 * the float32 values ({@link TensorHashes#canonicalSha256}), so only candidate pairs are read whole.
 * The evidence value is {@link #LOG10P}, the chance that two different contents share a SHA-256;
 * a component keeps its own value when that is smaller. Stateless.
 */
public final class IdenticalTensors {
    private IdenticalTensors() {}

    /** Fewest values of a tensor for its identity to count (as {@code identify}'s registry). */
    public static final int MIN_ELEMENTS = 64;

    /** log10 of 2^−256: the chance that two different contents have the same SHA-256. */
    public static final double LOG10P = -256 * Math.log10(2);

    /** How the reason of a component with identical tensors starts. */
    public static final String REASON_PREFIX = "exact reuse: ";

    /** The id of the evidence entry. */
    public static final String TEST_ID = TestIds.of("tensors", TestIds.Statistic.IDENTICAL);

    /**
     * The identical tensors of one suspect component.
     *
     * @param identical suspect tensors identical to a reference tensor
     * @param tensors the component's parameter tensors in the suspect
     * @param parameters values in the identical tensors
     * @param wholeTensors true when identity was checked on every value (canonical SHA-256); false
     *     under {@code --sample}, where it is checked on every row read (a few spread rows and the
     *     seeded sample), so that the comparison still reads only what it samples
     */
    public record Counts(int identical, int tensors, long parameters, boolean wholeTensors, int reordered) {
        /** Counts without tensors identical in another order. */
        public Counts(int identical, int tensors, long parameters, boolean wholeTensors) {
            this(identical, tensors, parameters, wholeTensors, 0);
        }

        /** "N of M tensors, P parameters identical", and how many of them hold their values in another order. */
        public String sentence() {
            return String.format(
                            Locale.ROOT, "%d of %d tensors, %d parameters identical", identical, tensors, parameters)
                    + (reordered == 0
                            ? ""
                            : String.format(
                                    Locale.ROOT,
                                    " (%d of them with the same values in another order: rows or columns permuted)",
                                    reordered));
        }
    }

    /**
     * A suspect tensor and the reference tensor with the same values: bit-identical, or ({@code
     * reordered}) the same multiset of values in another order ({@link #find}).
     */
    record Pair(TensorRef suspect, TensorRef reference, boolean reordered) {
        Pair(TensorRef suspect, TensorRef reference) {
            this(suspect, reference, false);
        }
    }

    /** Fewest distinct values of a tensor for its identity in another order to count. */
    static final int MIN_DISTINCT_REORDERED = 32;

    /**
     * Largest tensor (values) checked for identity in another order: both sides of a candidate pair are
     * sorted whole (8 bytes a value while one is converted, 4 kept), so the bound follows the heap:
     * 1/128 of it in values (4.2 M values, 34 MB a pair, under the launcher's 512 MB heap), at most 2^27.
     */
    static long maxReorderedElements() {
        return Math.min(1L << 27, Runtime.getRuntime().maxMemory() / 128);
    }

    /**
     * Whether a tensor of model {@code m} can count as exact reuse (parameter, large enough, not a
     * deterministic table: a sinusoidal position table or a causal mask is equal in independent models).
     */
    static boolean eligible(ModelIndex m, TensorRef t) {
        return t.address().part().isParameter() && t.shape().elementCount() >= MIN_ELEMENTS && !m.isTable(t);
    }

    /**
     * Every suspect tensor with a bit-identical reference tensor (the first one found), in suspect
     * order: equal canonical SHA-256, or under {@code --sample} ({@code sampleRows} not null) equal
     * values on every row read (the spread rows and the seeded sample the battery reads anyway).
     */
    static List<Pair> find(ModelIndex s, ModelIndex r, Integer sampleRows, long seed)
            throws IOException, ModelFormatException {
        Map<Long, List<TensorRef>> byQuick = new HashMap<>();
        for (TensorRef t : r.logical) {
            if (eligible(r, t)) {
                Long q = quickKey(r, t, sampleRows, seed);
                if (q != null) {
                    byQuick.computeIfAbsent(q, k -> new ArrayList<>()).add(t);
                }
            }
        }
        List<Pair> out = new ArrayList<>();
        if (byQuick.isEmpty()) {
            return out;
        }
        Map<TensorRef, String> hashes = new IdentityHashMap<>();
        for (TensorRef t : s.logical) {
            if (!eligible(s, t)) {
                continue;
            }
            Long q = quickKey(s, t, sampleRows, seed);
            List<TensorRef> cands = q == null ? null : byQuick.get(q);
            if (cands == null) {
                continue;
            }
            for (TensorRef c : cands) {
                // Under --sample the key's rows (the battery's own sample, all of them equal) decide.
                boolean same = sampleRows != null || hash(t, hashes).equals(hash(c, hashes));
                if (same) {
                    out.add(new Pair(t, c));
                    break;
                }
            }
        }
        return out;
    }

    /**
     * Suspect tensors that hold exactly a reference tensor's values in another order (rows and
     * columns permuted, as when every name was changed and the hidden units, heads or residual
     * coordinates were permuted to hide a copy), among the eligible suspect tensors {@code exact}
     * did not pair. Found by an order-free key over every value (the shape and wrapping sums of the
     * canonical bits and of a 64-bit mix of them) and confirmed by comparing the sorted values; a
     * tensor counts only with at least {@value #MIN_DISTINCT_REORDERED} distinct values (quantised
     * tensors with a handful of levels can share a histogram by chance) and at most {@link
     * #maxReorderedElements} values. Reads both models whole, so the caller asks only when the
     * suspect's names give no blocks and nothing is sampled.
     */
    static List<Pair> findReordered(ModelIndex s, ModelIndex r, List<Pair> exact)
            throws IOException, ModelFormatException {
        long max = maxReorderedElements();
        Map<List<Object>, List<TensorRef>> byKey = new HashMap<>();
        for (TensorRef t : r.logical) {
            if (eligible(r, t) && t.shape().elementCount() <= max) {
                List<Object> k = orderFreeKey(t);
                if (k != null) {
                    byKey.computeIfAbsent(k, x -> new ArrayList<>()).add(t);
                }
            }
        }
        java.util.Set<TensorRef> paired = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        exact.forEach(p -> paired.add(p.suspect()));
        List<Pair> out = new ArrayList<>();
        for (TensorRef t : s.logical) {
            if (!eligible(s, t) || paired.contains(t) || t.shape().elementCount() > max) {
                continue;
            }
            List<Object> k = orderFreeKey(t);
            List<TensorRef> cands = k == null ? null : byKey.get(k);
            if (cands == null) {
                continue;
            }
            // Candidates share the order-free key, so they are rare (a copy's partner): nothing is cached.
            int[] a = sortedBits(t);
            if (distinct(a) < MIN_DISTINCT_REORDERED) {
                continue;
            }
            for (TensorRef c : cands) {
                if (java.util.Arrays.equals(a, sortedBits(c))) {
                    out.add(new Pair(t, c, true));
                    break;
                }
            }
        }
        return out;
    }

    /** The shape and order-free sums of a tensor's canonical bits; null for a constant tensor. */
    private static List<Object> orderFreeKey(TensorRef t) throws IOException, ModelFormatException {
        Shape sh = t.shape();
        long rows = Math.max(1, sh.rows());
        int cols = (int) (sh.elementCount() / rows);
        int step = Math.max(1, (1 << 20) / Math.max(1, cols));
        float[] buf = new float[step * cols];
        long sum = 0;
        long mixed = 0;
        int first = 0;
        boolean varies = false;
        for (long r0 = 0; r0 < rows; r0 += step) {
            int n = (int) Math.min(step, rows - r0);
            t.readRows(r0, n, buf, 0);
            for (int i = 0; i < n * cols; i++) {
                int bits = dev.pedigree.model.TensorScan.canonicalBits(buf[i]);
                if (r0 == 0 && i == 0) {
                    first = bits;
                }
                varies |= bits != first;
                sum += bits;
                mixed += mix(bits);
            }
        }
        return varies ? List.of(sh.toString(), sum, mixed) : null;
    }

    /** SplitMix64's finaliser: a sum of these over a multiset is order-free and rarely collides. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    private static int[] sortedBits(TensorRef t) throws IOException, ModelFormatException {
        float[] f = t.readAll();
        int[] v = new int[f.length];
        for (int i = 0; i < f.length; i++) {
            v[i] = dev.pedigree.model.TensorScan.canonicalBits(f[i]);
        }
        java.util.Arrays.sort(v);
        return v;
    }

    private static int distinct(int[] sorted) {
        int d = sorted.length == 0 ? 0 : 1;
        for (int i = 1; i < sorted.length; i++) {
            if (sorted[i] != sorted[i - 1]) {
                d++;
            }
        }
        return d;
    }

    private static String hash(TensorRef t, Map<TensorRef, String> hashes) throws IOException, ModelFormatException {
        String h = hashes.get(t);
        if (h == null) {
            h = TensorHashes.canonicalSha256(t);
            hashes.put(t, h);
        }
        return h;
    }

    /**
     * A key from the shape and up to four rows (first, last and two between), or under {@code
     * --sample} from the seeded rows the battery reads anyway (through the index's cache; output-side
     * tensors, which the sampled battery does not read, get no key); null when the rows read hold a
     * single value (a constant tensor).
     */
    private static Long quickKey(ModelIndex m, TensorRef t, Integer sampleRows, long seed)
            throws IOException, ModelFormatException {
        if (sampleRows != null) {
            Role role = t.address().role();
            if (role == Role.ATTN_O || role == Role.MLP_DOWN) {
                return null;
            }
            int rows = ModelIndex.matrixShape(t)[0];
            float[] v = m.rows(t, ModelIndex.sample(rows, sampleRows, seed + 31L * rows))
                    .data();
            long h = Objects.hash(t.shape().toString());
            boolean varies = false;
            for (float x : v) {
                h = h * 1_000_003L + dev.pedigree.model.TensorScan.canonicalBits(x);
                varies |= Float.compare(x, v[0]) != 0;
            }
            return varies ? h : null;
        }
        Shape sh = t.shape();
        long rows = Math.max(1, sh.rows());
        long cols = sh.elementCount() / rows;
        if (cols > (1 << 24)) {
            return null;
        }
        long[] pick = {0, rows / 3, (2 * rows) / 3, rows - 1};
        long h = Objects.hash(sh.toString());
        float first = Float.NaN;
        boolean varies = false;
        float[] row = new float[(int) cols];
        long last = -1;
        for (long p : pick) {
            if (p == last) {
                continue;
            }
            last = p;
            t.readRows(p, 1, row, 0);
            for (float v : row) {
                int bits = dev.pedigree.model.TensorScan.canonicalBits(v);
                h = h * 1_000_003L + bits;
                if (Float.isNaN(first)) {
                    first = v;
                } else if (Float.compare(first, v) != 0) {
                    varies = true;
                }
            }
        }
        return varies ? h : null;
    }

    /** The identical tensors per reported suspect component, with each component's tensor count. */
    static Map<String, Counts> countByComponent(List<Pair> pairs, List<TensorRef> suspectLogical, boolean whole) {
        Map<String, int[]> tensors = new LinkedHashMap<>();
        for (TensorRef t : suspectLogical) {
            if (t.address().part().isParameter()) {
                tensors.computeIfAbsent(ReportComponents.of(t.address()).name(), k -> new int[1])[0]++;
            }
        }
        Map<String, Counts> out = new LinkedHashMap<>();
        for (Pair p : pairs) {
            String c = ReportComponents.of(p.suspect().address()).name();
            Counts k = out.getOrDefault(c, new Counts(0, tensors.getOrDefault(c, new int[1])[0], 0, whole));
            out.put(
                    c,
                    new Counts(
                            k.identical() + 1,
                            k.tensors(),
                            k.parameters() + p.suspect().elementCount(),
                            whole,
                            k.reordered() + (p.reordered() ? 1 : 0)));
        }
        return out;
    }

    /**
     * A component's result once its identical tensors are known: unchanged without any; otherwise
     * SHARED_LINEAGE, its value at most {@link #LOG10P}, a {@link #TEST_ID} evidence entry and a
     * reason that starts with the counts.
     */
    public static ComponentResult apply(ComponentResult c, Counts k) {
        if (k == null || k.identical() == 0) {
            return c;
        }
        // Applied once: an earlier count of this component is replaced, not repeated.
        List<Evidence> ev = new ArrayList<>(c.evidence());
        ev.removeIf(e -> e.test().equals(TEST_ID));
        String own = c.reason();
        if (own.startsWith(REASON_PREFIX)) {
            int semi = own.indexOf("; ");
            own = semi < 0 ? "" : own.substring(semi + 2);
        }
        ev.add(new Evidence(
                TEST_ID,
                (double) k.identical(),
                LOG10P,
                k.sentence()
                        + (k.wholeTensors()
                                ? " (canonical SHA-256 of the float32 values"
                                : " (equal float32 values on the seeded rows read under --sample; whole tensors not"
                                        + " hashed, attention output and MLP down projections not checked")
                        + ", whatever the tensor names; constant tensors and tensors under " + MIN_ELEMENTS
                        + " values do not count"
                        + (k.reordered() == 0
                                ? ""
                                : "; in another order: the same sorted float32 values, every value compared, at least "
                                        + MIN_DISTINCT_REORDERED + " distinct")
                        + ")"));
        double v = c.log10p() == null ? LOG10P : Math.min(c.log10p(), LOG10P);
        String reason = REASON_PREFIX + k.sentence() + " to the reference"
                + (c.verdict() == Verdict.SHARED_LINEAGE && !own.isEmpty() ? "; " + own : "");
        return new ComponentResult(c.name(), c.kind(), c.parameters(), Verdict.SHARED_LINEAGE, v, ev, reason);
    }

    /**
     * A whole result once the identical tensors of its components are known (identify's candidates,
     * whose exact reuse comes from the registry's hashes): components with identical tensors become
     * SHARED_LINEAGE ({@link #apply(ComponentResult, Counts)}), and so does the pair; the shared
     * parameter fraction counts those components whole when they were not shared before.
     *
     * @param suspectParameters the suspect's parameter count (for the shared fraction)
     */
    public static ComparisonResult apply(ComparisonResult r, Map<String, Counts> byComponent, long suspectParameters) {
        if (byComponent.values().stream().allMatch(k -> k.identical() == 0)) {
            return r;
        }
        List<ComponentResult> comps = new ArrayList<>();
        double frac = r.sharedParameterFraction();
        Double best = r.log10p();
        for (ComponentResult c : r.components()) {
            ComponentResult n = apply(c, byComponent.get(c.name()));
            if (n != c && c.verdict() != Verdict.SHARED_LINEAGE && suspectParameters > 0) {
                frac = Math.min(1, frac + c.parameters() / (double) suspectParameters);
            }
            if (n.log10p() != null) {
                best = best == null ? n.log10p() : Math.min(best, n.log10p());
            }
            comps.add(n);
        }
        Verdict overall = comps.stream().anyMatch(c -> c.verdict() == Verdict.SHARED_LINEAGE)
                ? Verdict.SHARED_LINEAGE
                : r.verdict();
        return new ComparisonResult(
                r.schema(),
                r.suspect(),
                r.reference(),
                overall,
                best,
                comps,
                r.layerMap(),
                r.tokenizer(),
                frac,
                r.warnings(),
                r.layerEvidence(),
                r.customisation(),
                r.sampling(),
                r.thresholds());
    }
}
