package dev.pedigree.model;

import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.nio.file.Path;

/**
 * A reader for one container format, discovered through {@link java.util.ServiceLoader}. Readers
 * are chosen by probing the content (magic bytes, structure), with the file name only as a
 * tie-breaker.
 *
 * <p>Implementations are stateless and thread-safe.
 */
public interface ModelReader {

    /** Short name, e.g. {@code gguf}. */
    String name();

    /**
     * How confident this reader is that it can open {@code file}, judged from the first bytes.
     *
     * @param head up to the first 4096 bytes of the file (fewer if the file is shorter)
     * @return 0 for "not mine", 100 for a certain magic-number match, values between for weaker
     *     structural or name-based hints
     */
    int probe(Path file, byte[] head);

    /**
     * Opens the file (and any sibling files it references, such as shards or external data).
     *
     * @throws ModelFormatException naming the file and offset when the content is corrupt,
     *     unsupported or unsafe
     */
    ModelView open(Path file) throws IOException, ModelFormatException;
}
