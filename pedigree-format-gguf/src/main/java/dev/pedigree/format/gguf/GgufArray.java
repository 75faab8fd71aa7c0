package dev.pedigree.format.gguf;

import java.util.AbstractList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A GGUF metadata array: its element type and its values. Numeric elements are held in primitive
 * arrays (so a large {@code scores} or {@code precompiled_charsmap} array costs what it weighs in
 * the file); {@link #get(int)} boxes on demand. Immutable and thread-safe.
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

    /** Wraps integer elements (u8..i32 as int, u32/u64/i64 as long are passed via {@link #ofLongs}). */
    public static GgufArray ofInts(GgufValueType type, int[] v) {
        requireType(
                type,
                GgufValueType.UINT8,
                GgufValueType.INT8,
                GgufValueType.UINT16,
                GgufValueType.INT16,
                GgufValueType.INT32);
        return new GgufArray(type, v.clone(), v.length);
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

    /** Reader-internal: the backing array without a copy. */
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
