package dev.pedigree.format.pytorch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Writes tar archives the way CPython's tarfile reads them, for tests: ustar or V7 headers (no
 * magic), GNU long names, pax headers and hard links. Not thread-safe.
 */
final class TarWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private boolean ustar = true;

    /** Headers without the {@code ustar} magic from now on (the 1979 V7 layout). */
    TarWriter v7() {
        ustar = false;
        return this;
    }

    TarWriter member(String name, byte[] data) {
        return entry(name, '0', "", data);
    }

    TarWriter hardLink(String name, String target) {
        return entry(name, '1', target, new byte[0]);
    }

    TarWriter symlink(String name, String target) {
        return entry(name, '2', target, new byte[0]);
    }

    /** A GNU long-name header ('L') naming the member that follows, then that member. */
    TarWriter gnuLongName(String longName, String shortName, byte[] data) {
        byte[] n = (longName + "\0").getBytes(StandardCharsets.UTF_8);
        entry("././@LongLink", 'L', "", n);
        return member(shortName, data);
    }

    /** A pax header ('x') whose path record renames the member that follows. */
    TarWriter paxPath(String path, String headerName, byte[] data) {
        String rec = " path=" + path + "\n";
        int len = rec.length() + 1;
        while (Integer.toString(len).length() + rec.length() != len) {
            len = Integer.toString(len).length() + rec.length();
        }
        entry("PaxHeaders/x", 'x', "", (len + rec).getBytes(StandardCharsets.UTF_8));
        return member(headerName, data);
    }

    TarWriter entry(String name, char type, String link, byte[] data) {
        byte[] h = header(name, type, link, data.length, ustar);
        out.writeBytes(h);
        out.writeBytes(data);
        out.writeBytes(new byte[(int) (TarArchive.block(data.length) - data.length)]);
        return this;
    }

    /** A header block with a correct checksum. */
    static byte[] header(String name, char type, String link, long size, boolean ustar) {
        byte[] h = new byte[512];
        put(h, 0, name, 100);
        put(h, 100, "0000644", 8);
        put(h, 108, "0000000", 8);
        put(h, 116, "0000000", 8);
        put(h, 124, String.format("%011o", size), 12);
        put(h, 136, "00000000000", 12);
        h[156] = (byte) type;
        put(h, 157, link, 100);
        if (ustar) {
            put(h, 257, "ustar", 6);
            put(h, 263, "00", 2);
            put(h, 329, "0000000", 8);
            put(h, 337, "0000000", 8);
        }
        checksum(h, 0);
        return h;
    }

    /** Writes the checksum of the block at {@code at} into its chksum field. */
    static void checksum(byte[] b, int at) {
        for (int i = 148; i < 156; i++) {
            b[at + i] = ' ';
        }
        long sum = 0;
        for (int i = 0; i < 512; i++) {
            sum += b[at + i] & 0xFF;
        }
        put(b, at + 148, String.format("%06o", sum), 7);
        b[at + 155] = ' ';
    }

    static void put(byte[] b, int at, String s, int width) {
        byte[] v = s.getBytes(StandardCharsets.UTF_8);
        System.arraycopy(v, 0, b, at, Math.min(v.length, width));
    }

    /** The archive with its two end-of-archive blocks. */
    byte[] toByteArray() {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(out.toByteArray());
        b.writeBytes(new byte[1024]);
        return b.toByteArray();
    }
}
