package dev.pedigree.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * A read-only memory mapping of a whole file. The mapping lives in a shared arena, so slices may be
 * read from any thread; {@link #close()} unmaps it.
 *
 * <p><b>Resident memory.</b> Pages of a mapping that have been read count towards the process's
 * resident set until the kernel needs the memory, so reading a 100 GB model once would show a
 * 100 GB RSS. Every {@value #RELEASE_EVERY_BYTES} bytes handed out as slices (each counted as at least
 * {@value #FAULT_AROUND_BYTES}: a fault maps its neighbours too), the source therefore
 * drops the mapping's resident pages ({@link MemorySegment#unload()}, {@code madvise(MADV_DONTNEED)}):
 * the file's pages stay in the page cache, and a later read of them faults them back in from it
 * (a read-only file mapping loses nothing). {@link #releaseResidentPages()} does the same on demand.
 */
public final class MappedFileSource implements ByteSource {
    private final Path path;
    private final String description;
    private final Arena arena;
    private final MemorySegment segment;
    /** Kept open for {@link #copyTo}'s positional reads (thread-safe); closed with the source. */
    private final FileChannel channel;
    /** Set once the channel was closed by an interrupt: copies then come from the mapping. */
    private volatile boolean channelLost;
    /** Bytes handed out as slices since the resident pages were last released. */
    private final java.util.concurrent.atomic.AtomicLong sinceRelease = new java.util.concurrent.atomic.AtomicLong();

    /** Slice volume after which the mapping's resident pages are released. */
    public static final long RELEASE_EVERY_BYTES = 128L << 20;

    /** Resident bytes one slice is assumed to bring in at least (fault-around window, twice). */
    static final long FAULT_AROUND_BYTES = 128L << 10;

    private MappedFileSource(Path path, Arena arena, MemorySegment segment, FileChannel channel) {
        this.channel = channel;
        this.path = path;
        this.description = path.toString();
        this.arena = arena;
        this.segment = segment;
    }

    /** Maps {@code path}; an empty file yields an empty source. */
    public static MappedFileSource open(Path path) throws IOException {
        if (Files.isDirectory(path)) {
            throw new IOException(path + " is a directory, not a file");
        }
        if (Files.exists(path) && !Files.isRegularFile(path)) {
            // Opening a FIFO blocks until a writer appears: refuse before opening (ModelFolder names what it is).
            throw new IOException(
                    path + " is not a regular file (a FIFO, device or socket); only regular files are read");
        }
        FileChannel ch = FileChannel.open(path, StandardOpenOption.READ);
        Arena arena = Arena.ofShared();
        try {
            long size = ch.size();
            MemorySegment seg = size == 0
                    ? MemorySegment.ofArray(new byte[0])
                    : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new MappedFileSource(path, arena, seg, ch);
        } catch (IOException | RuntimeException e) {
            arena.close();
            ch.close();
            throw e;
        }
    }

    /** The mapped file. */
    public Path path() {
        return path;
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
        // A page fault maps the pages around the faulting one too (the kernel's fault-around, 64 KiB by
        // default), so a small slice can make far more than its own length resident: count at least
        // FAULT_AROUND_BYTES for every slice.
        if (sinceRelease.addAndGet(Math.max(length, FAULT_AROUND_BYTES)) >= RELEASE_EVERY_BYTES) {
            releaseResidentPages();
        }
        return segment.asSlice(offset, length);
    }

    /**
     * Positional reads ({@code pread}) into a native {@code dst}: the bytes are copied from the page
     * cache, so nothing of the mapping becomes resident and no page is faulted in. A heap {@code dst}
     * (or one over 2 GB) is copied from the mapping, like {@link ByteSource#copyTo}.
     */
    @Override
    public void copyTo(long offset, MemorySegment dst) throws IOException, CorruptModelException {
        long n = dst.byteSize();
        checkRange(offset, n, "range");
        if (n == 0) {
            return;
        }
        if (!dst.isNative() || n > Integer.MAX_VALUE || channelLost) {
            MemorySegment.copy(slice(offset, n), 0, dst, 0, n);
            return;
        }
        java.nio.ByteBuffer buf = dst.asByteBuffer();
        long pos = offset;
        while (buf.hasRemaining()) {
            int got;
            try {
                got = channel.read(buf, pos);
            } catch (java.nio.channels.ClosedChannelException e) {
                if (!arena.scope().isAlive()) {
                    throw new IllegalStateException("source closed: " + description, e);
                }
                // An interrupt of a reading thread closes a FileChannel for every thread; the mapping is
                // still there, so this source goes on copying from it.
                channelLost = true;
                MemorySegment.copy(slice(offset, n), 0, dst, 0, n);
                return;
            }
            if (got < 0) {
                throw new CorruptModelException(
                        description,
                        pos,
                        "the file ended at offset " + pos + " while " + n + " bytes were read from offset " + offset
                                + " (was it truncated after it was opened?)");
            }
            pos += got;
        }
    }

    /**
     * Drops this mapping's pages from the process's resident set (they stay in the page cache; later
     * reads fault them back in). Safe while other threads read slices.
     */
    public void releaseResidentPages() {
        sinceRelease.set(0);
        if (segment.isMapped() && arena.scope().isAlive()) {
            segment.unload();
        }
    }

    @Override
    public void close() {
        arena.close();
        try {
            channel.close();
        } catch (IOException e) {
            // Read-only: nothing was written that closing could lose.
        }
    }
}
