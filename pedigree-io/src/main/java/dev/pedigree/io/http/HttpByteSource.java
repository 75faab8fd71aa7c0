package dev.pedigree.io.http;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A remote file read with HTTP {@code Range} requests: only the blocks that a {@link #slice} touches
 * are fetched, in block-aligned ranges (1 MiB by default), and kept in the session's in-memory LRU
 * and on-disk cache. Obtain one from {@link RemoteSession#open(URI)} or {@link
 * RemoteRepository#open(String)}.
 *
 * <p>The size and validators ({@link #info()}) are recorded when the source is opened; a range
 * answer whose {@code ETag} or total size differs fails with {@link RemoteIOException} rather than
 * mixing two versions of the file. A server that answers a range request with {@code 200} is
 * refused (the body is not read).
 *
 * <p>{@link #prefetch} claims the missing blocks of a range and fetches them in the background on
 * the session's prefetch threads ({@link RemoteSession.Builder#prefetchConcurrency}), so several
 * requests are in flight at once. A later {@link #slice} of those bytes takes what has arrived,
 * waits for the blocks still in flight, and fetches a queued run itself rather than waiting for a
 * free thread. A block is never fetched twice while a fetch of it is claimed or queued; a
 * background fetch spends the same byte budget as a read would, and when it fails the read that
 * needs its bytes throws that failure (the same exception and message a read of its own gives).
 *
 * <p>Thread-safe: concurrent slices of different blocks fetch in parallel, concurrent slices of the
 * same block fetch it once. Slices are fresh heap segments owned by the caller (backed by {@code
 * long[]}, with the same alignment modulo 8 as the file offset, like a mapped file). {@link
 * #close()} drops this source's cached blocks from memory; the session's HTTP client stays open.
 */
public final class HttpByteSource implements ByteSource {
    private static final AtomicLong IDS = new AtomicLong();
    /** Consecutive missing blocks fetched with one request, at most. */
    private static final int MAX_RUN_BLOCKS = 64;
    /** Fewest bytes a prefetch request of a longer range asks for (unless the range is shorter). */
    private static final long MIN_RUN_BYTES = 256 << 10;

    private final RemoteSession session;
    private final URI uri;
    private final RemoteFileInfo info;
    private final long id = IDS.incrementAndGet();
    private final int blockSize;
    private final TransferCounters counters;
    private final Path diskFolder;
    private final ConcurrentHashMap<Long, CompletableFuture<byte[]>> inflight = new ConcurrentHashMap<>();
    /** Claimed blocks whose prefetch has not started yet, by block index. */
    private final ConcurrentHashMap<Long, PrefetchRun> queued = new ConcurrentHashMap<>();

    private volatile boolean closed;

    HttpByteSource(RemoteSession session, URI uri, RemoteFileInfo info, TransferCounters counters) {
        this.session = session;
        this.uri = uri;
        this.info = info;
        this.blockSize = session.blockSize();
        this.counters = counters;
        DiskBlockCache disk = session.diskCache();
        this.diskFolder = disk != null && info.hasStrongEtag()
                ? disk.folder(uri.toString(), info.etag(), info.size(), blockSize)
                : null;
    }

    /** The URL without credentials or query string. */
    @Override
    public String description() {
        return info.url();
    }

    @Override
    public long size() {
        return info.size();
    }

    /** Size, validators and hub revision recorded when the file was opened. */
    public RemoteFileInfo info() {
        return info;
    }

    /** The entity tag recorded at open, if the server sent one. */
    public Optional<String> etag() {
        return Optional.ofNullable(info.etag());
    }

    /** What this source alone has transferred (the session's {@link RemoteSession#stats()} sums all). */
    public TransferStats stats() {
        return counters.snapshot();
    }

    /** True when fetched blocks of this file are kept in the on-disk cache (needs a strong ETag). */
    public boolean diskCached() {
        return diskFolder != null;
    }

    @Override
    public MemorySegment slice(long offset, long length) throws IOException, CorruptModelException {
        checkRange(offset, length, "range");
        long pad = offset & 7;
        long words = (pad + length + 7) / 8;
        if (words > Integer.MAX_VALUE - 16) {
            throw new IOException("a slice of " + length + " bytes at offset " + offset + " of " + description()
                    + " is too large to hold on the heap");
        }
        MemorySegment out = MemorySegment.ofArray(new long[(int) words]).asSlice(pad, length);
        copyTo(offset, out);
        return out;
    }

    /** Copies from the fetched blocks straight into {@code dst} (no intermediate array). */
    @Override
    public void copyTo(long offset, MemorySegment dst) throws IOException, CorruptModelException {
        long length = dst.byteSize();
        checkRange(offset, length, "range");
        if (closed) {
            throw new IllegalStateException("source closed: " + description());
        }
        if (length == 0) {
            return;
        }
        long end = offset + length;
        forEachBlock(offset / blockSize, (end - 1) / blockSize, (index, block) -> {
            long blockStart = index * blockSize;
            long from = Math.max(offset, blockStart);
            long to = Math.min(end, blockStart + block.length);
            MemorySegment.copy(
                    block, (int) (from - blockStart), dst, ValueLayout.JAVA_BYTE, from - offset, (int) (to - from));
        });
    }

    private interface BlockConsumer {
        void accept(long index, byte[] block);
    }

    private int blockLength(long index) {
        return (int) Math.min(blockSize, info.size() - index * blockSize);
    }

    private void forEachBlock(long first, long last, BlockConsumer consumer) throws IOException {
        BlockMemory memory = session.memory();
        DiskBlockCache disk = session.diskCache();
        long b = first;
        while (b <= last) {
            byte[] hit = memory.get(new BlockMemory.Key(id, b));
            if (hit != null) {
                counters.memoryHit();
                consumer.accept(b, hit);
                b++;
                continue;
            }
            CompletableFuture<byte[]> mine = new CompletableFuture<>();
            CompletableFuture<byte[]> other = inflight.putIfAbsent(b, mine);
            if (other != null) {
                PrefetchRun waiting = queued.get(b);
                if (waiting != null && waiting.claim()) {
                    // No prefetch thread has taken it yet: fetch it here rather than wait for one. A failure
                    // completes the run's futures, so the await below throws it.
                    waiting.fetchQuietly();
                }
                consumer.accept(b, await(other));
                b++;
                continue;
            }
            hit = memory.get(new BlockMemory.Key(id, b));
            if (hit == null && diskFolder != null) {
                hit = disk.read(diskFolder, blockSize, b, blockLength(b));
                if (hit != null) {
                    counters.diskHit();
                    memory.put(new BlockMemory.Key(id, b), hit);
                }
            } else if (hit != null) {
                counters.memoryHit();
            }
            if (hit != null) {
                mine.complete(hit);
                inflight.remove(b, mine);
                consumer.accept(b, hit);
                b++;
                continue;
            }
            List<CompletableFuture<byte[]>> run = new ArrayList<>();
            run.add(mine);
            long end = b;
            while (end < last && end - b + 1 < MAX_RUN_BLOCKS) {
                long next = end + 1;
                if (memory.contains(new BlockMemory.Key(id, next))
                        || (diskFolder != null && disk.contains(diskFolder, blockSize, next))) {
                    break;
                }
                CompletableFuture<byte[]> f = new CompletableFuture<>();
                if (inflight.putIfAbsent(next, f) != null) {
                    break;
                }
                run.add(f);
                end = next;
            }
            fetchRun(b, end, run, consumer);
            b = end + 1;
        }
    }

    /** Fetches blocks {@code first..last} with one range request (plus retries), in order. */
    private void fetchRun(long first, long last, List<CompletableFuture<byte[]>> run, BlockConsumer consumer)
            throws IOException {
        long start = first * blockSize;
        long stop = Math.min((last + 1) * blockSize, info.size()) - 1;
        RangeClient.RangeSink sink = new RangeClient.RangeSink() {
            long index = first;
            byte[] current = new byte[blockLength(first)];
            int fill;

            @Override
            public void accept(byte[] buffer, int offset, int length) {
                while (length > 0) {
                    int n = Math.min(length, current.length - fill);
                    System.arraycopy(buffer, offset, current, fill, n);
                    fill += n;
                    offset += n;
                    length -= n;
                    if (fill == current.length) {
                        finish(index, current, run.get((int) (index - first)), consumer);
                        index++;
                        current = index <= last ? new byte[blockLength(index)] : null;
                        fill = 0;
                        if (current == null && length > 0) {
                            throw new IllegalStateException("range client delivered bytes past the requested range");
                        }
                    }
                }
            }
        };
        try {
            session.rangeClient().fetch(uri, info, start, stop, sink, counters);
        } catch (IOException | RuntimeException | Error e) {
            for (int i = 0; i < run.size(); i++) {
                CompletableFuture<byte[]> f = run.get(i);
                if (f.completeExceptionally(e)) {
                    inflight.remove(first + i, f);
                }
            }
            throw e;
        }
    }

    private void finish(long index, byte[] block, CompletableFuture<byte[]> future, BlockConsumer consumer) {
        counters.blockFetched();
        if (diskFolder != null) {
            session.diskCache().write(diskFolder, blockSize, index, block);
        }
        if (!closed) {
            session.memory().put(new BlockMemory.Key(id, index), block);
        }
        future.complete(block);
        inflight.remove(index, future);
        consumer.accept(index, block);
    }

    /**
     * Starts fetching the blocks of {@code [offset, offset+length)} that are neither cached (memory
     * or disk) nor already being fetched, in runs of up to 64 consecutive blocks, each run one
     * request on a prefetch thread. Returns at once. Ignored when prefetching is off, the source is
     * closed or the range lies outside the file; a range longer than half the session's memory cache
     * is cut to that (blocks evicted before they are read would have to be fetched again). A long
     * range is split into about as many runs as there are prefetch threads, of at least 256 KiB.
     */
    @Override
    public void prefetch(long offset, long length) {
        Executor pool = session.prefetchPool();
        if (pool == null || closed || offset < 0 || length <= 0 || offset > size() - length) {
            return;
        }
        long cap = session.memory().capacity() / 2;
        long len = Math.min(length, cap);
        if (len < 1) {
            return;
        }
        BlockMemory memory = session.memory();
        DiskBlockCache disk = session.diskCache();
        long last = (offset + len - 1) / blockSize;
        long b = offset / blockSize;
        // Spread a long range over the threads rather than one request per 64 blocks, but never below
        // MIN_RUN_BYTES a request: a short range split further only costs more round trips.
        long blocks = last - b + 1;
        long minRun = Math.min(blocks, Math.max(1, MIN_RUN_BYTES / blockSize));
        long perRun = Math.clamp(
                (blocks + session.prefetchConcurrency() - 1) / session.prefetchConcurrency(), minRun, MAX_RUN_BLOCKS);
        while (b <= last) {
            long start = b;
            List<CompletableFuture<byte[]>> run = new ArrayList<>();
            while (b <= last && run.size() < perRun && claimForPrefetch(b, memory, disk, run)) {
                b++;
            }
            if (run.isEmpty()) {
                b++;
                continue;
            }
            PrefetchRun r = new PrefetchRun(start, start + run.size() - 1, run);
            for (long i = r.first; i <= r.last; i++) {
                queued.put(i, r);
            }
            try {
                pool.execute(r);
            } catch (RejectedExecutionException e) {
                // The session is closing: leave the run queued, a read that needs it fetches it itself.
            }
        }
    }

    /** Claims block {@code b} for a prefetch run unless it is cached or claimed already. */
    private boolean claimForPrefetch(
            long b, BlockMemory memory, DiskBlockCache disk, List<CompletableFuture<byte[]>> run) {
        BlockMemory.Key key = new BlockMemory.Key(id, b);
        if (memory.contains(key) || (diskFolder != null && disk.contains(diskFolder, blockSize, b))) {
            return false;
        }
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        if (inflight.putIfAbsent(b, f) != null) {
            return false;
        }
        byte[] hit = memory.get(key);
        if (hit != null) {
            // Arrived between the check and the claim.
            f.complete(hit);
            inflight.remove(b, f);
            return false;
        }
        run.add(f);
        return true;
    }

    /** Consecutive claimed blocks fetched by whichever comes first: a prefetch thread or a read. */
    private final class PrefetchRun implements Runnable {
        final long first;
        final long last;
        private final List<CompletableFuture<byte[]>> futures;
        private final AtomicBoolean started = new AtomicBoolean();

        PrefetchRun(long first, long last, List<CompletableFuture<byte[]>> futures) {
            this.first = first;
            this.last = last;
            this.futures = futures;
        }

        /** True for exactly one caller, who must then call {@link #fetchQuietly()}. */
        boolean claim() {
            if (!started.compareAndSet(false, true)) {
                return false;
            }
            for (long i = first; i <= last; i++) {
                queued.remove(i, this);
            }
            return true;
        }

        /**
         * Fetches the run. A failure is not thrown here: it completes the run's futures, and every
         * read waiting for one of the blocks throws it.
         */
        void fetchQuietly() {
            try {
                fetchRun(first, last, futures, (index, block) -> {});
            } catch (IOException | RuntimeException e) {
                // reported to readers through the futures (see fetchRun)
            }
        }

        @Override
        public void run() {
            if (claim()) {
                fetchQuietly();
            }
        }
    }

    private static byte[] await(CompletableFuture<byte[]> f) throws IOException {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while waiting for another reader's fetch");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof IOException io) {
                throw io;
            }
            if (c instanceof RuntimeException re) {
                throw re;
            }
            if (c instanceof Error err) {
                throw err;
            }
            throw new IOException(c);
        }
    }

    /** Drops this source's blocks from the session's memory cache; the disk cache is kept. */
    @Override
    public void close() {
        closed = true;
        session.memory().evict(id);
    }

    @Override
    public String toString() {
        return "HttpByteSource[" + info.url() + ", " + info.size() + " bytes]";
    }
}
