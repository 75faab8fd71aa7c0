package dev.pedigree.io.http;

import dev.pedigree.io.Sha256;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32C;

/**
 * The on-disk cache of fetched blocks: one file per block, under a folder named by the SHA-256 of
 * (URL, validator, size, block size), so a file replaced on the server (new ETag) never reuses old
 * blocks. Each block file holds the bytes followed by their CRC32C; a file of the wrong length or
 * checksum is ignored. Writers go through a temporary file and an atomic move, so concurrent
 * processes see a whole block or none. A failure to write only costs a later refetch.
 *
 * <p>Layout: {@code <root>/<key[0:2]>/<key>/<blockSize>-<index>.blk}. Thread-safe.
 */
final class DiskBlockCache {
    private static final System.Logger LOG = System.getLogger(DiskBlockCache.class.getName());

    private final Path root;

    DiskBlockCache(Path root) {
        this.root = root;
    }

    Path root() {
        return root;
    }

    /** The folder for one version of one remote file. */
    Path folder(String url, String validator, long size, int blockSize) {
        String key =
                Sha256.hex((url + "\n" + validator + "\n" + size + "\n" + blockSize).getBytes(StandardCharsets.UTF_8));
        return root.resolve(key.substring(0, 2)).resolve(key);
    }

    private static Path file(Path folder, int blockSize, long index) {
        return folder.resolve(blockSize + "-" + index + ".blk");
    }

    /** True if a block file exists (it may still fail verification on read). */
    boolean contains(Path folder, int blockSize, long index) {
        return Files.isRegularFile(file(folder, blockSize, index));
    }

    /** The block's bytes, or null when absent or damaged. */
    byte[] read(Path folder, int blockSize, long index, int expectedLength) {
        Path f = file(folder, blockSize, index);
        try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
            if (ch.size() != expectedLength + 4L) {
                return null;
            }
            ByteBuffer buf = ByteBuffer.allocate(expectedLength + 4);
            while (buf.hasRemaining()) {
                if (ch.read(buf) < 0) {
                    return null;
                }
            }
            byte[] data = new byte[expectedLength];
            buf.flip();
            buf.get(data);
            int stored = buf.getInt();
            CRC32C crc = new CRC32C();
            crc.update(data);
            return (int) crc.getValue() == stored ? data : null;
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "ignoring unreadable cache block " + f + ": " + e);
            return null;
        }
    }

    /** Stores a block; failures are logged at debug level and otherwise ignored. */
    void write(Path folder, int blockSize, long index, byte[] data) {
        Path target = file(folder, blockSize, index);
        Path tmp = null;
        try {
            Files.createDirectories(folder);
            tmp = Files.createTempFile(folder, "blk", ".part");
            CRC32C crc = new CRC32C();
            crc.update(data);
            ByteBuffer buf = ByteBuffer.allocate(data.length + 4)
                    .put(data)
                    .putInt((int) crc.getValue())
                    .flip();
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            tmp = null;
        } catch (IOException e) {
            LOG.log(Level.DEBUG, "could not cache block " + index + " in " + folder + ": " + e);
        } finally {
            if (tmp != null) {
                try {
                    Files.deleteIfExists(tmp);
                } catch (IOException ignored) {
                    // a stray .part file is harmless; the next writer uses a fresh name
                }
            }
        }
    }
}
