package dev.pedigree.format.gguf;

import java.util.Random;

/**
 * Random quantised blocks with finite scales, for the dequantisation tests and the {@code DequantThroughput}
 * benchmark (pedigree-bench), which gets this class from the module's test-jar.
 */
public final class GgmlBlocks {
    private GgmlBlocks() {}

    /** {@code blocks} blocks of type {@code t}: random bytes, with every f16 scale field set to a finite value. */
    public static byte[] random(GgmlType t, int blocks, Random rnd) {
        byte[] b = new byte[blocks * t.typeSize()];
        rnd.nextBytes(b);
        for (int i = 0; i < blocks; i++) {
            int o = i * t.typeSize();
            int[] halfs = switch (t) {
                case Q8_0, Q4_0, Q5_0 -> new int[] {0};
                case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
                case Q2_K -> new int[] {80, 82};
                case Q3_K -> new int[] {108};
                case Q6_K -> new int[] {208};
                default -> new int[0];
            };
            for (int h : halfs) {
                short v = Float.floatToFloat16((rnd.nextFloat() - 0.5f) * 4f);
                b[o + h] = (byte) v;
                b[o + h + 1] = (byte) (v >> 8);
            }
        }
        return b;
    }
}
