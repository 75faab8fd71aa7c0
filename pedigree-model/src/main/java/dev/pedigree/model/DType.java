package dev.pedigree.model;

/**
 * Storage types of tensor elements across formats. Each constant carries its own block arithmetic
 * (elements and bytes per block), so byte sizes are computed in one place.
 *
 * <p>{@link #decodable()} says whether Pedigree can turn values of this type into float32; the
 * others are listed by {@code inspect} and refused by name when values are needed.
 */
public enum DType {
    F64(1, 8, true),
    F32(1, 4, true),
    F16(1, 2, true),
    BF16(1, 2, true),
    F8_E4M3(1, 1, true),
    F8_E5M2(1, 1, true),
    F8_E4M3FNUZ(1, 1, true),
    F8_E5M2FNUZ(1, 1, true),
    F8_E8M0(1, 1, true),
    BOOL(1, 1, true),
    U8(1, 1, true),
    I8(1, 1, true),
    U16(1, 2, true),
    I16(1, 2, true),
    U32(1, 4, true),
    I32(1, 4, true),
    U64(1, 8, true),
    I64(1, 8, true),
    C64(1, 8, false),
    C128(1, 16, false),
    /** 4-bit values, two per byte (ONNX INT4/UINT4, MX FP4); listed only. */
    I4(2, 1, false),
    U4(2, 1, false),
    F4(2, 1, false),
    F6_E2M3(4, 3, false),
    F6_E3M2(4, 3, false),
    STRING(1, 0, false),
    // ggml block-quantised types (ggml-common.h)
    Q4_0(32, 18, true),
    Q4_1(32, 20, true),
    Q5_0(32, 22, true),
    Q5_1(32, 24, true),
    Q8_0(32, 34, true),
    Q8_1(32, 36, false),
    Q2_K(256, 84, true),
    Q3_K(256, 110, true),
    Q4_K(256, 144, true),
    Q5_K(256, 176, true),
    Q6_K(256, 210, true),
    Q8_K(256, 292, false),
    IQ2_XXS(256, 66, false),
    IQ2_XS(256, 74, false),
    IQ3_XXS(256, 98, false),
    IQ1_S(256, 50, false),
    IQ4_NL(32, 18, false),
    IQ3_S(256, 110, false),
    IQ2_S(256, 82, false),
    IQ4_XS(256, 136, false),
    IQ1_M(256, 56, false),
    TQ1_0(256, 54, false),
    TQ2_0(256, 66, false),
    MXFP4(32, 17, false),
    NVFP4(64, 36, false),
    /** A type Pedigree does not know; only listed. */
    UNKNOWN(1, 0, false);

    private final int blockElements;
    private final int blockBytes;
    private final boolean decodable;

    DType(int blockElements, int blockBytes, boolean decodable) {
        this.blockElements = blockElements;
        this.blockBytes = blockBytes;
        this.decodable = decodable;
    }

    /** Elements per block (1 for plain types). */
    public int blockElements() {
        return blockElements;
    }

    /** Bytes per block (the element size for plain types). */
    public int blockBytes() {
        return blockBytes;
    }

    public boolean decodable() {
        return decodable;
    }

    /** True for ggml block-quantised types. */
    public boolean blockQuantised() {
        return blockElements >= 32;
    }

    /** True for types whose elements are integers (quantised storage in ONNX/PyTorch). */
    public boolean integer() {
        return switch (this) {
            case BOOL, U8, I8, U16, I16, U32, I32, U64, I64, I4, U4 -> true;
            default -> false;
        };
    }

    /**
     * Bytes needed for {@code elements} values, or -1 if {@code elements} is not a whole number of
     * blocks or the type's size is unknown.
     *
     * @throws ArithmeticException on overflow
     */
    public long byteSizeFor(long elements) {
        if (blockBytes == 0 || elements < 0 || elements % blockElements != 0) {
            return -1;
        }
        return Math.multiplyExact(elements / blockElements, (long) blockBytes);
    }
}
