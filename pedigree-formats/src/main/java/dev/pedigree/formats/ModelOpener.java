package dev.pedigree.formats;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.GitLfsPointer;
import dev.pedigree.io.ModelFolder;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/**
 * Opens any supported input: a weights file, a tokenizer file, or a Hugging Face style directory.
 * The reader is chosen by probing the file's first bytes with every {@link ModelReader} found on
 * the class path; the highest confidence wins and the file name only breaks ties inside readers.
 *
 * <p>Thread-safe; the returned view is owned by the caller.
 */
public final class ModelOpener {
    /** Bytes handed to {@link ModelReader#probe}. */
    public static final int PROBE_BYTES = 4096;

    /** Loaded on first use, so argument errors are reported before any provider is touched. */
    private static final class Readers {
        static final List<ModelReader> ALL = loadReaders();
    }

    private ModelOpener() {}

    private static List<ModelReader> loadReaders() {
        List<ModelReader> rs = new ArrayList<>();
        ServiceLoader.load(ModelReader.class, ModelOpener.class.getClassLoader())
                .forEach(rs::add);
        rs.sort(Comparator.comparing(ModelReader::name));
        return List.copyOf(rs);
    }

    /** Every reader found, by name. */
    public static List<ModelReader> readers() {
        return Readers.ALL;
    }

    /**
     * Opens {@code path}.
     *
     * @throws NoSuchFileException if nothing exists there
     * @throws UnsupportedModelException if no reader recognises the content
     * @throws ModelFormatException if the chosen reader finds the content corrupt or unsafe
     */
    public static ModelView open(Path path) throws IOException, ModelFormatException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "no such file or directory");
        }
        ModelFolder.requireFileOrFolder(path);
        if (Files.isDirectory(path)) {
            return HfDirectoryReader.open(path);
        }
        return readerFor(path).open(path);
    }

    /**
     * Opens a command-line MODEL argument: a local path, or a URL / {@code hf:owner/name[@rev]}
     * (read with HTTP Range requests, see {@link RemoteModelOpener}).
     */
    public static ModelView open(String argument) throws IOException, ModelFormatException {
        if (RemoteModelOpener.isRemote(argument)) {
            return RemoteModelOpener.open(argument);
        }
        return open(Path.of(argument));
    }

    /** The reader that claims {@code file} most confidently. */
    public static ModelReader readerFor(Path file) throws IOException, ModelFormatException {
        ModelFolder.requireFileOrFolder(file);
        return readerFor(file, head(file));
    }

    /**
     * The reader that claims content starting with {@code head} (named {@code file}) most confidently.
     *
     * @throws UnsupportedModelException if the content is a Git LFS pointer (every route, local file, file of a
     *     directory or remote file, comes through here) or no reader recognises it
     */
    public static ModelReader readerFor(Path file, byte[] head) throws ModelFormatException {
        if (head.length == 0) {
            throw new CorruptModelException(file.toString(), 0, "file is empty");
        }
        GitLfsPointer.refuse(file.toString(), head);
        ModelReader best = null;
        int bestScore = 0;
        for (ModelReader r : Readers.ALL) {
            int s = r.probe(file, head);
            if (s > bestScore) {
                best = r;
                bestScore = s;
            }
        }
        if (best == null) {
            throw new UnsupportedModelException(
                    file.toString(),
                    0,
                    "unrecognised content: not safetensors, GGUF, ONNX, a PyTorch checkpoint or a known tokenizer format");
        }
        return best;
    }

    static byte[] head(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return in.readNBytes(PROBE_BYTES);
        }
    }
}
