package dev.pedigree.kernels.decode;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

/** One twin of the decoding kernels. Arguments are already range-checked by {@link DecodeKernels}. */
interface DecodeOps {
    String name();

    void bf16(MemorySegment src, long offset, ByteOrder order, float[] dst, int dstOff, int count);

    void f16(MemorySegment src, long offset, ByteOrder order, float[] dst, int dstOff, int count);

    void fp8(Fp8Format format, MemorySegment src, long offset, float[] dst, int dstOff, int count);

    void int8(
            MemorySegment src,
            long offset,
            boolean unsigned,
            float scale,
            int zeroPoint,
            float[] dst,
            int dstOff,
            int count);

    void q8_0(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean bigEndian);

    void q4_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean bigEndian);

    void q6_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean bigEndian);

    /** Little- or big-endian f16 at {@code src[off]}, widened exactly. */
    static float f16(byte[] src, int off, boolean bigEndian) {
        int lo = src[off] & 0xFF;
        int hi = src[off + 1] & 0xFF;
        return Float.float16ToFloat((short) (bigEndian ? (lo << 8) | hi : (hi << 8) | lo));
    }

    /** 6-bit scale of Q4_K sub-block {@code t} (0..7) from the 12 packed bytes at {@code s}. */
    static int scaleK4(byte[] src, int s, int t) {
        if (t < 4) {
            return src[s + t] & 63;
        }
        return (src[s + t + 4] & 0x0F) | (((src[s + t - 4] & 0xFF) >>> 6) << 4);
    }

    /** 6-bit min of Q4_K sub-block {@code t} (0..7). */
    static int minK4(byte[] src, int s, int t) {
        if (t < 4) {
            return src[s + t + 4] & 63;
        }
        return ((src[s + t + 4] & 0xFF) >>> 4) | (((src[s + t] & 0xFF) >>> 6) << 4);
    }
}
