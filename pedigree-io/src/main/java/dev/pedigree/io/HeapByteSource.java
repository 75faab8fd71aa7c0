package dev.pedigree.io;

import java.lang.foreign.MemorySegment;

/** A {@link ByteSource} over a byte array held on the heap. Closing it does nothing. */
final class HeapByteSource implements ByteSource {
    private final String description;
    private final MemorySegment segment;

    HeapByteSource(String description, byte[] bytes) {
        this.description = description;
        this.segment = MemorySegment.ofArray(bytes.clone());
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public long size() {
        return segment.byteSize();
    }

    @Override
    public MemorySegment slice(long offset, long length) throws CorruptModelException {
        checkRange(offset, length, "range");
        return segment.asSlice(offset, length);
    }

    @Override
    public void close() {}
}
