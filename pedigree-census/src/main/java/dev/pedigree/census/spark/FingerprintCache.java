package dev.pedigree.census.spark;

import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fingerprints an executor has loaded, least recently used dropped first once their stored
 * size passes {@link #MAX_BYTES}: a test task loads each fingerprint once however many of its pairs
 * name it, and pairs shuffle model ids, never fingerprint bytes. One per JVM (executors are JVMs);
 * thread-safe.
 */
final class FingerprintCache {
    /** Stored bytes of fingerprints kept (about 0.1–2 MB each). */
    static final long MAX_BYTES = 256L << 20;

    private static final FingerprintCache INSTANCE = new FingerprintCache();

    private record Entry(Fingerprint fingerprint, long bytes) {}

    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(64, 0.75f, true);
    private long bytes;
    private long loads;

    static FingerprintCache get() {
        return INSTANCE;
    }

    /** The fingerprint stored at {@code path}, loaded on first use. */
    Fingerprint load(String path) throws IOException, ModelFormatException {
        synchronized (this) {
            Entry e = entries.get(path);
            if (e != null) {
                return e.fingerprint();
            }
        }
        byte[] b = Files.readAllBytes(Path.of(path));
        Fingerprint f = dev.pedigree.fingerprint.FingerprintCodec.decode(b, path);
        synchronized (this) {
            loads++;
            entries.put(path, new Entry(f, b.length));
            bytes += b.length;
            var it = entries.entrySet().iterator();
            while (bytes > MAX_BYTES && it.hasNext()) {
                Map.Entry<String, Entry> old = it.next();
                bytes -= old.getValue().bytes();
                it.remove();
            }
        }
        return f;
    }

    /** Fingerprints read from storage so far in this JVM. */
    synchronized long loads() {
        return loads;
    }
}
