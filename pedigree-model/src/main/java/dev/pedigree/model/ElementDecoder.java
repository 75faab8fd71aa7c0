package dev.pedigree.model;

import dev.pedigree.kernels.VectorSupport;
import dev.pedigree.kernels.decode.DecodeKernels;
import dev.pedigree.kernels.decode.Fp8Format;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Decodes runs of plain (non-block) element types from a memory segment into float32. BF16, F16,
 * the FP8 types, I8 and U8 go through {@link VectorSupport#decode()} (Vector API or its scalar twin,
 * chosen once at start-up; both give the same bits); E8M0 goes through a 256-entry table built
 * once. Block-quantised ggml types are decoded by the GGUF module.
 *
 * <p>Stateless and thread-safe.
 */
public final class ElementDecoder {
    private static final ValueLayout.OfShort S_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong L_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble D_LE =
            ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort S_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt I_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong L_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfFloat F_BE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfDouble D_BE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private static final float[] E8M0 = e8m0();

    private ElementDecoder() {}

    /**
     * Shortest bfloat16 run decoded by the active (Vector API) twin; shorter runs (single rows, scattered reads) use
     * the scalar twin. Both give identical floats (the conversion is exact); the scalar loop is compiled by the JIT
     * after a few calls, where Vector API code runs interpreted, a hundred times slower, until the optimising compiler
     * gets to it, which on a busy machine takes seconds. Long runs reach that compiler within one call.
     */
    static final int VECTOR_MIN_COUNT = 16_384;

    /**
     * Decodes {@code count} elements of {@code type} starting at byte {@code offset} of {@code src}
     * into {@code dst[dstOffset..]}.
     *
     * @throws IllegalArgumentException if {@code type} is not a plain decodable type
     */
    public static void decode(
            DType type, MemorySegment src, long offset, float[] dst, int dstOffset, int count, ByteOrder order) {
        boolean be = order == ByteOrder.BIG_ENDIAN;
        switch (type) {
            case F32 -> {
                if (!be) {
                    MemorySegment.copy(src, F_LE, offset, dst, dstOffset, count);
                } else {
                    MemorySegment.copy(src, F_BE, offset, dst, dstOffset, count);
                }
            }
            case F64 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = (float) src.get(be ? D_BE : D_LE, offset + 8L * i);
            }
            case F16 -> VectorSupport.decode().f16(src, offset, order, dst, dstOffset, count);
            case BF16 ->
                (count < VECTOR_MIN_COUNT ? DecodeKernels.scalar() : VectorSupport.decode())
                        .bf16(src, offset, order, dst, dstOffset, count);
            case F8_E4M3 -> VectorSupport.decode().fp8(Fp8Format.E4M3FN, src, offset, dst, dstOffset, count);
            case F8_E5M2 -> VectorSupport.decode().fp8(Fp8Format.E5M2, src, offset, dst, dstOffset, count);
            case F8_E4M3FNUZ -> VectorSupport.decode().fp8(Fp8Format.E4M3FNUZ, src, offset, dst, dstOffset, count);
            case F8_E5M2FNUZ -> VectorSupport.decode().fp8(Fp8Format.E5M2FNUZ, src, offset, dst, dstOffset, count);
            case F8_E8M0 -> lookup(E8M0, src, offset, dst, dstOffset, count);
            case BOOL, U8 -> VectorSupport.decode().uint8(src, offset, 1f, 0, dst, dstOffset, count);
            case I8 -> VectorSupport.decode().int8(src, offset, 1f, 0, dst, dstOffset, count);
            case U16 -> {
                for (int i = 0; i < count; i++)
                    dst[dstOffset + i] = src.get(be ? S_BE : S_LE, offset + 2L * i) & 0xFFFF;
            }
            case I16 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(be ? S_BE : S_LE, offset + 2L * i);
            }
            case U32 -> {
                for (int i = 0; i < count; i++)
                    dst[dstOffset + i] = src.get(be ? I_BE : I_LE, offset + 4L * i) & 0xFFFFFFFFL;
            }
            case I32 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(be ? I_BE : I_LE, offset + 4L * i);
            }
            case U64 -> {
                for (int i = 0; i < count; i++) {
                    long v = src.get(be ? L_BE : L_LE, offset + 8L * i);
                    dst[dstOffset + i] = v >= 0 ? v : (float) (v >>> 1) * 2f;
                }
            }
            case I64 -> {
                for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(be ? L_BE : L_LE, offset + 8L * i);
            }
            default -> throw new IllegalArgumentException("not a plain decodable dtype: " + type);
        }
    }

    /** Little-endian convenience overload. */
    public static void decode(DType type, MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        decode(type, src, offset, dst, dstOffset, count, ByteOrder.LITTLE_ENDIAN);
    }

    /** Whether {@link #decode} handles {@code type}. */
    public static boolean handles(DType type) {
        return type.decodable() && !type.blockQuantised();
    }

    /** Decodes one FP8 E4M3 (OCP "FN") byte. */
    public static float e4m3(int b) {
        return Fp8Format.E4M3FN.decode(b);
    }

    /** Decodes one FP8 E5M2 byte. */
    public static float e5m2(int b) {
        return Fp8Format.E5M2.decode(b);
    }

    private static void lookup(float[] table, MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
        for (int i = 0; i < count; i++) {
            dst[dstOffset + i] = table[src.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF];
        }
    }

    private static float[] e8m0() {
        float[] t = new float[256];
        for (int b = 0; b < 256; b++) {
            t[b] = b == 0xFF ? Float.NaN : (float) Math.pow(2, b - 127);
        }
        return t;
    }
}
