package dev.pedigree.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class GgmlDequantTest {
    private static final short ONE = Float.floatToFloat16(1f);
    private static final short HALF = Float.floatToFloat16(0.5f);
    private static final short TWO = Float.floatToFloat16(2f);

    private static void f16(byte[] b, int off, short v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >> 8);
    }

    private static float[] decode(GgmlType t, byte[] block) {
        float[] y = new float[t.blockSize()];
        GgmlDequant.dequantize(t, block, 0, 1, y, 0, false);
        return y;
    }

    // ---- hand-built blocks with values worked out by hand from the formulas ----

    @Test
    void q8_0KnownValues() {
        byte[] b = new byte[34];
        f16(b, 0, HALF);
        for (int j = 0; j < 32; j++) b[2 + j] = (byte) (j - 16);
        float[] y = decode(GgmlType.Q8_0, b);
        for (int j = 0; j < 32; j++) assertThat(y[j]).isEqualTo(0.5f * (j - 16));
    }

    @Test
    void q4_0AndQ4_1KnownValues() {
        byte[] b = new byte[18];
        f16(b, 0, TWO);
        for (int j = 0; j < 16; j++) b[2 + j] = (byte) (j | (15 - j) << 4);
        float[] y = decode(GgmlType.Q4_0, b);
        for (int j = 0; j < 16; j++) {
            assertThat(y[j]).isEqualTo(2f * (j - 8));
            assertThat(y[j + 16]).isEqualTo(2f * (15 - j - 8));
        }
        byte[] c = new byte[20];
        f16(c, 0, ONE);
        f16(c, 2, Float.floatToFloat16(-1f));
        for (int j = 0; j < 16; j++) c[4 + j] = (byte) (j | (15 - j) << 4);
        float[] z = decode(GgmlType.Q4_1, c);
        assertThat(z[3]).isEqualTo(2f);
        assertThat(z[16]).isEqualTo(14f);
    }

    @Test
    void q5_0AndQ5_1KnownValues() {
        byte[] b = new byte[22];
        f16(b, 0, ONE);
        b[2] = 0x01; // qh bit 0 -> y[0]
        b[5] = (byte) 0x80; // qh bit 31 -> y[31]
        b[6] = 0x07; // y[0] low nibble 7, y[16] high nibble 0
        b[6 + 15] = (byte) 0xA0; // y[31] high nibble 10
        float[] y = decode(GgmlType.Q5_0, b);
        assertThat(y[0]).isEqualTo(7f); // 7 + 16 - 16
        assertThat(y[16]).isEqualTo(-16f);
        assertThat(y[31]).isEqualTo(10f);
        assertThat(y[1]).isEqualTo(-16f);
        byte[] c = new byte[24];
        f16(c, 0, HALF);
        f16(c, 2, Float.floatToFloat16(0.25f));
        c[4] = 0x01;
        c[8] = 0x03;
        float[] z = decode(GgmlType.Q5_1, c);
        assertThat(z[0]).isEqualTo(0.5f * 19 + 0.25f);
        assertThat(z[16]).isEqualTo(0.25f);
    }

    @Test
    void q2_KKnownValues() {
        byte[] b = new byte[84];
        b[0] = 0x23; // scale 3, min 2
        b[2] = 0x10; // scale 0, min 1 (for j=1, l<16)
        b[16] = 0x1B; // 2-bit fields 3,2,1,0
        f16(b, 80, ONE);
        f16(b, 82, HALF);
        float[] y = decode(GgmlType.Q2_K, b);
        assertThat(y[0]).isEqualTo(8f); // 1*3*3 - 0.5*2
        assertThat(y[32]).isEqualTo(-0.5f); // 1*0*2 - 0.5*1
    }

    @Test
    void q3_KKnownValues() {
        byte[] b = new byte[110];
        b[0] = 0x01; // hmask[0] bit 0
        b[32] = 0x03; // q=3 for e=0
        b[64] = 0x10; // for e=192 (h=1, j=2): (qs[64] >> 4) & 3 = 1
        b[96] = 0x05; // scale 0 low bits
        b[100] = 0x70; // scale 12 low bits (sc[4] >> 4)
        b[104] = 0x02; // scale 0 high bits
        f16(b, 108, TWO);
        float[] y = decode(GgmlType.Q3_K, b);
        assertThat(y[0]).isEqualTo(30f); // 2 * (37-32) * 3
        assertThat(y[1]).isEqualTo(-40f); // 2 * 5 * (0 - 4)
        assertThat(y[192]).isEqualTo(150f); // 2 * (7-32) * (1 - 4)
    }

    private static byte[] k4Scales(byte[] b, int base) {
        b[base] = 10; // t=0 scale
        b[base + 4] = 4; // t=0 min
        b[base + 1] = 2 | 0x40; // t=1 scale 2; top bits feed t=5's scale
        b[base + 5] = 6 | (byte) 0x80; // t=1 min 6; top bits feed t=5's min
        b[base + 9] = 0x37; // t=5 low bits: scale 7, min 3
        return b;
    }

    @Test
    void q4_KKnownValues() {
        byte[] b = k4Scales(new byte[144], 4);
        f16(b, 0, ONE);
        f16(b, 2, HALF);
        b[16] = 0x53;
        b[16 + 64] = (byte) 0x90;
        float[] y = decode(GgmlType.Q4_K, b);
        assertThat(y[0]).isEqualTo(28f); // 1*10*3 - 0.5*4
        assertThat(y[32]).isEqualTo(7f); // 1*2*5 - 0.5*6
        assertThat(y[160]).isEqualTo(189.5f); // 1*23*9 - 0.5*35
    }

    @Test
    void q5_KKnownValues() {
        byte[] b = k4Scales(new byte[176], 4);
        f16(b, 0, ONE);
        f16(b, 2, HALF);
        b[16] = 0x01; // qh[0] bit 0 -> +16 for e=0
        b[48] = 0x53;
        float[] y = decode(GgmlType.Q5_K, b);
        assertThat(y[0]).isEqualTo(188f); // 1*10*19 - 2
        assertThat(y[32]).isEqualTo(7f);
    }

    @Test
    void q6_KKnownValues() {
        byte[] b = new byte[210];
        b[0] = 0x0F;
        b[128] = 0x03;
        b[192] = 4;
        b[194] = -2;
        f16(b, 208, HALF);
        float[] y = decode(GgmlType.Q6_K, b);
        assertThat(y[0]).isEqualTo(62f); // 0.5*4*31
        assertThat(y[32]).isEqualTo(32f); // 0.5*-2*-32
    }

    // ---- random blocks: implementation vs per-element reference, through the whole reader ----

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q4_1", "Q5_0", "Q5_1", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void randomBlocksMatchTheFormulaThroughTheReader(GgmlType t) throws Exception {
        Random rnd = new Random(t.id() * 7919L);
        int rows = 3;
        int blocksPerRow = 2;
        byte[] data = GgmlBlocks.random(t, rows * blocksPerRow, rnd);
        long cols = (long) blocksPerRow * t.blockSize();
        byte[] file = new GgufWriter()
                .putString("general.architecture", "test")
                .addRawTensor("w", t, new long[] {cols, rows}, data)
                .toBytes();
        try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:" + t, file))) {
            TensorRef w = v.tensors().getFirst();
            assertThat(w.dtype()).isEqualTo(t.dtype());
            assertThat(w.shape().dims()).containsExactly(rows, cols);
            float[] all = w.readAll();
            for (int blk = 0; blk < rows * blocksPerRow; blk++) {
                byte[] one = java.util.Arrays.copyOfRange(data, blk * t.typeSize(), (blk + 1) * t.typeSize());
                for (int e = 0; e < t.blockSize(); e++) {
                    double expect = ReferenceDequant.value(t, one, e);
                    assertThat((double) all[blk * t.blockSize() + e])
                            .as("%s block %d element %d", t, blk, e)
                            .isCloseTo(expect, within(2e-3 + 1e-6 * Math.abs(expect)));
                }
            }
            // a middle row alone decodes the same as in the full read
            float[] row = w.readRow(1);
            assertThat(row).containsExactly(java.util.Arrays.copyOfRange(all, (int) cols, (int) (2 * cols)));
        }
    }

    @Test
    void bigEndianBlocksSwapOnlyTheirMultiByteFields() {
        Random rnd = new Random(5);
        for (GgmlType t : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q5_1, GgmlType.Q4_K, GgmlType.Q6_K}) {
            byte[] le = GgmlBlocks.random(t, 1, rnd);
            byte[] be = le.clone();
            int[] fields16 = switch (t) {
                case Q8_0 -> new int[] {0};
                case Q5_1, Q4_K -> new int[] {0, 2};
                default -> new int[] {208};
            };
            for (int f : fields16) {
                be[f] = le[f + 1];
                be[f + 1] = le[f];
            }
            if (t == GgmlType.Q5_1) {
                for (int i = 0; i < 4; i++) be[4 + i] = le[7 - i];
            }
            float[] a = new float[t.blockSize()];
            float[] b = new float[t.blockSize()];
            GgmlDequant.dequantize(t, le, 0, 1, a, 0, false);
            GgmlDequant.dequantize(t, be, 0, 1, b, 0, true);
            assertThat(b).as("%s", t).containsExactly(a);
        }
    }

    // ---- plain types and listed-only types ----

    @Test
    void plainTypesDecodeThroughElementDecoder() throws Exception {
        float[] vals = {1.5f, -2.25f, 0f, 1e-3f, 65504f, -7f};
        GgufWriter w = new GgufWriter();
        w.addTensor("f32", new long[] {2, 3}, vals, GgmlType.F32);
        w.addTensor("f16", new long[] {2, 3}, vals, GgmlType.F16);
        w.addTensor("bf16", new long[] {2, 3}, vals, GgmlType.BF16);
        ByteBuffer i8 = ByteBuffer.allocate(4).put(new byte[] {-128, -1, 0, 127});
        w.addRawTensor("i8", GgmlType.I8, new long[] {4}, i8.array());
        ByteBuffer i16 = ByteBuffer.allocate(4)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putShort((short) -300)
                .putShort((short) 32767);
        w.addRawTensor("i16", GgmlType.I16, new long[] {2}, i16.array());
        ByteBuffer i32 = ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putInt(-70000)
                .putInt(123456);
        w.addRawTensor("i32", GgmlType.I32, new long[] {2}, i32.array());
        ByteBuffer i64 = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(-5_000_000_000L);
        w.addRawTensor("i64", GgmlType.I64, new long[] {1}, i64.array());
        ByteBuffer f64 = ByteBuffer.allocate(16)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putDouble(Math.PI)
                .putDouble(-0.5);
        w.addRawTensor("f64", GgmlType.F64, new long[] {2}, f64.array());
        try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:plain", w.toBytes()))) {
            assertThat(v.tensors().get(0).readAll()).containsExactly(vals);
            float[] h = v.tensors().get(1).readAll();
            for (int i = 0; i < vals.length; i++)
                assertThat(h[i]).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(vals[i])));
            float[] bf = v.tensors().get(2).readAll();
            assertThat(bf[0]).isEqualTo(1.5f);
            assertThat(bf[1]).isEqualTo(-2.25f);
            assertThat(bf[4]).isEqualTo(65536f); // 65504 rounds to 2^16 in bfloat16
            assertThat(v.tensors().get(3).readAll()).containsExactly(-128f, -1f, 0f, 127f);
            assertThat(v.tensors().get(4).readAll()).containsExactly(-300f, 32767f);
            assertThat(v.tensors().get(5).readAll()).containsExactly(-70000f, 123456f);
            assertThat(v.tensors().get(6).readAll()).containsExactly(-5e9f);
            assertThat(v.tensors().get(7).readAll()).containsExactly((float) Math.PI, -0.5f);
            assertThat(v.tensors().get(7).dtype()).isEqualTo(DType.F64);
        }
    }

    @Test
    void listedOnlyTypesAreListedAndRefusedByNameWhenRead() throws Exception {
        byte[] iq = new byte[66 * 2];
        byte[] file = new GgufWriter()
                .addRawTensor("blk.0.ffn_down.weight", GgmlType.IQ2_XXS, new long[] {256, 2}, iq)
                .toBytes();
        try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:iq", file))) {
            TensorRef t = v.tensors().getFirst();
            assertThat(t.dtype()).isEqualTo(DType.IQ2_XXS);
            assertThat(t.shape().dims()).containsExactly(2, 256);
            assertThat(t.storedBytes().byteSize()).isEqualTo(132);
            assertThatThrownBy(t::readAll)
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("IQ2_XXS")
                    .hasMessageContaining("mem:iq at offset");
        }
    }

    @Test
    void quantisersRoundTripWithinHalfAStep() {
        Random rnd = new Random(3);
        float[] x = new float[256];
        for (int i = 0; i < x.length; i++) x[i] = (float) rnd.nextGaussian();
        float[] y = new float[256];
        GgmlDequant.q8_0(GgufWriter.quantizeQ8_0(x, false), 0, 8, y, 0, false);
        for (int i = 0; i < x.length; i++) assertThat(y[i]).isCloseTo(x[i], within(0.03f));
        GgmlDequant.q4_0(GgufWriter.quantizeQ4_0(x, false), 0, 8, y, 0, false);
        for (int i = 0; i < x.length; i++) assertThat(y[i]).isCloseTo(x[i], within(0.4f));
    }
}
