package dev.pedigree.report;

import java.util.Locale;
import java.util.Objects;

/**
 * The SHA-256 of one input file, as listed in reports and BOMs, or why a file has none (a model read over HTTP
 * ranges is never downloaded whole, so it is listed with its revision instead).
 *
 * @param role who the file belongs to, e.g. {@code suspect} or {@code reference}
 * @param file the file name or path as given on the command line
 * @param sha256 64 lower-case hex digits, or null when {@code unhashed} says why there is none
 * @param unhashed null when hashed; else a short reason, e.g. {@code remote (revision main, commit …)}
 */
public record FileHash(String role, String file, String sha256, String unhashed) {
    public FileHash {
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(file, "file");
        if (sha256 == null) {
            Objects.requireNonNull(unhashed, "sha256 or the reason there is none");
        } else {
            sha256 = sha256.toLowerCase(Locale.ROOT);
            if (!sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("not a SHA-256 hex digest: " + sha256);
            }
        }
    }

    /** A hashed file. */
    public FileHash(String role, String file, String sha256) {
        this(role, file, Objects.requireNonNull(sha256, "sha256"), null);
    }

    /** A file that was not hashed, and why (e.g. read remotely by ranges). */
    public static FileHash unhashed(String role, String file, String why) {
        return new FileHash(role, file, null, why);
    }

    /** The digest, or the reason there is none, for display. */
    public String shown() {
        return sha256 != null ? sha256 : unhashed;
    }
}
