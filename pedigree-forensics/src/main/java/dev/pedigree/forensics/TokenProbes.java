package dev.pedigree.forensics;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.SeededSample;
import dev.pedigree.stats.tests.ResidualAlignment;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The shared tokens used as probes: a seeded sample of the token rows both vocabularies hold, split
 * into a fit half (the residual alignment is fitted on their embeddings) and a held-out test half
 * (the token-row tests and the anchors of the attention invariants). Immutable once prepared; its
 * arrays are not copied and must not be modified.
 *
 * @param fitS suspect embedding rows of the fit half (null: no embeddings to probe)
 * @param fitR the reference rows of the same tokens
 * @param testS suspect embedding rows of the test half (null: no embeddings to probe)
 * @param testR the reference rows of the same tokens
 * @param count probe tokens used (fit and test)
 * @param align residual alignment mapping reference columns into the suspect's basis, fitted on the
 *     fit half (null: none)
 * @param alignFrom residual width of the reference embeddings {@code align} was fitted on
 * @param anchorsS suspect embedding rows of the first test tokens, anchors of the attention
 *     invariants (null: too few)
 * @param anchorsR the reference rows of the same tokens
 */
record TokenProbes(
        int[] fitS,
        int[] fitR,
        int[] testS,
        int[] testR,
        int count,
        SignedPermutation align,
        int alignFrom,
        Matrix anchorsS,
        Matrix anchorsR) {
    /** Default cap on shared tokens used as probes (half to fit the alignment, half to test). */
    static final int DEFAULT_PROBE_TOKENS = 4096;
    /**
     * Probe values per model (probe tokens × residual width, 16 MB) above which wide models get fewer
     * probe tokens (never fewer than {@link #MIN_PROBE_TOKENS}): the probes' column matchings cost
     * tokens × width², and their memory tokens × width.
     */
    static final int PROBE_FLOATS = 4 << 20;
    /** Fewest probe tokens of a full compare (when the vocabularies share that many). */
    static final int MIN_PROBE_TOKENS = 1024;
    /** Shared tokens used as anchors of the attention invariants. */
    static final int INVARIANT_ANCHORS = 256;

    private static final TokenProbes NONE = new TokenProbes(null, null, null, null, 0, null, 0, null, null);

    /** Whether there are probe rows (both models have token embeddings that could be paired). */
    boolean present() {
        return testS != null;
    }

    /** The suspect's probe rows as read: fit rows, then test rows. */
    int[] suspectRows() {
        return concat(fitS, testS);
    }

    /** The reference's probe rows as read: fit rows, then test rows. */
    int[] referenceRows() {
        return concat(fitR, testR);
    }

    /** Positions of the held-out test tokens among {@link #suspectRows()} (and {@link #referenceRows()}). */
    int[] heldOut() {
        return range(fitS.length, fitS.length + testS.length);
    }

    /**
     * Chooses the probes and fits the text alignment; warnings (no vocabulary, no alignment) are added
     * to {@code warnings}. Every probe row is read once, through the indexes' caches.
     */
    static TokenProbes prepare(ModelIndex s, ModelIndex r, CompareOptions o, List<String> warnings)
            throws IOException, ModelFormatException {
        TensorRef es = s.weight(Component.EMBEDDINGS.name(), null, Role.EMBEDDING);
        TensorRef er = r.weight(Component.EMBEDDINGS.name(), null, Role.EMBEDDING);
        if (es == null || er == null) {
            return NONE;
        }
        int rowsS = ModelIndex.matrixShape(es)[0];
        int rowsR = ModelIndex.matrixShape(er)[0];
        int[][] pairs = sharedTokenRows(s, r, rowsS, rowsR, warnings);
        if (pairs == null) {
            warnings.add("embeddings not compared: no vocabularies to align rows by token and row counts differ ("
                    + rowsS + " vs " + rowsR + ")");
            return NONE;
        }
        int n = pairs[0].length;
        int width = ModelIndex.matrixShape(es)[1];
        int cap = o.sampleRows() != null
                ? Math.max(2 * Combination.MIN_POWER_N, o.sampleRows())
                : Math.max(MIN_PROBE_TOKENS, Math.min(DEFAULT_PROBE_TOKENS, PROBE_FLOATS / Math.max(1, width)));
        int[] order = SeededSample.permutation(n, o.seed() ^ 0x70CE5L);
        int k = Math.min(n, cap);
        int half = k / 2;
        int[] fitS = new int[half];
        int[] fitR = new int[half];
        int[] testS = new int[k - half];
        int[] testR = new int[k - half];
        for (int i = 0; i < k; i++) {
            int idx = order[i];
            if (i < half) {
                fitS[i] = pairs[0][idx];
                fitR[i] = pairs[1][idx];
            } else {
                testS[i - half] = pairs[0][idx];
                testR[i - half] = pairs[1][idx];
            }
        }
        // Every probe row is read once (cached): fit rows first, then the held-out test rows.
        Matrix allS = s.rows(es, concat(fitS, testS));
        Matrix allR = r.rows(er, concat(fitR, testR));
        SignedPermutation align = null;
        int alignFrom = 0;
        if (half >= Combination.MIN_POWER_N) {
            Matrix a = allS.rowsSubset(range(0, half));
            Matrix b = allR.rowsSubset(range(0, half));
            // fit(A = reference, B = suspect): applyToColumns maps reference columns into the suspect's basis.
            align = fitAlignment(b, a, "token embeddings of " + half + " shared tokens", warnings);
            alignFrom = b.cols();
        }
        Matrix anchorsS = null;
        Matrix anchorsR = null;
        int na = Math.min(INVARIANT_ANCHORS, testS.length);
        if (na >= 16) {
            anchorsS = allS.rowsSubset(range(half, half + na));
            anchorsR = allR.rowsSubset(range(half, half + na));
        }
        return new TokenProbes(fitS, fitR, testS, testR, k, align, alignFrom, anchorsS, anchorsR);
    }

    /**
     * Fits reference → suspect; {@code ref} and {@code sus} hold the same anchor rows. Null, with a
     * warning, when the rows do not allow it.
     */
    static SignedPermutation fitAlignment(Matrix ref, Matrix sus, String what, List<String> warnings) {
        try {
            return ResidualAlignment.fit(ref, sus);
        } catch (IllegalArgumentException e) {
            warnings.add("residual alignment from " + what + " not possible: " + e.getMessage());
            return null;
        }
    }

    /** Row pairs (suspect row, reference row) of shared tokens, or null. */
    private static int[][] sharedTokenRows(ModelIndex s, ModelIndex r, int rowsS, int rowsR, List<String> warnings) {
        Vocabulary vs = s.view.vocabulary().orElse(null);
        Vocabulary vr = r.view.vocabulary().orElse(null);
        if (vs == null || vr == null) {
            if (rowsS != rowsR) {
                return null;
            }
            warnings.add("a vocabulary is missing: embedding rows paired by index");
            int[] id = range(0, rowsS);
            return new int[][] {id, id.clone()};
        }
        Map<String, Integer> ref = new HashMap<>();
        for (Token t : vr.tokens()) {
            if (t.id() < rowsR) {
                ref.putIfAbsent(t.key(), t.id());
            }
        }
        List<int[]> pairs = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (Token t : vs.tokens()) {
            Integer j = ref.get(t.key());
            if (j != null && t.id() < rowsS && seen.add(t.key())) {
                pairs.add(new int[] {t.id(), j});
            }
        }
        int[][] out = new int[2][pairs.size()];
        for (int i = 0; i < pairs.size(); i++) {
            out[0][i] = pairs.get(i)[0];
            out[1][i] = pairs.get(i)[1];
        }
        return out;
    }

    private static int[] range(int from, int to) {
        int[] x = new int[to - from];
        for (int i = 0; i < x.length; i++) {
            x[i] = from + i;
        }
        return x;
    }

    private static int[] concat(int[] a, int[] b) {
        int[] o = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, o, a.length, b.length);
        return o;
    }
}
