package dev.pedigree.io;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Path;

/**
 * Random access to the bytes of one input (a local file, later a remote object), together with a
 * description of where the bytes came from. Format readers work only through this interface; they
 * never touch a {@code FileChannel} themselves.
 *
 * <p>Implementations are thread-safe for reads. The source owns any mapping it creates; segments
 * returned by {@link #slice} stay valid until {@link #close()} and must not be used after it.
 */
public interface ByteSource extends AutoCloseable {

    /** Where the bytes came from (a path or URL), used in every error message. */
    String description();

    /** Total number of bytes. */
    long size();

    /**
     * Returns {@code length} bytes starting at {@code offset}, without copying where the source
     * allows it (memory-mapped files return a slice of the mapping).
     *
     * @throws CorruptModelException if the range lies outside the source; the message names the
     *     source, the offset and the size
     * @throws IOException if the bytes cannot be read
     */
    MemorySegment slice(long offset, long length) throws IOException, CorruptModelException;

    /**
     * Copies the {@code dst.byteSize()} bytes at {@code offset} into {@code dst}, bounds-checked like
     * {@link #slice}. Meant for streaming large tensors through a small reused buffer: a local file
     * reads them with positional reads from the page cache (no page faults, no growth of the resident
     * set), where touching a mapping would fault every page in.
     *
     * @throws CorruptModelException if the range lies outside the source
     * @throws IOException if the bytes cannot be read
     */
    default void copyTo(long offset, MemorySegment dst) throws IOException, CorruptModelException {
        long n = dst.byteSize();
        checkRange(offset, n, "range");
        MemorySegment.copy(slice(offset, n), 0, dst, 0, n);
    }

    /** Reads a small range onto the heap, bounds-checked like {@link #slice}. */
    default byte[] readBytes(long offset, int length) throws IOException, CorruptModelException {
        return slice(offset, length).toArray(java.lang.foreign.ValueLayout.JAVA_BYTE);
    }

    /**
     * Hints that {@code [offset, offset+length)} will be read soon. A source whose reads are slow
     * (HTTP) may start fetching those bytes in the background so that a later {@link #slice} waits
     * less; local sources ignore it. Never fails: a range outside the source is ignored, and a fetch
     * that fails in the background is reported by the read that needs the bytes, with the same error
     * that read would have raised on its own.
     */
    default void prefetch(long offset, long length) {}

    /** Checks that {@code [offset, offset+length)} lies within this source. */
    default void checkRange(long offset, long length, String what) throws CorruptModelException {
        if (offset < 0 || length < 0 || offset > size() || length > size() - offset) {
            throw new CorruptModelException(
                    description(),
                    offset,
                    what + " of " + length + " bytes extends past the end of the data (size " + size() + ")");
        }
    }

    @Override
    void close();

    /** Memory-maps a local file read-only. */
    static ByteSource map(Path path) throws IOException {
        return MappedFileSource.open(path);
    }

    /** Wraps bytes already in memory (tests, small embedded files). */
    static ByteSource ofBytes(String description, byte[] bytes) {
        return new HeapByteSource(description, bytes);
    }
}
