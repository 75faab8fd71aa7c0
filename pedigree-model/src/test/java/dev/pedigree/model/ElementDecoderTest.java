package dev.pedigree.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.kernels.decode.Fp8Format;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link ElementDecoder} sends each element type to the decoding kernels and gets the values the formats define. */
class ElementDecoderTest {
    @Test
    void elementDecoderRoutesThroughKernels() {
        SplittableRandom r = new SplittableRandom(31);
        byte[] bytes = new byte[2 * 1000 + 1];
        r.nextBytes(bytes);
        MemorySegment seg = MemorySegment.ofArray(bytes);
        float[] a = new float[1000];
        float[] b = new float[1000];
        for (DType t : List.of(
                DType.BF16,
                DType.F16,
                DType.F8_E4M3,
                DType.F8_E5M2,
                DType.F8_E4M3FNUZ,
                DType.F8_E5M2FNUZ,
                DType.I8,
                DType.U8,
                DType.BOOL)) {
            for (ByteOrder o : List.of(ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN)) {
                ElementDecoder.decode(t, seg, 1, a, 0, 1000, o);
                for (int i = 0; i < 1000; i++) {
                    long at = 1 + (long) i * t.blockBytes();
                    float expect = switch (t) {
                        case BF16 -> Float.intBitsToFloat((seg.get(layout(o), at) & 0xFFFF) << 16);
                        case F16 -> Float.float16ToFloat(seg.get(layout(o), at));
                        case F8_E4M3 -> Fp8Format.E4M3FN.decode(bytes[(int) at]);
                        case F8_E5M2 -> Fp8Format.E5M2.decode(bytes[(int) at]);
                        case F8_E4M3FNUZ -> Fp8Format.E4M3FNUZ.decode(bytes[(int) at]);
                        case F8_E5M2FNUZ -> Fp8Format.E5M2FNUZ.decode(bytes[(int) at]);
                        case I8 -> bytes[(int) at];
                        default -> bytes[(int) at] & 0xFF;
                    };
                    b[i] = expect;
                }
                for (int i = 0; i < 1000; i++) {
                    assertThat(Float.floatToRawIntBits(a[i]))
                            .as("%s %s %d", t, o, i)
                            .isEqualTo(Float.floatToRawIntBits(b[i]));
                }
            }
        }
        assertThat(ElementDecoder.e4m3(0x7E)).isEqualTo(448f);
        assertThat(ElementDecoder.e5m2(0x7B)).isEqualTo(57344f);
    }

    private static java.lang.foreign.ValueLayout.OfShort layout(ByteOrder o) {
        return java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(o);
    }
}
