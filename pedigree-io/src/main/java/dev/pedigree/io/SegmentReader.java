package dev.pedigree.io;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * A bounds-checked cursor over a {@link MemorySegment}. Every read first checks that the bytes
 * exist and otherwise throws a {@link CorruptModelException} naming the source and the absolute
 * offset, so format code never indexes past the data or trusts a length it has not checked.
 *
 * <p>Not thread-safe: one cursor per reading thread. It does not own the segment.
 */
public final class SegmentReader {
    private static final ValueLayout.OfShort U16_LE =
            ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfInt I32_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
    private static final ValueLayout.OfLong I64_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private final String source;
    private final MemorySegment segment;
    private final long base;
    private long pos;
    private boolean bigEndian;

    /**
     * @param source description used in errors
     * @param segment the bytes to read
     * @param base absolute offset of {@code segment} within the source, so errors report file offsets
     */
    public SegmentReader(String source, MemorySegment segment, long base) {
        this.source = source;
        this.segment = segment;
        this.base = base;
    }

    public SegmentReader(String source, MemorySegment segment) {
        this(source, segment, 0);
    }

    /** Switches byte order (GGUF files may be big-endian). */
    public SegmentReader order(ByteOrder order) {
        this.bigEndian = order == ByteOrder.BIG_ENDIAN;
        return this;
    }

    public String source() {
        return source;
    }

    public MemorySegment segment() {
        return segment;
    }

    /** Position relative to the segment start. */
    public long position() {
        return pos;
    }

    /** Absolute offset in the source of the current position. */
    public long absolutePosition() {
        return base + pos;
    }

    /** Absolute offset in the source of the segment start. */
    public long base() {
        return base;
    }

    public long remaining() {
        return segment.byteSize() - pos;
    }

    public boolean hasRemaining() {
        return pos < segment.byteSize();
    }

    public void seek(long position) throws CorruptModelException {
        if (position < 0 || position > segment.byteSize()) {
            throw corrupt("seek to " + position + " outside data of " + segment.byteSize() + " bytes");
        }
        pos = position;
    }

    /** Throws unless {@code n} more bytes are available. */
    public void require(long n, String what) throws CorruptModelException {
        if (n < 0 || n > remaining()) {
            throw new CorruptModelException(
                    source, base + pos, "truncated " + what + ": needs " + n + " bytes, " + remaining() + " remain");
        }
    }

    public void skip(long n, String what) throws CorruptModelException {
        require(n, what);
        pos += n;
    }

    public int u8(String what) throws CorruptModelException {
        require(1, what);
        return segment.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
    }

    public int i8(String what) throws CorruptModelException {
        require(1, what);
        return segment.get(ValueLayout.JAVA_BYTE, pos++);
    }

    public int u16(String what) throws CorruptModelException {
        require(2, what);
        int v = segment.get(bigEndian ? U16_BE : U16_LE, pos) & 0xFFFF;
        pos += 2;
        return v;
    }

    public int i16(String what) throws CorruptModelException {
        return (short) u16(what);
    }

    public int i32(String what) throws CorruptModelException {
        require(4, what);
        int v = segment.get(bigEndian ? I32_BE : I32_LE, pos);
        pos += 4;
        return v;
    }

    public long u32(String what) throws CorruptModelException {
        return i32(what) & 0xFFFFFFFFL;
    }

    public long i64(String what) throws CorruptModelException {
        require(8, what);
        long v = segment.get(bigEndian ? I64_BE : I64_LE, pos);
        pos += 8;
        return v;
    }

    /** An unsigned 64-bit value that must fit in a non-negative {@code long}. */
    public long u64(String what) throws CorruptModelException {
        long at = base + pos;
        long v = i64(what);
        if (v < 0) {
            throw new CorruptModelException(
                    source, at, what + " " + Long.toUnsignedString(v) + " is implausibly large");
        }
        return v;
    }

    public float f32(String what) throws CorruptModelException {
        return Float.intBitsToFloat(i32(what));
    }

    public double f64(String what) throws CorruptModelException {
        return Double.longBitsToDouble(i64(what));
    }

    /** Returns the next {@code n} bytes as a zero-copy slice and advances past them. */
    public MemorySegment slice(long n, String what) throws CorruptModelException {
        require(n, what);
        MemorySegment s = segment.asSlice(pos, n);
        pos += n;
        return s;
    }

    /** Copies the next {@code n} bytes onto the heap; {@code n} is checked against the data first. */
    public byte[] bytes(long n, String what) throws CorruptModelException {
        require(n, what);
        if (n > Integer.MAX_VALUE - 16) {
            throw corrupt(what + " of " + n + " bytes is too large");
        }
        byte[] out = segment.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
        pos += n;
        return out;
    }

    /** Decodes the next {@code n} bytes as strict UTF-8. */
    public String utf8(long n, String what) throws CorruptModelException {
        long at = base + pos;
        byte[] b = bytes(n, what);
        return decodeUtf8(b, source, at, what);
    }

    /** Strict UTF-8 decoding that reports malformed input as corruption. */
    public static String decodeUtf8(byte[] b, String source, long offset, String what) throws CorruptModelException {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(java.nio.ByteBuffer.wrap(b))
                    .toString();
        } catch (CharacterCodingException e) {
            throw new CorruptModelException(source, offset, what + " is not valid UTF-8", e);
        }
    }

    /**
     * As {@link #varint(String) varint(what + number)}, the description built only for an error (a protobuf reader
     * names the field of every varint it reads, and most files have thousands).
     */
    public long varint(String what, int number) throws CorruptModelException {
        long result = 0;
        long start = base + pos;
        long size = segment.byteSize();
        for (int shift = 0; shift < 70; shift += 7) {
            if (pos >= size) {
                require(1, what + number);
            }
            int b = segment.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF;
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new CorruptModelException(source, start, what + number + ": varint longer than 10 bytes");
    }

    /**
     * The string {@code b} spells when every byte is ASCII (then strict UTF-8 decoding gives the same), else null:
     * the common case without a decoder.
     */
    public static String asciiOrNull(byte[] b) {
        for (byte x : b) {
            if (x < 0) {
                return null;
            }
        }
        return new String(b, StandardCharsets.ISO_8859_1);
    }

    /** Reads a protobuf-style base-128 varint (at most 10 bytes). */
    public long varint(String what) throws CorruptModelException {
        long result = 0;
        long start = base + pos;
        for (int shift = 0; shift < 70; shift += 7) {
            int b = u8(what);
            result |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                return result;
            }
        }
        throw new CorruptModelException(source, start, what + ": varint longer than 10 bytes");
    }

    /** A corruption error at the current position. */
    public CorruptModelException corrupt(String detail) {
        return new CorruptModelException(source, base + pos, detail);
    }

    /** A corruption error at an explicit position relative to the segment start. */
    public CorruptModelException corruptAt(long position, String detail) {
        return new CorruptModelException(source, base + position, detail);
    }
}
