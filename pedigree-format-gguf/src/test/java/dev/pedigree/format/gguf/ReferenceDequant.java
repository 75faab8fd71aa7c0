package dev.pedigree.format.gguf;

/**
 * Straightforward per-element dequantisation written from the formulas in formats.md §2 (element
 * e of a block, {@code h=e/128, j=(e%128)/32, l=e%32}), independent of the loop structure of
 * {@link GgmlDequant}. Computes in double. Little-endian blocks.
 */
final class ReferenceDequant {
    private ReferenceDequant() {}

    static double f16(byte[] b, int o) {
        return Float.float16ToFloat((short) ((b[o] & 0xFF) | (b[o + 1] & 0xFF) << 8));
    }

    static int u(byte[] b, int o) {
        return b[o] & 0xFF;
    }

    static double value(GgmlType t, byte[] blk, int e) {
        return switch (t) {
            case Q8_0 -> f16(blk, 0) * blk[2 + e];
            case Q4_0 -> f16(blk, 0) * (nibble(blk, 2, e) - 8);
            case Q4_1 -> f16(blk, 0) * nibble(blk, 4, e) + f16(blk, 2);
            case Q5_0 -> f16(blk, 0) * (nibble(blk, 6, e) + 16 * qhBit(blk, 2, e) - 16);
            case Q5_1 -> f16(blk, 0) * (nibble(blk, 8, e) + 16 * qhBit(blk, 4, e)) + f16(blk, 2);
            case Q2_K -> {
                int h = e / 128, j = (e % 128) / 32, l = e % 32;
                int q = (u(blk, 16 + 32 * h + l) >> (2 * j)) & 3;
                int sc = u(blk, 8 * h + 2 * j + (l >= 16 ? 1 : 0));
                yield f16(blk, 80) * (sc & 15) * q - f16(blk, 82) * (sc >> 4);
            }
            case Q3_K -> {
                int h = e / 128, j = (e % 128) / 32, l = e % 32;
                int q = (u(blk, 32 + 32 * h + l) >> (2 * j)) & 3;
                boolean bitSet = ((u(blk, l) >> (4 * h + j)) & 1) != 0;
                int s = 8 * h + 2 * j + (l >= 16 ? 1 : 0);
                yield f16(blk, 108) * q3Scale(blk, s) * (q - (bitSet ? 0 : 4));
            }
            case Q4_K, Q5_K -> {
                int c = e / 64, w = e % 64, l = w % 32;
                int t2 = 2 * c + (w >= 32 ? 1 : 0);
                int qsBase = t == GgmlType.Q4_K ? 16 : 48;
                int byteQ = u(blk, qsBase + 32 * c + l);
                int q = w < 32 ? byteQ & 15 : byteQ >> 4;
                if (t == GgmlType.Q5_K && ((u(blk, 16 + l) >> t2) & 1) != 0) {
                    q += 16;
                }
                int[] sm = scaleMin(blk, 4, t2);
                yield f16(blk, 0) * sm[0] * q - f16(blk, 2) * sm[1];
            }
            case Q6_K -> {
                int h = e / 128, r = e % 128, quarter = r / 32, l = r % 32;
                int ql = 64 * h, qh = 128 + 32 * h, sc = 192 + 8 * h;
                int low = switch (quarter) {
                    case 0 -> u(blk, ql + l) & 15;
                    case 1 -> u(blk, ql + l + 32) & 15;
                    case 2 -> u(blk, ql + l) >> 4;
                    default -> u(blk, ql + l + 32) >> 4;
                };
                int high = (u(blk, qh + l) >> (2 * quarter)) & 3;
                int q = (low | high << 4) - 32;
                yield f16(blk, 208) * blk[sc + l / 16 + 2 * quarter] * q;
            }
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    /** y[j] uses the low nibble of qs[j], y[j+16] the high nibble. */
    private static int nibble(byte[] blk, int qs, int e) {
        int b = u(blk, qs + e % 16);
        return e < 16 ? b & 15 : b >> 4;
    }

    private static int qhBit(byte[] blk, int at, int e) {
        long qh = (u(blk, at)) | (long) u(blk, at + 1) << 8 | (long) u(blk, at + 2) << 16 | (long) u(blk, at + 3) << 24;
        return (int) ((qh >> e) & 1);
    }

    static int q3Scale(byte[] blk, int s) {
        int sc = 96;
        int low = s < 8 ? u(blk, sc + s) & 15 : u(blk, sc + s - 8) >> 4;
        int high = (u(blk, sc + 8 + s % 4) >> (2 * (s / 4))) & 3;
        return (low | high << 4) - 32;
    }

    static int[] scaleMin(byte[] blk, int s, int t) {
        if (t < 4) {
            return new int[] {u(blk, s + t) & 63, u(blk, s + t + 4) & 63};
        }
        int sc = (u(blk, s + t + 4) & 15) | ((u(blk, s + t - 4) >> 6) << 4);
        int m = (u(blk, s + t + 4) >> 4) | ((u(blk, s + t) >> 6) << 4);
        return new int[] {sc, m};
    }
}
