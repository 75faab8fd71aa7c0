package dev.pedigree.kernels.numeric;

import java.util.Arrays;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API kernels on {@link FloatVector#SPECIES_PREFERRED}. Products are accumulated in float lanes for at most
 * {@link #CHUNK_LANES} steps per lane, then reduced into a double, so the error stays within about 1e-6 of
 * {@code Σ|a_i b_i|} for any length. Only loaded when the incubator module is present.
 *
 * <p>{@link #multiplyTransposed} is a packed, register-blocked product. {@code b} is repacked into panels of
 * {@link #NR} rows interleaved along {@code k}, and a micro-kernel keeps an {@link #MR}{@code ×}{@link #NR} tile of
 * the product in vector registers, broadcasting one element of each of {@code MR} rows of {@code a} per step and
 * loading {@code NR} packed values of {@code b}: no horizontal reductions, and {@code MR + NR/L} loads per
 * {@code MR·NR/L} FMAs. With 512-bit vectors (32 registers) the tile is 8 × 3 vectors (24 accumulators, 11 loads per
 * 24 FMAs); narrower vectors (16 registers on AVX2) get 6 × 2 (12 accumulators). Blocking: one micro-kernel call
 * covers {@link KernelOps#GEMM_CHUNK} steps of {@code k} (the float accumulation run, then added into a double tile
 * buffer), so an {@code MC × GEMM_CHUNK} block of {@code a} stays in L2 while one packed panel of {@code b} is reused
 * for all {@link #MC} rows of a task; tasks are {@code MC} rows of {@code a} by {@link #NC_PANELS} panels of
 * {@code b}, run on the common ForkJoin pool.
 */
final class VectorKernelOps implements KernelOps {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    /** Ints of the same shape as {@link #S} (a float vector's bits). */
    private static final VectorSpecies<Integer> IS = S.withLanes(int.class);

    private static final int L = S.length();
    private static final int CHUNK_LANES = 32;
    private static final int CHUNK = L * CHUNK_LANES;

    /**
     * Whether the kernels with several accumulators ({@link #crossRows}, {@link #sumAndSquaresRows}) add their lanes
     * transposed: with 16 float lanes (512-bit vectors), the accumulators are transposed in registers so that one
     * double vector holds the same lane of 8 accumulators, and 16 vector additions (lane 0 first) replace 8 × 16
     * scalar ones. Each accumulator's lanes are still added one at a time, in lane order, from 0, into a double:
     * exactly {@link #laneSum}'s operations, so the sums are the same bit for bit. Other widths use {@link
     * #laneSum}.
     */
    private static final boolean TRANSPOSED = L == 16;
    /** 8 doubles: one lane per accumulator of a transposed lane sum. */
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_512;
    // Two-vector selections (indices 0..L-1 pick from x, L..2L-1 from y) that swap bit b of the lane index with
    // bit b of the accumulator index for a pair of accumulators (j, j + 2^b), j's bit b clear: LOW is the new j,
    // HIGH the new j + 2^b. Three stages (b = 0..2) transpose 8 accumulators × 16 lanes.
    private static final FloatVector SWAP0_LOW = swap(0, false);
    private static final FloatVector SWAP0_HIGH = swap(0, true);
    private static final FloatVector SWAP1_LOW = swap(1, false);
    private static final FloatVector SWAP1_HIGH = swap(1, true);
    private static final FloatVector SWAP2_LOW = swap(2, false);
    private static final FloatVector SWAP2_HIGH = swap(2, true);

    /**
     * Indices for {@code selectFrom(x, y)}: LOW keeps x's lanes whose bit b is clear and takes {@code y[l − 2^b]}
     * into the others; HIGH takes {@code x[l + 2^b]} into the lanes whose bit b is clear and keeps y's others.
     */
    private static FloatVector swap(int b, boolean high) {
        int st = 1 << b;
        float[] idx = new float[L];
        for (int l = 0; l < L; l++) {
            boolean clear = (l & st) == 0;
            int i = high ? (clear ? l + st : L + l) : (clear ? l : L + l - st);
            idx[l] = Math.min(i, 2 * L - 1);
        }
        return FloatVector.fromArray(S, idx, 0);
    }

    /** Whether the 8 × 3-vector micro-kernel is used (512-bit vectors: 32 registers on AVX-512 and SVE). */
    private static final boolean WIDE = S.vectorBitSize() >= 512;
    /** Rows of {@code a} per micro-tile. */
    private static final int MR = WIDE ? 8 : 6;
    /** Columns of the product per micro-tile (a whole number of vectors). */
    private static final int NR = (WIDE ? 3 : 2) * L;
    /** Rows of {@code a} per task: a 96 × GEMM_CHUNK block is 96 KiB. */
    private static final int MC = 96;
    /** Panels of {@code b} per task (bounds the task's double tile buffer, MC × NC_PANELS·NR). */
    private static final int NC_PANELS = 4;
    /** Upper bound on the floats of {@code b} packed at once (larger products are done in column groups). */
    private static final long PACK_LIMIT = 8L << 20;

    VectorKernelOps() {
        // Touch the species so a missing or broken module fails here, at selection time.
        FloatVector.zero(S).reduceLanes(VectorOperators.ADD);
    }

    @Override
    public String name() {
        return "vector(" + S + ")";
    }

    /**
     * The sum of a vector's lanes, added in lane order in double. {@code reduceLanes} adds them in an order that
     * differs between the interpreter and compiled code, so a result could change in its last digits with the
     * JIT's progress; this order is the same in every tier, so a compare gives the same numbers every time.
     */
    private static double laneSum(FloatVector v, float[] lanes) {
        v.intoArray(lanes, 0);
        double s = 0;
        for (int i = 0; i < lanes.length; i++) {
            s += lanes[i];
        }
        return s;
    }

    /**
     * {@code out[o + j] += laneSum(accumulator j)} for the 8 accumulators at {@code tmp[off + j·L ..]} (16 lanes),
     * transposed: three stages of two-vector selections leave lane l of all 8 accumulators in one half of a vector,
     * and 16 double vector additions (lane 0 first, from 0) give each accumulator exactly {@link #laneSum}'s
     * result. Out of line and through memory, so that the kernels that call it stay small enough for C1's
     * profiling tier (a kernel that C1 cannot compile can be left in C1's non-profiling code, about 50 times
     * slower, when its C2 code is deoptimised) and no vector crosses a call.
     */
    private static void addLaneSums8(float[] tmp, int off, double[] out, int o) {
        FloatVector v0 = FloatVector.fromArray(S, tmp, off + 0 * L);
        FloatVector v1 = FloatVector.fromArray(S, tmp, off + 1 * L);
        FloatVector v2 = FloatVector.fromArray(S, tmp, off + 2 * L);
        FloatVector v3 = FloatVector.fromArray(S, tmp, off + 3 * L);
        FloatVector v4 = FloatVector.fromArray(S, tmp, off + 4 * L);
        FloatVector v5 = FloatVector.fromArray(S, tmp, off + 5 * L);
        FloatVector v6 = FloatVector.fromArray(S, tmp, off + 6 * L);
        FloatVector v7 = FloatVector.fromArray(S, tmp, off + 7 * L);
        FloatVector t00 = SWAP0_LOW.selectFrom(v0, v1);
        FloatVector t01 = SWAP0_HIGH.selectFrom(v0, v1);
        FloatVector t02 = SWAP0_LOW.selectFrom(v2, v3);
        FloatVector t03 = SWAP0_HIGH.selectFrom(v2, v3);
        FloatVector t04 = SWAP0_LOW.selectFrom(v4, v5);
        FloatVector t05 = SWAP0_HIGH.selectFrom(v4, v5);
        FloatVector t06 = SWAP0_LOW.selectFrom(v6, v7);
        FloatVector t07 = SWAP0_HIGH.selectFrom(v6, v7);
        FloatVector t10 = SWAP1_LOW.selectFrom(t00, t02);
        FloatVector t12 = SWAP1_HIGH.selectFrom(t00, t02);
        FloatVector t11 = SWAP1_LOW.selectFrom(t01, t03);
        FloatVector t13 = SWAP1_HIGH.selectFrom(t01, t03);
        FloatVector t14 = SWAP1_LOW.selectFrom(t04, t06);
        FloatVector t16 = SWAP1_HIGH.selectFrom(t04, t06);
        FloatVector t15 = SWAP1_LOW.selectFrom(t05, t07);
        FloatVector t17 = SWAP1_HIGH.selectFrom(t05, t07);
        FloatVector t20 = SWAP2_LOW.selectFrom(t10, t14);
        FloatVector t24 = SWAP2_HIGH.selectFrom(t10, t14);
        FloatVector t21 = SWAP2_LOW.selectFrom(t11, t15);
        FloatVector t25 = SWAP2_HIGH.selectFrom(t11, t15);
        FloatVector t22 = SWAP2_LOW.selectFrom(t12, t16);
        FloatVector t26 = SWAP2_HIGH.selectFrom(t12, t16);
        FloatVector t23 = SWAP2_LOW.selectFrom(t13, t17);
        FloatVector t27 = SWAP2_HIGH.selectFrom(t13, t17);
        t20.intoArray(tmp, off + 0 * L);
        t21.intoArray(tmp, off + 1 * L);
        t22.intoArray(tmp, off + 2 * L);
        t23.intoArray(tmp, off + 3 * L);
        t24.intoArray(tmp, off + 4 * L);
        t25.intoArray(tmp, off + 5 * L);
        t26.intoArray(tmp, off + 6 * L);
        t27.intoArray(tmp, off + 7 * L);
        addTransposed8(tmp, off, out, o);
    }

    /**
     * The second half of {@link #addLaneSums8} (its own method, so that C1 can compile both): {@code tmp[off + j·L
     * ..]} holds lane j of the 8 accumulators in its low half and lane j + 8 in its high half.
     */
    private static void addTransposed8(float[] tmp, int off, double[] out, int o) {
        FloatVector t20 = FloatVector.fromArray(S, tmp, off + 0 * L);
        FloatVector t21 = FloatVector.fromArray(S, tmp, off + 1 * L);
        FloatVector t22 = FloatVector.fromArray(S, tmp, off + 2 * L);
        FloatVector t23 = FloatVector.fromArray(S, tmp, off + 3 * L);
        FloatVector t24 = FloatVector.fromArray(S, tmp, off + 4 * L);
        FloatVector t25 = FloatVector.fromArray(S, tmp, off + 5 * L);
        FloatVector t26 = FloatVector.fromArray(S, tmp, off + 6 * L);
        FloatVector t27 = FloatVector.fromArray(S, tmp, off + 7 * L);
        DoubleVector d = DoubleVector.zero(D);
        d = d.add(t20.convertShape(VectorOperators.F2D, D, 0));
        d = d.add(t21.convertShape(VectorOperators.F2D, D, 0));
        d = d.add(t22.convertShape(VectorOperators.F2D, D, 0));
        d = d.add(t23.convertShape(VectorOperators.F2D, D, 0));
        d = d.add(t24.convertShape(VectorOperators.F2D, D, 0));
        d = d.add(t25.convertShape(VectorOperators.F2D, D, 0));
        d = d.add(t26.convertShape(VectorOperators.F2D, D, 0));
        d = d.add(t27.convertShape(VectorOperators.F2D, D, 0));
        d = d.add(t20.convertShape(VectorOperators.F2D, D, 1));
        d = d.add(t21.convertShape(VectorOperators.F2D, D, 1));
        d = d.add(t22.convertShape(VectorOperators.F2D, D, 1));
        d = d.add(t23.convertShape(VectorOperators.F2D, D, 1));
        d = d.add(t24.convertShape(VectorOperators.F2D, D, 1));
        d = d.add(t25.convertShape(VectorOperators.F2D, D, 1));
        d = d.add(t26.convertShape(VectorOperators.F2D, D, 1));
        d = d.add(t27.convertShape(VectorOperators.F2D, D, 1));
        DoubleVector.fromArray(D, out, o).add(d).intoArray(out, o);
    }

    @Override
    public double dot(float[] a, int aOff, float[] b, int bOff, int n) {
        float[] lanes = new float[L];
        java.util.Objects.checkFromIndexSize(aOff, n, a.length);
        java.util.Objects.checkFromIndexSize(bOff, n, b.length);
        int upper = S.loopBound(n);
        double acc = 0;
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector s0 = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, aOff + i);
                FloatVector y = FloatVector.fromArray(S, b, bOff + i);
                s0 = x.fma(y, s0);
            }
            acc += laneSum(s0, lanes);
        }
        for (; i < n; i++) {
            acc += (double) a[aOff + i] * b[bOff + i];
        }
        return acc;
    }

    @Override
    public void multiplyTransposed(float[] a, float[] b, float[] out, int m, int n, int k, boolean parallel) {
        if (m == 0 || n == 0) {
            return;
        }
        if (k == 0) {
            Arrays.fill(out, 0, Math.multiplyExact(m, n), 0f);
            return;
        }
        // Pack the operand with fewer rows and stream the other: packing costs one pass over the packed operand,
        // amortised over the streamed rows. Swapping computes (b·aᵀ)ᵀ with the same fma chains (x·y = y·x).
        if (m < n) {
            product(b, a, out, n, m, k, 1, n, parallel);
        } else {
            product(a, b, out, m, n, k, n, 1, parallel);
        }
    }

    /** Entry (i, j) of {@code a·bᵀ} into {@code out[i·rowStride + j·colStride]}. */
    private static void product(
            float[] a, float[] b, float[] out, int m, int n, int k, int rowStride, int colStride, boolean parallel) {
        int panels = Math.ceilDiv(n, NR);
        int groupPanels = (int) Math.max(1, Math.min(panels, PACK_LIMIT / ((long) k * NR)));
        float[] packed = new float[Math.multiplyExact(groupPanels, Math.multiplyExact(k, NR))];
        int rowBlocks = Math.ceilDiv(m, MC);
        for (int g0 = 0; g0 < panels; g0 += groupPanels) {
            final int first = g0;
            final int count = Math.min(groupPanels, panels - g0);
            KernelOps.forEachTask(count, parallel, p -> packPanel(b, n, k, first + p, packed, p * k * NR));
            int colBlocks = Math.ceilDiv(count, NC_PANELS);
            KernelOps.forEachTask(rowBlocks * colBlocks, parallel, t -> {
                int i0 = (t % rowBlocks) * MC;
                int p0 = (t / rowBlocks) * NC_PANELS;
                Span span = new Span(i0, Math.min(m, i0 + MC), first, p0, Math.min(count, p0 + NC_PANELS));
                block(a, packed, out, n, k, rowStride, colStride, span);
            });
        }
    }

    /** A task: rows {@code [i0, i1)} of {@code a} against local panels {@code [p0, p1)} of the group at {@code g0}. */
    private record Span(int i0, int i1, int g0, int p0, int p1) {}

    /** Copies rows {@code panel·NR ..} of {@code b} into {@code packed[off ..]} as {@code k} runs of NR columns. */
    private static void packPanel(float[] b, int n, int k, int panel, float[] packed, int off) {
        for (int c = 0; c < NR; c++) {
            int j = panel * NR + c;
            if (j < n) {
                int src = j * k;
                for (int t = 0; t < k; t++) {
                    packed[off + t * NR + c] = b[src + t];
                }
            } else {
                for (int t = 0; t < k; t++) {
                    packed[off + t * NR + c] = 0f;
                }
            }
        }
    }

    /** One task's part of the product, written to {@code out[i·rowStride + j·colStride]}. */
    private static void block(
            float[] a, float[] packed, float[] out, int n, int k, int rowStride, int colStride, Span span) {
        int i0 = span.i0();
        int i1 = span.i1();
        int p0 = span.p0();
        int p1 = span.p1();
        int width = (p1 - p0) * NR;
        // Rows padded to a multiple of MR: an edge micro-tile repeats the last row and its extra rows are dropped.
        double[] acc = new double[Math.ceilDiv(i1 - i0, MR) * MR * width];
        float[] tile = new float[MR * NR];
        int[] rows = new int[MR];
        int last = i1 - 1;
        for (int pc = 0; pc < k; pc += GEMM_CHUNK) {
            int kc = Math.min(GEMM_CHUNK, k - pc);
            for (int p = p0; p < p1; p++) {
                int bOff = (p * k + pc) * NR;
                int col = (p - p0) * NR;
                for (int i = i0; i < i1; i += MR) {
                    for (int r = 0; r < MR; r++) {
                        rows[r] = Math.min(i + r, last) * k + pc;
                    }
                    if (WIDE) {
                        micro8x3(a, rows, kc, packed, bOff, tile);
                    } else {
                        micro6x2(a, rows, kc, packed, bOff, tile);
                    }
                    int dst = (i - i0) * width + col;
                    for (int r = 0; r < MR; r++) {
                        for (int c = 0; c < NR; c++) {
                            acc[dst + r * width + c] += tile[r * NR + c];
                        }
                    }
                }
            }
        }
        int j0 = (span.g0() + p0) * NR;
        int cols = Math.min(width, n - j0);
        for (int i = i0; i < i1; i++) {
            int src = (i - i0) * width;
            int dst = i * rowStride + j0 * colStride;
            for (int c = 0; c < cols; c++) {
                out[dst + c * colStride] = (float) acc[src + c];
            }
        }
    }

    /**
     * The 8 × 3-vector micro-kernel (24 accumulators): for each row {@code r < 8} and column
     * {@code c < 3L}, {@code tile[r·NR + c] = Σ_t a[rows[r] + t]·packed[bOff + t·NR + c]} over {@code t < kc},
     * an fma chain in float.
     */
    private static void micro8x3(float[] a, int[] rows, int kc, float[] packed, int bOff, float[] tile) {
        int a0 = rows[0];
        int a1 = rows[1];
        int a2 = rows[2];
        int a3 = rows[3];
        int a4 = rows[4];
        int a5 = rows[5];
        int a6 = rows[6];
        int a7 = rows[7];
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        FloatVector c52 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S);
        FloatVector c61 = FloatVector.zero(S);
        FloatVector c62 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S);
        FloatVector c71 = FloatVector.zero(S);
        FloatVector c72 = FloatVector.zero(S);
        for (int t = 0; t < kc; t++) {
            int bo = bOff + t * NR;
            FloatVector b0 = FloatVector.fromArray(S, packed, bo);
            FloatVector b1 = FloatVector.fromArray(S, packed, bo + 1 * L);
            FloatVector b2 = FloatVector.fromArray(S, packed, bo + 2 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + t]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, a[a1 + t]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, a[a2 + t]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, a[a3 + t]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(S, a[a4 + t]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(S, a[a5 + t]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(S, a[a6 + t]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(S, a[a7 + t]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            c72 = x.fma(b2, c72);
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + 1 * L);
        c02.intoArray(tile, 0 * NR + 2 * L);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + 1 * L);
        c12.intoArray(tile, 1 * NR + 2 * L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + 1 * L);
        c22.intoArray(tile, 2 * NR + 2 * L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + 1 * L);
        c32.intoArray(tile, 3 * NR + 2 * L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + 1 * L);
        c42.intoArray(tile, 4 * NR + 2 * L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + 1 * L);
        c52.intoArray(tile, 5 * NR + 2 * L);
        c60.intoArray(tile, 6 * NR);
        c61.intoArray(tile, 6 * NR + 1 * L);
        c62.intoArray(tile, 6 * NR + 2 * L);
        c70.intoArray(tile, 7 * NR);
        c71.intoArray(tile, 7 * NR + 1 * L);
        c72.intoArray(tile, 7 * NR + 2 * L);
    }

    /**
     * The 6 × 2-vector micro-kernel (12 accumulators): for each row {@code r < 6} and column
     * {@code c < 2L}, {@code tile[r·NR + c] = Σ_t a[rows[r] + t]·packed[bOff + t·NR + c]} over {@code t < kc},
     * an fma chain in float.
     */
    private static void micro6x2(float[] a, int[] rows, int kc, float[] packed, int bOff, float[] tile) {
        int a0 = rows[0];
        int a1 = rows[1];
        int a2 = rows[2];
        int a3 = rows[3];
        int a4 = rows[4];
        int a5 = rows[5];
        FloatVector c00 = FloatVector.zero(S);
        FloatVector c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S);
        FloatVector c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S);
        FloatVector c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S);
        FloatVector c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S);
        FloatVector c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S);
        FloatVector c51 = FloatVector.zero(S);
        for (int t = 0; t < kc; t++) {
            int bo = bOff + t * NR;
            FloatVector b0 = FloatVector.fromArray(S, packed, bo);
            FloatVector b1 = FloatVector.fromArray(S, packed, bo + 1 * L);
            FloatVector x = FloatVector.broadcast(S, a[a0 + t]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, a[a1 + t]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, a[a2 + t]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, a[a3 + t]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, a[a4 + t]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, a[a5 + t]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
        }
        c00.intoArray(tile, 0 * NR);
        c01.intoArray(tile, 0 * NR + 1 * L);
        c10.intoArray(tile, 1 * NR);
        c11.intoArray(tile, 1 * NR + 1 * L);
        c20.intoArray(tile, 2 * NR);
        c21.intoArray(tile, 2 * NR + 1 * L);
        c30.intoArray(tile, 3 * NR);
        c31.intoArray(tile, 3 * NR + 1 * L);
        c40.intoArray(tile, 4 * NR);
        c41.intoArray(tile, 4 * NR + 1 * L);
        c50.intoArray(tile, 5 * NR);
        c51.intoArray(tile, 5 * NR + 1 * L);
    }

    /**
     * 4×4 blocks of row pairs, each summed exactly as {@link #dot} sums it (float chunks of {@code CHUNK}, lane
     * reduction into a double): eight loads feed sixteen fused multiply-adds. Leftover rows go through
     * {@link #dot}.
     */
    @Override
    public void crossRows(
            float[] a, int aOff, int aStride, float[] b, int bOff, int bStride, int g, int n, double[] out) {
        java.util.Objects.checkFromIndexSize(0, g * g, out.length);
        if (g == 0) {
            return;
        }
        java.util.Objects.checkFromIndexSize(aOff, n, a.length);
        java.util.Objects.checkFromIndexSize(aOff + (g - 1) * aStride, n, a.length);
        java.util.Objects.checkFromIndexSize(bOff, n, b.length);
        java.util.Objects.checkFromIndexSize(bOff + (g - 1) * bStride, n, b.length);
        int gq = g - g % 4;
        double[] q = new double[16];
        for (int u0 = 0; u0 < gq; u0 += 4) {
            for (int v0 = 0; v0 < gq; v0 += 4) {
                crossQuad(a, aOff + u0 * aStride, aStride, b, bOff + v0 * bStride, bStride, n, q);
                for (int i = 0; i < 4; i++) {
                    for (int j = 0; j < 4; j++) {
                        out[(u0 + i) * g + v0 + j] = q[i * 4 + j];
                    }
                }
            }
        }
        for (int u = 0; u < g; u++) {
            for (int v = u < gq ? gq : 0; v < g; v++) {
                out[u * g + v] = dot(a, aOff + u * aStride, b, bOff + v * bStride, n);
            }
        }
    }

    private static void crossQuad(float[] a, int ao, int as, float[] b, int bo, int bs, int n, double[] q) {
        float[] lanes = new float[L];
        float[] tmp = new float[16 * L];
        int upper = S.loopBound(n);
        java.util.Arrays.fill(q, 0);
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
            FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
            FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
            FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
            for (; i < end; i += L) {
                FloatVector x0 = FloatVector.fromArray(S, a, ao + i);
                FloatVector x1 = FloatVector.fromArray(S, a, ao + as + i);
                FloatVector x2 = FloatVector.fromArray(S, a, ao + 2 * as + i);
                FloatVector x3 = FloatVector.fromArray(S, a, ao + 3 * as + i);
                FloatVector y = FloatVector.fromArray(S, b, bo + i);
                c00 = x0.fma(y, c00);
                c10 = x1.fma(y, c10);
                c20 = x2.fma(y, c20);
                c30 = x3.fma(y, c30);
                y = FloatVector.fromArray(S, b, bo + bs + i);
                c01 = x0.fma(y, c01);
                c11 = x1.fma(y, c11);
                c21 = x2.fma(y, c21);
                c31 = x3.fma(y, c31);
                y = FloatVector.fromArray(S, b, bo + 2 * bs + i);
                c02 = x0.fma(y, c02);
                c12 = x1.fma(y, c12);
                c22 = x2.fma(y, c22);
                c32 = x3.fma(y, c32);
                y = FloatVector.fromArray(S, b, bo + 3 * bs + i);
                c03 = x0.fma(y, c03);
                c13 = x1.fma(y, c13);
                c23 = x2.fma(y, c23);
                c33 = x3.fma(y, c33);
            }
            if (TRANSPOSED) {
                // q[4r + c] holds c{r}{c}: through memory to the 8-accumulator lane sums (kept out of line).
                c00.intoArray(tmp, 0 * L);
                c01.intoArray(tmp, 1 * L);
                c02.intoArray(tmp, 2 * L);
                c03.intoArray(tmp, 3 * L);
                c10.intoArray(tmp, 4 * L);
                c11.intoArray(tmp, 5 * L);
                c12.intoArray(tmp, 6 * L);
                c13.intoArray(tmp, 7 * L);
                c20.intoArray(tmp, 8 * L);
                c21.intoArray(tmp, 9 * L);
                c22.intoArray(tmp, 10 * L);
                c23.intoArray(tmp, 11 * L);
                c30.intoArray(tmp, 12 * L);
                c31.intoArray(tmp, 13 * L);
                c32.intoArray(tmp, 14 * L);
                c33.intoArray(tmp, 15 * L);
                addLaneSums8(tmp, 0, q, 0);
                addLaneSums8(tmp, 8 * L, q, 8);
            } else {
                q[0] += laneSum(c00, lanes);
                q[1] += laneSum(c01, lanes);
                q[2] += laneSum(c02, lanes);
                q[3] += laneSum(c03, lanes);
                q[4] += laneSum(c10, lanes);
                q[5] += laneSum(c11, lanes);
                q[6] += laneSum(c12, lanes);
                q[7] += laneSum(c13, lanes);
                q[8] += laneSum(c20, lanes);
                q[9] += laneSum(c21, lanes);
                q[10] += laneSum(c22, lanes);
                q[11] += laneSum(c23, lanes);
                q[12] += laneSum(c30, lanes);
                q[13] += laneSum(c31, lanes);
                q[14] += laneSum(c32, lanes);
                q[15] += laneSum(c33, lanes);
            }
        }
        for (; i < n; i++) {
            for (int r = 0; r < 4; r++) {
                double x = a[ao + r * as + i];
                for (int c = 0; c < 4; c++) {
                    q[r * 4 + c] += x * b[bo + c * bs + i];
                }
            }
        }
    }

    /**
     * 4×4 blocks of positions, one vector of groups at a time: per feature row, eight loads feed sixteen fused
     * multiply-adds (the per-pair kernel needs two loads per one). Each element is summed exactly as
     * {@link #multiplyAdd} sums it, so the result equals the scalar twin's bit for bit. Pairs outside whole 4×4
     * blocks, and the groups past the last whole vector, go through {@link #multiplyAdd}.
     */
    @Override
    public void crossGroups(
            float[] acc, float[] x, int xOff, float[] y, int yOff, int p, int k, int n, int rows, int stride) {
        java.util.Objects.checkFromIndexSize(0, p * p * k, acc.length);
        if (rows == 0 || n <= 0) {
            return;
        }
        int cols = Math.min(n, p * k);
        java.util.Objects.checkFromIndexSize(xOff, cols, x.length);
        java.util.Objects.checkFromIndexSize(xOff + (rows - 1) * stride, cols, x.length);
        java.util.Objects.checkFromIndexSize(yOff, cols, y.length);
        java.util.Objects.checkFromIndexSize(yOff + (rows - 1) * stride, cols, y.length);
        int pq = p - p % 4;
        for (int u0 = 0; u0 < pq; u0 += 4) {
            for (int v0 = 0; v0 < pq; v0 += 4) {
                int common = Math.min(k, n - (Math.max(u0, v0) + 3) * k);
                int vecEnd = common > 0 ? S.loopBound(common) : 0;
                for (int t = 0; t < vecEnd; t += L) {
                    groupQuad(
                            acc,
                            (u0 * p + v0) * k + t,
                            p * k,
                            k,
                            x,
                            xOff + u0 * k + t,
                            y,
                            yOff + v0 * k + t,
                            rows,
                            stride);
                }
                for (int u = u0; u < u0 + 4; u++) {
                    for (int v = v0; v < v0 + 4; v++) {
                        int lim = Math.min(k, n - Math.max(u, v) * k);
                        if (lim > vecEnd) {
                            multiplyAdd(
                                    acc,
                                    (u * p + v) * k + vecEnd,
                                    x,
                                    xOff + u * k + vecEnd,
                                    y,
                                    yOff + v * k + vecEnd,
                                    lim - vecEnd,
                                    rows,
                                    stride);
                        }
                    }
                }
            }
        }
        for (int u = 0; u < p; u++) {
            for (int v = u < pq ? pq : 0; v < p; v++) {
                int lim = Math.min(k, n - Math.max(u, v) * k);
                if (lim > 0) {
                    multiplyAdd(acc, (u * p + v) * k, x, xOff + u * k, y, yOff + v * k, lim, rows, stride);
                }
            }
        }
    }

    /** One vector of groups for positions u0..u0+3 × v0..v0+3; {@code rowStep} = p·k between position rows of acc. */
    private static void groupQuad(
            float[] acc, int ao, int rowStep, int k, float[] x, int xo, float[] y, int yo, int rows, int stride) {
        FloatVector c00 = FloatVector.zero(S), c01 = c00, c02 = c00, c03 = c00;
        FloatVector c10 = c00, c11 = c00, c12 = c00, c13 = c00;
        FloatVector c20 = c00, c21 = c00, c22 = c00, c23 = c00;
        FloatVector c30 = c00, c31 = c00, c32 = c00, c33 = c00;
        for (int r = 0; r < rows; r++) {
            int xr = xo + r * stride;
            int yr = yo + r * stride;
            FloatVector x0 = FloatVector.fromArray(S, x, xr);
            FloatVector x1 = FloatVector.fromArray(S, x, xr + k);
            FloatVector x2 = FloatVector.fromArray(S, x, xr + 2 * k);
            FloatVector x3 = FloatVector.fromArray(S, x, xr + 3 * k);
            FloatVector v = FloatVector.fromArray(S, y, yr);
            c00 = x0.fma(v, c00);
            c10 = x1.fma(v, c10);
            c20 = x2.fma(v, c20);
            c30 = x3.fma(v, c30);
            v = FloatVector.fromArray(S, y, yr + k);
            c01 = x0.fma(v, c01);
            c11 = x1.fma(v, c11);
            c21 = x2.fma(v, c21);
            c31 = x3.fma(v, c31);
            v = FloatVector.fromArray(S, y, yr + 2 * k);
            c02 = x0.fma(v, c02);
            c12 = x1.fma(v, c12);
            c22 = x2.fma(v, c22);
            c32 = x3.fma(v, c32);
            v = FloatVector.fromArray(S, y, yr + 3 * k);
            c03 = x0.fma(v, c03);
            c13 = x1.fma(v, c13);
            c23 = x2.fma(v, c23);
            c33 = x3.fma(v, c33);
        }
        addInto(acc, ao, c00);
        addInto(acc, ao + k, c01);
        addInto(acc, ao + 2 * k, c02);
        addInto(acc, ao + 3 * k, c03);
        addInto(acc, ao + rowStep, c10);
        addInto(acc, ao + rowStep + k, c11);
        addInto(acc, ao + rowStep + 2 * k, c12);
        addInto(acc, ao + rowStep + 3 * k, c13);
        addInto(acc, ao + 2 * rowStep, c20);
        addInto(acc, ao + 2 * rowStep + k, c21);
        addInto(acc, ao + 2 * rowStep + 2 * k, c22);
        addInto(acc, ao + 2 * rowStep + 3 * k, c23);
        addInto(acc, ao + 3 * rowStep, c30);
        addInto(acc, ao + 3 * rowStep + k, c31);
        addInto(acc, ao + 3 * rowStep + 2 * k, c32);
        addInto(acc, ao + 3 * rowStep + 3 * k, c33);
    }

    @Override
    public void shiftMoments(float[] x, int xOff, float[] shift, int shiftOff, float[] s1, float[] s2, int n) {
        java.util.Objects.checkFromIndexSize(xOff, n, x.length);
        java.util.Objects.checkFromIndexSize(shiftOff, n, shift.length);
        java.util.Objects.checkFromIndexSize(0, n, s1.length);
        java.util.Objects.checkFromIndexSize(0, n, s2.length);
        int upper = S.loopBound(n);
        int j = 0;
        for (; j < upper; j += L) {
            FloatVector v = FloatVector.fromArray(S, x, xOff + j).sub(FloatVector.fromArray(S, shift, shiftOff + j));
            v.intoArray(x, xOff + j);
            FloatVector.fromArray(S, s1, j).add(v).intoArray(s1, j);
            FloatVector.fromArray(S, s2, j).add(v.mul(v)).intoArray(s2, j);
        }
        for (; j < n; j++) {
            float v = x[xOff + j] - shift[shiftOff + j];
            x[xOff + j] = v;
            s1[j] += v;
            s2[j] += v * v;
        }
    }

    private static void addInto(float[] acc, int off, FloatVector v) {
        FloatVector.fromArray(S, acc, off).add(v).intoArray(acc, off);
    }

    @Override
    public void multiplyAdd(
            float[] acc, int accOff, float[] x, int xOff, float[] y, int yOff, int n, int rows, int stride) {
        ScalarKernelOps.checkStrided(acc, accOff, x, xOff, y, yOff, n, rows, stride);
        int upper = S.loopBound(n);
        int i = 0;
        for (; i < upper; i += L) {
            FloatVector sum = FloatVector.zero(S);
            for (int r = 0; r < rows; r++) {
                int o = r * stride + i;
                sum = FloatVector.fromArray(S, x, xOff + o).fma(FloatVector.fromArray(S, y, yOff + o), sum);
            }
            FloatVector.fromArray(S, acc, accOff + i).add(sum).intoArray(acc, accOff + i);
        }
        for (; i < n; i++) {
            float sum = 0;
            for (int r = 0; r < rows; r++) {
                sum = Math.fma(x[xOff + r * stride + i], y[yOff + r * stride + i], sum);
            }
            acc[accOff + i] += sum;
        }
    }

    @Override
    public double sumSquares(float[] a, int off, int n) {
        float[] lanes = new float[L];
        java.util.Objects.checkFromIndexSize(off, n, a.length);
        int upper = S.loopBound(n);
        double acc = 0;
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector s0 = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, off + i);
                s0 = x.fma(x, s0);
            }
            acc += laneSum(s0, lanes);
        }
        for (; i < n; i++) {
            double v = a[off + i];
            acc += v * v;
        }
        return acc;
    }

    @Override
    public double sum(float[] a, int off, int n) {
        float[] lanes = new float[L];
        java.util.Objects.checkFromIndexSize(off, n, a.length);
        int upper = S.loopBound(n);
        double acc = 0;
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector s0 = FloatVector.zero(S);
            for (; i < end; i += L) {
                s0 = s0.add(FloatVector.fromArray(S, a, off + i));
            }
            acc += laneSum(s0, lanes);
        }
        for (; i < n; i++) {
            acc += a[off + i];
        }
        return acc;
    }

    @Override
    public void sumAndSquares(float[] a, int off, int n, double[] out) {
        // sum and sumSquares in one loop: each accumulator sees the same operations in the same order as in its
        // own method, so both results are theirs bit for bit.
        float[] lanes = new float[L];
        java.util.Objects.checkFromIndexSize(off, n, a.length);
        int upper = S.loopBound(n);
        double acc = 0;
        double accSq = 0;
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector s0 = FloatVector.zero(S);
            FloatVector q0 = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, off + i);
                s0 = s0.add(x);
                q0 = x.fma(x, q0);
            }
            acc += laneSum(s0, lanes);
            accSq += laneSum(q0, lanes);
        }
        for (; i < n; i++) {
            double v = a[off + i];
            acc += a[off + i];
            accSq += v * v;
        }
        out[0] = acc;
        out[1] = accSq;
    }

    /**
     * Four rows at a time, each with its own accumulators in exactly {@link #sumAndSquares}'s order (so each row's
     * results are its own call's bit for bit): the single-row loop waits on its two accumulators' latency, four rows
     * side by side keep the adders busy. Leftover rows go through {@link #sumAndSquares}.
     */
    @Override
    public void sumAndSquaresRows(float[] a, int off, int stride, int rows, int n, double[] out) {
        int r = 0;
        for (; r + 4 <= rows; r += 4) {
            sumAndSquares4(a, off + r * stride, stride, n, out, 2 * r);
        }
        double[] m = new double[2];
        for (; r < rows; r++) {
            sumAndSquares(a, off + r * stride, n, m);
            out[2 * r] = m[0];
            out[2 * r + 1] = m[1];
        }
    }

    private static void sumAndSquares4(float[] a, int o, int s, int n, double[] out, int at) {
        java.util.Objects.checkFromIndexSize(o, n, a.length);
        java.util.Objects.checkFromIndexSize(o + 3 * s, n, a.length);
        float[] lanes = new float[L];
        float[] tmp = new float[8 * L];
        int upper = S.loopBound(n);
        double acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
        double sq0 = 0, sq1 = 0, sq2 = 0, sq3 = 0;
        // The transposed lane sums' totals, in out's order.
        double[] sums = new double[8];
        int i = 0;
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector s0 = FloatVector.zero(S), s1 = s0, s2 = s0, s3 = s0;
            FloatVector q0 = s0, q1 = s0, q2 = s0, q3 = s0;
            for (; i < end; i += L) {
                FloatVector x0 = FloatVector.fromArray(S, a, o + i);
                FloatVector x1 = FloatVector.fromArray(S, a, o + s + i);
                FloatVector x2 = FloatVector.fromArray(S, a, o + 2 * s + i);
                FloatVector x3 = FloatVector.fromArray(S, a, o + 3 * s + i);
                s0 = s0.add(x0);
                q0 = x0.fma(x0, q0);
                s1 = s1.add(x1);
                q1 = x1.fma(x1, q1);
                s2 = s2.add(x2);
                q2 = x2.fma(x2, q2);
                s3 = s3.add(x3);
                q3 = x3.fma(x3, q3);
            }
            if (TRANSPOSED) {
                // In out's order (s0, q0, s1, q1, ...).
                s0.intoArray(tmp, 0 * L);
                q0.intoArray(tmp, 1 * L);
                s1.intoArray(tmp, 2 * L);
                q1.intoArray(tmp, 3 * L);
                s2.intoArray(tmp, 4 * L);
                q2.intoArray(tmp, 5 * L);
                s3.intoArray(tmp, 6 * L);
                q3.intoArray(tmp, 7 * L);
                addLaneSums8(tmp, 0, sums, 0);
            } else {
                acc0 += laneSum(s0, lanes);
                sq0 += laneSum(q0, lanes);
                acc1 += laneSum(s1, lanes);
                sq1 += laneSum(q1, lanes);
                acc2 += laneSum(s2, lanes);
                sq2 += laneSum(q2, lanes);
                acc3 += laneSum(s3, lanes);
                sq3 += laneSum(q3, lanes);
            }
        }
        if (TRANSPOSED) {
            // The same values as the scalar sums' (each is 0 plus its chunks' lane sums in chunk order).
            acc0 = sums[0];
            sq0 = sums[1];
            acc1 = sums[2];
            sq1 = sums[3];
            acc2 = sums[4];
            sq2 = sums[5];
            acc3 = sums[6];
            sq3 = sums[7];
        }
        for (; i < n; i++) {
            double v0 = a[o + i];
            double v1 = a[o + s + i];
            double v2 = a[o + 2 * s + i];
            double v3 = a[o + 3 * s + i];
            acc0 += v0;
            sq0 += v0 * v0;
            acc1 += v1;
            sq1 += v1 * v1;
            acc2 += v2;
            sq2 += v2 * v2;
            acc3 += v3;
            sq3 += v3 * v3;
        }
        out[at] = acc0;
        out[at + 1] = sq0;
        out[at + 2] = acc1;
        out[at + 3] = sq1;
        out[at + 4] = acc2;
        out[at + 5] = sq2;
        out[at + 6] = acc3;
        out[at + 7] = sq3;
    }

    @Override
    public boolean anyNonFinite(float[] a, int off, int n) {
        java.util.Objects.checkFromIndexSize(off, n, a.length);
        int upper = S.loopBound(n);
        IntVector m = IntVector.zero(IS);
        int i = 0;
        for (; i < upper; i += L) {
            m = m.max(FloatVector.fromArray(S, a, off + i)
                    .reinterpretAsInts()
                    .lanewise(VectorOperators.AND, EXPONENT_BITS));
        }
        int most = m.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            most = Math.max(most, Float.floatToRawIntBits(a[off + i]) & EXPONENT_BITS);
        }
        return most == EXPONENT_BITS;
    }

    @Override
    public void centredMoments(float[] a, float[] b, int n, float ma, float mb, double[] out) {
        float[] lanes = new float[L];
        int upper = S.loopBound(n);
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        int i = 0;
        FloatVector vma = FloatVector.broadcast(S, ma);
        FloatVector vmb = FloatVector.broadcast(S, mb);
        while (i < upper) {
            int end = Math.min(upper, i + CHUNK);
            FloatVector ab = FloatVector.zero(S);
            FloatVector aa = FloatVector.zero(S);
            FloatVector bb = FloatVector.zero(S);
            for (; i < end; i += L) {
                FloatVector x = FloatVector.fromArray(S, a, i).sub(vma);
                FloatVector y = FloatVector.fromArray(S, b, i).sub(vmb);
                ab = x.fma(y, ab);
                aa = x.fma(x, aa);
                bb = y.fma(y, bb);
            }
            sab += laneSum(ab, lanes);
            saa += laneSum(aa, lanes);
            sbb += laneSum(bb, lanes);
        }
        for (; i < n; i++) {
            double x = a[i] - ma;
            double y = b[i] - mb;
            sab += x * y;
            saa += x * x;
            sbb += y * y;
        }
        out[0] = sab;
        out[1] = saa;
        out[2] = sbb;
    }
}
