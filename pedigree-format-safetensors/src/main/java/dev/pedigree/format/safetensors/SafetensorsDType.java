package dev.pedigree.format.safetensors;

import dev.pedigree.model.DType;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The dtype strings of the safetensors header ({@code safetensors/src/tensor.rs}, enum
 * {@code Dtype}), each with the model {@link DType} it stores and its width in bits.
 *
 * <p>Sizes come from {@link DType#byteSizeFor(long)}, whose block arithmetic matches the
 * reference rule for sub-byte types: {@code prod(shape) * bits} must be a multiple of 8 (two F4
 * values per byte, four F6 values per three bytes).
 */
public enum SafetensorsDType {
    // Declared in the reference enum's order, which its writer sorts by (descending) to lay out data.
    BOOL(DType.BOOL, 8),
    F4(DType.F4, 4),
    F6_E2M3(DType.F6_E2M3, 6),
    F6_E3M2(DType.F6_E3M2, 6),
    U8(DType.U8, 8),
    I8(DType.I8, 8),
    F8_E5M2(DType.F8_E5M2, 8),
    F8_E4M3(DType.F8_E4M3, 8),
    F8_E8M0(DType.F8_E8M0, 8),
    F8_E4M3FNUZ(DType.F8_E4M3FNUZ, 8),
    F8_E5M2FNUZ(DType.F8_E5M2FNUZ, 8),
    I16(DType.I16, 16),
    U16(DType.U16, 16),
    F16(DType.F16, 16),
    BF16(DType.BF16, 16),
    I32(DType.I32, 32),
    U32(DType.U32, 32),
    F32(DType.F32, 32),
    C64(DType.C64, 64),
    F64(DType.F64, 64),
    I64(DType.I64, 64),
    U64(DType.U64, 64);

    private static final Map<String, SafetensorsDType> BY_NAME =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(Enum::name, Function.identity()));
    private static final Map<DType, SafetensorsDType> BY_MODEL =
            Stream.of(values()).collect(Collectors.toUnmodifiableMap(SafetensorsDType::modelType, Function.identity()));

    private final DType modelType;
    private final int bits;

    SafetensorsDType(DType modelType, int bits) {
        this.modelType = modelType;
        this.bits = bits;
    }

    /** The storage type in Pedigree's model. */
    public DType modelType() {
        return modelType;
    }

    /** Bits per element. */
    public int bits() {
        return bits;
    }

    /** The string written in the header (the constant's name). */
    public String headerName() {
        return name();
    }

    /** The constant for a header string, or null if the string is not a safetensors dtype. */
    public static SafetensorsDType forHeaderName(String s) {
        return BY_NAME.get(s);
    }

    /**
     * The safetensors dtype that stores {@code type}.
     *
     * @throws IllegalArgumentException if safetensors has no such dtype (e.g. ggml block types)
     */
    public static SafetensorsDType of(DType type) {
        SafetensorsDType t = BY_MODEL.get(type);
        if (t == null) {
            throw new IllegalArgumentException("safetensors cannot store " + type);
        }
        return t;
    }

    /**
     * Bytes occupied by {@code elements} values, or -1 if they do not fill a whole number of bytes.
     *
     * @throws ArithmeticException on overflow
     */
    public long byteSizeFor(long elements) {
        return modelType.byteSizeFor(elements);
    }
}
