package dev.pedigree.report;

import java.util.Locale;
import java.util.Objects;

/**
 * The SHA-256 of one input file, as listed in reports and BOMs.
 *
 * @param role who the file belongs to, e.g. {@code suspect} or {@code reference}
 * @param file the file name or path as given on the command line
 * @param sha256 64 lower-case hex digits
 */
public record FileHash(String role, String file, String sha256) {
    public FileHash {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(file, "file");
        Objects.requireNonNull(sha256, "sha256");
        sha256 = sha256.toLowerCase(Locale.ROOT);
        if (!sha256.matches("[0-9a-f]{64}")) {
            throw new IllegalArgumentException("not a SHA-256 hex digest: " + sha256);
        }
    }
}
