package dev.pedigree.format.safetensors;

import com.fasterxml.jackson.core.JsonToken;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.io.json.JsonCursor;
import dev.pedigree.model.Shape;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated header of one safetensors file.
 *
 * <pre>
 * u64 LE  N                 header length
 * N bytes UTF-8 JSON        {"__metadata__": {str: str}, name: {"dtype", "shape", "data_offsets"}, ...}
 * ...     data buffer       tensors back to back, offsets relative to 8 + N
 * </pre>
 *
 * <p>{@link #read} applies the reference validation ({@code safetensors/src/tensor.rs}
 * {@code Metadata::validate}): N at most 100,000,000; the header starts with '{'; no duplicate
 * keys; offsets sorted, starting at 0, without gaps or overlaps; each tensor's length equals
 * {@code prod(shape) * bits / 8} with a whole number of bytes; and {@code 8 + N + last_end} equals
 * the file length. All arithmetic is overflow-checked. Immutable.
 *
 * @param source description of the file
 * @param headerLength N, the JSON length in bytes
 * @param entries tensors in data order (ascending offsets)
 * @param metadata the {@code __metadata__} map, in header order (empty if absent)
 */
public record SafetensorsHeader(
        String source, long headerLength, List<SafetensorsEntry> entries, Map<String, String> metadata) {
    /** Largest header accepted, as in the reference implementation. */
    public static final long MAX_HEADER_LENGTH = 100_000_000L;

    /** Key of the optional string-to-string metadata object. */
    public static final String METADATA_KEY = "__metadata__";

    public SafetensorsHeader {
        entries = List.copyOf(entries);
        metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Absolute file offset of the data buffer ({@code 8 + N}). */
    public long dataStart() {
        return 8 + headerLength;
    }

    /** Bytes of the data buffer (the sum of the tensors' lengths). */
    public long dataLength() {
        return entries.isEmpty() ? 0 : entries.getLast().end();
    }

    /**
     * Whether the first bytes of a file look like a safetensors header: a plausible little-endian
     * u64 length followed by '{'.
     *
     * @param head the first bytes of the file
     * @param fileSize the file's length, or -1 if unknown
     */
    public static boolean looksLikeHeader(byte[] head, long fileSize) {
        if (head.length < 9) {
            return false;
        }
        long n = 0;
        for (int i = 7; i >= 0; i--) {
            n = (n << 8) | (head[i] & 0xFF);
        }
        if (n < 2 || n > MAX_HEADER_LENGTH) {
            return false;
        }
        if (fileSize >= 0 && n > fileSize - 8) {
            return false;
        }
        return head[8] == '{';
    }

    /**
     * Reads and validates the header of {@code src}.
     *
     * @throws CorruptModelException if the header or the layout contradicts the format; the message
     *     names the file and the offset of the offending bytes
     * @throws UnsupportedModelException for a dtype string Pedigree does not know or a rank above
     *     {@link Shape#MAX_RANK}
     * @throws IOException if the bytes cannot be read
     */
    public static SafetensorsHeader read(ByteSource src) throws IOException, ModelFormatException {
        String source = src.description();
        long size = src.size();
        if (size < 8) {
            throw new CorruptModelException(
                    source, 0, "file of " + size + " bytes is too short for the 8-byte safetensors header length");
        }
        long n = src.slice(0, 8).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 0 || n > MAX_HEADER_LENGTH) {
            throw new CorruptModelException(
                    source,
                    0,
                    "header length " + Long.toUnsignedString(n) + " exceeds the limit of " + MAX_HEADER_LENGTH
                            + " bytes");
        }
        if (n > size - 8) {
            throw new CorruptModelException(
                    source, 0, "header length " + n + " exceeds the " + (size - 8) + " bytes after the length field");
        }
        if (n == 0) {
            throw new CorruptModelException(source, 8, "empty header: expected a JSON object");
        }
        byte[] json = src.readBytes(8, (int) n);
        if (json[0] != '{') {
            throw new CorruptModelException(
                    source,
                    8,
                    "header does not start with '{' (found byte 0x" + Integer.toHexString(json[0] & 0xFF) + ")");
        }
        requireUtf8(source, json);
        List<SafetensorsEntry> entries = new ArrayList<>();
        Map<String, String> metadata = new LinkedHashMap<>();
        try (JsonCursor c = JsonCursor.over(source, json, 8)) {
            c.expectNext(JsonToken.START_OBJECT, "header");
            for (JsonToken t = c.next(); t != JsonToken.END_OBJECT; t = c.next()) {
                if (t != JsonToken.FIELD_NAME) {
                    throw c.corrupt("header: expected a tensor name");
                }
                String key = c.name();
                long keyAt = c.offset();
                if (key.equals(METADATA_KEY)) {
                    readMetadata(c, metadata);
                } else {
                    dev.pedigree.io.TensorCountLimit.check(source, keyAt, entries.size() + 1L);
                    entries.add(readEntry(c, key, keyAt));
                }
            }
            if (c.next() != null) {
                throw c.corrupt("unexpected content after the header object");
            }
        }
        validateLayout(source, n, size, entries);
        entries.sort(Comparator.comparingLong(SafetensorsEntry::begin).thenComparingLong(SafetensorsEntry::end));
        return new SafetensorsHeader(source, n, entries, metadata);
    }

    /** The reference decodes the header with {@code str::from_utf8} before parsing; so do we. */
    private static void requireUtf8(String source, byte[] json) throws CorruptModelException {
        CharsetDecoder decoder = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(json);
        CharBuffer out = CharBuffer.allocate(8192);
        while (true) {
            CoderResult r = decoder.decode(in, out, true);
            if (r.isError()) {
                throw new CorruptModelException(source, 8L + in.position(), "header is not valid UTF-8");
            }
            if (r.isUnderflow()) {
                break;
            }
            out.clear();
        }
    }

    private static void readMetadata(JsonCursor c, Map<String, String> metadata) throws CorruptModelException {
        JsonToken t = c.next();
        if (t == JsonToken.VALUE_NULL) {
            return;
        }
        if (t != JsonToken.START_OBJECT) {
            throw c.corrupt(METADATA_KEY + " must be an object of strings");
        }
        for (t = c.next(); t != JsonToken.END_OBJECT; t = c.next()) {
            String k = c.name();
            if (c.next() != JsonToken.VALUE_STRING) {
                throw c.corrupt(METADATA_KEY + " value of '" + k + "' must be a string");
            }
            metadata.put(k, c.text());
        }
    }

    private static SafetensorsEntry readEntry(JsonCursor c, String name, long keyAt) throws ModelFormatException {
        c.expectNext(JsonToken.START_OBJECT, "tensor '" + name + "'");
        SafetensorsDType dtype = null;
        long[] dims = null;
        long begin = -1;
        long end = -1;
        for (JsonToken t = c.next(); t != JsonToken.END_OBJECT; t = c.next()) {
            String field = c.name();
            switch (field) {
                case "dtype" -> {
                    c.expectNext(JsonToken.VALUE_STRING, "dtype of '" + name + "'");
                    String s = c.text();
                    dtype = SafetensorsDType.forHeaderName(s);
                    if (dtype == null) {
                        throw new UnsupportedModelException(
                                c.source(),
                                c.offset(),
                                "tensor '" + name + "' has unknown safetensors dtype '" + s + "'");
                    }
                }
                case "shape" -> dims = readShape(c, name);
                case "data_offsets" -> {
                    c.expectNext(JsonToken.START_ARRAY, "data_offsets of '" + name + "'");
                    c.next();
                    begin = c.nonNegativeLong("data_offsets begin of '" + name + "'");
                    c.next();
                    end = c.nonNegativeLong("data_offsets end of '" + name + "'");
                    c.expectNext(JsonToken.END_ARRAY, "data_offsets of '" + name + "' (exactly two values)");
                }
                default -> {
                    // Unknown fields are ignored, as serde does without deny_unknown_fields.
                    c.next();
                    c.skipValue("field '" + field + "' of '" + name + "'");
                }
            }
        }
        if (dtype == null || dims == null || begin < 0) {
            String missing = dtype == null ? "dtype" : dims == null ? "shape" : "data_offsets";
            throw new CorruptModelException(c.source(), keyAt, "tensor '" + name + "' has no " + missing);
        }
        if (end < begin) {
            throw new CorruptModelException(
                    c.source(),
                    keyAt,
                    "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "] with end before begin");
        }
        return new SafetensorsEntry(name, dtype, new Shape(dims), begin, end, keyAt);
    }

    private static long[] readShape(JsonCursor c, String name) throws ModelFormatException {
        c.expectNext(JsonToken.START_ARRAY, "shape of '" + name + "'");
        long[] dims = new long[Shape.MAX_RANK];
        int rank = 0;
        long elements = 1;
        for (JsonToken t = c.next(); t != JsonToken.END_ARRAY; t = c.next()) {
            if (rank == Shape.MAX_RANK) {
                throw new UnsupportedModelException(
                        c.source(),
                        c.offset(),
                        "tensor '" + name + "' has more than " + Shape.MAX_RANK + " dimensions");
            }
            long d = c.nonNegativeLong("dimension " + rank + " of '" + name + "'");
            try {
                elements = Math.multiplyExact(elements, d);
            } catch (ArithmeticException e) {
                throw c.corrupt("shape of '" + name + "' overflows: element count exceeds 2^63");
            }
            dims[rank++] = d;
        }
        return java.util.Arrays.copyOf(dims, rank);
    }

    private static void validateLayout(String source, long n, long size, List<SafetensorsEntry> entries)
            throws CorruptModelException {
        List<SafetensorsEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(SafetensorsEntry::begin).thenComparingLong(SafetensorsEntry::end));
        long expectedBegin = 0;
        for (SafetensorsEntry e : sorted) {
            if (e.begin() != expectedBegin) {
                String kind = e.begin() > expectedBegin ? "leaves a gap" : "overlaps the previous tensor";
                throw new CorruptModelException(
                        source,
                        e.headerOffset(),
                        "tensor '" + e.name() + "' starts at data offset " + e.begin() + " and " + kind + " (expected "
                                + expectedBegin + ")");
            }
            long expected;
            try {
                expected = e.dtype().byteSizeFor(e.shape().elementCount());
            } catch (ArithmeticException ex) {
                throw new CorruptModelException(
                        source,
                        e.headerOffset(),
                        "tensor '" + e.name() + "' of shape " + e.shape() + " overflows in bytes");
            }
            if (expected < 0) {
                throw new CorruptModelException(
                        source,
                        e.headerOffset(),
                        "tensor '" + e.name() + "' of shape " + e.shape() + " and dtype " + e.dtype()
                                + " is not a whole number of bytes ("
                                + e.dtype().bits() + " bits per element)");
            }
            if (e.length() != expected) {
                throw new CorruptModelException(
                        source,
                        e.headerOffset(),
                        "tensor '" + e.name() + "' has " + e.length() + " bytes in data_offsets [" + e.begin() + ", "
                                + e.end() + "] but shape " + e.shape() + " of " + e.dtype() + " needs " + expected);
            }
            expectedBegin = e.end();
        }
        // 8 + n <= size was checked, so this cannot overflow unless the data length is absurd.
        long dataStart = 8 + n;
        long available = size - dataStart;
        if (expectedBegin > available) {
            throw new CorruptModelException(
                    source,
                    size,
                    "tensor data needs " + expectedBegin + " bytes after offset " + dataStart
                            + " but the file ends after " + available);
        }
        if (expectedBegin < available) {
            throw new CorruptModelException(
                    source,
                    dataStart + expectedBegin,
                    (available - expectedBegin) + " trailing bytes after the last tensor");
        }
    }
}
