package dev.pedigree.format.gguf;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A GGUF metadata array: its element type and its values. Numeric elements are held in primitive
 * arrays of their own width (u8/i8 in a {@code byte[]}, u16/i16 in a {@code short[]}), so a large
 * {@code scores} or {@code precompiled_charsmap} array costs what it weighs in the file and no more
 * (a 140 MB u8 array once took 560 MB as {@code int[]}); {@link #get(int)} widens and boxes on
 * demand. Immutable and thread-safe.
 *
 * <p>Element representations: u8, i8, u16, i16, i32 as {@code Integer}; u32, i64 and u64 (raw bits)
 * as {@code Long}; f32 as {@code Float}; f64 as {@code Double}; bool as {@code Boolean}; string as
 * {@code String}; nested arrays as {@code GgufArray}.
 */
public final class GgufArray {
    private final GgufValueType elementType;
    private final Object values;
    private final int size;

    private GgufArray(GgufValueType elementType, Object values, int size) {
        this.elementType = Objects.requireNonNull(elementType);
        this.values = values;
        this.size = size;
    }

    /**
     * Wraps integer elements (u8..i32 as int, u32/u64/i64 as long are passed via {@link #ofLongs}).
     *
     * @throws IllegalArgumentException if a value does not fit the element type
     */
    public static GgufArray ofInts(GgufValueType type, int[] v) {
        requireType(
                type,
                GgufValueType.UINT8,
                GgufValueType.INT8,
                GgufValueType.UINT16,
                GgufValueType.INT16,
                GgufValueType.INT32);
        Object backing = switch (type) {
            case UINT8, INT8 -> {
                byte[] b = new byte[v.length];
                for (int i = 0; i < v.length; i++) {
                    b[i] = (byte) checkRange(type, v[i]);
                }
                yield b;
            }
            case UINT16, INT16 -> {
                short[] b = new short[v.length];
                for (int i = 0; i < v.length; i++) {
                    b[i] = (short) checkRange(type, v[i]);
                }
                yield b;
            }
            default -> v.clone();
        };
        return new GgufArray(type, backing, v.length);
    }

    private static int checkRange(GgufValueType type, int x) {
        boolean ok = switch (type) {
            case UINT8 -> x >= 0 && x <= 0xFF;
            case INT8 -> x >= Byte.MIN_VALUE && x <= Byte.MAX_VALUE;
            case UINT16 -> x >= 0 && x <= 0xFFFF;
            case INT16 -> x >= Short.MIN_VALUE && x <= Short.MAX_VALUE;
            default -> true;
        };
        if (!ok) {
            throw new IllegalArgumentException(x + " does not fit " + type);
        }
        return x;
    }

    /** Element {@code i} of a {@code byte[]} or {@code short[]} backing, widened by the element type's sign. */
    private int narrow(int i) {
        return switch (values) {
            case byte[] a -> elementType == GgufValueType.UINT8 ? a[i] & 0xFF : a[i];
            case short[] a -> elementType == GgufValueType.UINT16 ? a[i] & 0xFFFF : a[i];
            default -> throw new IllegalStateException("not a narrow backing: " + values.getClass());
        };
    }

    public static GgufArray ofLongs(GgufValueType type, long[] v) {
        requireType(type, GgufValueType.UINT32, GgufValueType.UINT64, GgufValueType.INT64);
        return new GgufArray(type, v.clone(), v.length);
    }

    public static GgufArray ofFloats(float[] v) {
        return new GgufArray(GgufValueType.FLOAT32, v.clone(), v.length);
    }

    public static GgufArray ofDoubles(double[] v) {
        return new GgufArray(GgufValueType.FLOAT64, v.clone(), v.length);
    }

    public static GgufArray ofBools(boolean[] v) {
        return new GgufArray(GgufValueType.BOOL, v.clone(), v.length);
    }

    public static GgufArray ofStrings(List<String> v) {
        String[] a = v.toArray(String[]::new);
        for (String s : a) {
            Objects.requireNonNull(s);
        }
        return new GgufArray(GgufValueType.STRING, a, a.length);
    }

    public static GgufArray ofArrays(List<GgufArray> v) {
        GgufArray[] a = v.toArray(GgufArray[]::new);
        for (GgufArray s : a) {
            Objects.requireNonNull(s);
        }
        return new GgufArray(GgufValueType.ARRAY, a, a.length);
    }

    /** Takes ownership of {@code values} (reader-internal; no copy). */
    static GgufArray owning(GgufValueType type, Object values, int size) {
        return new GgufArray(type, values, size);
    }

    private static void requireType(GgufValueType t, GgufValueType... allowed) {
        for (GgufValueType a : allowed) {
            if (a == t) {
                return;
            }
        }
        throw new IllegalArgumentException("element type " + t + " not allowed here");
    }

    public GgufValueType elementType() {
        return elementType;
    }

    public int size() {
        return size;
    }

    /** Element {@code i}, boxed (see the class comment for the representation). */
    public Object get(int i) {
        Objects.checkIndex(i, size);
        return switch (values) {
            case byte[] _, short[] _ -> narrow(i);
            case int[] a -> a[i];
            case long[] a -> a[i];
            case float[] a -> a[i];
            case double[] a -> a[i];
            case boolean[] a -> a[i];
            case Object[] a -> a[i];
            default -> throw new IllegalStateException("unexpected backing " + values.getClass());
        };
    }

    /** The elements as a list view (boxed on access). */
    public List<Object> asList() {
        return new AbstractList<>() {
            @Override
            public Object get(int index) {
                return GgufArray.this.get(index);
            }

            @Override
            public int size() {
                return size;
            }
        };
    }

    /** String elements; throws {@link IllegalStateException} for other element types. */
    public List<String> strings() {
        if (!(values instanceof String[] a)) {
            throw new IllegalStateException("array of " + elementType + ", not strings");
        }
        return List.of(a);
    }

    /** Numeric elements widened to double (u64 read as unsigned); throws for strings/arrays. */
    public double[] toDoubleArray() {
        double[] out = new double[size];
        switch (values) {
            case byte[] _, short[] _ -> {
                for (int i = 0; i < size; i++) out[i] = narrow(i);
            }
            case int[] a -> {
                for (int i = 0; i < size; i++) out[i] = a[i];
            }
            case long[] a -> {
                for (int i = 0; i < size; i++) {
                    out[i] = elementType == GgufValueType.UINT64 && a[i] < 0
                            ? Math.scalb((double) (a[i] >>> 1), 1)
                            : a[i];
                }
            }
            case float[] a -> {
                for (int i = 0; i < size; i++) out[i] = a[i];
            }
            case double[] a -> System.arraycopy(a, 0, out, 0, size);
            case boolean[] a -> {
                for (int i = 0; i < size; i++) out[i] = a[i] ? 1 : 0;
            }
            default -> throw new IllegalStateException("array of " + elementType + " is not numeric");
        }
        return out;
    }

    /** Integer elements as long; throws for floating, string and array elements. */
    public long[] toLongArray() {
        return switch (values) {
            case byte[] _, short[] _ -> {
                long[] out = new long[size];
                for (int i = 0; i < size; i++) out[i] = narrow(i);
                yield out;
            }
            case int[] a -> Arrays.stream(a).asLongStream().toArray();
            case long[] a -> a.clone();
            default -> throw new IllegalStateException("array of " + elementType + " is not integral");
        };
    }

    /** Float elements; throws unless the element type is f32. */
    public float[] toFloatArray() {
        if (!(values instanceof float[] a)) {
            throw new IllegalStateException("array of " + elementType + ", not f32");
        }
        return a.clone();
    }

    /** Whether the elements are integers (u8 to u64, i8 to i64). */
    public boolean integral() {
        return values instanceof byte[]
                || values instanceof short[]
                || values instanceof int[]
                || values instanceof long[];
    }

    /**
     * Reader-internal: the backing array without a copy ({@code byte[]} for u8/i8 and {@code
     * short[]} for u16/i16, see the class comment).
     */
    Object backing() {
        return values;
    }

    @Override
    public boolean equals(Object o) {
        if (!(o instanceof GgufArray g) || g.elementType != elementType || g.size != size) {
            return false;
        }
        return Arrays.deepEquals(new Object[] {values}, new Object[] {g.values});
    }

    @Override
    public int hashCode() {
        return Arrays.deepHashCode(new Object[] {values}) * 31 + elementType.hashCode();
    }

    @Override
    public String toString() {
        return "array<" + elementType.name().toLowerCase(java.util.Locale.ROOT) + ">[" + size + "]";
    }
}
