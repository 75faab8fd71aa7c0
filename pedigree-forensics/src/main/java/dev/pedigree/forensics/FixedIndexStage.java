package dev.pedigree.forensics;

import dev.pedigree.forensics.TaggedTest.Kind;
import dev.pedigree.forensics.TestIds.Statistic;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import dev.pedigree.stats.tests.AlignedCorrelationTest;
import dev.pedigree.stats.tests.GroupedCorrelation;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The first stage of a block pair's full battery: fixed-index row correlations of one attention or
 * MLP matrix pair, plain and after the residual alignment (units: hidden units or head dimensions,
 * exchangeable under H0 whatever the alignment). Same-shape 2-D pairs in the grouped form are
 * streamed from the tensors in small pieces (not through the cache); others are read as [units ×
 * residual] matrices. An aligned test is skipped when its plain twin is already decisive ({@link
 * Combination#DECISIVE_LOG10P}). Reads two tensors at a time; stateless apart from the indexes' caches.
 */
final class FixedIndexStage {
    private final BatteryContext ctx;
    private final String component;

    FixedIndexStage(BatteryContext ctx, String component) {
        this.ctx = ctx;
        this.component = component;
    }

    /** The fixed-index tests of suspect tensor {@code a} against reference tensor {@code b} of one role (null: missing). */
    List<TaggedTest> tests(String p, Role role, TensorRef a, TensorRef b) throws IOException, ModelFormatException {
        boolean outputSide = role == Role.ATTN_O || role == Role.MLP_DOWN;
        if (a == null || b == null || (outputSide && ctx.sampled())) {
            return List.of();
        }
        List<TaggedTest> out = new ArrayList<>();
        int[] ra = ModelIndex.matrixShape(a);
        int[] rb = ModelIndex.matrixShape(b);
        String plainId = TestIds.ofRole(p, role, Statistic.PEARSON);
        String alignedId = TestIds.ofRole(p, role, Statistic.PEARSON_ALIGNED);
        if (ra[0] != rb[0] || ra[1] != rb[1]) {
            // Nothing to read: the fixed-index test needs the same shape (pruned or other models).
            out.add(primary(TestResult.notApplicable(plainId, "shapes differ: " + a.shape() + " vs " + b.shape())));
            return out;
        }
        if (!ctx.sampled() && a.shape().rank() == 2 && a.shape().equals(b.shape())) {
            int[] rc = ra;
            int h = outputSide ? rc[1] : rc[0];
            int w = outputSide ? rc[0] : rc[1];
            if (w >= BatteryContext.MIN_FEATURES && AlignedCorrelationTest.usesGroupedForm(h, w)) {
                return streamed(plainId, alignedId, a, b, outputSide, h, w);
            }
        }
        Matrix ma = ctx.unitsByResidual(ctx.s(), a, outputSide);
        Matrix mb = ctx.unitsByResidual(ctx.r(), b, outputSide);
        if (ctx.sampled() && !outputSide && a.shape().rank() == 2 && a.shape().equals(b.shape())) {
            // Closeness measures an as-stored pair on these same seeded rows: kept, not read again later.
            ctx.s().closenessSeen.put(a, b, ctx.unitRows(ra[0]), ma, mb);
        } else if (!ctx.sampled()
                && !outputSide
                && a.shape().rank() == 2
                && a.shape().equals(b.shape())
                && ctx.unitRows(ra[0]) == null) {
            // Whole tensors as stored: their probe rows are measured now, not decoded again by closeness.
            int[] pick = Customisation.probeRows(ra[0], null, ctx.seed());
            keepProbe(a, b, pick, pick == null ? ma : ma.rowsSubset(pick), pick == null ? mb : mb.rowsSubset(pick));
        }
        TestResult plain = pearsonSameRows(plainId, ma, mb);
        out.add(primary(plain));
        if (ctx.alignsFor(role) && ctx.canAlign(ma, mb)) {
            out.add(
                    decisive(plain)
                            ? alignedSkipped(alignedId, plain.log10p())
                            : primary(pearsonSameRows(alignedId, ma, ctx.alignCols(mb))));
        }
        return out;
    }

    /**
     * {@link EarlyStop}'s sampled fixed-index tests of one role, plain and aligned as {@link #tests}
     * runs them, on a seeded sample of {@code rows} stored rows of both tensors (the same indices): units
     * (hidden units, head dimensions) of an input-side matrix, residual coordinates of an output-side
     * one (o_proj, down), whose units, its columns, are then compared on the sampled coordinates. Under
     * H0 the units stay exchangeable whatever rows were picked, so each test is exact for its sample.
     * Empty when either tensor is missing; null when the pair cannot be sampled this way (not a same-shape
     * 2-D pair: the full battery decides it). {@code skip} &gt; 0 takes a second sample, disjoint
     * from the first {@code skip} rows: the rows that a seeded sample of {@code skip + rows} adds to
     * that of {@code skip} (the samples are prefixes of one seeded shuffle).
     */
    List<TaggedTest> sampledTests(String p, Role role, TensorRef a, TensorRef b, int rows, int skip)
            throws IOException, ModelFormatException {
        if (a == null || b == null) {
            return List.of();
        }
        if (a.shape().rank() != 2 || !a.shape().equals(b.shape())) {
            return null;
        }
        boolean outputSide = role == Role.ATTN_O || role == Role.MLP_DOWN;
        int[] rc = ModelIndex.matrixShape(a);
        int[] picked = sampleRows(rc[0], rows, skip, ctx.seed() ^ SAMPLE_SALT ^ (31L * rc[0] + role.ordinal()));
        int n = picked.length;
        Matrix ma = ModelIndex.read(a, picked);
        Matrix mb = ModelIndex.read(b, picked);
        int w = outputSide ? rc[0] : rc[1];
        Matrix mbAligned = null;
        if (ctx.alignsFor(role) && ctx.aligns(w, w)) {
            if (outputSide) {
                // The reference's residual rows through the alignment: row index[c] (signed) for suspect row c.
                int[] from = new int[n];
                float[] sign = new float[n];
                for (int q = 0; q < n; q++) {
                    from[q] = ctx.align().index()[picked[q]];
                    sign[q] = ctx.align().sign()[picked[q]];
                }
                float[] xb = new float[Math.multiplyExact(n, rc[1])];
                ModelIndex.readRowsSigned(b, from, sign, 0, n, xb, rc[1]);
                mbAligned = Matrix.of(n, rc[1], xb).transpose();
            } else {
                mbAligned = ctx.alignCols(mb);
            }
        }
        if (outputSide) {
            ma = ma.transpose();
            mb = mb.transpose();
        }
        String note = String.format(
                java.util.Locale.ROOT,
                "; sampled: %d of %d %s (seeded%s)",
                n,
                rc[0],
                outputSide ? "residual coordinates per unit" : "units",
                skip > 0
                        ? String.format(java.util.Locale.ROOT, ", a second sample disjoint from the first %d", skip)
                        : "");
        List<TaggedTest> out = new ArrayList<>();
        TestResult plain = pearsonSameRows(TestIds.ofRole(p, role, Statistic.PEARSON), ma, mb);
        out.add(primary(TaggedTest.relabel(plain, plain.testId(), plain.note() + note)));
        if (mbAligned != null) {
            TestResult al = pearsonSameRows(TestIds.ofRole(p, role, Statistic.PEARSON_ALIGNED), ma, mbAligned);
            out.add(primary(TaggedTest.relabel(al, al.testId(), al.note() + note)));
        }
        return out;
    }

    /**
     * The sorted rows of a seeded sample of {@code rows} of {@code n}; {@code skip} &gt; 0: the rows that
     * the seeded sample of {@code skip + rows} adds to that of {@code skip} (prefixes of one seeded
     * shuffle, so disjoint from the first sample; fewer when n runs out).
     */
    static int[] sampleRows(int n, int rows, int skip, long seed) {
        int[] all = ModelIndex.sample(n, skip + rows, seed);
        if (all == null) {
            all = java.util.stream.IntStream.range(0, n).toArray();
        }
        if (skip == 0) {
            return all;
        }
        int[] first = ModelIndex.sample(n, skip, seed);
        if (first == null) {
            return new int[0];
        }
        return java.util.Arrays.stream(all)
                .filter(x -> java.util.Arrays.binarySearch(first, x) < 0)
                .toArray();
    }

    /** Salt of the sampled fixed-index tests' seeded rows (apart from the other seeded samples). */
    private static final long SAMPLE_SALT = 0x5A3D1E5L;

    /** Whether a plain test already decides its tensor pair, so that its aligned twin need not run. */
    private static boolean decisive(TestResult plain) {
        return plain.applicable() && plain.log10p() <= Combination.DECISIVE_LOG10P;
    }

    /**
     * The fixed-index tests of a same-shape 2-D pair in the grouped form, streamed from the tensors
     * (not through the cache): unit blocks of rows, or chunks of residual rows when the units are
     * columns. Memory: a few chunks, whatever the tensor size; every value is read once per side
     * (twice for the reference when the aligned test runs on output-side tensors).
     */
    private List<TaggedTest> streamed(
            String plainId, String alignedId, TensorRef a, TensorRef b, boolean outputSide, int h, int w)
            throws IOException, ModelFormatException {
        List<TaggedTest> out = new ArrayList<>();
        // The plain pass reads every stored row of both tensors as stored: it keeps their probe rows, which closeness
        // and the customisation summary measure, so that those are measured now instead of decoded again later.
        int[] rc = ModelIndex.matrixShape(a);
        ProbeRows probe = new ProbeRows(Customisation.probeRows(rc[0], null, ctx.seed()), rc[0], rc[1]);
        TestResult plain = streamedPass(plainId, a, b, outputSide, h, w, null, probe);
        out.add(primary(plain));
        if (probe.complete()) {
            Matrix[] rows = probe.matrices();
            keepProbe(a, b, probe.pick(), rows[0], rows[1]);
        }
        if (ctx.alignsFor(a.address().role()) && ctx.aligns(w, w)) {
            out.add(
                    decisive(plain)
                            ? alignedSkipped(alignedId, plain.log10p())
                            : primary(streamedPass(alignedId, a, b, outputSide, h, w, ctx.align(), null)));
        }
        return out;
    }

    /**
     * Floats per side of one piece of the streamed fixed-index tests (2 MB): pieces this small stay in the
     * cache between decoding and the correlation kernels (measured: a quarter less time than 32 MB chunks).
     */
    static final int STREAM_TILE_FLOATS = 1 << 19;

    /**
     * One streamed pass; with {@code al} the reference's residual coordinates are aligned (signed, permuted). Unit
     * blocks are read a few groups at a time (each group's rows are strided through its block), feature rows in
     * chunks of whole float-summation tiles, so the sums are those of one pass whatever the piece size.
     */
    private static TestResult streamedPass(
            String id,
            TensorRef a,
            TensorRef b,
            boolean outputSide,
            int h,
            int w,
            SignedPermutation al,
            ProbeRows probe)
            throws IOException, ModelFormatException {
        GroupedCorrelation g = new GroupedCorrelation(h);
        float[][] tiles = takeTiles();
        try {
            streamedPass(g, tiles, probe, al, a, b, outputSide, h, w);
        } finally {
            returnTiles(tiles);
        }
        return g.result(id);
    }

    /**
     * Idle pairs of tiles ({@link #STREAM_TILE_FLOATS} floats per side) kept between passes, so that a compare does
     * not allocate and zero two 2 MB arrays per streamed tensor pair (about half a GB of garbage on a 1B-parameter
     * pair). A pool, not thread-locals: the passes run on the common pool, whose workers' thread-locals are erased
     * after every task. At most {@link #TILES_KEPT} pairs are kept.
     */
    private static final java.util.concurrent.ConcurrentLinkedQueue<float[][]> TILES =
            new java.util.concurrent.ConcurrentLinkedQueue<>();

    private static final int TILES_KEPT = 4;

    private static float[][] takeTiles() {
        float[][] t = TILES.poll();
        return t != null ? t : new float[][] {new float[STREAM_TILE_FLOATS], new float[STREAM_TILE_FLOATS]};
    }

    private static void returnTiles(float[][] t) {
        if (t[0].length == STREAM_TILE_FLOATS && t[1].length == STREAM_TILE_FLOATS && TILES.size() < TILES_KEPT) {
            TILES.offer(t);
        }
    }

    /**
     * {@link #streamedPass} into {@code g}, in {@code tiles}' two arrays where a piece fits them; the stored rows of
     * {@code probe} (null: none) are copied into it as they pass (as stored: a plain pass only).
     */
    private static void streamedPass(
            GroupedCorrelation g,
            float[][] tiles,
            ProbeRows probe,
            SignedPermutation al,
            TensorRef a,
            TensorRef b,
            boolean outputSide,
            int h,
            int w)
            throws IOException, ModelFormatException {
        if (!outputSide) {
            // The aligned pass copies each piece through the alignment at its exact size: its own arrays, as before.
            float[] xa = al == null ? tiles[0] : new float[0];
            float[] xb = al == null ? tiles[1] : xa;
            for (int k = 0; k < g.blocks(); k++) {
                long b0 = g.blockStart(k);
                int nb = g.blockSize(k);
                int kb = g.groups(k);
                int pb = g.positions(k);
                int m = Math.max(1, Math.min(kb, STREAM_TILE_FLOATS / Math.max(1, pb * w)));
                int need = Math.multiplyExact(pb * m, w);
                if (xa.length < need) {
                    xa = new float[need];
                    xb = new float[need];
                }
                for (int t0 = 0; t0 < kb; t0 += m) {
                    int mm = Math.min(m, kb - t0);
                    int from = t0;
                    readBoth(a, b, xa, xb, (t, x) -> {
                        // Position u of groups t0 … t0+mm−1: units b0 + u·kb + t0 …, consecutive in the tensor.
                        for (int u = 0; u < pb; u++) {
                            int first = u * kb + from;
                            int count = Math.min(mm, nb - first);
                            if (count > 0) {
                                t.readRows(b0 + first, count, x, u * mm * w);
                            }
                        }
                    });
                    if (probe != null) {
                        for (int u = 0; u < pb; u++) {
                            int first = u * kb + from;
                            int count = Math.min(mm, nb - first);
                            if (count > 0) {
                                probe.take(b0 + first, count, xa, xb, u * mm * w);
                            }
                        }
                    }
                    float[] yb = xb;
                    if (al != null) {
                        int filled = pb * mm * w;
                        yb = al.applyToColumns(Matrix.of(
                                        pb * mm, w, filled == xb.length ? xb : java.util.Arrays.copyOf(xb, filled)))
                                .data();
                    }
                    g.addUnitGroups(k, t0, mm, xa, yb, w);
                }
            }
        } else {
            int tile = GroupedCorrelation.FLUSH_ROWS;
            int chunk = Math.min(w, Math.max(tile, STREAM_TILE_FLOATS / h / tile * tile));
            int need = Math.multiplyExact(chunk, h);
            float[] xa = need <= tiles[0].length ? tiles[0] : new float[need];
            float[] xb = need <= tiles[1].length ? tiles[1] : new float[need];
            for (int r0 = 0; r0 < w; r0 += chunk) {
                int n = Math.min(chunk, w - r0);
                int first = r0;
                if (al == null) {
                    readBoth(a, b, xa, xb, (t, x) -> t.readRows(first, n, x, 0));
                    if (probe != null) {
                        probe.take(first, n, xa, xb, 0);
                    }
                } else {
                    a.readRows(r0, n, xa, 0);
                    ModelIndex.readRowsSigned(b, al.index(), al.sign(), r0, n, xb, h);
                }
                g.addFeatureRows(xa, xb, n);
            }
        }
    }

    /**
     * Closeness's and the customisation summary's measures of same-shape tensors {@code a}, {@code b} as stored, on
     * their probe rows {@code pick} ({@link Customisation#probeRows} of a whole-tensor compare), given as {@code pa},
     * {@code pb}: kept for {@link ClosenessMeasure#block}, which then does not decode those rows again.
     */
    private void keepProbe(TensorRef a, TensorRef b, int[] pick, Matrix pa, Matrix pb)
            throws IOException, ModelFormatException {
        Matrix[] rows = {pa, pb};
        ctx.s()
                .closenessSeen
                .putWhole(
                        a,
                        b,
                        pick,
                        pa,
                        pb,
                        Customisation.Measured.take(
                                ctx.s(), ctx.r(), a.address().role(), a, b, rows, ctx.seed()));
    }

    /**
     * The probe rows ({@link Customisation#probeRows}, null: all) of two same-shape [rows × cols] tensors, copied out
     * of the pieces a streamed pass reads, in {@code pick}'s order (as {@link ModelIndex#read} returns them).
     */
    static final class ProbeRows {
        private final int[] pick;
        private final int cols;
        private final float[] a;
        private final float[] b;
        /** Which probe rows were copied (each must be, once). */
        private final boolean[] taken;

        private int twice;

        ProbeRows(int[] pick, int rows, int cols) {
            this.pick = pick;
            this.cols = cols;
            int n = pick == null ? rows : pick.length;
            this.a = new float[Math.multiplyExact(n, cols)];
            this.b = new float[a.length];
            this.taken = new boolean[n];
        }

        /**
         * Copies the probe rows among stored rows {@code first} … {@code first + count − 1}, which lie from {@code at}
         * in {@code xa} and {@code xb} (one row after another).
         */
        void take(long first, int count, float[] xa, float[] xb, int at) {
            int n = a.length / Math.max(1, cols);
            int k = pick == null ? (int) first : java.util.Arrays.binarySearch(pick, (int) first);
            if (k < 0) {
                k = -k - 1;
            }
            for (; k < n; k++) {
                long row = pick == null ? k : pick[k];
                if (row >= first + count) {
                    break;
                }
                int from = at + (int) (row - first) * cols;
                System.arraycopy(xa, from, a, k * cols, cols);
                System.arraycopy(xb, from, b, k * cols, cols);
                twice += taken[k] ? 1 : 0;
                taken[k] = true;
            }
        }

        /** Whether every probe row was copied exactly once. */
        boolean complete() {
            for (boolean t : taken) {
                if (!t) {
                    return false;
                }
            }
            return twice == 0;
        }

        int[] pick() {
            return pick;
        }

        /** The suspect's and the reference's probe rows ([probe rows × cols]). */
        Matrix[] matrices() {
            int n = a.length / Math.max(1, cols);
            return new Matrix[] {Matrix.of(n, cols, a), Matrix.of(n, cols, b)};
        }
    }

    private TaggedTest alignedSkipped(String id, double plainLog10p) {
        return TaggedTest.skipped(component, id, "the same tensor's fixed-index test already gives", plainLog10p, "");
    }

    /** Reads rows of one tensor into a buffer. */
    @FunctionalInterface
    private interface RowsInto {
        void read(TensorRef t, float[] into) throws IOException, ModelFormatException;
    }

    /** The same rows of both tensors: the reference's on the common pool while this thread reads the suspect's. */
    private static void readBoth(TensorRef a, TensorRef b, float[] xa, float[] xb, RowsInto rows)
            throws IOException, ModelFormatException {
        java.util.concurrent.ForkJoinTask<?> other = java.util.concurrent.ForkJoinPool.commonPool()
                .submit(() -> {
                    rows.read(b, xb);
                    return null;
                });
        rows.read(a, xa);
        try {
            other.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while reading " + b.name());
        } catch (java.util.concurrent.ExecutionException e) {
            switch (e.getCause()) {
                case IOException io -> throw io;
                case ModelFormatException mf -> throw mf;
                case RuntimeException re -> throw re;
                case Error er -> throw er;
                default -> throw new IOException("reading " + b.name() + " failed", e.getCause());
            }
        }
    }

    /** Fixed-index correlation of two [units × residual] matrices of the same shape (screening and full battery). */
    static TestResult pearsonSameRows(String id, Matrix a, Matrix b) {
        if (a.rows() != b.rows() || a.cols() != b.cols()) {
            return TestResult.notApplicable(
                    id, "shapes differ: " + a.rows() + "x" + a.cols() + " vs " + b.rows() + "x" + b.cols());
        }
        if (a.cols() < BatteryContext.MIN_FEATURES) {
            return TestResult.notApplicable(id, "too few features per unit: " + a.cols());
        }
        return AlignedCorrelationTest.test(id, a, b);
    }

    private TaggedTest primary(TestResult t) {
        return new TaggedTest(component, t, Kind.PRIMARY);
    }
}
