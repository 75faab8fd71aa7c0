package dev.pedigree.stats.tests;

import dev.pedigree.stats.LinearAssignment;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.NonFiniteCount;
import dev.pedigree.stats.RankStats;
import dev.pedigree.stats.SeededSample;
import dev.pedigree.stats.TestResult;
import java.util.SplittableRandom;

/**
 * Zhu et al.'s φ_U: match the hidden units (rows) of two matrices by maximising total cosine similarity (LAP), then
 * test whether the matching is closer to the identity than a random permutation.
 *
 * <p><b>Null.</b> H0: the two models were initialised independently and the initialisation is Π-invariant with
 * Π-equivariant training (lineage-methods.md §1), so the law of {@code b}'s hidden units is invariant under a
 * uniformly random permutation independent of {@code a}. Since {@code LAP(C(a, πb)) = π ∘ LAP(C(a, b))}, the
 * matching is a uniformly random permutation under H0 and the Spearman test of {@link RankStats#spearmanTest}
 * applies (Zhu et al.: exact permutation null, t approximation, floored at the exact 1/n! bound).
 *
 * <p>Rows are hidden units (e.g. U is h×d), columns the residual coordinates in the same basis; a residual
 * permutation or rotation by the suspect, or a hidden permutation, makes this test lose power (false negative), never
 * produce false positives. Per-block results are independent under H0 and may be combined with
 * {@link LogP#fisher}; results from several tensors of one block may not.
 *
 * <p><b>Non-finite weights</b> ({@link NonFiniteCount}): a unit holding one normalises to a zero row, and a
 * non-finite entry of a cosine matrix handed in by a streaming caller counts as 0, so such units are matched
 * without evidence either way (less power, never a false positive); the note says how many there were. Stateless
 * and thread-safe.
 */
public final class HiddenUnitMatchTest {

    /** Test id of {@link #match}. */
    public static final String MATCH_ID = "zhu.match.spearman";
    /** Test id of {@link #matchSampled}. */
    public static final String SAMPLED_ID = "zhu.match.sampled";
    /** Test id of {@link #matchRectangular}. */
    public static final String RECTANGULAR_ID = "zhu.match.rectangular";

    private HiddenUnitMatchTest() {}

    /**
     * A matching and its test.
     *
     * @param assignment {@code assignment[i]} = the row of {@code b} matched to row i of {@code a}, or −1 for rows
     *     of {@code a} that were not part of a sample ({@link #matchSampled})
     * @param result the test of the matching
     */
    public record Match(int[] assignment, TestResult result) {
        /** Defensive copy. */
        public Match {
            assignment = assignment.clone();
            java.util.Objects.requireNonNull(result, "result");
        }

        @Override
        public int[] assignment() {
            return assignment.clone();
        }
    }

    /**
     * Full φ_U: the h×h cosine matrix of rows ({@link Matrix#normaliseRows()} then
     * {@link Matrix#multiplyTransposed}), LAP maximisation ({@link LinearAssignment#maximise(float[], int, int)}),
     * Spearman against the identity. Test id {@value #MATCH_ID}; {@code statistic} = t, {@code effectSize} =
     * Spearman r; the note also gives the number of fixed points. Memory: 4h² bytes for the cosine matrix.
     *
     * @throws IllegalArgumentException if the shapes differ
     */
    public static Match match(Matrix a, Matrix b) {
        requireSameShape(a, b);
        int h = a.rows();
        if (h < 3) {
            return new Match(identity(h), TestResult.notApplicable(MATCH_ID, "need at least 3 hidden units, got " + h));
        }
        Matrix c = a.normaliseRows().multiplyTransposed(b.normaliseRows());
        int[] asg = LinearAssignment.maximise(finite(c.data()), h, h);
        double r = RankStats.spearmanWithIdentity(asg);
        TestResult t = RankStats.spearmanTest(MATCH_ID, r, h);
        int fixed = 0;
        for (int i = 0; i < h; i++) {
            if (asg[i] == i) {
                fixed++;
            }
        }
        TestResult out = new TestResult(
                MATCH_ID,
                t.statistic(),
                t.log10p(),
                t.effectSize(),
                h,
                t.note() + "; h=" + h + ", fixed points " + fixed + "/" + h + zeroRowsNote(a, b));
        return new Match(asg, out);
    }

    /** {@code cross} with its non-finite entries (from non-finite weights) set to 0; copied only if there are any. */
    private static float[] finite(float[] cross) {
        float[] out = cross;
        for (int i = 0; i < cross.length; i++) {
            if (!Float.isFinite(cross[i])) {
                if (out == cross) {
                    out = cross.clone();
                }
                out[i] = 0f;
            }
        }
        return out;
    }

    private static String nonFiniteNote(float[] cross) {
        long n = NonFiniteCount.of(cross).total();
        return n == 0 ? "" : "; " + n + " non-finite cosine(s) from non-finite weights counted as 0";
    }

    private static String zeroRowsNote(Matrix a, Matrix b) {
        int n = a.nonFiniteRows() + b.nonFiniteRows();
        return n == 0 ? "" : "; " + n + " unit(s) with non-finite weights matched as zero rows (cosine 0)";
    }

    private static Match withNote(Match m, String extra) {
        if (extra.isEmpty()) {
            return m;
        }
        TestResult r = m.result();
        return new Match(
                m.assignment(),
                new TestResult(r.testId(), r.statistic(), r.log10p(), r.effectSize(), r.n(), r.note() + extra));
    }

    /**
     * Agreement of two sampled matchings of the same units ({@link #matchSampled}: entries −1 outside the sample):
     * M = number of sampled units that both send to the same unit of b. Under the same assumption as
     * {@link #agreement} (the second matching is a uniformly random injection independent of the first), m given
     * units all agree with probability 1/(h)_m, so {@code P(M ≥ m) ≤ C(k,m)/(h)_m} (union bound, sound in the far
     * tail). {@code statistic} = M, {@code effectSize} = M/k, {@code n} = k.
     *
     * @param h units of b (the range of the matchings)
     * @throws IllegalArgumentException if the lengths differ
     */
    public static TestResult agreementSampled(int[] first, int[] second, int h, String testId) {
        if (first.length != second.length) {
            throw new IllegalArgumentException("length mismatch " + first.length + " vs " + second.length);
        }
        int k = 0;
        int m = 0;
        for (int i = 0; i < first.length; i++) {
            if (first[i] >= 0 && second[i] >= 0) {
                k++;
                if (first[i] == second[i]) {
                    m++;
                }
            }
        }
        if (k < 3) {
            return TestResult.notApplicable(testId, "need at least 3 units matched by both, got " + k);
        }
        double l = Math.min(
                0,
                LogP.log10Factorial(k)
                        - LogP.log10Factorial(m)
                        - LogP.log10Factorial(k - m)
                        - (LogP.log10Factorial(h) - LogP.log10Factorial(h - m)));
        String note = String.format(
                java.util.Locale.ROOT,
                "%d of %d sampled units sent to the same unit by both matchings (of %d); log10p <= log10 C(k,m)/(h)_m",
                m,
                k,
                h);
        return new TestResult(testId, m, l, m / (double) k, k, note);
    }

    /**
     * Spearman correlation between two matchings of the same hidden units (Zhu et al.'s unconstrained φ_MATCH: an
     * output-preserving permutation must move gate and up units together). With τ defined by
     * {@code τ(gate(i)) = up(i)}, r = Spearman(τ, identity) and the same t test is applied. This null (τ uniform) is
     * the paper's robust but not exact one: it holds when the two matchings are independent under H0.
     *
     * @throws IllegalArgumentException if the inputs are not permutations of the same size
     */
    public static TestResult agreement(int[] assignmentFromGate, int[] assignmentFromUp, String testId) {
        int n = assignmentFromGate.length;
        if (assignmentFromUp.length != n) {
            throw new IllegalArgumentException("length mismatch " + n + " vs " + assignmentFromUp.length);
        }
        if (n < 3) {
            return TestResult.notApplicable(testId, "need at least 3 units, got " + n);
        }
        int[] tau = new int[n];
        java.util.Arrays.fill(tau, -1);
        for (int i = 0; i < n; i++) {
            int g = assignmentFromGate[i];
            if (g < 0 || g >= n || tau[g] != -1) {
                throw new IllegalArgumentException("gate assignment is not a permutation at index " + i);
            }
            tau[g] = assignmentFromUp[i];
        }
        double r = RankStats.spearmanWithIdentity(tau);
        TestResult spearman = RankStats.spearmanTest(testId, r, n);
        // Units sent to the same unit by both matchings: the fixed points of τ. Under the same null (τ uniform)
        // P(M ≥ m) ≤ C(n,m)·(n−m)!/n! = 1/m!, which keeps its power when noise leaves only a share of the units
        // matched right (the Spearman statistic then drowns in the others). Bonferroni ×2 over the two statistics.
        int m = 0;
        for (int i = 0; i < n; i++) {
            if (tau[i] == i) {
                m++;
            }
        }
        double fixed = -LogP.log10Factorial(m);
        double l = Math.min(0, Math.log10(2) + Math.min(spearman.log10p(), fixed));
        String note = spearman.note()
                + String.format(
                        java.util.Locale.ROOT,
                        "; %d of %d units sent to the same unit by both matchings (log10p <= -log10 m! = %.1f);"
                                + " Bonferroni x2",
                        m,
                        n,
                        fixed);
        return new TestResult(testId, spearman.statistic(), l, spearman.effectSize(), n, note);
    }

    /**
     * Sampled φ_U for wide MLPs (h = 14k–30k, where an h×h matrix would take 0.8–3.6 GB): a seeded uniform sample S
     * of k rows of {@code a} is matched against all h rows of {@code b} by a rectangular k×h LAP, giving an injection
     * σ: S → [h]. Memory 4kh bytes, time O(k²h) for the LAP.
     *
     * <p><b>Null.</b> Under H0 (as for {@link #match}) σ is a uniformly random injection, because relabelling b's
     * rows by a uniform π turns σ into π∘σ. Two statistics with exact-or-conservative nulls, combined by Bonferroni
     * (log10p = log10 2 + min of the two):
     * <ul>
     *   <li>Spearman between the k sampled indices s and σ(s): the relative order of the σ values is a uniform
     *       permutation of k, so {@link RankStats#spearmanTest} with n = k applies exactly as in the full test;</li>
     *   <li>the number m of fixed points σ(s) = s: {@code P(M ≥ m) ≤ C(k,m)·(h−m)!/h!} (union bound over m-subsets,
     *       each hit with probability 1/(h)_m), a sound bound that is tight in the far tail.</li>
     * </ul>
     * The p-value is for the sample: it says nothing about rows outside S. Test id {@value #SAMPLED_ID};
     * {@code statistic} = number of fixed points, {@code effectSize} = Spearman r, {@code n} = k.
     *
     * @param sampleRows k, clamped to h
     * @throws IllegalArgumentException if the shapes differ or {@code sampleRows < 1}
     */
    public static Match matchSampled(Matrix a, Matrix b, int sampleRows, long seed) {
        requireSameShape(a, b);
        if (sampleRows < 1) {
            throw new IllegalArgumentException("sampleRows must be positive: " + sampleRows);
        }
        int h = a.rows();
        int k = Math.min(sampleRows, h);
        int[] full = new int[h];
        java.util.Arrays.fill(full, -1);
        if (k < 3) {
            return new Match(full, TestResult.notApplicable(SAMPLED_ID, "need a sample of at least 3 rows, got " + k));
        }
        int[] s = sampledRows(h, k, seed);
        Matrix c = a.rowsSubset(s).normaliseRows().multiplyTransposed(b.normaliseRows());
        return withNote(matchSampled(s, h, c.data(), seed), zeroRowsNote(a.rowsSubset(s), b));
    }

    /**
     * The rows {@link #matchSampled(Matrix, Matrix, int, long)} samples: {@code k} of {@code h}, seeded, increasing.
     */
    public static int[] sampledRows(int h, int k, long seed) {
        return SeededSample.ofPermutation(new SplittableRandom(seed), h, Math.min(k, h));
    }

    /**
     * {@link #matchSampled(Matrix, Matrix, int, long)} from its cosine matrix, for callers that stream {@code b}:
     * {@code cross} is k × h row-major, entry (i, j) the cosine of row {@code s[i]} of a with row j of b.
     *
     * @param s the sampled rows, as {@link #sampledRows} returns them (at least 3)
     * @param seed reported in the note
     */
    public static Match matchSampled(int[] s, int h, float[] cross, long seed) {
        return matchSampled(s, null, h, cross, seed);
    }

    /**
     * {@link #matchSampled(int[], int, float[], long)} with the reference side sampled too: the k sampled rows
     * {@code s} of a are matched among the rows {@code range} of b (a seeded sample of m of its h rows, chosen by
     * index before any weight is read; {@link #sampledRows}{@code (h, m, seed)} contains {@code sampledRows(h, k,
     * seed)}, so every sampled row's same-index partner is a candidate). {@code cross} is k × m, entry (i, j) the
     * cosine of row {@code s[i]} of a with row {@code range[j]} of b; the assignment holds b's row indices.
     *
     * <p><b>Null.</b> Under H0 the law of b's rows is invariant under every permutation of its units, in particular
     * under those that permute the rows of {@code range} among themselves (the sample does not depend on the
     * weights), so the injection σ: S → range is uniformly random among injections into the m rows: the relative
     * order of the σ values is a uniform permutation of k (the Spearman test with n = k, exact as before) and
     * m given units are all fixed points with probability at most {@code 1/(m)_j}, so {@code P(M ≥ j) ≤
     * C(k,j)/(m)_j}. An agreement of two such matchings ({@link #agreementSampled}) takes m as its range.
     *
     * @param range the sampled rows of b, ascending (at least k of them)
     */
    public static Match matchSampledWithin(int[] s, int[] range, int h, float[] cross, long seed) {
        return matchSampled(s, java.util.Objects.requireNonNull(range, "range"), h, cross, seed);
    }

    /** {@link #matchSampled(int[], int, float[], long)} among the rows {@code range} of b (null: all h). */
    private static Match matchSampled(int[] s, int[] range, int h, float[] cross, long seed) {
        int k = s.length;
        int m = range == null ? h : range.length;
        int[] full = new int[h];
        java.util.Arrays.fill(full, -1);
        if (k < 3) {
            return new Match(full, TestResult.notApplicable(SAMPLED_ID, "need a sample of at least 3 rows, got " + k));
        }
        if (cross.length != (long) k * m) {
            throw new IllegalArgumentException("cross matrix of " + cross.length + " entries for " + k + "x" + m);
        }
        int[] sigma = LinearAssignment.maximise(finite(cross), k, m);
        int fixed = 0;
        double[] x = new double[k];
        double[] y = new double[k];
        for (int i = 0; i < k; i++) {
            int target = range == null ? sigma[i] : range[sigma[i]];
            full[s[i]] = target;
            if (target == s[i]) {
                fixed++;
            }
            x[i] = s[i];
            y[i] = target;
        }
        double r = RankStats.spearman(x, y);
        TestResult sp = RankStats.spearmanTest(SAMPLED_ID, r, k);
        double lFixed = Math.min(
                0,
                LogP.log10Factorial(k)
                        - LogP.log10Factorial(fixed)
                        - LogP.log10Factorial(k - fixed)
                        - (LogP.log10Factorial(m) - LogP.log10Factorial(m - fixed)));
        double l = Math.min(0, Math.log10(2) + Math.min(sp.log10p(), lFixed));
        String note = String.format(
                java.util.Locale.ROOT,
                "sampled %d of %d rows (seed %d) vs %s; fixed points %d (log10p<=%.3g), Spearman r=%.4f"
                        + " (log10p=%.3g); Bonferroni x2; p is for the sample%s",
                k,
                h,
                seed,
                range == null ? "all rows" : m + " sampled rows (containing the same indices)",
                fixed,
                lFixed,
                r,
                sp.log10p(),
                nonFiniteNote(cross));
        return new Match(full, new TestResult(SAMPLED_ID, fixed, l, r, k, note));
    }

    /**
     * φ_U for hidden layers of different widths (width pruning, e.g. Minitron; or an MLP grown by appended units):
     * the h₁ rows of the narrower matrix are matched into the h₂ ≥ h₁ rows of the wider one by a rectangular LAP on
     * cosines, giving an injection σ: [h₁] → [h₂]. When h₁ exceeds {@code sampleRows}, a seeded uniform sample S of
     * k rows of the narrower side is matched instead (k × h₂ LAP), as in {@link #matchSampled}. Columns (the residual
     * coordinates) must agree; both matrices are [units × residual]. Memory 4kh₂ bytes, time O(k²h₂).
     *
     * <p><b>Null.</b> H0 as for {@link #match}: the wider model's units are exchangeable, independently of the
     * narrower model (relabelling them by a uniform π turns σ into π∘σ, and symmetrically for the narrower side), so
     * σ restricted to S is a uniformly random injection. Two statistics, Bonferroni-combined
     * ({@code log10p = log10 2 + min}):
     * <ul>
     *   <li>Spearman between the (sorted) indices s ∈ S and σ(s): the relative order of the σ values is a uniform
     *       permutation of k whatever h₂, so {@link RankStats#spearmanTest} with n = k is exact. It detects pruning
     *       that keeps the surviving units in their order (σ increasing), which is how pruned checkpoints are
     *       written;</li>
     *   <li>the number m of fixed points σ(s) = s: {@code P(M ≥ m) ≤ C(k,m)·(h₂−m)!/h₂!} (union bound), for units
     *       appended or removed at the end, which keep their indices.</li>
     * </ul>
     * With h₁ = h₂ and no sampling this is {@link #match} with the extra fixed-point statistic. Test id
     * {@value #RECTANGULAR_ID}; {@code statistic} = fixed points, {@code effectSize} = Spearman r, {@code n} = k.
     *
     * @param a [h_a × d]
     * @param b [h_b × d]
     * @param sampleRows most rows of the narrower side entered into the LAP (k = min(sampleRows, h₁))
     * @return {@code assignment[i]} = the row of {@code b} matched to row i of {@code a}, −1 where row i was not
     *     matched (not sampled, or {@code a} is the wider side and row i was left over)
     * @throws IllegalArgumentException if the column counts differ or {@code sampleRows < 1}
     */
    public static Match matchRectangular(Matrix a, Matrix b, int sampleRows, long seed) {
        if (a.cols() != b.cols()) {
            throw new IllegalArgumentException(
                    "column mismatch " + a.rows() + "x" + a.cols() + " vs " + b.rows() + "x" + b.cols());
        }
        if (sampleRows < 1) {
            throw new IllegalArgumentException("sampleRows must be positive: " + sampleRows);
        }
        boolean swap = a.rows() > b.rows();
        Matrix narrow = swap ? b : a;
        Matrix wide = swap ? a : b;
        int h1 = narrow.rows();
        int h2 = wide.rows();
        int k = Math.min(sampleRows, h1);
        int[] full = new int[a.rows()];
        java.util.Arrays.fill(full, -1);
        if (k < 3) {
            return new Match(
                    full,
                    TestResult.notApplicable(
                            RECTANGULAR_ID, "need at least 3 hidden units on each side, got " + h1 + " and " + h2));
        }
        RectangularPlan plan = rectangularPlan(a.rows(), b.rows(), sampleRows, seed);
        int[] s = plan.sample();
        int[] pi = plan.widePermutation();
        Matrix c = (k < h1 ? narrow.rowsSubset(s) : narrow)
                .normaliseRows()
                .multiplyTransposed(wide.rowsSubset(pi).normaliseRows());
        return withNote(
                matchRectangular(plan, c.data(), seed), zeroRowsNote(k < h1 ? narrow.rowsSubset(s) : narrow, wide));
    }

    /**
     * What {@link #matchRectangular(Matrix, Matrix, int, long)} samples, for callers that stream the wide side.
     *
     * @param swap whether {@code b} is the narrow side
     * @param sample the narrow side's sampled units (increasing), k of them
     * @param widePermutation the seeded relabelling of the wide side's units (ties broken at random): column j of
     *     the cosine matrix is wide unit {@code widePermutation[j]}
     */
    public record RectangularPlan(boolean swap, int[] sample, int[] widePermutation, int aUnits, int bUnits) {}

    /** The plan of {@link #matchRectangular(Matrix, Matrix, int, long)} for unit counts {@code aUnits}, {@code bUnits}. */
    public static RectangularPlan rectangularPlan(int aUnits, int bUnits, int sampleRows, long seed) {
        boolean swap = aUnits > bUnits;
        int h1 = swap ? bUnits : aUnits;
        int h2 = swap ? aUnits : bUnits;
        int k = Math.min(sampleRows, h1);
        SplittableRandom rng = new SplittableRandom(seed);
        int[] s = k < h1 ? SeededSample.ofPermutation(rng, h1, k) : identity(h1);
        // The wide side is relabelled by a seeded uniform permutation before the LAP and mapped back, so that
        // ties (all-zero rows, one-column inputs) are broken at random: σ stays a uniform injection under H0 even
        // when the optimum is not unique, where a solver's fixed tie order would favour the identity.
        int[] pi = SeededSample.permutation(rng, h2);
        return new RectangularPlan(swap, s, pi, aUnits, bUnits);
    }

    /**
     * {@link #matchRectangular(Matrix, Matrix, int, long)} from its cosine matrix: {@code cross} is k × h2 row-major,
     * entry (i, j) the cosine of narrow unit {@code plan.sample()[i]} with wide unit {@code plan.widePermutation()[j]}.
     */
    public static Match matchRectangular(RectangularPlan plan, float[] cross, long seed) {
        boolean swap = plan.swap();
        int h1 = swap ? plan.bUnits() : plan.aUnits();
        int h2 = swap ? plan.aUnits() : plan.bUnits();
        int[] s = plan.sample();
        int[] pi = plan.widePermutation();
        int k = s.length;
        int[] full = new int[plan.aUnits()];
        java.util.Arrays.fill(full, -1);
        if (k < 3) {
            return new Match(
                    full,
                    TestResult.notApplicable(
                            RECTANGULAR_ID, "need at least 3 hidden units on each side, got " + h1 + " and " + h2));
        }
        if (cross.length != (long) k * h2) {
            throw new IllegalArgumentException("cross matrix of " + cross.length + " entries for " + k + "x" + h2);
        }
        int[] sigma = LinearAssignment.maximise(finite(cross), k, h2);
        for (int i = 0; i < k; i++) {
            sigma[i] = pi[sigma[i]];
        }
        int fixed = 0;
        double[] x = new double[k];
        double[] y = new double[k];
        for (int i = 0; i < k; i++) {
            if (swap) {
                full[sigma[i]] = s[i];
            } else {
                full[s[i]] = sigma[i];
            }
            if (sigma[i] == s[i]) {
                fixed++;
            }
            x[i] = s[i];
            y[i] = sigma[i];
        }
        double r = RankStats.spearman(x, y);
        TestResult sp = RankStats.spearmanTest(RECTANGULAR_ID, r, k);
        double lFixed = Math.min(
                0,
                LogP.log10Factorial(k)
                        - LogP.log10Factorial(fixed)
                        - LogP.log10Factorial(k - fixed)
                        - (LogP.log10Factorial(h2) - LogP.log10Factorial(h2 - fixed)));
        double l = Math.min(0, Math.log10(2) + Math.min(sp.log10p(), lFixed));
        String note = String.format(
                java.util.Locale.ROOT,
                "%d of %d units of the %s side matched into %d (seed %d); Spearman r=%.4f (log10p=%.3g), fixed points"
                        + " %d (log10p<=%.3g); Bonferroni x2%s%s",
                k,
                h1,
                swap ? "second" : "first",
                h2,
                seed,
                r,
                sp.log10p(),
                fixed,
                lFixed,
                k < h1 ? "; p is for the sample" : "",
                nonFiniteNote(cross));
        return new Match(full, new TestResult(RECTANGULAR_ID, fixed, l, r, k, note));
    }

    private static int[] identity(int n) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        return p;
    }

    static void requireSameShape(Matrix a, Matrix b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            throw new IllegalArgumentException(
                    "shape mismatch " + a.rows() + "x" + a.cols() + " vs " + b.rows() + "x" + b.cols());
        }
    }
}
