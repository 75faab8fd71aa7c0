package dev.pedigree.format.onnx;

import dev.pedigree.model.DType;

/**
 * The {@code TensorProto.DataType} ids of onnx.proto, with the Pedigree {@link DType} each maps
 * to, the typed field that may hold its values when {@code raw_data} is absent, and the packed
 * byte size of {@code raw_data}.
 */
public enum OnnxDataType {
    UNDEFINED(0, DType.UNKNOWN, 0),
    FLOAT(1, DType.F32, OnnxDataType.FLOAT_DATA),
    UINT8(2, DType.U8, OnnxDataType.INT32_DATA),
    INT8(3, DType.I8, OnnxDataType.INT32_DATA),
    UINT16(4, DType.U16, OnnxDataType.INT32_DATA),
    INT16(5, DType.I16, OnnxDataType.INT32_DATA),
    INT32(6, DType.I32, OnnxDataType.INT32_DATA),
    INT64(7, DType.I64, OnnxDataType.INT64_DATA),
    STRING(8, DType.STRING, OnnxDataType.STRING_DATA),
    BOOL(9, DType.BOOL, OnnxDataType.INT32_DATA),
    FLOAT16(10, DType.F16, OnnxDataType.INT32_DATA),
    DOUBLE(11, DType.F64, OnnxDataType.DOUBLE_DATA),
    UINT32(12, DType.U32, OnnxDataType.UINT64_DATA),
    UINT64(13, DType.U64, OnnxDataType.UINT64_DATA),
    COMPLEX64(14, DType.C64, OnnxDataType.FLOAT_DATA),
    COMPLEX128(15, DType.C128, OnnxDataType.DOUBLE_DATA),
    BFLOAT16(16, DType.BF16, OnnxDataType.INT32_DATA),
    FLOAT8E4M3FN(17, DType.F8_E4M3, OnnxDataType.INT32_DATA),
    FLOAT8E4M3FNUZ(18, DType.F8_E4M3FNUZ, OnnxDataType.INT32_DATA),
    FLOAT8E5M2(19, DType.F8_E5M2, OnnxDataType.INT32_DATA),
    FLOAT8E5M2FNUZ(20, DType.F8_E5M2FNUZ, OnnxDataType.INT32_DATA),
    UINT4(21, DType.U4, OnnxDataType.INT32_DATA),
    INT4(22, DType.I4, OnnxDataType.INT32_DATA),
    FLOAT4E2M1(23, DType.F4, OnnxDataType.INT32_DATA),
    FLOAT8E8M0(24, DType.F8_E8M0, OnnxDataType.INT32_DATA),
    /** 2-bit integers, four per byte; Pedigree has no DType for them, so they are listed only. */
    UINT2(25, DType.UNKNOWN, OnnxDataType.INT32_DATA),
    INT2(26, DType.UNKNOWN, OnnxDataType.INT32_DATA);

    /** TensorProto field numbers of the typed value fields. */
    static final int FLOAT_DATA = 4;

    static final int INT32_DATA = 5;
    static final int STRING_DATA = 6;
    static final int INT64_DATA = 7;
    static final int DOUBLE_DATA = 10;
    static final int UINT64_DATA = 11;

    private static final OnnxDataType[] BY_ID = values();

    private final int id;
    private final DType dtype;
    private final int typedField;

    OnnxDataType(int id, DType dtype, int typedField) {
        this.id = id;
        this.dtype = dtype;
        this.typedField = typedField;
    }

    /** The id in onnx.proto. */
    public int id() {
        return id;
    }

    /** The Pedigree storage type ({@link DType#UNKNOWN} for UNDEFINED and the 2-bit types). */
    public DType dtype() {
        return dtype;
    }

    /** TensorProto field number of the typed field that holds this type's values (0 for none). */
    public int typedField() {
        return typedField;
    }

    /** Elements per packed byte for sub-byte types (2 for 4-bit, 4 for 2-bit), else 0. */
    int elementsPerByte() {
        return switch (this) {
            case UINT4, INT4, FLOAT4E2M1 -> 2;
            case UINT2, INT2 -> 4;
            default -> 0;
        };
    }

    /**
     * Bytes of {@code raw_data} for {@code elements} values, or -1 when the size is unknown
     * (UNDEFINED, STRING).
     *
     * @throws ArithmeticException on overflow
     */
    public long rawByteSize(long elements) {
        int perByte = elementsPerByte();
        if (perByte > 0) {
            return elements / perByte + (elements % perByte == 0 ? 0 : 1);
        }
        if (dtype.blockBytes() == 0) {
            return -1;
        }
        return Math.multiplyExact(elements, (long) dtype.blockBytes());
    }

    /** The type with onnx.proto id {@code id}, or null for ids this version does not know. */
    public static OnnxDataType fromId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }
}
