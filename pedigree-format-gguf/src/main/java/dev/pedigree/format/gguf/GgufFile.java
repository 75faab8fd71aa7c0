package dev.pedigree.format.gguf;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.SegmentReader;
import dev.pedigree.io.UnsupportedModelException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed header of one GGUF file (v2 or v3, either byte order): metadata key/values, validated
 * tensor infos, alignment and the start of the tensor data section.
 *
 * <pre>
 * magic "GGUF" | u32 version | u64 tensor_count | u64 kv_count
 * kv × kv_count:          string key, u32 value_type, value
 * tensor info × count:    string name, u32 n_dims, u64 dims[n_dims], u32 ggml_type, u64 offset
 * padding to ALIGNMENT | tensor data (offsets relative to here, multiples of ALIGNMENT)
 * string = u64 len + UTF-8 bytes;  array = u32 elem_type, u64 count, elements
 * </pre>
 *
 * <p>Every count and length is checked against the bytes that remain before anything is allocated;
 * all failures are {@link ModelFormatException}s naming the file and offset. Metadata values use
 * the representation documented on {@link GgufArray}; scalars the same boxed types.
 *
 * <p>Immutable after parsing. The {@link ByteSource} is borrowed: the caller owns and closes it.
 */
public final class GgufFile {
    /** ggml's {@code GGML_MAX_DIMS}. */
    public static final int MAX_DIMS = 4;
    /** Longest tensor name llama.cpp accepts ({@code GGML_MAX_NAME} − 1); longer names only warn. */
    public static final int MAX_TENSOR_NAME = 63;
    /** Longest key or tensor name accepted at all. */
    public static final int MAX_KEY_BYTES = 65_535;
    /**
     * Heap that all metadata of one file may take once parsed (keys, strings, arrays, the maps
     * holding them), estimated as each value is read and before anything is allocated. Real files
     * need a few tens of MB at most (a 256k-token vocabulary with its merges, scores and types
     * about 40 MB); hostile ones (12M one-character strings, nested empty arrays, a 140 MB u8 array)
     * are refused with the key and offset instead of exhausting the heap.
     */
    public static final long MAX_METADATA_HEAP = 128L << 20;
    /** Deepest nesting of arrays inside arrays. */
    public static final int MAX_ARRAY_DEPTH = 8;
    /** Default {@code general.alignment}. */
    public static final int DEFAULT_ALIGNMENT = 32;

    private static final int MIN_KV_BYTES = 8 + 4 + 1;
    private static final int MIN_TENSOR_INFO_BYTES = 8 + 4 + 4 + 8;

    private final ByteSource source;
    private final int version;
    private final ByteOrder order;
    private final Map<String, Object> metadata;
    private final Map<String, GgufValueType> types;
    private final Map<String, Long> keyOffsets;
    private final List<GgufTensorInfo> tensors;
    private final long alignment;
    private final long dataStart;
    private final List<String> warnings;

    private GgufFile(Parser p) {
        this.source = p.src;
        this.version = p.version;
        this.order = p.order;
        this.metadata = Collections.unmodifiableMap(p.metadata);
        this.types = Collections.unmodifiableMap(p.types);
        this.keyOffsets = Collections.unmodifiableMap(p.keyOffsets);
        this.tensors = List.copyOf(p.tensors);
        this.alignment = p.alignment;
        this.dataStart = p.dataStart;
        this.warnings = List.copyOf(p.warnings);
    }

    /** True if {@code head} starts with the GGUF magic. */
    public static boolean hasMagic(byte[] head) {
        return head.length >= 4 && head[0] == 'G' && head[1] == 'G' && head[2] == 'U' && head[3] == 'F';
    }

    /**
     * Parses and validates the header of {@code src}.
     *
     * @throws CorruptModelException if the bytes contradict the format (message names file + offset)
     * @throws UnsupportedModelException for GGUF v1, unknown versions or a type without known layout
     */
    public static GgufFile parse(ByteSource src) throws IOException, ModelFormatException {
        return parse(src, MAX_METADATA_HEAP);
    }

    /** As {@link #parse(ByteSource)} with another metadata heap limit (tests use small ones). */
    static GgufFile parse(ByteSource src, long maxMetadataHeap) throws IOException, ModelFormatException {
        Parser p = new Parser(src, maxMetadataHeap);
        p.run();
        return new GgufFile(p);
    }

    /** The source this header was read from (borrowed). */
    public ByteSource source() {
        return source;
    }

    public String description() {
        return source.description();
    }

    /** 2 or 3. */
    public int version() {
        return version;
    }

    /** Byte order of the file: big-endian when the version field was byte-swapped. */
    public ByteOrder byteOrder() {
        return order;
    }

    /** Every metadata key in file order with its value (large arrays included, as {@link GgufArray}). */
    public Map<String, Object> metadata() {
        return metadata;
    }

    /** The declared value type of {@code key}, or null if absent. */
    public GgufValueType valueType(String key) {
        return types.get(key);
    }

    /** Absolute offset of the KV record of {@code key}, or -1 if absent. */
    public long keyOffset(String key) {
        Long o = keyOffsets.get(key);
        return o == null ? -1 : o;
    }

    /** Tensor infos in file order. */
    public List<GgufTensorInfo> tensors() {
        return tensors;
    }

    public long alignment() {
        return alignment;
    }

    /** Absolute offset of the tensor data section. */
    public long dataStart() {
        return dataStart;
    }

    /** Non-fatal observations (long names, invalid UTF-8 replaced). */
    public List<String> warnings() {
        return warnings;
    }

    /** A string value, or null if absent or not a string. */
    public String string(String key) {
        return metadata.get(key) instanceof String s ? s : null;
    }

    /** An integer value of any integer type, or null if absent or not an integer. */
    public Long integer(String key) {
        Object v = metadata.get(key);
        return switch (v) {
            case Integer i -> (long) i;
            case Long l -> l;
            case null, default -> null;
        };
    }

    /** A number of any numeric type as double, or null. */
    public Double number(String key) {
        return metadata.get(key) instanceof Number n ? n.doubleValue() : null;
    }

    /** An array value, or null if absent or not an array. */
    public GgufArray array(String key) {
        return metadata.get(key) instanceof GgufArray a ? a : null;
    }

    /** A boolean value, or null. */
    public Boolean bool(String key) {
        return metadata.get(key) instanceof Boolean b ? b : null;
    }

    /** The recursive-descent parser; one per parse. */
    private static final class Parser {
        final ByteSource src;
        final String desc;
        final SegmentReader in;
        int version;
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        final Map<String, Object> metadata = new LinkedHashMap<>();
        final Map<String, GgufValueType> types = new HashMap<>();
        final Map<String, Long> keyOffsets = new HashMap<>();
        final List<GgufTensorInfo> tensors = new ArrayList<>();
        long alignment = DEFAULT_ALIGNMENT;
        long dataStart;
        final List<String> warnings = new ArrayList<>();
        int badUtf8;
        final long maxMetadataHeap;
        long metadataHeap;

        Parser(ByteSource src, long maxMetadataHeap) throws IOException, ModelFormatException {
            this.src = src;
            this.maxMetadataHeap = maxMetadataHeap;
            this.desc = src.description();
            MemorySegment all = src.slice(0, src.size());
            this.in = new SegmentReader(desc, all, 0);
        }

        void run() throws ModelFormatException {
            if (in.remaining() < 4) {
                throw new CorruptModelException(
                        desc, 0, "file of " + in.remaining() + " bytes is too short for the GGUF magic");
            }
            byte[] magic = in.bytes(4, "GGUF magic");
            if (!hasMagic(magic)) {
                throw new CorruptModelException(
                        desc,
                        0,
                        String.format(
                                "bad GGUF magic %02x %02x %02x %02x, expected 47 47 55 46 (\"GGUF\")",
                                magic[0], magic[1], magic[2], magic[3]));
            }
            long vOff = in.absolutePosition();
            int raw = in.i32("GGUF version");
            int v = raw;
            if (raw != 0 && (raw & 0xFFFF) == 0) {
                v = Integer.reverseBytes(raw);
                order = ByteOrder.BIG_ENDIAN;
                in.order(ByteOrder.BIG_ENDIAN);
            }
            if (v == 1) {
                throw new UnsupportedModelException(
                        desc,
                        vOff,
                        "GGUF version 1 is not supported (it used 32-bit counts; ggml rejects it too); re-convert the model");
            }
            if (v != 2 && v != 3) {
                throw new UnsupportedModelException(
                        desc, vOff, "unsupported GGUF version " + Integer.toUnsignedString(v) + ", expected 2 or 3");
            }
            version = v;
            long tcOff = in.absolutePosition();
            long tensorCount = in.u64("tensor_count");
            long kvOff = in.absolutePosition();
            long kvCount = in.u64("kv_count");
            if (kvCount > in.remaining() / MIN_KV_BYTES) {
                throw new CorruptModelException(
                        desc,
                        kvOff,
                        "kv_count " + kvCount + " cannot fit in the " + in.remaining()
                                + " bytes that remain (each KV needs at least " + MIN_KV_BYTES + ")");
            }
            if (tensorCount > in.remaining() / MIN_TENSOR_INFO_BYTES) {
                throw new CorruptModelException(
                        desc,
                        tcOff,
                        "tensor_count " + tensorCount + " cannot fit in the " + in.remaining()
                                + " bytes that remain (each tensor info needs at least " + MIN_TENSOR_INFO_BYTES + ")");
            }
            dev.pedigree.io.TensorCountLimit.check(desc, tcOff, tensorCount);
            for (long i = 0; i < kvCount; i++) {
                readKv();
            }
            applyAlignment();
            long infoStart = in.absolutePosition();
            if (tensorCount > in.remaining() / MIN_TENSOR_INFO_BYTES) {
                throw new CorruptModelException(
                        desc,
                        infoStart,
                        "tensor_count " + tensorCount + " cannot fit in the " + in.remaining()
                                + " bytes after the metadata");
            }
            Set<String> names = new HashSet<>();
            List<long[]> fieldOffsets = new ArrayList<>();
            for (long i = 0; i < tensorCount; i++) {
                readTensorInfo(names, fieldOffsets);
            }
            long end = in.absolutePosition();
            dataStart = alignUp(end);
            if (!tensors.isEmpty() && dataStart > src.size()) {
                throw new CorruptModelException(
                        desc,
                        end,
                        "tensor data section (aligned to " + alignment + " at offset " + dataStart
                                + ") starts past the end of the file (size " + src.size() + ")");
            }
            placeTensors(fieldOffsets);
            if (badUtf8 > 0) {
                warnings.add(badUtf8
                        + " metadata string(s) were not valid UTF-8; malformed bytes were replaced with U+FFFD");
            }
        }

        private long alignUp(long pos) throws CorruptModelException {
            long rem = pos % alignment;
            if (rem == 0) {
                return pos;
            }
            try {
                return Math.addExact(pos, alignment - rem);
            } catch (ArithmeticException e) {
                throw new CorruptModelException(desc, pos, "aligned data offset overflows");
            }
        }

        private void applyAlignment() throws CorruptModelException {
            if (!metadata.containsKey("general.alignment")) {
                return;
            }
            long at = keyOffsets.get("general.alignment");
            GgufValueType t = types.get("general.alignment");
            if (t != GgufValueType.UINT32) {
                throw new CorruptModelException(desc, at, "general.alignment has type " + t + ", expected UINT32");
            }
            long a = (Long) metadata.get("general.alignment");
            if (a == 0 || Long.bitCount(a) != 1) {
                throw new CorruptModelException(desc, at, "general.alignment " + a + " is not a power of two");
            }
            alignment = a;
        }

        /** Estimated heap of a string decoded from {@code n} bytes (UTF-16 needs at most two per byte). */
        private static long stringHeap(long n) {
            return 48 + 2 * n;
        }

        /** Charges {@code bytes} of metadata heap before they are allocated; see {@link #MAX_METADATA_HEAP}. */
        private void charge(long bytes, long at, String key) throws UnsupportedModelException {
            metadataHeap += bytes;
            if (metadataHeap > maxMetadataHeap) {
                throw new UnsupportedModelException(
                        desc,
                        at,
                        "metadata needs more than " + (maxMetadataHeap >> 20) + " MiB of memory (at key '"
                                + printableKey(key)
                                + "'), the limit of the GGUF reader; real files need a few tens of MB");
            }
        }

        private static String printableKey(String key) {
            String k = key.length() > 80 ? key.substring(0, 80) + "..." : key;
            return k.replaceAll("[^\\x20-\\x7e]", "?");
        }

        private void readKv() throws ModelFormatException {
            long at = in.absolutePosition();
            String key = string("metadata key", MAX_KEY_BYTES);
            // the key in three maps (value, type, offset) and its string
            charge(160 + stringHeap(key.length()), at, key);
            if (metadata.containsKey(key)) {
                // Real files written by older gguf-py (e.g. llama.cpp's ggml-vocab-dbrx.gguf) repeat keys;
                // keep the last value, as a reader that walks the KVs in order would.
                warnings.add("duplicate metadata key '" + key + "' at offset " + at + "; the later value is used");
                metadata.remove(key);
            }
            long typeAt = in.absolutePosition();
            long typeId = in.u32("value type of '" + key + "'");
            GgufValueType type = GgufValueType.byId(typeId);
            if (type == null) {
                throw new CorruptModelException(
                        desc, typeAt, "unknown metadata value type " + typeId + " for key '" + key + "'");
            }
            Object value = value(type, key, 0);
            metadata.put(key, value);
            types.put(key, type);
            keyOffsets.put(key, at);
        }

        private String string(String what, long maxBytes) throws ModelFormatException {
            return string(what, maxBytes, null);
        }

        /** A string; when {@code chargeKey} is set its heap is charged to the metadata budget first. */
        private String string(String what, long maxBytes, String chargeKey)
                throws CorruptModelException, UnsupportedModelException {
            long at = in.absolutePosition();
            long len = in.u64("length of " + what);
            if (len > in.remaining()) {
                throw new CorruptModelException(
                        desc, at, what + " claims " + len + " bytes but only " + in.remaining() + " remain");
            }
            if (len > maxBytes) {
                throw new CorruptModelException(
                        desc, at, what + " of " + len + " bytes exceeds the limit of " + maxBytes);
            }
            if (chargeKey != null) {
                charge(stringHeap(len), at, chargeKey);
            }
            byte[] b = in.bytes(len, what);
            try {
                return SegmentReader.decodeUtf8(b, desc, at + 8, what);
            } catch (CorruptModelException e) {
                badUtf8++;
                return new String(b, StandardCharsets.UTF_8);
            }
        }

        private Object value(GgufValueType type, String key, int depth) throws ModelFormatException {
            if (type != GgufValueType.STRING && type != GgufValueType.ARRAY) {
                charge(24, in.absolutePosition(), key); // a boxed scalar
            }
            return switch (type) {
                case UINT8 -> in.u8(key);
                case INT8 -> in.i8(key);
                case UINT16 -> in.u16(key);
                case INT16 -> in.i16(key);
                case UINT32 -> in.u32(key);
                case INT32 -> in.i32(key);
                case FLOAT32 -> in.f32(key);
                case BOOL -> bool(key);
                case STRING -> string("string value of '" + key + "'", Integer.MAX_VALUE - 16, key);
                case ARRAY -> array(key, depth + 1);
                case UINT64, INT64 -> in.i64(key);
                case FLOAT64 -> in.f64(key);
            };
        }

        private boolean bool(String key) throws CorruptModelException {
            long at = in.absolutePosition();
            int b = in.u8(key);
            if (b > 1) {
                throw new CorruptModelException(desc, at, "bool value " + b + " of '" + key + "' is neither 0 nor 1");
            }
            return b == 1;
        }

        private GgufArray array(String key, int depth) throws ModelFormatException {
            long at = in.absolutePosition();
            if (depth > MAX_ARRAY_DEPTH) {
                throw new CorruptModelException(
                        desc, at, "arrays of '" + key + "' are nested deeper than " + MAX_ARRAY_DEPTH);
            }
            long typeId = in.u32("array element type of '" + key + "'");
            GgufValueType et = GgufValueType.byId(typeId);
            if (et == null) {
                throw new CorruptModelException(
                        desc, at, "unknown array element type " + typeId + " for key '" + key + "'");
            }
            long countAt = in.absolutePosition();
            long count = in.u64("array count of '" + key + "'");
            if (count > in.remaining() / et.minSize()) {
                throw new CorruptModelException(
                        desc,
                        countAt,
                        "array '" + key + "' claims " + count + " elements of " + et + " but only " + in.remaining()
                                + " bytes remain");
            }
            if (count > Integer.MAX_VALUE - 16) {
                throw new UnsupportedModelException(
                        desc, countAt, "array '" + key + "' of " + count + " elements is too large");
            }
            int n = (int) count;
            long perElement = switch (et) {
                case UINT8, INT8, BOOL -> 1;
                case UINT16, INT16 -> 2;
                case INT32, FLOAT32 -> 4;
                // u32 is held as long; strings and nested arrays are a reference here plus their own charge
                case UINT32, UINT64, INT64, FLOAT64, STRING, ARRAY -> 8;
            };
            charge(64 + perElement * n, countAt, key);
            Object values = switch (et) {
                case UINT8, INT8 -> in.bytes(n, key);
                case UINT16, INT16 -> {
                    short[] a = new short[n];
                    for (int i = 0; i < n; i++) a[i] = (short) in.i16(key);
                    yield a;
                }
                case INT32 -> {
                    int[] a = new int[n];
                    for (int i = 0; i < n; i++) a[i] = in.i32(key);
                    yield a;
                }
                case UINT32, UINT64, INT64 -> {
                    long[] a = new long[n];
                    for (int i = 0; i < n; i++) a[i] = et == GgufValueType.UINT32 ? in.u32(key) : in.i64(key);
                    yield a;
                }
                case FLOAT32 -> {
                    float[] a = new float[n];
                    for (int i = 0; i < n; i++) a[i] = in.f32(key);
                    yield a;
                }
                case FLOAT64 -> {
                    double[] a = new double[n];
                    for (int i = 0; i < n; i++) a[i] = in.f64(key);
                    yield a;
                }
                case BOOL -> {
                    boolean[] a = new boolean[n];
                    for (int i = 0; i < n; i++) a[i] = bool(key);
                    yield a;
                }
                case STRING -> {
                    String[] a = new String[n];
                    for (int i = 0; i < n; i++)
                        a[i] = string("element " + i + " of '" + key + "'", Integer.MAX_VALUE - 16, key);
                    yield a;
                }
                case ARRAY -> {
                    GgufArray[] a = new GgufArray[n];
                    for (int i = 0; i < n; i++) a[i] = array(key, depth + 1);
                    yield a;
                }
            };
            return GgufArray.owning(et, values, n);
        }

        private void readTensorInfo(Set<String> names, List<long[]> fieldOffsets) throws ModelFormatException {
            long at = in.absolutePosition();
            String name = string("tensor name", MAX_KEY_BYTES);
            if (name.getBytes(StandardCharsets.UTF_8).length > MAX_TENSOR_NAME) {
                warnings.add("tensor name '" + name + "' at offset " + at + " is longer than " + MAX_TENSOR_NAME
                        + " bytes (llama.cpp would reject it)");
            }
            if (!names.add(name)) {
                throw new CorruptModelException(desc, at, "duplicate tensor name '" + name + "'");
            }
            long ndAt = in.absolutePosition();
            long nDims = in.u32("n_dims of tensor '" + name + "'");
            if (nDims > MAX_DIMS) {
                throw new CorruptModelException(
                        desc, ndAt, "n_dims=" + nDims + " of tensor '" + name + "' exceeds " + MAX_DIMS);
            }
            long[] dims = new long[(int) nDims];
            long elements = 1;
            for (int d = 0; d < nDims; d++) {
                long dAt = in.absolutePosition();
                dims[d] = in.u64("dimension " + d + " of tensor '" + name + "'");
                try {
                    elements = Math.multiplyExact(elements, dims[d]);
                } catch (ArithmeticException e) {
                    throw new CorruptModelException(desc, dAt, "dimensions of tensor '" + name + "' overflow 64 bits");
                }
            }
            long typeAt = in.absolutePosition();
            long typeId = in.u32("ggml type of tensor '" + name + "'");
            GgmlType type = GgmlType.byId(typeId);
            if (type == null) {
                throw new CorruptModelException(
                        desc, typeAt, "unknown ggml type id " + typeId + " for tensor '" + name + "'");
            }
            if (!type.layoutKnown()) {
                throw new UnsupportedModelException(
                        desc,
                        typeAt,
                        "ggml type " + type + " (id " + typeId + ") of tensor '" + name
                                + "' has no known block layout");
            }
            long ne0 = nDims == 0 ? 1 : dims[0];
            if (ne0 % type.blockSize() != 0) {
                throw new CorruptModelException(
                        desc,
                        ndAt,
                        "ne0=" + ne0 + " of tensor '" + name + "' is not a multiple of the " + type + " block size "
                                + type.blockSize());
            }
            long byteSize;
            try {
                byteSize = elements == 0 ? 0 : Math.multiplyExact(type.byteSizeFor(ne0), elements / ne0);
            } catch (ArithmeticException e) {
                throw new CorruptModelException(desc, ndAt, "byte size of tensor '" + name + "' overflows 64 bits");
            }
            long offAt = in.absolutePosition();
            long offset = in.u64("data offset of tensor '" + name + "'");
            tensors.add(new GgufTensorInfo(name, dims, type, offset, -1, byteSize, at));
            fieldOffsets.add(new long[] {offAt});
        }

        private void placeTensors(List<long[]> fieldOffsets) throws CorruptModelException {
            long size = src.size();
            for (int i = 0; i < tensors.size(); i++) {
                GgufTensorInfo t = tensors.get(i);
                long offAt = fieldOffsets.get(i)[0];
                if (t.offset() % alignment != 0) {
                    throw new CorruptModelException(
                            desc,
                            offAt,
                            "offset " + t.offset() + " of tensor '" + t.name() + "' is not a multiple of the alignment "
                                    + alignment);
                }
                long abs;
                try {
                    abs = Math.addExact(dataStart, t.offset());
                } catch (ArithmeticException e) {
                    throw new CorruptModelException(
                            desc, offAt, "offset " + t.offset() + " of tensor '" + t.name() + "' overflows");
                }
                if (abs > size || t.byteSize() > size - abs) {
                    throw new CorruptModelException(
                            desc,
                            offAt,
                            "data of tensor '" + t.name() + "' (" + t.byteSize() + " bytes at offset " + abs
                                    + ") extends past the end of the file (size " + size + ")");
                }
                tensors.set(
                        i,
                        new GgufTensorInfo(
                                t.name(), t.dims(), t.type(), t.offset(), abs, t.byteSize(), t.infoOffset()));
            }
            List<GgufTensorInfo> byOffset = new ArrayList<>(tensors);
            byOffset.sort(Comparator.comparingLong(GgufTensorInfo::offset).thenComparingLong(GgufTensorInfo::byteSize));
            GgufTensorInfo prev = null;
            for (GgufTensorInfo t : byOffset) {
                if (t.byteSize() == 0) {
                    continue;
                }
                if (prev != null && t.offset() < prev.offset() + prev.byteSize()) {
                    throw new CorruptModelException(
                            desc,
                            t.infoOffset(),
                            "data of tensor '" + t.name() + "' at relative offset " + t.offset() + " overlaps tensor '"
                                    + prev.name() + "' (" + prev.offset() + "+" + prev.byteSize() + ")");
                }
                prev = t;
            }
        }
    }
}
