package dev.pedigree.census.spark;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Optional;

/**
 * The census output directory: one directory per run under {@code runs/} (each holding every
 * {@link Tables table} and the run's fingerprints), and a {@code CURRENT} file naming the run that
 * readers use. A run becomes current only when it is complete: {@code CURRENT} is replaced by an
 * atomic rename, so a reader sees the old run or the new one, never half of one. Not thread-safe
 * (one writer per directory).
 */
public final class CensusStore {
    private static final DateTimeFormatter RUN_ID =
            DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);

    private final Path dir;

    public CensusStore(Path dir) {
        this.dir = dir.toAbsolutePath();
    }

    /** The output directory. */
    public Path dir() {
        return dir;
    }

    /** The current run's id, if a run was ever published. */
    public Optional<String> current() throws IOException {
        Path c = dir.resolve("CURRENT");
        if (!Files.exists(c)) {
            return Optional.empty();
        }
        String id = Files.readString(c, StandardCharsets.UTF_8).trim();
        if (!Files.isDirectory(runDir(id))) {
            throw new IOException(c + " names run " + id + ", which does not exist under " + dir.resolve("runs"));
        }
        return Optional.of(id);
    }

    /** The current run's id. */
    public String requireCurrent() throws IOException {
        return current().orElseThrow(() -> new IOException(dir + ": no census here yet (run pedigree census build)"));
    }

    /** A fresh run id (UTC time, with a suffix when several runs start in the same second). */
    public String newRunId() throws IOException {
        Files.createDirectories(dir.resolve("runs"));
        String base = RUN_ID.format(Instant.now());
        String id = base;
        for (int i = 1; Files.exists(runDir(id)); i++) {
            id = base + "-" + i;
        }
        Files.createDirectories(runDir(id));
        return id;
    }

    /** The directory of run {@code id}. */
    public Path runDir(String id) {
        if (!id.matches("[0-9A-Za-z-]+")) {
            throw new IllegalArgumentException("not a run id: " + id);
        }
        return dir.resolve("runs").resolve(id);
    }

    /** Makes run {@code id} the current one (atomic rename of CURRENT). */
    public void publish(String id) throws IOException {
        Path tmp = dir.resolve("CURRENT.tmp");
        Files.writeString(tmp, id + "\n", StandardCharsets.UTF_8);
        try {
            Files.move(
                    tmp, dir.resolve("CURRENT"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            throw new IOException(
                    dir + ": the filesystem cannot rename atomically, so CURRENT cannot be published safely", e);
        }
    }
}
