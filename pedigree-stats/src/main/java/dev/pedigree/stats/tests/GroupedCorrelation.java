package dev.pedigree.stats.tests;

import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.TestResult;
import java.util.Locale;
import java.util.stream.IntStream;

/**
 * The grouped form of {@link AlignedCorrelationTest}, computed from data streamed in pieces, so that a tensor of any
 * size is tested with bounded memory and one pass.
 *
 * <p><b>Partition.</b> The h units are cut into consecutive blocks of {@value #BLOCK} units (a last block of fewer
 * than 2·{@value #GROUP} units joins the one before it); a block of n_b units holds k_b = ⌊n_b/{@value #GROUP}⌋
 * strided groups {@code {b0 + t + u·k_b}} (t &lt; k_b), of {@value #GROUP} to 2·{@value #GROUP}−1 units each
 * (fewer than 2·{@value #GROUP} units in all: one group). The partition depends only on h. Correlations are computed
 * within groups only (h·|G| pairs instead of h²); the null, the Hoeffding moments per group, the within-group
 * diagonal-wins count and its bound {@code P(M ≥ m) ≤ k^m/m!} (k groups in all) are those documented on
 * {@link AlignedCorrelationTest}.
 *
 * <p><b>Two ways in.</b> {@link #addUnitRows} takes the whole rows of one block of units (units are rows of the
 * tensor: query, gate, up); {@link #addFeatureRows} takes any number of chunks of feature rows, each holding every
 * unit (units are columns: attention output, down projection), and accumulates sums of values shifted by the first
 * chunk's means (centring without a second pass, and without the cancellation of raw sums). Both give the same
 * correlations up to float rounding. Not thread-safe; one instance per test.
 */
public final class GroupedCorrelation {
    /** Units per block. */
    public static final int BLOCK = 1024;
    /** Smallest group size. */
    public static final int GROUP = AlignedCorrelationTest.GROUP;

    private final int units;
    private final int[] start;
    private final int[] k;
    private final int[] positions;
    private final double[][] cross;
    private final long[] features;
    /** Per block, the next group {@link #addUnitGroups} expects (k_b once the block is complete). */
    private final int[] nextGroup;

    private final double[] sa;
    private final double[] saa;
    private final double[] sb;
    private final double[] sbb;
    private float[] shiftA;
    private float[] shiftB;

    /**
     * @param units h, the number of units (at least 2)
     * @throws IllegalArgumentException if {@code units < 2}
     */
    public GroupedCorrelation(int units) {
        if (units < 2) {
            throw new IllegalArgumentException("need at least 2 units, got " + units);
        }
        this.units = units;
        int blocks = Math.max(1, units / BLOCK);
        if (blocks * BLOCK < units && units - blocks * BLOCK >= 2 * GROUP) {
            blocks++;
        }
        start = new int[blocks + 1];
        for (int b = 0; b < blocks; b++) {
            start[b] = b * BLOCK;
        }
        start[blocks] = units;
        k = new int[blocks];
        positions = new int[blocks];
        cross = new double[blocks][];
        features = new long[blocks];
        nextGroup = new int[blocks];
        for (int b = 0; b < blocks; b++) {
            int nb = start[b + 1] - start[b];
            k[b] = Math.max(1, nb / GROUP);
            positions[b] = (nb + k[b] - 1) / k[b];
            cross[b] = new double[positions[b] * positions[b] * k[b]];
        }
        sa = new double[units];
        saa = new double[units];
        sb = new double[units];
        sbb = new double[units];
    }

    /** Number of unit blocks. */
    public int blocks() {
        return k.length;
    }

    /** First unit of block {@code b}. */
    public int blockStart(int b) {
        return start[b];
    }

    /** Units in block {@code b}. */
    public int blockSize(int b) {
        return start[b + 1] - start[b];
    }

    /**
     * Adds the complete rows of block {@code b}'s units: {@code a} and {@code b2} hold {@link #blockSize} rows of
     * {@code width} features each (row-major) at their start (longer arrays are fine). The arrays are not modified.
     */
    public void addUnitRows(int b, float[] a, float[] b2, int width) {
        addUnitRows(b, a, 0, b2, 0, width);
    }

    /** {@link #addUnitRows(int, float[], float[], int)} with the block's rows starting at {@code aOff}, {@code bOff}. */
    public void addUnitRows(int b, float[] a, int aOff, float[] b2, int bOff, int width) {
        int nb = blockSize(b);
        if (aOff < 0
                || bOff < 0
                || a.length - (long) aOff < (long) nb * width
                || b2.length - (long) bOff < (long) nb * width) {
            throw new IllegalArgumentException("block " + b + " needs " + nb + " rows of " + width);
        }
        addGroups(b, 0, k[b], a, aOff, b2, bOff, k[b] * width, width);
    }

    /** Groups k_b of block {@code b}. */
    public int groups(int b) {
        return k[b];
    }

    /** Positions of block {@code b}: the size of its largest group. */
    public int positions(int b) {
        return positions[b];
    }

    /**
     * Adds the complete rows of groups {@code t0 … t0+m−1} of block {@code b} only, so that a block is read in
     * cache-sized pieces. The rows are laid out by position: for each position u &lt; {@link #positions}, the rows
     * of units {@code blockStart(b) + u·k_b + t0 …} (the up to m of them that exist in the block) are consecutive
     * from row {@code u·m} of {@code a} and {@code b2}, each of {@code width} features. A block's groups are added
     * in order, each once; the result equals {@link #addUnitRows} of the whole block bit for bit. The arrays are
     * not modified.
     *
     * @throws IllegalArgumentException if the arrays are too short or the range is empty or past the block
     * @throws IllegalStateException if {@code t0} is not the block's next group, the width changed, or feature rows
     *     were added ({@link #result} refuses a block with only some of its groups)
     */
    public void addUnitGroups(int b, int t0, int m, float[] a, float[] b2, int width) {
        if (m < 1 || t0 < 0 || t0 > k[b] - m || (long) positions[b] * m * width > Math.min(a.length, b2.length)) {
            throw new IllegalArgumentException("groups " + t0 + "+" + m + " of block " + b + " (" + k[b]
                    + " groups) need " + positions[b] + "×" + m + " rows of " + width);
        }
        addGroups(b, t0, m, a, 0, b2, 0, m * width, width);
    }

    private void addGroups(
            int b, int t0, int m, float[] a, int aOff, float[] b2, int bOff, int positionStride, int width) {
        if (shiftA != null || t0 != nextGroup[b] || (t0 > 0 && features[b] != width)) {
            throw new IllegalStateException("block " + b + ": groups from " + t0
                    + " already added or out of order, the width changed," + " or feature rows were added");
        }
        IntStream.range(t0, t0 + m)
                .parallel()
                .forEach(t -> unitGroup(
                        b, t, a, aOff + (t - t0) * width, b2, bOff + (t - t0) * width, positionStride, width));
        nextGroup[b] = t0 + m;
        features[b] = width;
    }

    /**
     * Fewest share of a row's raw sum of squares that its centred sum of squares may be for the centring to be done
     * algebraically (Σ(x−m)(y−m') = Σxy − n·m·m'); below it (a mean as large as the spread, or a constant row) the
     * group's rows are centred explicitly first, so cancellation never costs more than a few units of float
     * rounding.
     */
    private static final double ALGEBRAIC_CENTRING = 0.5;

    /**
     * Group t of block b from unit-major rows: the g rows' means and centred sums of squares, then the g×g cross
     * products in one blocked pass ({@link Kernels#crossRows}), centred algebraically. Each group owns its units'
     * sums and its cross sums, so groups run in parallel. Position u's row starts at {@code aRow0 + u·stride}
     * ({@code bRow0 + u·stride}).
     */
    private void unitGroup(int b, int t, float[] a, int aRow0, float[] b2, int bRow0, int stride, int n) {
        int b0 = start[b];
        int kb = k[b];
        int pb = positions[b];
        int g = groupSize(blockSize(b), kb, t);
        double[] ma = new double[g];
        double[] mb = new double[g];
        double[] va = new double[g];
        double[] vb = new double[g];
        boolean algebraic = true;
        // Every row's sum and sum of squares, several rows side by side (each row's bits as its own call's).
        double[] mA = new double[2 * g];
        double[] mB = new double[2 * g];
        Kernels.sumAndSquaresRows(a, aRow0, stride, g, n, mA);
        Kernels.sumAndSquaresRows(b2, bRow0, stride, g, n, mB);
        for (int u = 0; u < g; u++) {
            double s = mA[2 * u];
            double q = mA[2 * u + 1];
            ma[u] = s / n;
            va[u] = q - s * ma[u];
            double s2 = mB[2 * u];
            double q2 = mB[2 * u + 1];
            mb[u] = s2 / n;
            vb[u] = q2 - s2 * mb[u];
            algebraic &= va[u] > ALGEBRAIC_CENTRING * q && vb[u] > ALGEBRAIC_CENTRING * q2;
        }
        double[] c = new double[g * g];
        if (algebraic) {
            Kernels.crossRows(a, aRow0, stride, b2, bRow0, stride, g, n, c);
            for (int u = 0; u < g; u++) {
                for (int v = 0; v < g; v++) {
                    c[u * g + v] -= n * ma[u] * mb[v];
                }
            }
        } else {
            float[] ca = new float[g * n];
            float[] cb = new float[g * n];
            for (int u = 0; u < g; u++) {
                int ra = aRow0 + u * stride;
                int rb = bRow0 + u * stride;
                for (int j = 0; j < n; j++) {
                    ca[u * n + j] = (float) (a[ra + j] - ma[u]);
                    cb[u * n + j] = (float) (b2[rb + j] - mb[u]);
                }
                va[u] = Kernels.sumSquares(ca, u * n, n);
                vb[u] = Kernels.sumSquares(cb, u * n, n);
            }
            Kernels.crossRows(ca, 0, n, cb, 0, n, g, n, c);
        }
        double[] cr = cross[b];
        for (int u = 0; u < g; u++) {
            int i = b0 + t + u * kb;
            saa[i] += va[u];
            sbb[i] += vb[u];
            for (int v = 0; v < g; v++) {
                cr[(u * pb + v) * kb + t] += c[u * g + v];
            }
        }
    }

    /**
     * Adds {@code rows} feature rows of every unit: {@code a} and {@code b2} are [rows × units] row-major (units are
     * the columns); their first {@code rows × units} values are shifted in place (by the first tile's means). May be
     * called any number of times.
     */
    public void addFeatureRows(float[] a, float[] b2, int rows) {
        if (a.length < (long) rows * units || b2.length < (long) rows * units) {
            throw new IllegalArgumentException("need " + rows + " rows of " + units + " units");
        }
        if (rows == 0) {
            return;
        }
        if (shiftA == null) {
            for (long f : features) {
                if (f != 0) {
                    throw new IllegalStateException("unit rows were added: feature rows cannot be mixed in");
                }
            }
            shiftA = new float[units];
            shiftB = new float[units];
            // The shift only has to be near each unit's mean (it keeps the raw sums from cancelling): the
            // first tile's means.
            int first = Math.min(rows, FLUSH_ROWS);
            for (int r = 0; r < first; r++) {
                for (int j = 0; j < units; j++) {
                    shiftA[j] += a[r * units + j];
                    shiftB[j] += b2[r * units + j];
                }
            }
            for (int j = 0; j < units; j++) {
                shiftA[j] /= first;
                shiftB[j] /= first;
            }
        }
        // One task per (block, tile of rows), so that both cores stay busy whatever the block count; the
        // tiles' float sums are added in double in tile order, as one sequential pass would add them.
        int tiles = (rows + FLUSH_ROWS - 1) / FLUSH_ROWS;
        Tile[] parts = new Tile[blocks() * tiles];
        IntStream.range(0, parts.length)
                .parallel()
                .forEach(i -> parts[i] = featureTile(i / tiles, (i % tiles) * FLUSH_ROWS, a, b2, rows));
        for (int i = 0; i < parts.length; i++) {
            int b = i / tiles;
            int b0 = start[b];
            Tile t = parts[i];
            double[] cr = cross[b];
            for (int x = 0; x < t.acc.length; x++) {
                cr[x] += t.acc[x];
            }
            for (int j = 0; j < t.s1a.length; j++) {
                sa[b0 + j] += t.s1a[j];
                saa[b0 + j] += t.s2a[j];
                sb[b0 + j] += t.s1b[j];
                sbb[b0 + j] += t.s2b[j];
            }
            parts[i] = null;
        }
        for (int b = 0; b < blocks(); b++) {
            features[b] += rows;
        }
    }

    /**
     * Feature rows whose products are summed in float before being added in double. Chunks of {@link #addFeatureRows}
     * that are multiples of it give the sums of one pass over all rows, bit for bit.
     */
    public static final int FLUSH_ROWS = 64;

    /** One tile's float sums: within-group cross products and per-unit sums and sums of squares. */
    private record Tile(float[] acc, float[] s1a, float[] s2a, float[] s1b, float[] s2b) {}

    /**
     * Block {@code b}'s share of up to {@value #FLUSH_ROWS} feature rows from {@code r0}, in the rows' own layout:
     * group t's unit at position u is column {@code b0 + t + u·k}, so for a position pair (u, v) the products of
     * all groups are one contiguous run over t, summed in float ({@link Kernels#crossGroups}, no transposition).
     * The block's columns of those rows of {@code a} and {@code b2} are shifted in place first.
     */
    private Tile featureTile(int b, int r0, float[] a, float[] b2, int rows) {
        int b0 = start[b];
        int nb = blockSize(b);
        int kb = k[b];
        int pb = positions[b];
        Tile t = new Tile(new float[pb * pb * kb], new float[nb], new float[nb], new float[nb], new float[nb]);
        int nr = Math.min(FLUSH_ROWS, rows - r0);
        for (int r = r0; r < r0 + nr; r++) {
            int off = r * units + b0;
            Kernels.shiftMoments(a, off, shiftA, b0, t.s1a, t.s2a, nb);
            Kernels.shiftMoments(b2, off, shiftB, b0, t.s1b, t.s2b, nb);
        }
        Kernels.crossGroups(t.acc, a, r0 * units + b0, b2, r0 * units + b0, pb, kb, nb, nr, units);
        return t;
    }

    private static int groupSize(int nb, int kb, int t) {
        return (nb - t + kb - 1) / kb;
    }

    /** The test on what was added. */
    public TestResult result(String testId) {
        for (int b = 0; b < blocks(); b++) {
            if (nextGroup[b] > 0 && nextGroup[b] < k[b]) {
                throw new IllegalStateException("block " + b + " has " + nextGroup[b] + " of its " + k[b] + " groups");
            }
        }
        int groups = 0;
        double sDiag = 0;
        double mean = 0;
        double var = 0;
        double total = 0;
        long pairs = 0;
        int m = 0;
        int smallest = Integer.MAX_VALUE;
        int largest = 0;
        for (int b = 0; b < blocks(); b++) {
            int nb = blockSize(b);
            int kb = k[b];
            int pb = positions[b];
            long n = features[b];
            for (int t = 0; t < kb; t++) {
                int g = groupSize(nb, kb, t);
                double[] c = new double[g * g];
                for (int u = 0; u < g; u++) {
                    int i = start[b] + t + u * kb;
                    double va = saa[i] - sa[i] * sa[i] / n;
                    for (int v = 0; v < g; v++) {
                        int j = start[b] + t + v * kb;
                        double vb = sbb[j] - sb[j] * sb[j] / n;
                        double cov = cross[b][(u * pb + v) * kb + t] - sa[i] * sb[j] / n;
                        c[u * g + v] = va > 0 && vb > 0 ? cov / Math.sqrt(va * vb) : 0;
                    }
                }
                GroupSums s = GroupSums.of(c, g);
                sDiag += s.diag();
                mean += s.mean();
                var += s.var();
                m += s.wins();
                total += s.total();
                pairs += (long) g * g;
                groups++;
                smallest = Math.min(smallest, g);
                largest = Math.max(largest, g);
            }
        }
        double z = var > 0 ? (sDiag - mean) / Math.sqrt(var) : 0;
        double lClt = var > 0 ? Math.max(AlignedCorrelationTest.CLT_FLOOR, LogP.normalUpper(z)) : 0;
        double lCount = Math.min(0, m * Math.log10(groups) - LogP.log10Factorial(m));
        double l = Math.min(0, Math.log10(2) + Math.min(lClt, lCount));
        double effect = sDiag / units - total / pairs;
        String note = String.format(
                Locale.ROOT,
                "row-permutation null, h=%d in %d strided groups of %d-%d units (blocks of %d): Hoeffding CLT z=%.3f"
                        + " (log10p %.3g, floored at %.0f); within-group diagonal wins M=%d (log10p <= M log10 k -"
                        + " log10 M! = %.4g); Bonferroni x2",
                units,
                groups,
                smallest,
                largest,
                BLOCK,
                z,
                lClt,
                AlignedCorrelationTest.CLT_FLOOR,
                m,
                lCount);
        return new TestResult(testId, z, l, effect, units, note);
    }

    /** Hoeffding moments and wins of one group's g×g correlation matrix. */
    private record GroupSums(double diag, double mean, double var, int wins, double total) {
        static GroupSums of(double[] c, int g) {
            double total = 0;
            double sumSq = 0;
            double diag = 0;
            double rowMeanSq = 0;
            double colMeanSq = 0;
            int wins = 0;
            double[] colSum = new double[g];
            for (int i = 0; i < g; i++) {
                double rs = 0;
                double d = c[i * g + i];
                boolean win = true;
                for (int j = 0; j < g; j++) {
                    double v = c[i * g + j];
                    rs += v;
                    sumSq += v * v;
                    colSum[j] += v;
                    if (j != i && v >= d) {
                        win = false;
                    }
                }
                total += rs;
                diag += d;
                rowMeanSq += (rs / g) * (rs / g);
                if (win) {
                    wins++;
                }
            }
            for (int j = 0; j < g; j++) {
                colMeanSq += (colSum[j] / g) * (colSum[j] / g);
            }
            return new GroupSums(
                    diag,
                    total / g,
                    AlignedCorrelationTest.permutationVariance(total, sumSq, rowMeanSq, colMeanSq, g),
                    wins,
                    total);
        }
    }
}
