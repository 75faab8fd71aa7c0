package dev.pedigree.io.http;

/**
 * What the server said about one remote file when it was opened; recorded for the dossier.
 *
 * @param url the URL without credentials or query string
 * @param size total bytes
 * @param etag the entity tag of the final response (after redirects), or null if none was sent
 * @param lastModified the {@code Last-Modified} header, or null
 * @param repoCommit the commit a Hugging Face style hub resolved the revision to ({@code
 *     X-Repo-Commit}, from any response of the redirect chain), or null
 * @param linkedEtag the hub's {@code X-Linked-Etag} (the SHA-256 of an LFS file), or null
 */
public record RemoteFileInfo(
        String url, long size, String etag, String lastModified, String repoCommit, String linkedEtag) {
    public RemoteFileInfo {
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException("url is required");
        }
        if (size < 0) {
            throw new IllegalArgumentException("negative size " + size + " for " + url);
        }
    }

    /** True when the ETag is a strong validator (not {@code W/...}), usable as a cache key. */
    public boolean hasStrongEtag() {
        return etag != null && !etag.startsWith("W/") && etag.length() >= 2;
    }
}
