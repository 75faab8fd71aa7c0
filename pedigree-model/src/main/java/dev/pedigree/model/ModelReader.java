package dev.pedigree.model;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
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

    /**
     * Checks a file that a model directory holds beside the weights Pedigree reads ({@code training_args.bin} beside
     * {@code model.safetensors}), without reading tensors: would a common loader of this file run code? The default
     * answers for formats that cannot name code: nothing to report.
     *
     * @return what a loader would import beyond plain weights (qualified names of data classes it constructs); empty
     *     when the file loads weights-only
     * @throws dev.pedigree.io.UnsafeModelException naming the file, what it would run and the offset
     * @throws ModelFormatException when the file cannot be checked (corrupt, unsupported)
     */
    default java.util.List<String> checkBeside(Path file) throws IOException, ModelFormatException {
        return java.util.List.of();
    }

    /**
     * Opens one file's content from any byte source (a remote object read by HTTP ranges, bytes in memory), with
     * {@code hints} from a {@code config.json} beside it. The returned view owns {@code src} and closes it; if opening
     * fails, {@code src} is closed before the exception is thrown. Sibling files (shards, external data) cannot be
     * reached from a byte source, so this opens the one file only.
     *
     * <p>The default refuses: formats whose readers need more than a byte source (the whole structure mapped, or
     * siblings on a local disk) keep it.
     *
     * @throws UnsupportedModelException naming the source when this format cannot be read from a byte source
     * @throws ModelFormatException naming the source and offset when the content is corrupt, unsupported or unsafe
     */
    default ModelView open(ByteSource src, ArchitectureHints hints) throws IOException, ModelFormatException {
        String where = src.description();
        src.close();
        throw new UnsupportedModelException(
                where,
                0,
                "remote " + name() + " files are not supported yet (this reader needs a local file); download the"
                        + " file first");
    }
}
