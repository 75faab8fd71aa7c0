package dev.pedigree.census.fetch;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * A remote file of which only some byte ranges are held, as a {@link ByteSource} for the format
 * readers. In {@link Mode#RECORD} a read outside the held ranges returns zeros and is recorded (the
 * dry run that plans a census fetch); in {@link Mode#SERVE} it is fetched on demand and counted as
 * unplanned. Thread-safe (reads are synchronized: the census reads one model per thread).
 */
public final class SampledFile implements ByteSource {
    /** What a read outside the held ranges does. */
    public enum Mode {
        RECORD,
        SERVE
    }

    /** Fetches a byte range of the file. */
    @FunctionalInterface
    public interface RangeReader {
        byte[] read(long offset, long length) throws IOException;
    }

    /** A byte range {@code [offset, offset+length)}. */
    public record Range(long offset, long length) {
        public Range {
            if (offset < 0 || length < 0) {
                throw new IllegalArgumentException("negative range " + offset + "+" + length);
            }
        }

        public long end() {
            return offset + length;
        }
    }

    private final String description;
    private final long size;
    private final RangeReader reader;
    private final TreeMap<Long, byte[]> held = new TreeMap<>();
    private final List<Range> recorded = new ArrayList<>();
    private Mode mode = Mode.RECORD;
    private long unplannedRequests;
    private long unplannedBytes;

    public SampledFile(String description, long size, RangeReader reader) {
        this.description = description;
        this.size = size;
        this.reader = reader;
    }

    /** Switches between recording and serving. */
    public synchronized void mode(Mode m) {
        this.mode = m;
    }

    /** Fetches {@code r} now and holds its bytes (several fetches may run at once). */
    public void fetch(Range r) throws IOException {
        byte[] b = reader.read(r.offset(), r.length());
        synchronized (this) {
            hold(r.offset(), b);
        }
    }

    /** The reads recorded outside the held ranges, in the order they were made. */
    public synchronized List<Range> recorded() {
        return List.copyOf(recorded);
    }

    /** Range requests made in {@link Mode#SERVE} for bytes the plan did not hold. */
    public synchronized long unplannedRequests() {
        return unplannedRequests;
    }

    /** Bytes of those requests. */
    public synchronized long unplannedBytes() {
        return unplannedBytes;
    }

    /** The held ranges (merged). */
    public synchronized List<Range> heldRanges() {
        List<Range> out = new ArrayList<>();
        held.forEach((o, b) -> out.add(new Range(o, b.length)));
        return out;
    }

    @Override
    public String description() {
        return description;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public synchronized MemorySegment slice(long offset, long length) throws IOException, CorruptModelException {
        checkRange(offset, length, "range");
        if (length > Integer.MAX_VALUE) {
            throw new IOException(description + ": read of " + length + " bytes at " + offset + " is too large");
        }
        byte[] b = covered(offset, length);
        if (b != null) {
            return MemorySegment.ofArray(b);
        }
        if (mode == Mode.RECORD) {
            recorded.add(new Range(offset, length));
            return MemorySegment.ofArray(new byte[(int) length]);
        }
        unplannedRequests++;
        unplannedBytes += length;
        hold(offset, reader.read(offset, length));
        return MemorySegment.ofArray(covered(offset, length));
    }

    /** A copy of {@code [offset, offset+length)} if one held range covers it, else null. */
    private byte[] covered(long offset, long length) {
        Map.Entry<Long, byte[]> e = held.floorEntry(offset);
        if (e == null || e.getKey() + e.getValue().length < offset + length) {
            return null;
        }
        byte[] out = new byte[(int) length];
        System.arraycopy(e.getValue(), (int) (offset - e.getKey()), out, 0, (int) length);
        return out;
    }

    /** Adds bytes at {@code offset}, merging with held ranges they overlap or touch. */
    private void hold(long offset, byte[] bytes) {
        long start = offset;
        long end = offset + bytes.length;
        Map.Entry<Long, byte[]> lo = held.floorEntry(offset);
        if (lo != null && lo.getKey() + lo.getValue().length >= offset) {
            start = lo.getKey();
            end = Math.max(end, lo.getKey() + lo.getValue().length);
        }
        for (Map.Entry<Long, byte[]> e : held.subMap(offset, true, end, true).entrySet()) {
            end = Math.max(end, e.getKey() + e.getValue().length);
        }
        byte[] merged = new byte[(int) (end - start)];
        for (Map.Entry<Long, byte[]> e :
                new ArrayList<>(held.subMap(start, true, end, true).entrySet())) {
            System.arraycopy(e.getValue(), 0, merged, (int) (e.getKey() - start), e.getValue().length);
            held.remove(e.getKey());
        }
        System.arraycopy(bytes, 0, merged, (int) (offset - start), bytes.length);
        held.put(start, merged);
    }

    /**
     * Merges ranges into the fewest requests: sorted, and joined where the gap between them is at
     * most {@code mergeGap} bytes.
     */
    public static List<Range> coalesce(List<Range> ranges, long mergeGap) {
        List<Range> sorted = new ArrayList<>(ranges);
        sorted.sort(java.util.Comparator.comparingLong(Range::offset));
        List<Range> out = new ArrayList<>();
        long s = -1;
        long e = -1;
        for (Range r : sorted) {
            if (r.length() == 0) {
                continue;
            }
            if (s >= 0 && r.offset() <= e + mergeGap) {
                e = Math.max(e, r.end());
            } else {
                if (s >= 0) {
                    out.add(new Range(s, e - s));
                }
                s = r.offset();
                e = r.end();
            }
        }
        if (s >= 0) {
            out.add(new Range(s, e - s));
        }
        return out;
    }

    @Override
    public void close() {}
}
