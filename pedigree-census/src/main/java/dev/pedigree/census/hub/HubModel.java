package dev.pedigree.census.hub;

import java.util.List;
import java.util.Objects;

/**
 * One model repository as the hub's listing describes it, before anything is downloaded: its
 * revision, creation time, the base it declares on its model card, and its files with the sizes and
 * LFS SHA-256 the hub reports (whole-file reuse is visible from these alone).
 *
 * @param id {@code owner/name}
 * @param sha the revision (commit) the files belong to
 * @param createdAt creation time on the hub, ISO-8601 (orders models for the direction of edges)
 * @param declaredBase the model card's {@code base_model}, or null when none is declared
 * @param files the repository's files
 */
public record HubModel(String id, String sha, String createdAt, String declaredBase, List<HubFile> files) {
    public HubModel {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(sha, "sha");
        Objects.requireNonNull(createdAt, "createdAt");
        if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*")) {
            throw new IllegalArgumentException("not an owner/name model id: " + id);
        }
        files = List.copyOf(files);
    }

    /** The file at {@code path}, or null. */
    public HubFile file(String path) {
        for (HubFile f : files) {
            if (f.path().equals(path)) {
                return f;
            }
        }
        return null;
    }

    /**
     * One file of a repository.
     *
     * @param path path inside the repository
     * @param size bytes
     * @param sha256 the LFS SHA-256 (hex), or null for a file not stored in LFS (small text files)
     */
    public record HubFile(String path, long size, String sha256) {
        public HubFile {
            Objects.requireNonNull(path, "path");
            if (size < 0) {
                throw new IllegalArgumentException("negative size of " + path);
            }
            if (sha256 != null && !sha256.matches("[0-9a-f]{64}")) {
                throw new IllegalArgumentException("not a SHA-256: " + sha256);
            }
        }
    }
}
