package dev.pedigree.format.gguf;

import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes GGUF files (v3 by default; v2 and big-endian on request) for tests and simulators:
 * metadata of every value type and tensors stored as F32, F16, BF16, Q8_0 or Q4_0 (quantised with
 * ggml's reference rounding), or any type given as raw stored bytes. Tensor data is padded to the
 * alignment.
 *
 * <p>Not thread-safe; a builder used once. Values are copied when added.
 */
public final class GgufWriter {
    private int version = 3;
    private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
    private int alignment = GgufFile.DEFAULT_ALIGNMENT;
    private final Map<String, Object[]> kvs = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();

    private record PendingTensor(String name, GgmlType type, long[] dims, byte[] data) {}

    public GgufWriter() {}

    /** The version written into the header (2 or 3; anything else for corrupt-file tests). */
    public GgufWriter version(int v) {
        this.version = v;
        return this;
    }

    /** Byte order of every header field and of the tensors encoded by {@link #addTensor(String, long[], float[], GgmlType)}. */
    public GgufWriter byteOrder(ByteOrder o) {
        this.order = Objects.requireNonNull(o);
        return this;
    }

    /** Sets the alignment and writes {@code general.alignment} as u32. */
    public GgufWriter alignment(int a) {
        if (a <= 0 || Integer.bitCount(a) != 1) {
            throw new IllegalArgumentException("alignment " + a + " is not a power of two");
        }
        this.alignment = a;
        return put("general.alignment", GgufValueType.UINT32, (long) a);
    }

    /**
     * Adds a metadata value. Representation as documented on {@link GgufArray}: u8..i32 as any
     * {@link Number} (narrowed), u32/u64/i64 as {@link Number} (long bits), f32, f64, Boolean,
     * String, {@link GgufArray}.
     */
    public GgufWriter put(String key, GgufValueType type, Object value) {
        Objects.requireNonNull(key);
        Objects.requireNonNull(type);
        Objects.requireNonNull(value);
        kvs.put(key, new Object[] {type, value});
        return this;
    }

    public GgufWriter putString(String key, String v) {
        return put(key, GgufValueType.STRING, v);
    }

    public GgufWriter putU32(String key, long v) {
        return put(key, GgufValueType.UINT32, v);
    }

    public GgufWriter putI32(String key, int v) {
        return put(key, GgufValueType.INT32, v);
    }

    public GgufWriter putF32(String key, float v) {
        return put(key, GgufValueType.FLOAT32, v);
    }

    public GgufWriter putBool(String key, boolean v) {
        return put(key, GgufValueType.BOOL, v);
    }

    public GgufWriter putArray(String key, GgufArray v) {
        return put(key, GgufValueType.ARRAY, v);
    }

    /** Adds a tensor from its stored bytes; {@code ggufDims} are in GGUF order (ne0 first). */
    public GgufWriter addRawTensor(String name, GgmlType type, long[] ggufDims, byte[] stored) {
        long n = 1;
        for (long d : ggufDims) {
            n = Math.multiplyExact(n, d);
        }
        long ne0 = ggufDims.length == 0 ? 1 : ggufDims[0];
        long expect = n == 0 ? 0 : type.byteSizeFor(ne0) * (n / ne0);
        if (expect != stored.length) {
            throw new IllegalArgumentException("tensor " + name + " of " + type + Arrays.toString(ggufDims) + " needs "
                    + expect + " bytes, got " + stored.length);
        }
        tensors.add(new PendingTensor(name, type, ggufDims.clone(), stored.clone()));
        return this;
    }

    /**
     * Adds a tensor given in canonical (row-major, PyTorch) order, encoded as {@code type} (F32, F16,
     * BF16, Q8_0 or Q4_0). The GGUF dimensions are the canonical ones reversed.
     */
    public GgufWriter addTensor(String name, long[] canonicalShape, float[] values, GgmlType type) {
        long[] dims = new long[canonicalShape.length];
        for (int i = 0; i < dims.length; i++) {
            dims[i] = canonicalShape[canonicalShape.length - 1 - i];
        }
        boolean be = order == ByteOrder.BIG_ENDIAN;
        byte[] data = switch (type) {
            case F32 -> {
                byte[] b = new byte[values.length * 4];
                for (int i = 0; i < values.length; i++) putInt(b, 4 * i, Float.floatToRawIntBits(values[i]), be);
                yield b;
            }
            case F16 -> {
                byte[] b = new byte[values.length * 2];
                for (int i = 0; i < values.length; i++) putShort(b, 2 * i, Float.floatToFloat16(values[i]), be);
                yield b;
            }
            case BF16 -> {
                byte[] b = new byte[values.length * 2];
                for (int i = 0; i < values.length; i++) putShort(b, 2 * i, bf16(values[i]), be);
                yield b;
            }
            case Q8_0 -> quantizeQ8_0(values, be);
            case Q4_0 -> quantizeQ4_0(values, be);
            default -> throw new IllegalArgumentException("GgufWriter does not encode " + type + "; use addRawTensor");
        };
        return addRawTensor(name, type, dims, data);
    }

    /** Round-to-nearest-even float32 → bfloat16 bits (NaN kept quiet). */
    static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /** ggml's {@code quantize_row_q8_0_ref}: {@code d = amax/127}, {@code q = round(x/d)}. */
    public static byte[] quantizeQ8_0(float[] x, boolean bigEndian) {
        if (x.length % 32 != 0) {
            throw new IllegalArgumentException("Q8_0 needs a multiple of 32 values, got " + x.length);
        }
        int blocks = x.length / 32;
        byte[] out = new byte[blocks * 34];
        for (int i = 0; i < blocks; i++) {
            float amax = 0;
            for (int j = 0; j < 32; j++) amax = Math.max(amax, Math.abs(x[32 * i + j]));
            float d = amax / 127f;
            float id = d != 0 ? 1f / d : 0f;
            putShort(out, 34 * i, Float.floatToFloat16(d), bigEndian);
            for (int j = 0; j < 32; j++) {
                float v = x[32 * i + j] * id;
                // roundf: halves away from zero
                out[34 * i + 2 + j] = (byte) (int) Math.copySign(Math.floor(Math.abs(v) + 0.5f), v);
            }
        }
        return out;
    }

    /** ggml's {@code quantize_row_q4_0_ref}: {@code d = max/-8} (max by magnitude, signed). */
    public static byte[] quantizeQ4_0(float[] x, boolean bigEndian) {
        if (x.length % 32 != 0) {
            throw new IllegalArgumentException("Q4_0 needs a multiple of 32 values, got " + x.length);
        }
        int blocks = x.length / 32;
        byte[] out = new byte[blocks * 18];
        for (int i = 0; i < blocks; i++) {
            float amax = 0;
            float max = 0;
            for (int j = 0; j < 32; j++) {
                float v = x[32 * i + j];
                if (Math.abs(v) > amax) {
                    amax = Math.abs(v);
                    max = v;
                }
            }
            float d = max / -8f;
            float id = d != 0 ? 1f / d : 0f;
            putShort(out, 18 * i, Float.floatToFloat16(d), bigEndian);
            for (int j = 0; j < 16; j++) {
                int q0 = Math.min(15, (int) (x[32 * i + j] * id + 8.5f));
                int q1 = Math.min(15, (int) (x[32 * i + j + 16] * id + 8.5f));
                out[18 * i + 2 + j] = (byte) (q0 | (q1 << 4));
            }
        }
        return out;
    }

    /** The complete file. */
    public byte[] toBytes() {
        Out o = new Out(order == ByteOrder.BIG_ENDIAN);
        o.raw(new byte[] {'G', 'G', 'U', 'F'});
        o.u32(version);
        o.u64(tensors.size());
        o.u64(kvs.size());
        for (Map.Entry<String, Object[]> e : kvs.entrySet()) {
            o.string(e.getKey());
            GgufValueType t = (GgufValueType) e.getValue()[0];
            o.u32(t.id());
            o.value(t, e.getValue()[1]);
        }
        long offset = 0;
        long[] offsets = new long[tensors.size()];
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            offsets[i] = offset;
            o.string(t.name);
            o.u32(t.dims.length);
            for (long d : t.dims) o.u64(d);
            o.u32(t.type.id());
            o.u64(offset);
            offset = pad(offset + t.data.length);
        }
        if (!tensors.isEmpty()) {
            o.zeros((int) (pad(o.size()) - o.size()));
            long base = o.size();
            for (int i = 0; i < tensors.size(); i++) {
                o.zeros((int) (base + offsets[i] - o.size()));
                o.raw(tensors.get(i).data);
            }
            o.zeros((int) (pad(o.size()) - o.size()));
        }
        return o.toByteArray();
    }

    /** Writes the file to {@code path}, replacing it. */
    public void write(Path path) throws IOException {
        Files.write(path, toBytes());
    }

    private long pad(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static void putShort(byte[] b, int off, short v, boolean be) {
        if (be) {
            b[off] = (byte) (v >> 8);
            b[off + 1] = (byte) v;
        } else {
            b[off] = (byte) v;
            b[off + 1] = (byte) (v >> 8);
        }
    }

    private static void putInt(byte[] b, int off, int v, boolean be) {
        for (int i = 0; i < 4; i++) {
            b[off + (be ? 3 - i : i)] = (byte) (v >>> (8 * i));
        }
    }

    /** A growable output buffer in the file's byte order. */
    private static final class Out {
        private byte[] buf = new byte[1024];
        private int size;
        private final boolean be;

        Out(boolean be) {
            this.be = be;
        }

        int size() {
            return size;
        }

        private void ensure(int n) {
            if (size + n > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, size + n));
            }
        }

        void raw(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, size, b.length);
            size += b.length;
        }

        void zeros(int n) {
            ensure(n);
            size += n;
        }

        void le(long v, int bytes) {
            ensure(bytes);
            for (int i = 0; i < bytes; i++) {
                buf[size + (be ? bytes - 1 - i : i)] = (byte) (v >>> (8 * i));
            }
            size += bytes;
        }

        void u32(long v) {
            le(v, 4);
        }

        void u64(long v) {
            le(v, 8);
        }

        void string(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u64(b.length);
            raw(b);
        }

        void value(GgufValueType t, Object v) {
            switch (t) {
                case UINT8, INT8 -> le(((Number) v).longValue(), 1);
                case UINT16, INT16 -> le(((Number) v).longValue(), 2);
                case UINT32, INT32 -> le(((Number) v).longValue(), 4);
                case UINT64, INT64 -> le(((Number) v).longValue(), 8);
                case FLOAT32 -> le(Float.floatToRawIntBits(((Number) v).floatValue()), 4);
                case FLOAT64 -> le(Double.doubleToRawLongBits(((Number) v).doubleValue()), 8);
                case BOOL -> le((Boolean) v ? 1 : 0, 1);
                case STRING -> string((String) v);
                case ARRAY -> {
                    GgufArray a = (GgufArray) v;
                    u32(a.elementType().id());
                    u64(a.size());
                    for (int i = 0; i < a.size(); i++) {
                        value(a.elementType(), a.get(i));
                    }
                }
            }
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, size);
        }
    }
}
