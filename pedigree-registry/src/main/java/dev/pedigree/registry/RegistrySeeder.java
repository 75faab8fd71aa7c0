package dev.pedigree.registry;

import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintOptions;
import dev.pedigree.formats.ModelOpener;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Seeds a registry from model and tokenizer files that are at hand, so that {@code identify}
 * already recognises them: e.g. the vocab-only GGUFs and tokenizers of {@code ../shared/fixtures}
 * and the real ONNX models extracted from the {@code langchain4j-embeddings-*} jars. A directory
 * argument that is itself a model (a Hugging Face directory with a {@code config.json},
 * {@code model.onnx} or {@code tokenizer.json}) is added as one model; any other directory is
 * searched (depth 3) for {@code .gguf}, {@code .onnx}, {@code .safetensors}, {@code .tiktoken},
 * {@code tokenizer.json}/{@code *.tokenizer.json} and SentencePiece {@code .model} files. Names
 * come from file or directory names; a name already in the registry is skipped (seeding twice is
 * harmless). Files that cannot be opened are reported and skipped. Stateless.
 */
public final class RegistrySeeder {
    private RegistrySeeder() {}

    /** What happened to one path. */
    public record Outcome(Path path, String name, Status status, String detail) {}

    /** Per-path status. */
    public enum Status {
        ADDED,
        ALREADY_PRESENT,
        FAILED
    }

    /** Seeds with the default fingerprint options. */
    public static List<Outcome> seed(Registry registry, List<Path> paths) throws RegistryException {
        return seed(registry, paths, FingerprintOptions.DEFAULT);
    }

    /**
     * Adds every model found under {@code paths}.
     *
     * @throws RegistryException if the registry itself fails (locked, not a registry)
     */
    public static List<Outcome> seed(Registry registry, List<Path> paths, FingerprintOptions options)
            throws RegistryException {
        return seed(registry, paths, options, stage -> {});
    }

    /**
     * {@link #seed(Registry, List, FingerprintOptions)}, telling {@code stages} which model it fingerprints
     * ("fingerprinting e5-small-v2 (model 3 of 12)"), e.g. for progress on a terminal.
     */
    public static List<Outcome> seed(
            Registry registry, List<Path> paths, FingerprintOptions options, java.util.function.Consumer<String> stages)
            throws RegistryException {
        List<Outcome> out = new ArrayList<>();
        List<Path> found = discover(paths);
        for (Path p : found) {
            String name = nameOf(p);
            stages.accept("fingerprinting " + name + " (model " + (out.size() + 1) + " of " + found.size() + ")");
            if (registry.find(name).isPresent()) {
                out.add(new Outcome(p, name, Status.ALREADY_PRESENT, "already in the registry"));
                continue;
            }
            try (ModelView v = ModelOpener.open(p)) {
                Fingerprint fp = Fingerprint.of(v, options);
                registry.add(fp, ModelMetadata.named(name));
                out.add(new Outcome(
                        p,
                        name,
                        Status.ADDED,
                        fp.tensors().size() + " tensors, " + fp.regularKeys().size() + " regular tokens"));
            } catch (RegistryException e) {
                throw e;
            } catch (IOException | ModelFormatException | RuntimeException e) {
                out.add(new Outcome(p, name, Status.FAILED, e.getMessage()));
            }
        }
        return out;
    }

    /** The model paths that {@link #seed} would add, sorted, without duplicates. */
    public static List<Path> discover(List<Path> paths) {
        java.util.TreeSet<Path> out = new java.util.TreeSet<>();
        for (Path p : paths) {
            if (Files.isDirectory(p) && !isModelDirectory(p)) {
                try (Stream<Path> s = Files.walk(p, 3)) {
                    s.filter(Files::isRegularFile)
                            .filter(RegistrySeeder::isModelFile)
                            .forEach(f -> out.add(f.toAbsolutePath().normalize()));
                } catch (IOException | java.io.UncheckedIOException e) {
                    // unreadable directory: nothing to seed from it
                }
            } else if (Files.exists(p)) {
                out.add(p.toAbsolutePath().normalize());
            }
        }
        return new ArrayList<>(out);
    }

    private static boolean isModelDirectory(Path d) {
        return Files.exists(d.resolve("config.json"))
                || Files.exists(d.resolve("model.onnx"))
                || Files.exists(d.resolve("tokenizer.json"))
                || Files.exists(d.resolve("model.safetensors"));
    }

    private static boolean isModelFile(Path f) {
        String n = f.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".gguf")
                || n.endsWith(".onnx")
                || n.endsWith(".safetensors")
                || n.endsWith(".tiktoken")
                || n.equals("tokenizer.json")
                || n.endsWith(".tokenizer.json")
                || n.endsWith("-tokenizer.json")
                || (n.endsWith(".model") && n.contains("tokenizer"));
    }

    /** The registry name of a path: the file name without model extensions, or the directory name for generic file names. */
    public static String nameOf(Path p) {
        Path fn = p.getFileName();
        if (fn == null) {
            return p.toString();
        }
        String n = fn.toString();
        String lower = n.toLowerCase(Locale.ROOT);
        for (String ext : new String[] {
            ".tokenizer.json", "-tokenizer.json", ".gguf", ".onnx", ".safetensors", ".tiktoken", ".model", ".json"
        }) {
            if (lower.endsWith(ext)) {
                n = n.substring(0, n.length() - ext.length());
                break;
            }
        }
        boolean generic = n.isEmpty() || n.equals("model") || n.equals("tokenizer") || n.startsWith("model-0");
        if (generic && p.getParent() != null && p.getParent().getFileName() != null) {
            return p.getParent().getFileName().toString();
        }
        return n;
    }
}
