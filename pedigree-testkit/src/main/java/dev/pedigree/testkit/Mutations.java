package dev.pedigree.testkit;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Seeded mutations of a valid file for fuzz tests: one to three edits, each a bit flip, an overwrite with a boundary
 * value (1, 2, 4 or 8 bytes, little-endian: -1, 0, a power of two, a small count, near {@code Long.MAX_VALUE}), a run
 * of random bytes, an insertion, a deletion, a duplicated chunk or a truncation. Edits land in the first {@code focus}
 * bytes (where a format keeps its structure: header, index, metadata) three times in four, anywhere otherwise, so that
 * mutants mostly exercise the parser rather than tensor payloads that any value is valid for. For text formats a
 * dictionary (such as {@link #JSON_TOKENS}) supplies half of the bytes that runs and insertions write, so that mutants
 * also break and remake the syntax rather than only its strings.
 *
 * <p>The same input, focus, dictionary and generator state give the same mutant. Stateless and thread-safe; the
 * generator is the caller's.
 */
public final class Mutations {
    /** The bytes that JSON's syntax is made of, for {@link #mutate(byte[], int, byte[], RandomGenerator)}. */
    public static final byte[] JSON_TOKENS = "{}[]\":,-.0123456789eE\\ntfu".getBytes(StandardCharsets.US_ASCII);

    private static final byte[] NONE = new byte[0];

    private Mutations() {}

    /** A mutant of {@code in} with edits anywhere. */
    public static byte[] mutate(byte[] in, RandomGenerator rnd) {
        return mutate(in, in.length, NONE, rnd);
    }

    /** A mutant of {@code in} whose edits fall mostly in its first {@code focus} bytes. */
    public static byte[] mutate(byte[] in, int focus, RandomGenerator rnd) {
        return mutate(in, focus, NONE, rnd);
    }

    /**
     * A mutant of {@code in} whose edits fall mostly in its first {@code focus} bytes, and whose written bytes come
     * half from {@code dictionary} (when it is not empty).
     *
     * @throws IllegalArgumentException if {@code focus} is negative
     */
    public static byte[] mutate(byte[] in, int focus, byte[] dictionary, RandomGenerator rnd) {
        if (focus < 0) {
            throw new IllegalArgumentException("negative focus " + focus);
        }
        byte[] b = in.clone();
        int edits = 1 + rnd.nextInt(3);
        for (int e = 0; e < edits; e++) {
            int span = rnd.nextInt(4) == 0 ? b.length : Math.min(b.length, Math.max(1, focus));
            int at = span == 0 ? 0 : rnd.nextInt(span);
            b = switch (rnd.nextInt(8)) {
                case 0 -> flipBits(b, at, rnd);
                case 1 -> overwrite(b, at, boundaryValue(rnd), 1 << rnd.nextInt(4));
                case 2 -> overwrite(b, at, rnd.nextLong(), 1 << rnd.nextInt(4));
                case 3 -> randomRun(b, at, dictionary, rnd);
                case 4 -> insert(b, at, dictionary, rnd);
                case 5 -> delete(b, at, rnd);
                case 6 -> duplicate(b, at, rnd);
                default -> Arrays.copyOf(b, at);
            };
        }
        return b;
    }

    private static long boundaryValue(RandomGenerator rnd) {
        return switch (rnd.nextInt(5)) {
            case 0 -> -1L;
            case 1 -> 0L;
            case 2 -> 1L << rnd.nextInt(63);
            case 3 -> rnd.nextInt(64);
            default -> Long.MAX_VALUE - rnd.nextInt(16);
        };
    }

    private static byte nextByte(byte[] dictionary, RandomGenerator rnd) {
        return dictionary.length > 0 && rnd.nextBoolean()
                ? dictionary[rnd.nextInt(dictionary.length)]
                : (byte) rnd.nextInt(256);
    }

    private static byte[] flipBits(byte[] b, int at, RandomGenerator rnd) {
        int flips = 1 + rnd.nextInt(4);
        for (int i = 0; i < flips && at + i < b.length; i++) {
            b[at + i] ^= (byte) (1 << rnd.nextInt(8));
        }
        return b;
    }

    private static byte[] overwrite(byte[] b, int at, long value, int width) {
        for (int i = 0; i < width && at + i < b.length; i++) {
            b[at + i] = (byte) (value >>> (8 * i));
        }
        return b;
    }

    private static byte[] randomRun(byte[] b, int at, byte[] dictionary, RandomGenerator rnd) {
        int len = 1 + rnd.nextInt(8);
        for (int i = 0; i < len && at + i < b.length; i++) {
            b[at + i] = nextByte(dictionary, rnd);
        }
        return b;
    }

    private static byte[] insert(byte[] b, int at, byte[] dictionary, RandomGenerator rnd) {
        byte[] ins = new byte[1 + rnd.nextInt(16)];
        for (int i = 0; i < ins.length; i++) {
            ins[i] = nextByte(dictionary, rnd);
        }
        return splice(b, at, ins);
    }

    private static byte[] delete(byte[] b, int at, RandomGenerator rnd) {
        int len = Math.min(b.length - at, 1 + rnd.nextInt(16));
        byte[] out = new byte[b.length - len];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(b, at + len, out, at, b.length - at - len);
        return out;
    }

    /** A copy of a chunk of the file inserted elsewhere: repeated keys, entries and records. */
    private static byte[] duplicate(byte[] b, int at, RandomGenerator rnd) {
        if (b.length == 0) {
            return b;
        }
        int from = rnd.nextInt(b.length);
        int len = Math.min(b.length - from, 1 + rnd.nextInt(32));
        return splice(b, at, Arrays.copyOfRange(b, from, from + len));
    }

    private static byte[] splice(byte[] b, int at, byte[] ins) {
        byte[] out = new byte[b.length + ins.length];
        System.arraycopy(b, 0, out, 0, at);
        System.arraycopy(ins, 0, out, at, ins.length);
        System.arraycopy(b, at, out, at + ins.length, b.length - at);
        return out;
    }

    /**
     * Copies the zip archive {@code in} to {@code out} with one bit flipped in the middle of entry {@code victim} (a
     * tampered pack or archive whose directory still reads).
     */
    public static void flipBitInZipEntry(Path in, Path out, String victim) throws IOException {
        try (ZipInputStream zi = new ZipInputStream(Files.newInputStream(in));
                ZipOutputStream zo = new ZipOutputStream(Files.newOutputStream(out))) {
            ZipEntry e;
            while ((e = zi.getNextEntry()) != null) {
                byte[] data = zi.readAllBytes();
                if (e.getName().equals(victim)) {
                    data[data.length / 2] ^= 0x10;
                }
                zo.putNextEntry(new ZipEntry(e.getName()));
                zo.write(data);
                zo.closeEntry();
            }
        }
    }
}
