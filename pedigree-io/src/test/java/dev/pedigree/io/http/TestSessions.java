package dev.pedigree.io.http;

import java.nio.file.Path;
import java.time.Duration;

/** Sessions isolated from the real environment (no token, no HF_ENDPOINT, cache in a temp dir). */
final class TestSessions {
    static final RetryPolicy FAST_RETRY =
            new RetryPolicy(4, Duration.ofMillis(10), Duration.ofMillis(40), Duration.ofSeconds(5));

    private TestSessions() {}

    static RemoteSession.Builder builder(Path cacheDir) {
        return RemoteSession.builder()
                .lookups(k -> null, k -> null)
                .cacheDirectory(cacheDir)
                .retryPolicy(FAST_RETRY)
                .timeouts(Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(10));
    }
}
