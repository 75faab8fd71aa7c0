package dev.pedigree.testkit;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Locates {@code ../shared/fixtures} (real tokenizers and GGUF files that a fresh clone does not
 * have). Tests call {@link #require()} or {@link #file(String)}, which skip the test with a message
 * when the folder is absent.
 *
 * <p>Lookup order: system property {@code pedigree.shared}, environment variable
 * {@code PEDIGREE_SHARED}, then {@code ../shared} relative to the working directory and its
 * parents.
 */
public final class SharedFixtures {
    private SharedFixtures() {}

    /** The fixtures folder, or null if absent. */
    public static Path find() {
        String p = System.getProperty("pedigree.shared");
        if (p == null) {
            p = System.getenv("PEDIGREE_SHARED");
        }
        if (p != null && Files.isDirectory(Path.of(p, "fixtures"))) {
            return Path.of(p, "fixtures").toAbsolutePath().normalize();
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 4 && dir != null; i++, dir = dir.getParent()) {
            Path f = dir.resolve("../shared/fixtures").normalize();
            if (Files.isDirectory(f)) {
                return f;
            }
        }
        return null;
    }

    /** The fixtures folder; skips the calling test when it is absent. */
    public static Path require() {
        Path f = find();
        Assumptions.assumeTrue(
                f != null, "skipped: ../shared/fixtures is not present (real tokenizer and GGUF fixtures live there)");
        return f;
    }

    /** A file under the fixtures folder; skips the calling test when the folder or file is absent. */
    public static Path file(String relative) {
        Path f = require().resolve(relative);
        Assumptions.assumeTrue(Files.exists(f), "skipped: fixture " + relative + " is not present");
        return f;
    }
}
