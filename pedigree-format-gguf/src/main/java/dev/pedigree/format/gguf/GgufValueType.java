package dev.pedigree.format.gguf;

/** The metadata value types of GGUF ({@code gguf_type}), with their fixed sizes where they have one. */
public enum GgufValueType {
    UINT8(0, 1),
    INT8(1, 1),
    UINT16(2, 2),
    INT16(3, 2),
    UINT32(4, 4),
    INT32(5, 4),
    FLOAT32(6, 4),
    BOOL(7, 1),
    /** {@code u64 len} + UTF-8 bytes; {@link #minSize()} is the length prefix. */
    STRING(8, 8),
    /** {@code u32 elem_type, u64 count, elements}; {@link #minSize()} is the header. */
    ARRAY(9, 12),
    UINT64(10, 8),
    INT64(11, 8),
    FLOAT64(12, 8);

    private static final GgufValueType[] BY_ID = values();

    private final int id;
    private final int minSize;

    GgufValueType(int id, int minSize) {
        this.id = id;
        this.minSize = minSize;
    }

    /** The type with id {@code id}, or null if there is none. */
    public static GgufValueType byId(long id) {
        return id >= 0 && id < BY_ID.length ? BY_ID[(int) id] : null;
    }

    public int id() {
        return id;
    }

    /** The fewest bytes one value of this type occupies (its exact size for scalar types). */
    public int minSize() {
        return minSize;
    }

    /** True for fixed-size numeric and boolean types. */
    public boolean scalar() {
        return this != STRING && this != ARRAY;
    }
}
