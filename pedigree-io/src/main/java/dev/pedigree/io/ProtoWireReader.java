package dev.pedigree.io;

import java.lang.foreign.MemorySegment;

/**
 * A minimal protocol-buffer wire-format scanner over a memory segment (for ONNX and SentencePiece
 * files). Length-delimited fields are returned as zero-copy slices, so large {@code raw_data}
 * payloads are never copied to the heap. Nesting depth is limited by the caller through
 * {@link #nested}.
 *
 * <p>Usage: {@code while (r.next()) switch (r.field()) {...}}; unhandled fields are skipped with
 * {@link #skipValue()}.
 */
public final class ProtoWireReader {
    public static final int VARINT = 0;
    public static final int FIXED64 = 1;
    public static final int LENGTH_DELIMITED = 2;
    public static final int START_GROUP = 3;
    public static final int END_GROUP = 4;
    public static final int FIXED32 = 5;

    /** Deepest nesting accepted before the input is called corrupt. */
    public static final int MAX_DEPTH = 64;

    private final SegmentReader in;
    private final int depth;
    private int field;
    private int wireType;
    private long tagOffset;

    public ProtoWireReader(String source, MemorySegment segment, long base) {
        this(new SegmentReader(source, segment, base), 0);
    }

    private ProtoWireReader(SegmentReader in, int depth) {
        this.in = in;
        this.depth = depth;
    }

    /** Advances to the next field; returns false at the end of the message. */
    public boolean next() throws CorruptModelException {
        if (!in.hasRemaining()) {
            return false;
        }
        tagOffset = in.absolutePosition();
        long tag = in.varint("protobuf tag");
        field = (int) (tag >>> 3);
        wireType = (int) (tag & 7);
        if (field <= 0 || (tag >>> 3) > 0x1FFFFFFFL) {
            throw new CorruptModelException(in.source(), tagOffset, "invalid protobuf field number " + (tag >>> 3));
        }
        if (wireType == START_GROUP || wireType == END_GROUP || wireType > FIXED32) {
            throw new CorruptModelException(
                    in.source(), tagOffset, "unsupported protobuf wire type " + wireType + " for field " + field);
        }
        return true;
    }

    public int field() {
        return field;
    }

    public int wireType() {
        return wireType;
    }

    /** Absolute offset of the current field's tag. */
    public long tagOffset() {
        return tagOffset;
    }

    /** Absolute offset of the next unread byte. */
    public long absolutePosition() {
        return in.absolutePosition();
    }

    public String source() {
        return in.source();
    }

    private void expect(int type) throws CorruptModelException {
        if (wireType != type) {
            throw new CorruptModelException(
                    in.source(),
                    tagOffset,
                    "protobuf field " + field + " has wire type " + wireType + ", expected " + type);
        }
    }

    public long varint() throws CorruptModelException {
        expect(VARINT);
        return in.varint("protobuf varint field ", field);
    }

    public int fixed32() throws CorruptModelException {
        expect(FIXED32);
        return in.i32("protobuf fixed32 field " + field);
    }

    public long fixed64() throws CorruptModelException {
        expect(FIXED64);
        return in.i64("protobuf fixed64 field " + field);
    }

    /** Absolute offset of the payload of a length-delimited field, valid before {@link #bytes()}. */
    public MemorySegment bytes() throws CorruptModelException {
        expect(LENGTH_DELIMITED);
        long len = in.varint("protobuf length of field ", field);
        if (len < 0 || len > in.remaining()) {
            throw new CorruptModelException(
                    in.source(),
                    in.absolutePosition(),
                    "protobuf field " + field + " claims " + Long.toUnsignedString(len) + " bytes, " + in.remaining()
                            + " remain");
        }
        return in.slice(len, "protobuf field"); // len was checked against what remains: cannot fail
    }

    /** Reads a length-delimited field and returns a reader over it with its absolute base. */
    public ProtoWireReader nested() throws CorruptModelException {
        if (depth + 1 > MAX_DEPTH) {
            throw new CorruptModelException(
                    in.source(), tagOffset, "protobuf messages nested deeper than " + MAX_DEPTH);
        }
        expect(LENGTH_DELIMITED);
        long len = in.varint("protobuf length of field ", field);
        if (len < 0 || len > in.remaining()) {
            throw new CorruptModelException(
                    in.source(),
                    in.absolutePosition(),
                    "protobuf field " + field + " claims " + Long.toUnsignedString(len) + " bytes, " + in.remaining()
                            + " remain");
        }
        long start = in.absolutePosition();
        MemorySegment s = in.slice(len, "protobuf field"); // len was checked against what remains: cannot fail
        return new ProtoWireReader(new SegmentReader(in.source(), s, start), depth + 1);
    }

    public String string() throws CorruptModelException {
        long at = in.absolutePosition();
        MemorySegment s = bytes();
        if (s.byteSize() > Integer.MAX_VALUE - 16) {
            throw new CorruptModelException(in.source(), at, "protobuf string too large");
        }
        byte[] b = s.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
        String ascii = SegmentReader.asciiOrNull(b);
        return ascii != null ? ascii : SegmentReader.decodeUtf8(b, in.source(), at, "protobuf string field " + field);
    }

    /** Skips the current field's value. */
    public void skipValue() throws CorruptModelException {
        switch (wireType) {
            case VARINT -> in.varint("protobuf varint");
            case FIXED64 -> in.skip(8, "protobuf fixed64");
            case FIXED32 -> in.skip(4, "protobuf fixed32");
            case LENGTH_DELIMITED -> bytes();
            default ->
                throw new CorruptModelException(in.source(), tagOffset, "unsupported protobuf wire type " + wireType);
        }
    }
}
