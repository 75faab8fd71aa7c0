package dev.pedigree.format.gguf;

import dev.pedigree.model.DType;

/**
 * The {@code ggml_type} ids that may appear in a GGUF tensor info, with their block arithmetic
 * (ggml-common.h). Each constant knows its elements per block, bytes per block and the
 * {@link DType} it is reported as; {@link #decodable()} says whether Pedigree can turn its values
 * into float32.
 *
 * <p>Ids 4, 5, 31–33 and 36–38 were removed from ggml and are rejected as unknown. Q1_0 and Q2_0
 * are known by name, but their block layout is not recorded here, so tensors of those types are
 * refused at open time.
 */
public enum GgmlType {
    F32(0, 1, 4, DType.F32, true),
    F16(1, 1, 2, DType.F16, true),
    Q4_0(2, 32, 18, DType.Q4_0, true),
    Q4_1(3, 32, 20, DType.Q4_1, true),
    Q5_0(6, 32, 22, DType.Q5_0, true),
    Q5_1(7, 32, 24, DType.Q5_1, true),
    Q8_0(8, 32, 34, DType.Q8_0, true),
    Q8_1(9, 32, 36, DType.Q8_1, false),
    Q2_K(10, 256, 84, DType.Q2_K, true),
    Q3_K(11, 256, 110, DType.Q3_K, true),
    Q4_K(12, 256, 144, DType.Q4_K, true),
    Q5_K(13, 256, 176, DType.Q5_K, true),
    Q6_K(14, 256, 210, DType.Q6_K, true),
    Q8_K(15, 256, 292, DType.Q8_K, false),
    IQ2_XXS(16, 256, 66, DType.IQ2_XXS, false),
    IQ2_XS(17, 256, 74, DType.IQ2_XS, false),
    IQ3_XXS(18, 256, 98, DType.IQ3_XXS, false),
    IQ1_S(19, 256, 50, DType.IQ1_S, false),
    IQ4_NL(20, 32, 18, DType.IQ4_NL, false),
    IQ3_S(21, 256, 110, DType.IQ3_S, false),
    IQ2_S(22, 256, 82, DType.IQ2_S, false),
    IQ4_XS(23, 256, 136, DType.IQ4_XS, false),
    I8(24, 1, 1, DType.I8, true),
    I16(25, 1, 2, DType.I16, true),
    I32(26, 1, 4, DType.I32, true),
    I64(27, 1, 8, DType.I64, true),
    F64(28, 1, 8, DType.F64, true),
    IQ1_M(29, 256, 56, DType.IQ1_M, false),
    BF16(30, 1, 2, DType.BF16, true),
    TQ1_0(34, 256, 54, DType.TQ1_0, false),
    TQ2_0(35, 256, 66, DType.TQ2_0, false),
    MXFP4(39, 32, 17, DType.MXFP4, false),
    NVFP4(40, 64, 36, DType.NVFP4, false),
    /** Known id; block layout not recorded (blockSize and typeSize are 0). */
    Q1_0(41, 0, 0, DType.UNKNOWN, false),
    /** Known id; block layout not recorded (blockSize and typeSize are 0). */
    Q2_0(42, 0, 0, DType.UNKNOWN, false);

    private static final GgmlType[] BY_ID = new GgmlType[64];

    static {
        for (GgmlType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    private final int id;
    private final int blockSize;
    private final int typeSize;
    private final DType dtype;
    private final boolean decodable;

    GgmlType(int id, int blockSize, int typeSize, DType dtype, boolean decodable) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
        this.dtype = dtype;
        this.decodable = decodable;
    }

    /** The type with ggml id {@code id}, or null for an unknown or removed id. */
    public static GgmlType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    /** The numeric {@code ggml_type} id. */
    public int id() {
        return id;
    }

    /** Elements per block (1 for plain types; 0 when the layout is not known). */
    public int blockSize() {
        return blockSize;
    }

    /** Bytes per block (element size for plain types; 0 when the layout is not known). */
    public int typeSize() {
        return typeSize;
    }

    /** The model-level storage type reported for tensors of this type. */
    public DType dtype() {
        return dtype;
    }

    /** Whether Pedigree decodes values of this type to float32. */
    public boolean decodable() {
        return decodable;
    }

    /** Whether the block layout (and so the byte size of a tensor) is known. */
    public boolean layoutKnown() {
        return blockSize > 0 && typeSize > 0;
    }

    /** True for block-quantised types (more than one element per block). */
    public boolean blockQuantised() {
        return blockSize > 1;
    }

    /**
     * Bytes for {@code n} elements laid out along ne0: {@code n / blockSize * typeSize}.
     *
     * @return -1 if {@code n} is negative, not a whole number of blocks, or the layout is unknown
     * @throws ArithmeticException on overflow
     */
    public long byteSizeFor(long n) {
        if (!layoutKnown() || n < 0 || n % blockSize != 0) {
            return -1;
        }
        return Math.multiplyExact(n / blockSize, (long) typeSize);
    }
}
