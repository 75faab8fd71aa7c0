package dev.pedigree.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The scan's canonical hash against the definition written out from the spec (and against the loop
 * {@code TensorHashes.canonicalSha256} ran before the scan existed), on the values where a hash can
 * go wrong: signed zeros, NaN payloads, subnormals, infinities, several stored types, empty and
 * multi-chunk tensors.
 */
class TensorScanTest {
    private static final TensorAddress ADDR = TensorAddress.of(Component.TEXT_DECODER, 0, Role.MLP_UP, Part.WEIGHT);

    /** A tensor over stored bytes of a plain type, decoded by {@link ElementDecoder} as readers do. */
    private record Stored(DType dtype, Shape shape, byte[] bytes) implements TensorRef {
        @Override
        public String name() {
            return "t";
        }

        @Override
        public TensorAddress address() {
            return ADDR;
        }

        @Override
        public String source() {
            return "memory";
        }

        @Override
        public MemorySegment storedBytes() {
            return MemorySegment.ofArray(bytes.clone());
        }

        @Override
        public void readRows(long firstRow, int rowCount, float[] dst, int dstOffset) {
            long cols = shape.columns();
            ElementDecoder.decode(
                    dtype, MemorySegment.ofArray(bytes), firstRow * cols * dtype.blockBytes(), dst, dstOffset, (int)
                            (rowCount * cols));
        }
    }

    /** SHA-256 of int64 LE rank, int64 LE dims, then each value's bits (−0 → +0, NaN → 0x7FC00000) as int32 LE. */
    private static String definition(Shape s, float[] values) throws NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        ByteBuffer b = ByteBuffer.allocate(8 + 8 * s.rank() + 4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(s.rank());
        for (long d : s.dims()) {
            b.putLong(d);
        }
        for (float v : values) {
            if (Float.isNaN(v)) {
                b.putInt(0x7FC00000);
            } else if (Float.floatToRawIntBits(v) == 0x80000000) {
                b.putInt(0);
            } else {
                b.putInt(Float.floatToRawIntBits(v));
            }
        }
        return HexFormat.of().formatHex(md.digest(b.array()));
    }

    /** The loop {@code TensorHashes.canonicalSha256} ran before {@link TensorScan} (verbatim but for the digest factory). */
    private static String previousLoop(TensorRef t) throws Exception {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        Shape s = t.shape();
        ByteBuffer hdr = ByteBuffer.allocate(8 + 8 * s.rank()).order(ByteOrder.LITTLE_ENDIAN);
        hdr.putLong(s.rank());
        for (long d : s.dims()) {
            hdr.putLong(d);
        }
        md.update(hdr.array());
        long rows = s.rows();
        long cols = s.columns();
        if (s.elementCount() == 0) {
            return HexFormat.of().formatHex(md.digest());
        }
        int chunkRows = (int) Math.max(1, Math.min(rows, (1 << 20) / cols));
        float[] vals = new float[(int) (chunkRows * cols)];
        ByteBuffer bytes = ByteBuffer.allocate(vals.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (long r = 0; r < rows; r += chunkRows) {
            int k = (int) Math.min(chunkRows, rows - r);
            t.readRows(r, k, vals, 0);
            bytes.clear();
            int n = (int) (k * cols);
            for (int i = 0; i < n; i++) {
                float v = vals[i];
                int bits = Float.isNaN(v) ? 0x7FC00000 : (v == 0f ? 0 : Float.floatToRawIntBits(v));
                bytes.putInt(bits);
            }
            md.update(bytes.array(), 0, n * 4);
        }
        return HexFormat.of().formatHex(md.digest());
    }

    private static String scanHash(TensorRef t) throws IOException, ModelFormatException {
        TensorScan.CanonicalSha256 h = new TensorScan.CanonicalSha256();
        TensorScan.scan(t, h);
        return h.hex();
    }

    private static void assertAllAgree(TensorRef t) throws Exception {
        String scan = scanHash(t);
        assertThat(scan).isEqualTo(definition(t.shape(), t.readAll()));
        assertThat(scan).isEqualTo(previousLoop(t));
        assertThat(TensorHashes.canonicalSha256(t)).isEqualTo(scan);
    }

    private static final float[] EDGES = {
        0f,
        -0f,
        Float.NaN,
        Float.intBitsToFloat(0x7FC00001), // quiet NaN with a payload
        Float.intBitsToFloat(0xFFC00000), // negative quiet NaN
        Float.intBitsToFloat(0x7F800001), // signalling NaN
        Float.intBitsToFloat(0xFF812345),
        Float.MIN_VALUE, // smallest subnormal
        -Float.MIN_VALUE,
        Float.intBitsToFloat(0x007FFFFF), // largest subnormal
        Float.MIN_NORMAL,
        Float.POSITIVE_INFINITY,
        Float.NEGATIVE_INFINITY,
        Float.MAX_VALUE,
        1f,
        -1.5f
    };

    @Test
    void f32EdgeValuesHashAsDefined() throws Exception {
        assertAllAgree(new ArrayTensor("edges", Shape.of(4, 4), ADDR, EDGES));
        assertAllAgree(new ArrayTensor("edges", Shape.of(16), ADDR, EDGES));
        assertAllAgree(new ArrayTensor("edges", Shape.of(2, 2, 4), ADDR, EDGES));
    }

    @Test
    void signedZerosAndNanPayloadsHashEqualButSubnormalsDoNot() throws Exception {
        String zeros = scanHash(new ArrayTensor("z", Shape.of(2), ADDR, new float[] {0f, 0f}));
        assertThat(scanHash(new ArrayTensor("z", Shape.of(2), ADDR, new float[] {-0f, 0f})))
                .isEqualTo(zeros);
        assertThat(scanHash(new ArrayTensor("z", Shape.of(2), ADDR, new float[] {Float.MIN_VALUE, 0f})))
                .isNotEqualTo(zeros);
        String nan = scanHash(new ArrayTensor("n", Shape.of(1), ADDR, new float[] {Float.NaN}));
        for (int bits : new int[] {0x7FC00001, 0xFFC00000, 0x7F800001, 0xFFFFFFFF}) {
            assertThat(scanHash(new ArrayTensor("n", Shape.of(1), ADDR, new float[] {Float.intBitsToFloat(bits)})))
                    .as("NaN %08x", bits)
                    .isEqualTo(nan);
        }
        assertThat(TensorScan.canonicalBits(-0f)).isZero();
        assertThat(TensorScan.canonicalBits(Float.intBitsToFloat(0xFF812345))).isEqualTo(TensorScan.CANONICAL_NAN_BITS);
        assertThat(TensorScan.canonicalBits(-Float.MIN_VALUE)).isEqualTo(0x80000001);
    }

    @Test
    void storedTypesHashTheirDecodedValues() throws Exception {
        // F16: ±0, NaN payloads, the smallest and largest subnormals, infinities, ordinary values.
        short[] f16 = {
            0x0000,
            (short) 0x8000,
            0x7E00,
            0x7E01,
            (short) 0xFE00,
            0x0001,
            0x03FF,
            (short) 0x8001,
            0x7C00,
            (short) 0xFC00,
            0x3C00,
            (short) 0xBE00
        };
        // BF16: the same cases in bfloat16 (the upper half of float32).
        short[] bf16 = {
            0x0000,
            (short) 0x8000,
            0x7FC0,
            0x7FC1,
            (short) 0xFFC0,
            0x0001,
            0x007F,
            (short) 0x8001,
            0x7F80,
            (short) 0xFF80,
            0x3F80,
            (short) 0xBFC0
        };
        List<TensorRef> cases = new ArrayList<>();
        cases.add(new Stored(DType.F16, Shape.of(3, 4), shorts(f16)));
        cases.add(new Stored(DType.BF16, Shape.of(3, 4), shorts(bf16)));
        // F64: a subnormal double rounds to 0 in float32, a NaN payload stays NaN, −0.0 stays −0.0.
        double[] f64 = {0d, -0d, Double.longBitsToDouble(0x7FF8000000000001L), Double.MIN_VALUE, 1e-40, -1e300, 2.5, 7};
        ByteBuffer d = ByteBuffer.allocate(8 * f64.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double v : f64) {
            d.putDouble(v);
        }
        cases.add(new Stored(DType.F64, Shape.of(2, 4), d.array()));
        cases.add(new Stored(DType.I8, Shape.of(2, 3), new byte[] {0, -1, 127, -128, 5, 0}));
        ByteBuffer f = ByteBuffer.allocate(4 * EDGES.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : EDGES) {
            f.putFloat(v);
        }
        cases.add(new Stored(DType.F32, Shape.of(8, 2), f.array()));
        for (TensorRef t : cases) {
            assertAllAgree(t);
        }
    }

    @Test
    void emptyScalarAndMultiChunkTensorsHashAsDefined() throws Exception {
        assertAllAgree(new ArrayTensor("empty", Shape.of(0, 7), ADDR, new float[0]));
        assertAllAgree(new ArrayTensor("scalar", Shape.of(), ADDR, new float[] {-0f}));
        SplittableRandom rnd = new SplittableRandom(11);
        // 2^20 values per chunk: 2100 rows of 1000 values take three chunks, the last one short.
        float[] big = new float[2100 * 1000];
        for (int i = 0; i < big.length; i++) {
            big[i] = i % 9973 == 0 ? -0f : (float) rnd.nextGaussian();
        }
        assertAllAgree(new ArrayTensor("big", Shape.of(2100, 1000), ADDR, big));
        // A row longer than a chunk is still read one whole row at a time.
        float[] wide = new float[3 * ((1 << 20) + 3)];
        for (int i = 0; i < wide.length; i++) {
            wide[i] = (float) rnd.nextGaussian();
        }
        assertAllAgree(new ArrayTensor("wide", Shape.of(3, (1 << 20) + 3), ADDR, wide));
    }

    @Test
    void chunksAreWholeRowsInOrderAndFeedEveryListener() throws Exception {
        float[] v = new float[2100 * 1000];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        List<long[]> seen = new ArrayList<>();
        TensorScan.Listener record = new TensorScan.Listener() {
            @Override
            public void rows(long firstRow, int rowCount, int columns, float[] values) {
                seen.add(new long[] {firstRow, rowCount, columns, (long) values[0]});
            }
        };
        TensorScan.RowSample sample = new TensorScan.RowSample(new int[] {0, 1047, 1048, 2099}, new int[] {999, 0, 5});
        TensorScan.RowNorms norms = new TensorScan.RowNorms(2100);
        TensorScan.scan(new ArrayTensor("v", Shape.of(2100, 1000), ADDR, v), record, sample, norms);
        // 1048 rows of 1000 values fit in 2^20.
        assertThat(seen)
                .containsExactly(new long[] {0, 1048, 1000, 0}, new long[] {1048, 1048, 1000, 1_048_000}, new long[] {
                    2096, 4, 1000, 2_096_000
                });
        assertThat(sample.values())
                .containsExactly(
                        999, 0, 5, 1_047_999, 1_047_000, 1_047_005, 1_048_999, 1_048_000, 1_048_005, 2_099_999,
                        2_099_000, 2_099_005);
        float[] n = norms.norms();
        assertThat(n).hasSize(2100);
        for (int r : new int[] {0, 1047, 2099}) {
            double sq = 0;
            for (int j = 0; j < 1000; j++) {
                sq += (double) v[r * 1000 + j] * v[r * 1000 + j];
            }
            assertThat(n[r]).isEqualTo((float) Math.sqrt(sq));
        }
        assertThatThrownBy(() -> new TensorScan.RowSample(new int[] {3, 1}, new int[] {0}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    private static byte[] shorts(short[] s) {
        ByteBuffer b = ByteBuffer.allocate(2 * s.length).order(ByteOrder.LITTLE_ENDIAN);
        for (short x : s) {
            b.putShort(x);
        }
        return b.array();
    }
}
