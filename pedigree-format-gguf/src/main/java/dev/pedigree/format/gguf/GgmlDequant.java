package dev.pedigree.format.gguf;

import dev.pedigree.kernels.VectorSupport;

/**
 * Dequantisation of ggml block types (ggml-quants.c {@code dequantize_row_*}) from bytes
 * already on the heap into float32. Each method decodes {@code blocks} consecutive blocks starting
 * at {@code src[srcOff]} into {@code dst[dstOff..]}; callers pass whole blocks (a GGUF row is a
 * whole number of blocks along ne0). Products are evaluated in the same order as the C reference
 * so results match llama.cpp bit for bit. Q8_0, Q4_K and Q6_K (the types that dominate real GGUF
 * files) go through {@link VectorSupport#decode()}, the Vector API kernels with a scalar twin that
 * give the same bits; the other types are decoded here, one value at a time.
 *
 * <p>Multi-byte fields inside blocks (f16 scales, the u32 {@code qh} of Q5_0/Q5_1) are read in the
 * file's byte order: little-endian normally, big-endian for byte-swapped GGUF files.
 *
 * <p>Stateless and thread-safe. Bounds are enforced by the JVM's array checks; the caller has
 * already checked that the tensor's bytes exist.
 */
public final class GgmlDequant {
    /** Elements per K-quant super-block. */
    public static final int QK_K = 256;

    private GgmlDequant() {}

    /**
     * Decodes {@code blocks} blocks of {@code type}.
     *
     * @throws IllegalArgumentException if {@code type} is not a block type decoded here
     */
    public static void dequantize(
            GgmlType type, byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean bigEndian) {
        switch (type) {
            case Q8_0 -> q8_0(src, srcOff, blocks, dst, dstOff, bigEndian);
            case Q4_0 -> q4_0(src, srcOff, blocks, dst, dstOff, bigEndian);
            case Q4_1 -> q4_1(src, srcOff, blocks, dst, dstOff, bigEndian);
            case Q5_0 -> q5_0(src, srcOff, blocks, dst, dstOff, bigEndian);
            case Q5_1 -> q5_1(src, srcOff, blocks, dst, dstOff, bigEndian);
            case Q2_K -> q2_K(src, srcOff, blocks, dst, dstOff, bigEndian);
            case Q3_K -> q3_K(src, srcOff, blocks, dst, dstOff, bigEndian);
            case Q4_K -> q4_K(src, srcOff, blocks, dst, dstOff, bigEndian);
            case Q5_K -> q5_K(src, srcOff, blocks, dst, dstOff, bigEndian);
            case Q6_K -> q6_K(src, srcOff, blocks, dst, dstOff, bigEndian);
            default -> throw new IllegalArgumentException("not a block type decoded by GgmlDequant: " + type);
        }
    }

    /** Whether {@link #dequantize} handles {@code type}. */
    public static boolean handles(GgmlType type) {
        return switch (type) {
            case Q8_0, Q4_0, Q4_1, Q5_0, Q5_1, Q2_K, Q3_K, Q4_K, Q5_K, Q6_K -> true;
            default -> false;
        };
    }

    static float f16(byte[] b, int off, boolean be) {
        int lo = b[off] & 0xFF;
        int hi = b[off + 1] & 0xFF;
        return Float.float16ToFloat((short) (be ? (lo << 8) | hi : (hi << 8) | lo));
    }

    static int u32(byte[] b, int off, boolean be) {
        int b0 = b[off] & 0xFF;
        int b1 = b[off + 1] & 0xFF;
        int b2 = b[off + 2] & 0xFF;
        int b3 = b[off + 3] & 0xFF;
        return be ? (b0 << 24) | (b1 << 16) | (b2 << 8) | b3 : (b3 << 24) | (b2 << 16) | (b1 << 8) | b0;
    }

    /** Q8_0: {@code d:f16, qs:i8[32]}; {@code y = q*d}. */
    public static void q8_0(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        VectorSupport.decode().q8_0(src, srcOff, blocks, dst, dstOff, be);
    }

    /** Q4_0: {@code d:f16, qs[16]}; {@code y = (nibble - 8)*d}, low nibbles first. */
    public static void q4_0(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * 18;
            int y = dstOff + i * 32;
            float d = f16(src, b, be);
            for (int j = 0; j < 16; j++) {
                int q = src[b + 2 + j] & 0xFF;
                dst[y + j] = ((q & 0x0F) - 8) * d;
                dst[y + j + 16] = ((q >>> 4) - 8) * d;
            }
        }
    }

    /** Q4_1: {@code d, m:f16, qs[16]}; {@code y = nibble*d + m}. */
    public static void q4_1(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * 20;
            int y = dstOff + i * 32;
            float d = f16(src, b, be);
            float m = f16(src, b + 2, be);
            for (int j = 0; j < 16; j++) {
                int q = src[b + 4 + j] & 0xFF;
                dst[y + j] = (q & 0x0F) * d + m;
                dst[y + j + 16] = (q >>> 4) * d + m;
            }
        }
    }

    /** Q5_0: {@code d:f16, qh:u32, qs[16]}; fifth bit from qh, {@code y = (q - 16)*d}. */
    public static void q5_0(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * 22;
            int y = dstOff + i * 32;
            float d = f16(src, b, be);
            int qh = u32(src, b + 2, be);
            for (int j = 0; j < 16; j++) {
                int q = src[b + 6 + j] & 0xFF;
                int x0 = ((q & 0x0F) | (((qh >>> j) << 4) & 0x10)) - 16;
                int x1 = ((q >>> 4) | ((qh >>> (j + 12)) & 0x10)) - 16;
                dst[y + j] = x0 * d;
                dst[y + j + 16] = x1 * d;
            }
        }
    }

    /** Q5_1: {@code d, m:f16, qh:u32, qs[16]}; {@code y = q*d + m}. */
    public static void q5_1(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * 24;
            int y = dstOff + i * 32;
            float d = f16(src, b, be);
            float m = f16(src, b + 2, be);
            int qh = u32(src, b + 4, be);
            for (int j = 0; j < 16; j++) {
                int q = src[b + 8 + j] & 0xFF;
                int x0 = (q & 0x0F) | (((qh >>> j) << 4) & 0x10);
                int x1 = (q >>> 4) | ((qh >>> (j + 12)) & 0x10);
                dst[y + j] = x0 * d + m;
                dst[y + j + 16] = x1 * d + m;
            }
        }
    }

    /** Q2_K: {@code scales[16], qs[64], d, dmin:f16}. */
    public static void q2_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * 84;
            int y = dstOff + i * QK_K;
            float d = f16(src, b + 80, be);
            float min = f16(src, b + 82, be);
            int is = 0;
            for (int h = 0; h < 2; h++) {
                int q = b + 16 + 32 * h;
                for (int j = 0; j < 4; j++) {
                    int shift = 2 * j;
                    for (int half = 0; half < 2; half++) {
                        int sc = src[b + is++] & 0xFF;
                        float dl = d * (sc & 0x0F);
                        float ml = min * (sc >>> 4);
                        for (int l = 0; l < 16; l++) {
                            dst[y++] = dl * (((src[q + 16 * half + l] & 0xFF) >>> shift) & 3) - ml;
                        }
                    }
                }
            }
        }
    }

    /** Q3_K: {@code hmask[32], qs[64], scales[12], d:f16}; 6-bit scales offset by −32. */
    public static void q3_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        int[] scales = new int[16];
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * 110;
            int y = dstOff + i * QK_K;
            int hm = b;
            int sc = b + 96;
            float d = f16(src, b + 108, be);
            for (int s = 0; s < 16; s++) {
                int low = s < 8 ? src[sc + s] & 0x0F : (src[sc + s - 8] & 0xFF) >>> 4;
                int high = ((src[sc + 8 + (s & 3)] & 0xFF) >>> (2 * (s >>> 2))) & 3;
                scales[s] = (low | (high << 4)) - 32;
            }
            int is = 0;
            int m = 1;
            for (int h = 0; h < 2; h++) {
                int q = b + 32 + 32 * h;
                for (int j = 0; j < 4; j++) {
                    int shift = 2 * j;
                    for (int half = 0; half < 2; half++) {
                        float dl = d * scales[is++];
                        for (int l = 16 * half; l < 16 * half + 16; l++) {
                            int v = ((src[q + l] & 0xFF) >>> shift) & 3;
                            dst[y++] = dl * (v - ((src[hm + l] & m) != 0 ? 0 : 4));
                        }
                    }
                    m <<= 1;
                }
            }
        }
    }

    /** Q4_K: {@code d, dmin:f16, scales[12], qs[128]}. */
    public static void q4_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        VectorSupport.decode().q4_K(src, srcOff, blocks, dst, dstOff, be);
    }

    /** Q5_K: {@code d, dmin:f16, scales[12], qh[32], qs[128]}. */
    public static void q5_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * 176;
            int y = dstOff + i * QK_K;
            float d = f16(src, b, be);
            float min = f16(src, b + 2, be);
            int s = b + 4;
            int qh = b + 16;
            int q = b + 48;
            int u1 = 1;
            int u2 = 2;
            for (int c = 0; c < 4; c++) {
                int t = 2 * c;
                float d1 = d * scaleK4(src, s, t);
                float m1 = min * minK4(src, s, t);
                float d2 = d * scaleK4(src, s, t + 1);
                float m2 = min * minK4(src, s, t + 1);
                for (int l = 0; l < 32; l++) {
                    dst[y + l] = d1 * ((src[q + l] & 0x0F) + ((src[qh + l] & u1) != 0 ? 16 : 0)) - m1;
                }
                for (int l = 0; l < 32; l++) {
                    dst[y + 32 + l] = d2 * (((src[q + l] & 0xFF) >>> 4) + ((src[qh + l] & u2) != 0 ? 16 : 0)) - m2;
                }
                q += 32;
                y += 64;
                u1 <<= 2;
                u2 <<= 2;
            }
        }
    }

    /** Q6_K: {@code ql[128], qh[64], scales:i8[16], d:f16}. */
    public static void q6_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        VectorSupport.decode().q6_K(src, srcOff, blocks, dst, dstOff, be);
    }

    /** 6-bit scale of sub-block {@code t} (0..7) from the 12 packed bytes at {@code s}. */
    private static int scaleK4(byte[] src, int s, int t) {
        if (t < 4) {
            return src[s + t] & 63;
        }
        return (src[s + t + 4] & 0x0F) | (((src[s + t - 4] & 0xFF) >>> 6) << 4);
    }

    /** 6-bit min of sub-block {@code t} (0..7). */
    private static int minK4(byte[] src, int s, int t) {
        if (t < 4) {
            return src[s + t + 4] & 63;
        }
        return ((src[s + t + 4] & 0xFF) >>> 4) | (((src[s + t] & 0xFF) >>> 6) << 4);
    }
}
