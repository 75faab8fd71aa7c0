package dev.pedigree.io.http;

/**
 * A snapshot of what a {@link RemoteSession} (or one {@link HttpByteSource}) has transferred so far.
 * Tests and benchmarks use it to prove how many bytes a read really cost.
 *
 * @param bytesTransferred response body bytes received over the network (headers not counted)
 * @param requests HTTP exchanges sent, including {@code HEAD} probes and retries (a redirect chain
 *     counts once)
 * @param memoryCacheHits blocks served from the in-memory block cache
 * @param diskCacheHits blocks served from the on-disk range cache
 * @param blocksFetched blocks fetched over the network
 * @param retries exchanges repeated after a transient failure
 */
public record TransferStats(
        long bytesTransferred,
        long requests,
        long memoryCacheHits,
        long diskCacheHits,
        long blocksFetched,
        long retries) {

    /** No transfer at all. */
    public static final TransferStats NONE = new TransferStats(0, 0, 0, 0, 0, 0);

    public TransferStats {
        if (bytesTransferred < 0
                || requests < 0
                || memoryCacheHits < 0
                || diskCacheHits < 0
                || blocksFetched < 0
                || retries < 0) {
            throw new IllegalArgumentException("transfer counters must not be negative");
        }
    }

    /** Blocks served from either cache. */
    public long cacheHits() {
        return memoryCacheHits + diskCacheHits;
    }

    /** The counters accumulated between {@code earlier} and this snapshot. */
    public TransferStats since(TransferStats earlier) {
        return new TransferStats(
                bytesTransferred - earlier.bytesTransferred,
                requests - earlier.requests,
                memoryCacheHits - earlier.memoryCacheHits,
                diskCacheHits - earlier.diskCacheHits,
                blocksFetched - earlier.blocksFetched,
                retries - earlier.retries);
    }
}
