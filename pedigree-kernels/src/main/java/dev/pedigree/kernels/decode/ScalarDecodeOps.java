package dev.pedigree.kernels.decode;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Plain-Java twin: one element at a time, the reference the vector twin must match bit for bit. Block kernels follow
 * ggml-quants.c {@code dequantize_row_*} and evaluate products in the same order.
 */
final class ScalarDecodeOps implements DecodeOps {
    static final ScalarDecodeOps INSTANCE = new ScalarDecodeOps();
    private static final ValueLayout.OfShort S_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort S_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private ScalarDecodeOps() {}

    @Override
    public String name() {
        return "scalar";
    }

    @Override
    public void bf16(MemorySegment src, long offset, ByteOrder order, float[] dst, int dstOff, int count) {
        // One loop per order: a layout that is not a constant makes every access a slow, non-inlined VarHandle call.
        if (order == ByteOrder.BIG_ENDIAN) {
            for (int i = 0; i < count; i++) {
                dst[dstOff + i] = Float.intBitsToFloat((src.get(S_BE, offset + 2L * i) & 0xFFFF) << 16);
            }
        } else {
            for (int i = 0; i < count; i++) {
                dst[dstOff + i] = Float.intBitsToFloat((src.get(S_LE, offset + 2L * i) & 0xFFFF) << 16);
            }
        }
    }

    @Override
    public void f16(MemorySegment src, long offset, ByteOrder order, float[] dst, int dstOff, int count) {
        if (order == ByteOrder.BIG_ENDIAN) {
            for (int i = 0; i < count; i++) {
                dst[dstOff + i] = Float.float16ToFloat(src.get(S_BE, offset + 2L * i));
            }
        } else {
            for (int i = 0; i < count; i++) {
                dst[dstOff + i] = Float.float16ToFloat(src.get(S_LE, offset + 2L * i));
            }
        }
    }

    @Override
    public void fp8(Fp8Format format, MemorySegment src, long offset, float[] dst, int dstOff, int count) {
        float[] t = format.table();
        for (int i = 0; i < count; i++) {
            dst[dstOff + i] = t[src.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF];
        }
    }

    @Override
    public void int8(
            MemorySegment src,
            long offset,
            boolean unsigned,
            float scale,
            int zeroPoint,
            float[] dst,
            int dstOff,
            int count) {
        int mask = unsigned ? 0xFF : -1;
        for (int i = 0; i < count; i++) {
            int q = src.get(ValueLayout.JAVA_BYTE, offset + i) & mask;
            dst[dstOff + i] = (q - zeroPoint) * scale;
        }
    }

    @Override
    public void q8_0(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * DecodeKernels.Q8_0_BLOCK_BYTES;
            int y = dstOff + i * DecodeKernels.Q8_0_BLOCK_VALUES;
            float d = DecodeOps.f16(src, b, be);
            for (int j = 0; j < 32; j++) {
                dst[y + j] = src[b + 2 + j] * d;
            }
        }
    }

    @Override
    public void q4_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * DecodeKernels.Q4_K_BLOCK_BYTES;
            int y = dstOff + i * DecodeKernels.QK_K_BLOCK_VALUES;
            float d = DecodeOps.f16(src, b, be);
            float min = DecodeOps.f16(src, b + 2, be);
            int s = b + 4;
            int q = b + 16;
            for (int c = 0; c < 4; c++) {
                int t = 2 * c;
                float d1 = d * DecodeOps.scaleK4(src, s, t);
                float m1 = min * DecodeOps.minK4(src, s, t);
                float d2 = d * DecodeOps.scaleK4(src, s, t + 1);
                float m2 = min * DecodeOps.minK4(src, s, t + 1);
                for (int l = 0; l < 32; l++) {
                    dst[y + l] = d1 * (src[q + l] & 0x0F) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    dst[y + 32 + l] = d2 * ((src[q + l] & 0xFF) >>> 4) - m2;
                }
                q += 32;
                y += 64;
            }
        }
    }

    @Override
    public void q6_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * DecodeKernels.Q6_K_BLOCK_BYTES;
            int yb = dstOff + i * DecodeKernels.QK_K_BLOCK_VALUES;
            float d = DecodeOps.f16(src, b + 208, be);
            for (int h = 0; h < 2; h++) {
                int ql = b + 64 * h;
                int qh = b + 128 + 32 * h;
                int sc = b + 192 + 8 * h;
                int y = yb + 128 * h;
                for (int l = 0; l < 32; l++) {
                    int is = l / 16;
                    int lo = src[ql + l] & 0xFF;
                    int lo2 = src[ql + l + 32] & 0xFF;
                    int hi = src[qh + l] & 0xFF;
                    int q1 = ((lo & 0x0F) | ((hi & 3) << 4)) - 32;
                    int q2 = ((lo2 & 0x0F) | (((hi >>> 2) & 3) << 4)) - 32;
                    int q3 = ((lo >>> 4) | (((hi >>> 4) & 3) << 4)) - 32;
                    int q4 = ((lo2 >>> 4) | (((hi >>> 6) & 3) << 4)) - 32;
                    dst[y + l] = d * src[sc + is] * q1;
                    dst[y + l + 32] = d * src[sc + is + 2] * q2;
                    dst[y + l + 64] = d * src[sc + is + 4] * q3;
                    dst[y + l + 96] = d * src[sc + is + 6] * q4;
                }
            }
        }
    }
}
