package dev.pedigree.format.pytorch;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Whether CPython's {@code tarfile} opens a file, and which members it lists, replayed without
 * extracting anything. {@code torch.load} tries {@code tarfile.open(fileobj=f, mode='r:')} on every
 * file that does not start with a zip signature, before it unpickles the file as a legacy stream,
 * so a file whose first 512 bytes pass tarfile's header check is a tar archive to torch, whatever
 * else those bytes are (a V7 header needs no {@code ustar} magic, only a valid checksum).
 *
 * <p>What is replayed (CPython {@code Lib/tarfile.py}: {@code TarInfo.frombuf}, {@code _proc_member},
 * {@code TarFile.next}):
 *
 * <pre>
 * header block (512 bytes): name[0:100] mode[100:108] uid[108:116] gid[116:124] size[124:136]
 *   mtime[136:148] chksum[148:156] type[156] linkname[157:257] magic[257:265] uname[265:297]
 *   gname[297:329] devmajor[329:337] devminor[337:345] prefix[345:500]
 * number fields (nti): 0x80 or 0xff first byte: base-256; else ASCII up to NUL, int(s.strip() or "0", 8)
 * chksum: 256 + sum of the block with chksum counted as spaces, as unsigned or as signed bytes
 * short, all-zero or invalid block: at offset 0 tarfile.open fails (ReadError, torch falls back to
 *   the legacy pickle); later it ends the member list
 * 'L'/'K' (GNU long name/link), 'x'/'g'/'X' (pax): the data holds the next member's name or
 *   records; the header after them must be valid, else ReadError (also after offset 0)
 * a member's data rounded up to 512 bytes past the end of the file: ReadError when the next
 *   header is read
 * name: prefix + "/" + name when prefix is set (not for GNU types); trailing '/' on directories dropped
 * </pre>
 *
 * A {@code ReadError} anywhere while the member list is loaded (which {@code getmember} does
 * first) makes {@code torch.load} fall back to the legacy pickle before any member is unpickled,
 * so such a file is {@link Kind#NOT_TAR} to torch. Features this replay does not follow (sparse
 * members, symbolic links among the members torch reads, sizes that go backwards) make the result
 * {@link Kind#UNFOLLOWED}: the caller then cannot rule the tar loader out and must not accept the file.
 *
 * <p>Immutable; {@link #examine} reads the source but does not keep it.
 */
final class TarArchive {
    /** What torch's legacy loader makes of the file. */
    enum Kind {
        /** {@code tarfile.open} or the member list fails: torch unpickles the file as a legacy stream. */
        NOT_TAR,
        /** A tar archive whose members torch extracts and unpickles ({@link #members()}). */
        TAR,
        /** Possibly a tar archive, in a way this replay does not follow ({@link #reason()}). */
        UNFOLLOWED
    }

    /**
     * One member as tarfile lists it.
     *
     * @param type the type byte ({@code '0'} regular, {@code '1'} hard link, ...)
     * @param dataOffset absolute offset of the member's data
     * @param size bytes of data (after pax overrides)
     */
    record Member(String name, char type, String linkName, long headerOffset, long dataOffset, long size) {
        boolean regular() {
            return type == '0' || type == '\0' || type == '7';
        }
    }

    static final int BLOCK = 512;
    /** More members than this in a checkpoint-sized file is not worth following. */
    private static final int MAX_MEMBERS = 100_000;
    /** Longest GNU long name or pax header read. */
    private static final long MAX_EXTENDED = 1 << 20;

    private final Kind kind;
    private final List<Member> members;
    private final String reason;

    private TarArchive(Kind kind, List<Member> members, String reason) {
        this.kind = kind;
        this.members = List.copyOf(members);
        this.reason = reason;
    }

    Kind kind() {
        return kind;
    }

    /** Members in archive order (for {@link Kind#TAR}). */
    List<Member> members() {
        return members;
    }

    /** Why the replay stopped (for {@link Kind#UNFOLLOWED}), or what ended the list. */
    String reason() {
        return reason;
    }

    private static TarArchive notTar(String why) {
        return new TarArchive(Kind.NOT_TAR, List.of(), why);
    }

    private static TarArchive unfollowed(String why) {
        return new TarArchive(Kind.UNFOLLOWED, List.of(), why);
    }

    /** Whether {@code head} (at least the first 512 bytes of a file) is a header tarfile accepts. */
    static boolean startsWithHeader(byte[] head) {
        return head.length >= BLOCK && Header.parse(head, 0).isPresent();
    }

    /** Replays tarfile's reading of {@code src}. */
    static TarArchive examine(ByteSource src) throws IOException, CorruptModelException {
        long size = src.size();
        if (size < BLOCK) {
            return notTar("shorter than one tar block");
        }
        if (Header.parse(src.readBytes(0, BLOCK), 0).isEmpty()) {
            return notTar("the first block is not a tar header");
        }
        List<Member> out = new ArrayList<>();
        Map<String, String> globalPax = new HashMap<>();
        long offset = 0;
        while (true) {
            if (out.size() > MAX_MEMBERS) {
                return unfollowed("more than " + MAX_MEMBERS + " tar members");
            }
            if (offset + BLOCK > size) {
                break; // a short block after the first ends the list
            }
            Optional<Header> h = Header.parse(src.readBytes(offset, BLOCK), offset);
            if (h.isEmpty()) {
                break; // all-zero or invalid block after the first ends the list
            }
            Header header = h.get();
            String longName = null;
            String longLink = null;
            Map<String, String> pax = new HashMap<>(globalPax);
            boolean sawPax = false;
            // extended headers describe the member whose header follows them
            while (header.type == 'L'
                    || header.type == 'K'
                    || header.type == 'x'
                    || header.type == 'g'
                    || header.type == 'X') {
                if (header.size < 0 || header.size > MAX_EXTENDED) {
                    return unfollowed("extended tar header of " + header.size + " bytes at offset " + header.offset);
                }
                long dataAt = header.offset + BLOCK;
                if (dataAt + header.size > size) {
                    return notTar("extended tar header at offset " + header.offset + " runs past the end");
                }
                byte[] data = src.readBytes(dataAt, (int) header.size);
                switch (header.type) {
                    case 'L' -> longName = nts(data);
                    case 'K' -> longLink = nts(data);
                    default -> {
                        Optional<Map<String, String>> records = paxRecords(data);
                        if (records.isEmpty()) {
                            // InvalidHeaderError: fatal at offset 0, the end of the list later
                            if (header.offset == 0) {
                                return notTar("invalid pax header at offset 0");
                            }
                            return finish(out, "invalid pax header at offset " + header.offset);
                        }
                        if (header.type == 'g') {
                            globalPax.putAll(records.get());
                        }
                        pax.putAll(records.get());
                        sawPax = true;
                    }
                }
                long next = dataAt + block(header.size);
                Optional<Header> n =
                        next + BLOCK <= size ? Header.parse(src.readBytes(next, BLOCK), next) : Optional.empty();
                if (n.isEmpty()) {
                    // SubsequentHeaderError -> ReadError, whatever the offset: torch falls back
                    return notTar("no valid header after the extended header at offset " + header.offset);
                }
                header = n.get();
            }
            if (header.type == 'S' || pax.keySet().stream().anyMatch(k -> k.startsWith("GNU.sparse"))) {
                return unfollowed("sparse tar member at offset " + header.offset);
            }
            String name = header.name;
            String link = header.linkName;
            long memberSize = header.size;
            if (longName != null) {
                name = longName;
            }
            if (longLink != null) {
                link = longLink;
            }
            if (sawPax || !globalPax.isEmpty()) {
                if (pax.containsKey("path")) {
                    name = pax.get("path");
                }
                if (pax.containsKey("linkpath")) {
                    link = pax.get("linkpath");
                }
                if (pax.containsKey("size")) {
                    memberSize = PythonLiterals.parseInt(pax.get("size"), 10, 30)
                            .map(java.math.BigInteger::longValue)
                            .orElse(0L);
                }
            }
            if (header.type == '5' || (header.type == '\0' && name.endsWith("/"))) {
                name = name.replaceAll("/+$", "");
            }
            if (memberSize < 0) {
                return unfollowed("negative tar member size at offset " + header.offset);
            }
            long dataAt = header.offset + BLOCK;
            out.add(new Member(name, header.type, link, header.offset, dataAt, memberSize));
            boolean skipsData = header.regular() || SUPPORTED.indexOf(header.type) < 0;
            long next = skipsData ? dataAt + block(memberSize) : dataAt;
            if (skipsData && memberSize > 0 && next > size) {
                return notTar("tar member " + name + " at offset " + header.offset + " runs past the end");
            }
            offset = next;
        }
        return finish(out, "end of the member list");
    }

    private static TarArchive finish(List<Member> members, String why) {
        return new TarArchive(Kind.TAR, members, why);
    }

    private static final String SUPPORTED = "0\0" + "1234567LKSxgX";

    static long block(long n) {
        return (n + BLOCK - 1) / BLOCK * BLOCK;
    }

    /** tarfile's {@code nts}: the bytes up to the first NUL, as file-system text (UTF-8). */
    static String nts(byte[] b) {
        int end = 0;
        while (end < b.length && b[end] != 0) {
            end++;
        }
        return new String(b, 0, end, StandardCharsets.UTF_8);
    }

    /** Pax records {@code "%d %s=%s\n"}; empty when malformed. */
    static Optional<Map<String, String>> paxRecords(byte[] data) {
        Map<String, String> out = new HashMap<>();
        int pos = 0;
        while (pos < data.length && data[pos] != 0) {
            int sp = pos;
            while (sp < data.length && data[sp] >= '0' && data[sp] <= '9') {
                sp++;
            }
            if (sp == pos || sp >= data.length || data[sp] != ' ') {
                return Optional.empty();
            }
            long len = Long.parseLong(new String(data, pos, Math.min(sp - pos, 18), StandardCharsets.US_ASCII));
            if (len < sp - pos + 3 || pos + len > data.length || data[(int) (pos + len - 1)] != '\n') {
                return Optional.empty();
            }
            int eq = sp + 1;
            while (eq < pos + len && data[eq] != '=') {
                eq++;
            }
            if (eq >= pos + len - 1 || eq == sp + 1) {
                return Optional.empty();
            }
            String key = new String(data, sp + 1, eq - sp - 1, StandardCharsets.UTF_8);
            String value = new String(data, eq + 1, (int) (pos + len - 1 - eq - 1), StandardCharsets.UTF_8);
            out.put(key, value);
            pos += (int) len;
        }
        return Optional.of(out);
    }

    /** One header block that passed tarfile's checks. */
    private record Header(String name, char type, String linkName, long size, long offset) {
        boolean regular() {
            return type == '0' || type == '\0' || type == '7';
        }

        static Optional<Header> parse(byte[] b, long offset) {
            if (b.length < BLOCK) {
                return Optional.empty();
            }
            boolean zero = true;
            for (int i = 0; i < BLOCK && zero; i++) {
                zero = b[i] == 0;
            }
            if (zero) {
                return Optional.empty();
            }
            Optional<Long> chksum = nti(b, 148, 8);
            if (chksum.isEmpty()) {
                return Optional.empty();
            }
            long unsigned = 256;
            long signed = 256;
            for (int i = 0; i < BLOCK; i++) {
                if (i >= 148 && i < 156) {
                    continue;
                }
                unsigned += b[i] & 0xFF;
                signed += b[i];
            }
            if (chksum.get() != unsigned && chksum.get() != signed) {
                return Optional.empty();
            }
            // frombuf parses every number field; one that does not parse is an invalid header
            int[][] numbers = {{100, 8}, {108, 8}, {116, 8}, {124, 12}, {136, 12}, {329, 8}, {337, 8}};
            for (int[] f : numbers) {
                if (nti(b, f[0], f[1]).isEmpty()) {
                    return Optional.empty();
                }
            }
            long size = nti(b, 124, 12).orElseThrow();
            char type = (char) (b[156] & 0xFF);
            String name = nts(java.util.Arrays.copyOfRange(b, 0, 100));
            String link = nts(java.util.Arrays.copyOfRange(b, 157, 257));
            String prefix = nts(java.util.Arrays.copyOfRange(b, 345, 500));
            if (!prefix.isEmpty() && type != 'L' && type != 'K' && type != 'S') {
                name = prefix + "/" + name;
            }
            return Optional.of(new Header(name, type, link, size, offset));
        }

        /** tarfile's {@code nti}; empty where it raises InvalidHeaderError. */
        static Optional<Long> nti(byte[] b, int at, int len) {
            int first = b[at] & 0xFF;
            if (first == 0x80 || first == 0xFF) {
                long n = 0;
                for (int i = 1; i < len; i++) {
                    if ((n >>> 55) != 0) {
                        return Optional.of(first == 0xFF ? Long.MIN_VALUE : Long.MAX_VALUE);
                    }
                    n = (n << 8) | (b[at + i] & 0xFF);
                }
                if (first == 0xFF) {
                    n = n - (1L << (8 * (len - 1)));
                }
                return Optional.of(n);
            }
            int end = at;
            while (end < at + len && b[end] != 0) {
                if ((b[end] & 0x80) != 0) {
                    return Optional.empty(); // not ASCII: decoding raises, tarfile says invalid header
                }
                end++;
            }
            String s = new String(b, at, end - at, StandardCharsets.US_ASCII);
            if (s.isBlank()) {
                return Optional.of(0L);
            }
            return PythonLiterals.parseInt(s, 8, 40).map(v -> v.bitLength() < 63 ? v.longValue() : Long.MAX_VALUE);
        }
    }
}
