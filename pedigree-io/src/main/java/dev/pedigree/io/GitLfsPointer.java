package dev.pedigree.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;

/**
 * A Git LFS pointer: the small text file that a clone without Git LFS (or a raw download URL) holds
 * in place of a large file, such as every weight file of a model repository:
 *
 * <pre>
 * version https://git-lfs.github.com/spec/v1
 * oid sha256:4d7a2146…
 * size 133466304
 * </pre>
 *
 * Readers call {@link #refuse} before parsing a file, so that the user is told what the file is
 * instead of "unrecognised content" or a corrupt header. Immutable and thread-safe.
 *
 * @param oid the object id as written ({@code sha256:<hex>}), or null if the pointer has none
 * @param size the size in bytes of the file it stands for, or -1 if the pointer has none
 */
public record GitLfsPointer(String oid, long size) {
    /** Pointer files are smaller than this (the Git LFS specification's limit). */
    public static final int MAX_BYTES = 1024;

    private static final String[] VERSION_LINES = {
        "version https://git-lfs.github.com/spec/", "version https://hawser.github.com/spec/"
    };

    /**
     * The pointer held by {@code content}, if it is one.
     *
     * @param content the whole file (a pointer is at most {@link #MAX_BYTES} bytes, so a longer array
     *     is never one)
     */
    public static Optional<GitLfsPointer> parse(byte[] content) {
        if (content.length == 0 || content.length >= MAX_BYTES) {
            return Optional.empty();
        }
        String text = new String(content, StandardCharsets.UTF_8);
        boolean versioned = false;
        for (String v : VERSION_LINES) {
            versioned |= text.startsWith(v);
        }
        if (!versioned) {
            return Optional.empty();
        }
        String oid = null;
        long size = -1;
        for (String line : text.split("\n")) {
            if (line.startsWith("oid ")) {
                oid = line.substring(4).strip();
            } else if (line.startsWith("size ")) {
                try {
                    size = Long.parseLong(line.substring(5).strip());
                } catch (NumberFormatException e) {
                    size = -1; // a pointer with a damaged size is still a pointer
                }
            }
        }
        return Optional.of(new GitLfsPointer(oid, size));
    }

    /** The one-line explanation a reader gives instead of parsing the pointer. */
    public String explanation() {
        StringBuilder sb = new StringBuilder("this is a Git LFS pointer, not the model");
        if (oid != null || size >= 0) {
            sb.append(" (it stands for");
            if (size >= 0) {
                sb.append(String.format(Locale.ROOT, " %,d bytes", size));
            }
            if (oid != null) {
                sb.append(" with ").append(oid);
            }
            sb.append(')');
        }
        return sb.append("; fetch the real file (git lfs pull, or download it) and run again")
                .toString();
    }

    /**
     * Refuses a file whose head is a Git LFS pointer.
     *
     * @param head the file's first bytes, or all of it if shorter (a pointer is always whole here)
     * @throws UnsupportedModelException naming {@code source} when it is a pointer
     */
    public static void refuse(String source, byte[] head) throws UnsupportedModelException {
        Optional<GitLfsPointer> p = parse(head);
        if (p.isPresent()) {
            throw new UnsupportedModelException(source, p.get().explanation());
        }
    }

    /** Refuses a source that holds a Git LFS pointer; reads nothing from a source too large to be one. */
    public static void refuse(ByteSource src) throws IOException, ModelFormatException {
        long n = src.size();
        if (n > 0 && n < MAX_BYTES) {
            refuse(src.description(), src.readBytes(0, (int) n));
        }
    }

    /** Refuses a file that holds a Git LFS pointer; reads nothing from a file too large to be one. */
    public static void refuse(Path file) throws IOException, UnsupportedModelException {
        long n = Files.size(file);
        if (n > 0 && n < MAX_BYTES) {
            try (InputStream in = Files.newInputStream(file)) {
                refuse(file.toString(), in.readNBytes(MAX_BYTES));
            }
        }
    }
}
