package dev.pedigree.testkit;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * The real ONNX embedding models shipped inside {@code dev.langchain4j:langchain4j-embeddings-*}
 * jars on Maven Central. Each is extracted once from the class path into a cache directory (so it
 * can be memory-mapped) and reused.
 *
 * <p>Cache directory: system property {@code pedigree.model.cache}, else
 * {@code ${java.io.tmpdir}/pedigree-real-models}. Thread-safe (extraction goes through a temp file
 * and an atomic move).
 */
public final class RealModels {
    /** fp32 all-MiniLM-L6-v2 (6 layers, 384 wide, BERT). */
    public static final String ALL_MINILM_L6_V2 = "all-minilm-l6-v2";
    /** its onnxruntime dynamic int8 quantisation. */
    public static final String ALL_MINILM_L6_V2_Q = "all-minilm-l6-v2-q";

    public static final String BGE_SMALL_EN_V15 = "bge-small-en-v1.5";
    public static final String BGE_SMALL_EN_V15_Q = "bge-small-en-v1.5-q";
    public static final String BGE_SMALL_ZH_V15 = "bge-small-zh-v1.5";
    public static final String E5_SMALL_V2 = "e5-small-v2";
    public static final String E5_SMALL_V2_Q = "e5-small-v2-q";

    /** Every model name, fp32 first then quantised. */
    public static final List<String> ALL = List.of(
            ALL_MINILM_L6_V2,
            BGE_SMALL_EN_V15,
            BGE_SMALL_ZH_V15,
            E5_SMALL_V2,
            ALL_MINILM_L6_V2_Q,
            BGE_SMALL_EN_V15_Q,
            E5_SMALL_V2_Q);

    private RealModels() {}

    /** Path of {@code <name>.onnx}, extracted from the class path. */
    public static Path onnx(String name) {
        return extract(name + ".onnx");
    }

    /** Path of {@code <name>-tokenizer.json}, extracted from the class path. */
    public static Path tokenizer(String name) {
        return extract(name + "-tokenizer.json");
    }

    /** A Hugging Face style directory with {@code model.onnx} and {@code tokenizer.json}. */
    public static Path directory(String name) {
        Path dir = cacheDir().resolve("dir-" + name);
        try {
            Files.createDirectories(dir);
            link(onnx(name), dir.resolve("model.onnx"));
            link(tokenizer(name), dir.resolve("tokenizer.json"));
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Places {@code target} at {@code at} as a hard link, or a copy where the file system has none: never a symbolic
     * link, since a model folder's files must resolve inside the folder (a folder an older version built with
     * symbolic links is rebuilt).
     */
    private static void link(Path target, Path at) throws IOException {
        if (Files.exists(at) && !Files.isSymbolicLink(at)) {
            return;
        }
        Path tmp = at.resolveSibling(
                at.getFileName() + "." + ProcessHandle.current().pid() + ".part");
        Files.deleteIfExists(tmp);
        try {
            Files.createLink(tmp, target);
        } catch (IOException | UnsupportedOperationException e) {
            Files.copy(target, tmp, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.move(tmp, at, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    private static Path cacheDir() {
        String p = System.getProperty("pedigree.model.cache");
        return p != null ? Path.of(p) : Path.of(System.getProperty("java.io.tmpdir"), "pedigree-real-models");
    }

    /** Copies a class-path resource into the cache folder once and returns the copy (shared with {@link RealVocabularies}). */
    static synchronized Path extract(String resource) {
        Path dir = cacheDir();
        Path out = dir.resolve(resource);
        try (InputStream in = RealModels.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(
                        "resource " + resource + " not on the class path (missing langchain4j-embeddings jar?)");
            }
            Files.createDirectories(dir);
            if (Files.exists(out)) {
                return out;
            }
            Path tmp = Files.createTempFile(dir, resource, ".part");
            Files.copy(in, tmp, StandardCopyOption.REPLACE_EXISTING);
            Files.move(tmp, out, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException("extracting " + resource, e);
        }
    }
}
