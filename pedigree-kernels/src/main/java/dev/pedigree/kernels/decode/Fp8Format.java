package dev.pedigree.kernels.decode;

/**
 * The 8-bit float encodings decoded by {@link DecodeKernels}. Each constant carries its layout (mantissa bits,
 * exponent bias) and which byte patterns are special, and a 256-entry reference table built once from that
 * definition, which the scalar twin reads and the vector twin is tested against.
 *
 * <p>Immutable and thread-safe.
 */
public enum Fp8Format {
    /** OCP E4M3 ("FN"): bias 7, no infinities, only {@code S.1111.111} is NaN; max 448. */
    E4M3FN(3, 7, Specials.E4M3FN),
    /** OCP E5M2: bias 15, IEEE-style infinities and NaNs at exponent 31; max 57344. */
    E5M2(2, 15, Specials.IEEE),
    /** E4M3 "FNUZ" (AMD/Graphcore): bias 8, no infinities, no negative zero; {@code 0x80} is the only NaN. */
    E4M3FNUZ(3, 8, Specials.FNUZ),
    /** E5M2 "FNUZ": bias 16, no infinities, no negative zero; {@code 0x80} is the only NaN. */
    E5M2FNUZ(2, 16, Specials.FNUZ);

    enum Specials {
        E4M3FN,
        IEEE,
        FNUZ
    }

    private final int mantissaBits;
    private final int bias;
    private final Specials specials;
    private final float[] table;

    Fp8Format(int mantissaBits, int bias, Specials specials) {
        this.mantissaBits = mantissaBits;
        this.bias = bias;
        this.specials = specials;
        this.table = buildTable(mantissaBits, bias, specials);
    }

    /** Number of stored mantissa bits (3 or 2). */
    public int mantissaBits() {
        return mantissaBits;
    }

    /** Exponent bias. */
    public int bias() {
        return bias;
    }

    Specials specials() {
        return specials;
    }

    /** Decodes one byte (only its low 8 bits are used). */
    public float decode(int b) {
        return table[b & 0xFF];
    }

    float[] table() {
        return table;
    }

    private static float[] buildTable(int mBits, int bias, Specials specials) {
        float[] t = new float[256];
        int eBits = 7 - mBits;
        int maxE = (1 << eBits) - 1;
        int maxM = (1 << mBits) - 1;
        for (int b = 0; b < 256; b++) {
            int sign = (b >> 7) & 1;
            int e = (b >> mBits) & maxE;
            int m = b & maxM;
            float v;
            if (specials == Specials.FNUZ && b == 0x80) {
                t[b] = Float.NaN;
                continue;
            } else if (specials == Specials.IEEE && e == maxE) {
                v = m == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
            } else if (specials == Specials.E4M3FN && e == maxE && m == maxM) {
                v = Float.NaN;
            } else if (e == 0) {
                v = (float) (m / (double) (1 << mBits) * Math.pow(2, 1 - bias));
            } else {
                v = (float) ((1 + m / (double) (1 << mBits)) * Math.pow(2, e - bias));
            }
            // Sign by bit so that NaNs keep their sign bit deterministically (negation of NaN is not specified to).
            t[b] = Float.intBitsToFloat(Float.floatToRawIntBits(v) | (sign << 31));
        }
        return t;
    }
}
