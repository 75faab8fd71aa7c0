package dev.pedigree.io;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;

/**
 * The one rule for the files of a model folder: every file a reader opens is a regular file whose resolved (real) path
 * lies inside the folder. A link that leads out of it ({@code vocab.txt -> /etc/passwd}) would put that file into the
 * fingerprint, the report and a registry export; a FIFO, device or socket would block a read forever or never end.
 *
 * <p>The one exception is the layout of a Hugging Face cache, where {@code <repo>/snapshots/<rev>/file} is a link to
 * {@code <repo>/blobs/<hash>}: a file of a folder {@code .../snapshots/<rev>} may resolve into {@code .../blobs}.
 *
 * <p>Stateless and thread-safe.
 */
public final class ModelFolder {
    /** Sub-folders whose files a directory reader opens too ({@code onnx/model.onnx}). */
    private static final String[] READ_SUBFOLDERS = {"onnx"};

    private ModelFolder() {}

    /**
     * Refuses a path that exists but is neither a regular file nor a directory (after following links): a FIFO blocks
     * the first read until some writer appears, a device never ends.
     *
     * @throws UnsupportedModelException naming the path and what it is
     */
    public static void requireFileOrFolder(Path path) throws IOException, ModelFormatException {
        BasicFileAttributes a;
        try {
            a = Files.readAttributes(path, BasicFileAttributes.class);
        } catch (NoSuchFileException e) {
            return; // the caller reports a missing file in its own words
        }
        if (!a.isRegularFile() && !a.isDirectory()) {
            throw new UnsupportedModelException(
                    path.toString(), "is " + kind(path) + ", not a regular file; Pedigree reads only regular files");
        }
    }

    /**
     * Checks every entry of a model folder (and of its {@code onnx/} sub-folder): each must be a regular file or a
     * directory resolving inside the folder. Entries a reader never opens are checked too, so the rule does not depend
     * on which file names a reader happens to look for.
     *
     * @throws UnsafeModelException naming the first link that leads outside
     * @throws UnsupportedModelException naming the first FIFO, device or socket
     */
    public static void check(Path folder) throws IOException, ModelFormatException {
        Path real = folder.toRealPath();
        checkEntries(folder, folder, real);
        for (String sub : READ_SUBFOLDERS) {
            Path s = folder.resolve(sub);
            if (Files.isDirectory(s)) {
                checkEntries(folder, s, real);
            }
        }
    }

    private static void checkEntries(Path folder, Path dir, Path realFolder) throws IOException, ModelFormatException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path e : entries) {
                if (Files.isSymbolicLink(e) || !dir.equals(folder)) {
                    if (!Files.exists(e)) {
                        continue; // a dangling link is no file anybody reads
                    }
                    inside(folder, realFolder, e);
                }
                requireFileOrFolder(e);
            }
        }
    }

    /**
     * {@code file} of {@code folder}, checked: a regular file (when it exists) resolving inside the folder.
     *
     * @return {@code file}
     * @throws UnsafeModelException if it is a link that resolves outside the folder
     */
    public static Path inside(Path folder, Path file) throws IOException, ModelFormatException {
        if (!Files.exists(file)) {
            return file;
        }
        inside(folder, folder.toRealPath(), file);
        requireFileOrFolder(file);
        return file;
    }

    private static void inside(Path folder, Path realFolder, Path file) throws IOException, ModelFormatException {
        Path real = file.toRealPath();
        if (real.startsWith(realFolder) || inCacheBlobs(folder, real)) {
            return;
        }
        throw new UnsafeModelException(
                file.toString(),
                "is a link to " + real + ", outside the model folder " + folder
                        + "; only files inside the folder are read");
    }

    /** A Hugging Face cache snapshot ({@code <repo>/snapshots/<rev>}) whose file resolves into {@code <repo>/blobs}. */
    private static boolean inCacheBlobs(Path folder, Path real) throws IOException {
        Path abs = folder.toAbsolutePath().normalize();
        Path snapshots = abs.getParent();
        if (snapshots == null
                || snapshots.getFileName() == null
                || !snapshots.getFileName().toString().equals("snapshots")
                || snapshots.getParent() == null) {
            return false;
        }
        Path blobs = snapshots.getParent().resolve("blobs");
        if (!Files.isDirectory(blobs, LinkOption.NOFOLLOW_LINKS)) {
            return false;
        }
        return real.getParent() != null && real.getParent().equals(blobs.toRealPath());
    }

    private static String kind(Path path) {
        try {
            Object mode = Files.getAttribute(path, "unix:mode");
            if (mode instanceof Integer m) {
                return switch (m & 0xF000) {
                    case 0x1000 -> "a FIFO (named pipe)";
                    case 0x2000 -> "a character device";
                    case 0x6000 -> "a block device";
                    case 0xC000 -> "a socket";
                    default -> "a special file";
                };
            }
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            // no unix view: say it generally
        }
        return "a special file (FIFO, device or socket)";
    }
}
