package dev.pedigree.kernels.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.kernels.VectorSupport;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The vector and scalar twins agree bit for bit on seeded random data of many lengths, and both match known values. */
class DecodeKernelsTest {
    private static DecodeKernels vec;
    private static final DecodeKernels SCALAR = DecodeKernels.scalar();

    /** 0..300 (every tail), then a few large and odd lengths. */
    static final int[] LENGTHS = IntStream.concat(
                    IntStream.rangeClosed(0, 300), IntStream.of(511, 512, 513, 4099, 65_536 + 7, 300_001))
            .toArray();

    @BeforeAll
    static void vectorTwinIsUsable() {
        // Surefire runs with --add-modules jdk.incubator.vector, so the vector twin must load and be the active one.
        assertThat(DecodeKernels.vectorAvailable()).as("vector twin available").isTrue();
        vec = DecodeKernels.vector();
        assertThat(VectorSupport.decode()).isSameAs(vec);
        assertThat(vec.name()).startsWith("vector(");
        assertThat(SCALAR.name()).isEqualTo("scalar");
    }

    interface PlainKernel {
        void run(DecodeKernels k, MemorySegment src, long off, float[] dst, int dstOff, int count);
    }

    /** Runs both twins on the same random bytes for every length, at shifting unaligned offsets, and compares bits. */
    private static int agree(String what, int width, PlainKernel kernel, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        int compared = 0;
        for (int n : LENGTHS) {
            int srcOff = r.nextInt(4);
            int dstOff = r.nextInt(3);
            byte[] bytes = new byte[srcOff + n * width + r.nextInt(3)];
            r.nextBytes(bytes);
            MemorySegment seg = MemorySegment.ofArray(bytes);
            float[] a = new float[dstOff + n + 1];
            float[] b = new float[dstOff + n + 1];
            a[dstOff + n] = 42f;
            b[dstOff + n] = 42f;
            kernel.run(vec, seg, srcOff, a, dstOff, n);
            kernel.run(SCALAR, seg, srcOff, b, dstOff, n);
            for (int i = 0; i < a.length; i++) {
                int ba = Float.floatToRawIntBits(a[i]);
                int bb = Float.floatToRawIntBits(b[i]);
                if (ba != bb) {
                    throw new AssertionError(
                            String.format("%s n=%d i=%d: vector %08x scalar %08x", what, n, i - dstOff, ba, bb));
                }
            }
            assertThat(a[dstOff + n]).as("no write past the end").isEqualTo(42f);
            compared += n;
        }
        return compared;
    }

    @Test
    void bf16TwinsAgreeBothOrders() {
        for (ByteOrder o : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            int n = agree("bf16 " + o, 2, (k, s, off, d, doff, c) -> k.bf16(s, off, o, d, doff, c), 11);
            System.out.println("bf16 " + o + ": " + n + " values bit-identical");
        }
    }

    @Test
    void f16TwinsAgreeBothOrders() {
        for (ByteOrder o : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
            agree("f16 " + o, 2, (k, s, off, d, doff, c) -> k.f16(s, off, o, d, doff, c), 12);
        }
    }

    @Test
    void f16EveryPatternMatchesFloat16ToFloat() {
        byte[] all = new byte[2 * 65536];
        for (int h = 0; h < 65536; h++) {
            all[2 * h] = (byte) h;
            all[2 * h + 1] = (byte) (h >>> 8);
        }
        for (DecodeKernels k : List.of(vec, SCALAR)) {
            float[] out = new float[65536];
            k.f16(MemorySegment.ofArray(all), 0, ByteOrder.LITTLE_ENDIAN, out, 0, 65536);
            for (int h = 0; h < 65536; h++) {
                assertThat(Float.floatToRawIntBits(out[h]))
                        .as("%s f16 %04x", k.name(), h)
                        .isEqualTo(Float.floatToRawIntBits(Float.float16ToFloat((short) h)));
            }
        }
    }

    @Test
    void bf16KnownValues() {
        byte[] b = {(byte) 0x80, 0x3F, 0x00, (byte) 0xC0, (byte) 0x80, 0x7F, 0x01, 0x00};
        for (DecodeKernels k : List.of(vec, SCALAR)) {
            float[] out = new float[4];
            k.bf16(MemorySegment.ofArray(b), 0, ByteOrder.LITTLE_ENDIAN, out, 0, 4);
            assertThat(out).containsExactly(1f, -2f, Float.POSITIVE_INFINITY, Float.intBitsToFloat(0x00010000));
        }
    }

    @ParameterizedTest
    @EnumSource(Fp8Format.class)
    void fp8TwinsAgreeAndMatchTable(Fp8Format f) {
        int n = agree("fp8 " + f, 1, (k, s, off, d, doff, c) -> k.fp8(f, s, off, d, doff, c), 13 + f.ordinal());
        System.out.println("fp8 " + f + ": " + n + " values bit-identical");
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        float[] out = new float[256];
        vec.fp8(f, MemorySegment.ofArray(all), 0, out, 0, 256);
        for (int i = 0; i < 256; i++) {
            assertThat(Float.floatToRawIntBits(out[i]))
                    .as("%s %02x", f, i)
                    .isEqualTo(Float.floatToRawIntBits(f.decode(i)));
        }
    }

    @Test
    void fp8KnownValues() {
        assertThat(Fp8Format.E4M3FN.decode(0x7E)).isEqualTo(448f);
        assertThat(Fp8Format.E4M3FN.decode(0x01)).isEqualTo(0x1p-9f);
        assertThat(Fp8Format.E4M3FN.decode(0xB8)).isEqualTo(-1f);
        assertThat(Fp8Format.E4M3FN.decode(0x7F)).isNaN();
        assertThat(Fp8Format.E4M3FN.decode(0xFF)).isNaN();
        assertThat(Fp8Format.E5M2.decode(0x7B)).isEqualTo(57344f);
        assertThat(Fp8Format.E5M2.decode(0x7C)).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(Fp8Format.E5M2.decode(0xFC)).isEqualTo(Float.NEGATIVE_INFINITY);
        assertThat(Fp8Format.E5M2.decode(0x7D)).isNaN();
        assertThat(Fp8Format.E5M2.decode(0x01)).isEqualTo(0x1p-16f);
        assertThat(Fp8Format.E4M3FNUZ.decode(0x7F)).isEqualTo(240f);
        assertThat(Fp8Format.E4M3FNUZ.decode(0x80)).isNaN();
        assertThat(Fp8Format.E4M3FNUZ.decode(0x01)).isEqualTo(0x1p-10f);
        assertThat(Fp8Format.E5M2FNUZ.decode(0x7F)).isEqualTo(57344f);
        assertThat(Fp8Format.E5M2FNUZ.decode(0x80)).isNaN();
        assertThat(Float.floatToRawIntBits(Fp8Format.E5M2FNUZ.decode(0x00))).isZero();
    }

    @Test
    void int8TwinsAgreeForRandomScalesAndZeroPoints() {
        SplittableRandom r = new SplittableRandom(14);
        for (int t = 0; t < 6; t++) {
            float scale = t == 0 ? 1f : (float) (r.nextDouble(-4, 4) * Math.pow(2, r.nextInt(-20, 20)));
            int zp = t == 0 ? 0 : r.nextInt(-300, 300);
            agree(
                    "int8 s=" + scale + " zp=" + zp,
                    1,
                    (k, s, off, d, doff, c) -> k.int8(s, off, scale, zp, d, doff, c),
                    100 + t);
            agree(
                    "uint8 s=" + scale + " zp=" + zp,
                    1,
                    (k, s, off, d, doff, c) -> k.uint8(s, off, scale, zp, d, doff, c),
                    200 + t);
        }
    }

    @Test
    void int8KnownValues() {
        byte[] b = {(byte) 0xFF, 0, 127, (byte) 0x80};
        for (DecodeKernels k : List.of(vec, SCALAR)) {
            float[] out = new float[4];
            k.int8(MemorySegment.ofArray(b), 0, 0.5f, -2, out, 0, 4);
            assertThat(out).containsExactly(0.5f, 1f, 64.5f, -63f);
            k.uint8(MemorySegment.ofArray(b), 0, 0.5f, 128, out, 0, 4);
            assertThat(out).containsExactly(63.5f, -64f, -0.5f, 0f);
        }
    }

    interface BlockKernel {
        void run(DecodeKernels k, byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be);
    }

    /** Random blocks whose f16 scales are random finite values (normal and subnormal); NaN-free, so bits must match exactly. */
    private static void blocksAgree(
            String what, int blockBytes, int values, int[] scaleOffsets, BlockKernel kernel, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        List<Integer> counts = new ArrayList<>();
        IntStream.rangeClosed(0, 40).forEach(counts::add);
        counts.addAll(List.of(257, 1001, 4096));
        int total = 0;
        for (boolean be : new boolean[] {false, true}) {
            for (int blocks : counts) {
                int srcOff = r.nextInt(5);
                int dstOff = r.nextInt(3);
                byte[] src = new byte[srcOff + blocks * blockBytes];
                r.nextBytes(src);
                for (int i = 0; i < blocks; i++) {
                    for (int so : scaleOffsets) {
                        int h;
                        do {
                            h = r.nextInt(65536);
                        } while ((h & 0x7C00) == 0x7C00);
                        int at = srcOff + i * blockBytes + so;
                        src[at + (be ? 1 : 0)] = (byte) h;
                        src[at + (be ? 0 : 1)] = (byte) (h >>> 8);
                    }
                }
                float[] a = new float[dstOff + blocks * values];
                float[] b = new float[a.length];
                kernel.run(vec, src, srcOff, blocks, a, dstOff, be);
                kernel.run(SCALAR, src, srcOff, blocks, b, dstOff, be);
                for (int i = 0; i < a.length; i++) {
                    if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) {
                        throw new AssertionError(String.format(
                                "%s blocks=%d be=%b i=%d: vector %s scalar %s", what, blocks, be, i, a[i], b[i]));
                    }
                }
                total += blocks * values;
            }
        }
        System.out.println(what + ": " + total + " values bit-identical");
    }

    /** Arbitrary bytes, scales included (inf/NaN scales): values must match, NaNs only as NaN (payload order is the JIT's). */
    private static void blocksAgreeOnAnyBytes(String what, int blockBytes, int values, BlockKernel kernel, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        for (int t = 0; t < 50; t++) {
            int blocks = 1 + r.nextInt(64);
            byte[] src = new byte[blocks * blockBytes];
            r.nextBytes(src);
            float[] a = new float[blocks * values];
            float[] b = new float[a.length];
            kernel.run(vec, src, 0, blocks, a, 0, false);
            kernel.run(SCALAR, src, 0, blocks, b, 0, false);
            for (int i = 0; i < a.length; i++) {
                boolean same = Float.floatToRawIntBits(a[i]) == Float.floatToRawIntBits(b[i])
                        || (Float.isNaN(a[i]) && Float.isNaN(b[i]));
                assertThat(same)
                        .as("%s t=%d i=%d: %s vs %s", what, t, i, a[i], b[i])
                        .isTrue();
            }
        }
    }

    @Test
    void q8_0TwinsAgree() {
        blocksAgree("q8_0", 34, 32, new int[] {0}, DecodeKernels::q8_0, 21);
        blocksAgreeOnAnyBytes("q8_0", 34, 32, DecodeKernels::q8_0, 22);
    }

    @Test
    void q4_KTwinsAgree() {
        blocksAgree("q4_K", 144, 256, new int[] {0, 2}, DecodeKernels::q4_K, 23);
        blocksAgreeOnAnyBytes("q4_K", 144, 256, DecodeKernels::q4_K, 24);
    }

    @Test
    void q6_KTwinsAgree() {
        blocksAgree("q6_K", 210, 256, new int[] {208}, DecodeKernels::q6_K, 25);
        blocksAgreeOnAnyBytes("q6_K", 210, 256, DecodeKernels::q6_K, 26);
    }

    @Test
    void q8_0KnownBlock() {
        byte[] block = new byte[34];
        block[0] = 0x00;
        block[1] = 0x38; // f16 0.5
        for (int j = 0; j < 32; j++) {
            block[2 + j] = (byte) (j - 16);
        }
        for (DecodeKernels k : List.of(vec, SCALAR)) {
            float[] out = new float[32];
            k.q8_0(block, 0, 1, out, 0, false);
            for (int j = 0; j < 32; j++) {
                assertThat(out[j]).isEqualTo((j - 16) * 0.5f);
            }
        }
    }

    @Test
    void rangesAreCheckedBeforeWriting() {
        MemorySegment seg = MemorySegment.ofArray(new byte[10]);
        for (DecodeKernels k : List.of(vec, SCALAR)) {
            float[] out = new float[8];
            assertThatThrownBy(() -> k.bf16(seg, 4, ByteOrder.LITTLE_ENDIAN, out, 0, 4))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> k.f16(seg, 0, ByteOrder.LITTLE_ENDIAN, out, 5, 4))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> k.fp8(Fp8Format.E5M2, seg, -1, out, 0, 1))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> k.int8(seg, 0, 1f, 0, out, 0, -1)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> k.q8_0(new byte[33], 0, 1, new float[32], 0, false))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> k.q4_K(new byte[144], 0, 1, new float[255], 0, false))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> k.q6_K(new byte[420], 1, 2, new float[512], 0, false))
                    .isInstanceOf(IndexOutOfBoundsException.class);
            assertThat(out).containsOnly(0f);
        }
    }
}
