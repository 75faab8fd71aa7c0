package dev.pedigree.format.pytorch;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.SegmentReader;
import dev.pedigree.io.UnsupportedModelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;

/**
 * The central directory of a ZIP archive (ZIP64 included), read straight from a {@link ByteSource}
 * without {@code java.util.zip.ZipFile}, so every offset is checked against the bytes that exist
 * and stored entries stay zero-copy slices of the mapping. Nothing is ever inflated except through
 * {@link #inflate}, which caps its output.
 *
 * <pre>
 * EOCD (22 + comment): sig 0x06054b50, u16 disk, u16 cd disk, u16 entries here, u16 entries,
 *   u32 cd size, u32 cd offset, u16 comment length
 * ZIP64 locator (20, just before EOCD): sig 0x07064b50, u32 disk, u64 zip64 EOCD offset, u32 disks
 * ZIP64 EOCD: sig 0x06064b50, u64 size, u16 made by, u16 needed, u32 disk, u32 cd disk,
 *   u64 entries here, u64 entries, u64 cd size, u64 cd offset
 * central header (46 + n + e + c): sig 0x02014b50, u16 made by, u16 needed, u16 flags, u16 method,
 *   u16 time, u16 date, u32 crc, u32 csize, u32 usize, u16 n, u16 e, u16 c, u16 disk, u16 int attr,
 *   u32 ext attr, u32 local header offset; ZIP64 extra 0x0001 holds usize, csize, offset (only
 *   those that are 0xFFFFFFFF, in that order)
 * local header (30 + n + e): sig 0x04034b50, u16 needed, u16 flags, u16 method, u16 time, u16 date,
 *   u32 crc, u32 csize, u32 usize, u16 n, u16 e; data follows at offset + 30 + n + e
 * </pre>
 *
 * <p>Immutable and thread-safe; it does not own the source.
 */
public final class ZipDirectory {
    private static final int EOCD_SIG = 0x06054b50;
    private static final int ZIP64_LOCATOR_SIG = 0x07064b50;
    private static final int ZIP64_EOCD_SIG = 0x06064b50;
    private static final int CENTRAL_SIG = 0x02014b50;
    private static final int LOCAL_SIG = 0x04034b50;
    private static final int CENTRAL_MIN = 46;
    private static final int LOCAL_MIN = 30;

    /**
     * One entry with its data located and bounds-checked.
     *
     * @param method 0 stored, 8 deflated
     * @param dataOffset absolute offset of the (possibly compressed) data
     */
    public record Entry(
            String name,
            int method,
            int flags,
            long compressedSize,
            long uncompressedSize,
            long localHeaderOffset,
            long dataOffset) {
        /** Stored without compression. */
        public boolean stored() {
            return method == 0;
        }
    }

    private final ByteSource src;
    private final Map<String, Entry> entries;

    private ZipDirectory(ByteSource src, Map<String, Entry> entries) {
        this.src = src;
        this.entries = entries;
    }

    /** The entries in central-directory order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public Optional<Entry> entry(String name) {
        return Optional.ofNullable(entries.get(name));
    }

    /** The stored bytes of an entry as a zero-copy slice. */
    public MemorySegment storedData(Entry e) throws IOException, ModelFormatException {
        if (!e.stored()) {
            throw new UnsupportedModelException(
                    src.description(),
                    e.localHeaderOffset(),
                    "zip entry " + e.name() + " is compressed (method " + e.method()
                            + "); only stored records are read");
        }
        return src.slice(e.dataOffset(), e.compressedSize());
    }

    /**
     * The entry's bytes: a slice when stored; inflated onto the heap when deflated and its declared
     * size is at most {@code maxBytes}. Inflation stops at {@code maxBytes} whatever the data says,
     * and the result must match the declared size.
     */
    public MemorySegment data(Entry e, int maxBytes) throws IOException, ModelFormatException {
        if (e.stored()) {
            return storedData(e);
        }
        if (e.method() != 8) {
            throw new UnsupportedModelException(
                    src.description(),
                    e.localHeaderOffset(),
                    "zip entry " + e.name() + " uses compression method " + e.method());
        }
        if (e.uncompressedSize() > maxBytes) {
            throw new UnsupportedModelException(
                    src.description(),
                    e.localHeaderOffset(),
                    "compressed zip entry " + e.name() + " claims " + e.uncompressedSize() + " bytes, more than the "
                            + maxBytes + " inflated at most");
        }
        return MemorySegment.ofArray(inflate(e, (int) e.uncompressedSize()));
    }

    private byte[] inflate(Entry e, int declared) throws IOException, ModelFormatException {
        if (e.compressedSize() > Integer.MAX_VALUE - 16) {
            throw new CorruptModelException(
                    src.description(),
                    e.localHeaderOffset(),
                    "compressed zip entry " + e.name() + " of " + e.compressedSize() + " bytes is implausibly large");
        }
        // Inflate straight from the mapping: the compressed bytes are never copied to the heap.
        MemorySegment input = src.slice(e.dataOffset(), e.compressedSize());
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(input.asByteBuffer());
            ByteArrayOutputStream out = new ByteArrayOutputStream(Math.min(declared, 1 << 20));
            byte[] buf = new byte[64 << 10];
            long total = 0;
            while (!inf.finished()) {
                int n = inf.inflate(buf);
                if (n == 0 && (inf.needsInput() || inf.needsDictionary())) {
                    throw new CorruptModelException(
                            src.description(), e.dataOffset(), "deflated zip entry " + e.name() + " is truncated");
                }
                total += n;
                if (total > declared) {
                    throw new CorruptModelException(
                            src.description(),
                            e.dataOffset(),
                            "deflated zip entry " + e.name() + " inflates past its declared " + declared + " bytes");
                }
                out.write(buf, 0, n);
            }
            if (total != declared) {
                throw new CorruptModelException(
                        src.description(),
                        e.dataOffset(),
                        "deflated zip entry " + e.name() + " inflates to " + total + " bytes, declared " + declared);
            }
            return out.toByteArray();
        } catch (DataFormatException ex) {
            throw new CorruptModelException(
                    src.description(), e.dataOffset(), "invalid deflate data in zip entry " + e.name(), ex);
        } finally {
            inf.end();
        }
    }

    /** Reads and validates the central directory and every local header. */
    public static ZipDirectory read(ByteSource src) throws IOException, ModelFormatException {
        String where = src.description();
        long size = src.size();
        if (size < 22) {
            throw new CorruptModelException(where, 0, "file of " + size + " bytes is too small for a zip archive");
        }
        long eocd = findEocd(src);
        SegmentReader r = new SegmentReader(where, src.slice(eocd, 22), eocd);
        r.skip(4, "EOCD signature");
        int disk = r.u16("EOCD disk number");
        int cdDisk = r.u16("EOCD central directory disk");
        r.u16("EOCD entries on this disk");
        long count = r.u16("EOCD entry count");
        long cdSize = r.u32("EOCD central directory size");
        long cdOffset = r.u32("EOCD central directory offset");
        long cdLimit = eocd;
        boolean zip64 = count == 0xFFFF || cdSize == 0xFFFFFFFFL || cdOffset == 0xFFFFFFFFL;
        if (eocd >= 20
                && src.slice(eocd - 20, 4)
                                .get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 0)
                        == ZIP64_LOCATOR_SIG) {
            zip64 = true;
        }
        if (zip64) {
            if (eocd < 20) {
                throw new CorruptModelException(
                        where, eocd, "ZIP64 values in the EOCD but no room for a ZIP64 locator");
            }
            SegmentReader loc = new SegmentReader(where, src.slice(eocd - 20, 20), eocd - 20);
            if (loc.i32("ZIP64 locator signature") != ZIP64_LOCATOR_SIG) {
                throw new CorruptModelException(where, eocd - 20, "missing ZIP64 end-of-central-directory locator");
            }
            loc.u32("ZIP64 locator disk");
            long z64 = loc.u64("ZIP64 EOCD offset");
            if (z64 > eocd - 20 - 56) {
                throw new CorruptModelException(
                        where, eocd - 12, "ZIP64 EOCD offset " + z64 + " does not leave room before the locator");
            }
            SegmentReader z = new SegmentReader(where, src.slice(z64, 56), z64);
            if (z.i32("ZIP64 EOCD signature") != ZIP64_EOCD_SIG) {
                throw new CorruptModelException(where, z64, "missing ZIP64 end-of-central-directory record");
            }
            z.u64("ZIP64 EOCD size");
            z.u16("ZIP64 version made by");
            z.u16("ZIP64 version needed");
            disk = (int) z.u32("ZIP64 disk");
            cdDisk = (int) z.u32("ZIP64 central directory disk");
            z.u64("ZIP64 entries on this disk");
            count = z.u64("ZIP64 entry count");
            cdSize = z.u64("ZIP64 central directory size");
            cdOffset = z.u64("ZIP64 central directory offset");
            cdLimit = z64;
        }
        if (disk != 0 || cdDisk != 0) {
            throw new UnsupportedModelException(where, eocd, "multi-disk zip archives are not supported");
        }
        if (cdOffset > cdLimit || cdSize > cdLimit - cdOffset) {
            throw new CorruptModelException(
                    where,
                    eocd,
                    "central directory [" + cdOffset + ", +" + cdSize
                            + ") lies outside the archive (directory must end by " + cdLimit + ")");
        }
        if (count > cdSize / CENTRAL_MIN) {
            throw new CorruptModelException(
                    where,
                    eocd,
                    "zip claims " + count + " entries, but the central directory holds at most "
                            + cdSize / CENTRAL_MIN);
        }
        Map<String, Entry> entries = new LinkedHashMap<>();
        SegmentReader cd = new SegmentReader(where, src.slice(cdOffset, cdSize), cdOffset);
        for (long i = 0; i < count; i++) {
            Entry e = readCentral(src, cd, cdOffset);
            if (entries.putIfAbsent(e.name(), e) != null) {
                throw new CorruptModelException(where, e.localHeaderOffset(), "duplicate zip entry " + e.name());
            }
        }
        checkOverlaps(where, entries.values(), cdOffset);
        return new ZipDirectory(src, entries);
    }

    private static long findEocd(ByteSource src) throws IOException, ModelFormatException {
        long size = src.size();
        long lowest = Math.max(0, size - 22 - 0xFFFF);
        MemorySegment tail = src.slice(lowest, size - lowest);
        for (long p = size - 22; p >= lowest; p--) {
            long rel = p - lowest;
            if (tail.get(ValueLayout.JAVA_BYTE, rel) == 0x50
                    && tail.get(ValueLayout.JAVA_BYTE, rel + 1) == 0x4b
                    && tail.get(ValueLayout.JAVA_BYTE, rel + 2) == 0x05
                    && tail.get(ValueLayout.JAVA_BYTE, rel + 3) == 0x06) {
                int commentLen = Short.toUnsignedInt(tail.get(
                        ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), rel + 20));
                if (p + 22 + commentLen <= size) {
                    return p;
                }
            }
        }
        throw new CorruptModelException(
                src.description(),
                Math.max(0, size - 22),
                "no zip end-of-central-directory record in the last " + (size - lowest) + " bytes");
    }

    private static Entry readCentral(ByteSource src, SegmentReader cd, long cdOffset)
            throws IOException, ModelFormatException {
        String where = src.description();
        long at = cd.absolutePosition();
        if (cd.i32("central directory signature") != CENTRAL_SIG) {
            throw new CorruptModelException(where, at, "bad central directory entry signature");
        }
        cd.u16("version made by");
        cd.u16("version needed");
        int flags = cd.u16("flags");
        int method = cd.u16("compression method");
        cd.u16("time");
        cd.u16("date");
        cd.u32("crc");
        long csize = cd.u32("compressed size");
        long usize = cd.u32("uncompressed size");
        int nameLen = cd.u16("name length");
        int extraLen = cd.u16("extra length");
        int commentLen = cd.u16("comment length");
        int disk = cd.u16("disk number");
        cd.u16("internal attributes");
        cd.u32("external attributes");
        long lho = cd.u32("local header offset");
        long nameAt = cd.absolutePosition();
        byte[] nameBytes = cd.bytes(nameLen, "entry name");
        String name = decodeName(nameBytes);
        SegmentReader extra =
                new SegmentReader(where, cd.slice(extraLen, "extra field"), cd.absolutePosition() - extraLen);
        cd.skip(commentLen, "entry comment");
        if ((flags & 1) != 0) {
            throw new UnsupportedModelException(where, at, "zip entry " + name + " is encrypted");
        }
        while (extra.remaining() >= 4) {
            int id = extra.u16("extra field id");
            int len = extra.u16("extra field length");
            long fieldAt = extra.absolutePosition();
            SegmentReader f = new SegmentReader(where, extra.slice(len, "extra field data"), fieldAt);
            if (id == 0x0001) {
                if (usize == 0xFFFFFFFFL) {
                    usize = f.u64("ZIP64 uncompressed size");
                }
                if (csize == 0xFFFFFFFFL) {
                    csize = f.u64("ZIP64 compressed size");
                }
                if (lho == 0xFFFFFFFFL) {
                    lho = f.u64("ZIP64 local header offset");
                }
                if (disk == 0xFFFF) {
                    disk = (int) f.u32("ZIP64 disk number");
                }
            }
        }
        if (disk != 0) {
            throw new UnsupportedModelException(where, at, "zip entry " + name + " lies on disk " + disk);
        }
        if (lho > cdOffset - LOCAL_MIN || cdOffset < LOCAL_MIN) {
            throw new CorruptModelException(
                    where,
                    at,
                    "zip entry " + name + " has local header offset " + lho + " past the central directory at "
                            + cdOffset);
        }
        SegmentReader local = new SegmentReader(where, src.slice(lho, LOCAL_MIN), lho);
        if (local.i32("local header signature") != LOCAL_SIG) {
            throw new CorruptModelException(where, lho, "bad local header signature for zip entry " + name);
        }
        local.skip(22, "local header fields");
        int localName = local.u16("local name length");
        int localExtra = local.u16("local extra length");
        long dataOffset = lho + LOCAL_MIN + localName + localExtra;
        if (localName != nameLen || dataOffset > cdOffset) {
            throw new CorruptModelException(
                    where, lho, "local header of zip entry " + name + " disagrees with the central directory");
        }
        byte[] ln = src.readBytes(lho + LOCAL_MIN, localName);
        if (!java.util.Arrays.equals(ln, nameBytes)) {
            throw new CorruptModelException(
                    where,
                    lho + LOCAL_MIN,
                    "local name of zip entry " + name + " differs from its central directory name (at " + nameAt + ")");
        }
        if (csize > cdOffset - dataOffset) {
            throw new CorruptModelException(
                    where,
                    lho,
                    "zip entry " + name + " claims " + csize + " bytes at " + dataOffset
                            + ", past the central directory at " + cdOffset);
        }
        if (method == 0 && csize != usize) {
            throw new CorruptModelException(
                    where,
                    at,
                    "stored zip entry " + name + " has compressed size " + csize + " but uncompressed size " + usize);
        }
        return new Entry(name, method, flags, csize, usize, lho, dataOffset);
    }

    private static String decodeName(byte[] b) {
        try {
            return StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(b))
                    .toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            return new String(b, StandardCharsets.ISO_8859_1);
        }
    }

    private static void checkOverlaps(String where, java.util.Collection<Entry> entries, long cdOffset)
            throws CorruptModelException {
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::localHeaderOffset));
        long end = 0;
        for (Entry e : sorted) {
            if (e.localHeaderOffset() < end) {
                throw new CorruptModelException(
                        where,
                        e.localHeaderOffset(),
                        "zip entry " + e.name() + " overlaps the previous entry's data (ends at " + end + ")");
            }
            end = e.dataOffset() + e.compressedSize();
        }
    }
}
