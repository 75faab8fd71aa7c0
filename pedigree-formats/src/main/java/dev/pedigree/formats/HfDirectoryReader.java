package dev.pedigree.formats;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFolder;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.inspect.Inspector;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Opens a Hugging Face style model directory: {@code config.json} (with nested
 * {@code text_config}/{@code vision_config}), the weights in whichever supported format is present,
 * the tokenizer files and the declared lineage in the model card front matter.
 *
 * <p>Weights are chosen in this order: sharded safetensors index, safetensors files, sharded
 * PyTorch index, PyTorch files, ONNX ({@code model.onnx}, then {@code onnx/model.onnx}), GGUF.
 * Only one family is read, so a directory that ships the same weights twice is not counted twice.
 */
public final class HfDirectoryReader {
    /** Created on first use: a mapper costs a fifth of a second of class loading, which a local compare never needs. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }
    /** config.json larger than this is refused: real configs are a few KB. */
    private static final long MAX_CONFIG_BYTES = 16L << 20;

    private HfDirectoryReader() {}

    /** Opens the directory; the view owns every file view opened inside it. */
    public static ModelView open(Path dir) throws IOException, ModelFormatException {
        ModelFolder.check(dir);
        Map<String, Object> config = new LinkedHashMap<>();
        JsonNode cfg = readJson(dir.resolve("config.json"));
        if (cfg != null) {
            cfg.properties().forEach(e -> {
                if (e.getValue().isValueNode()) {
                    config.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class));
                } else if (e.getValue().isArray() && e.getValue().size() <= 16) {
                    config.put(e.getKey(), Json.MAPPER.convertValue(e.getValue(), Object.class));
                }
            });
        }
        ArchitectureHints hints = ConfigHints.from(cfg);
        String architecture = hints.architecture();

        BasicModelView.Builder b = BasicModelView.builder(dir.toString(), ModelFormat.HF_DIRECTORY)
                .hints(hints)
                .metadata(config);
        List<ModelView> opened = new ArrayList<>();
        try {
            List<Path> weightFiles = chooseWeights(dir);
            Set<String> seen = new HashSet<>();
            for (Path wf : weightFiles) {
                ModelView v = ModelOpener.readerFor(wf).open(wf);
                opened.add(v);
                b.resource(v);
                v.files().forEach(b::file);
                if (architecture == null) {
                    architecture = v.architecture();
                }
                boolean readdress =
                        (v.format() == ModelFormat.SAFETENSORS || v.format() == ModelFormat.PYTORCH) && cfg != null;
                for (TensorRef t : readdress ? ReaddressedTensor.all(v.tensors(), hints) : v.tensors()) {
                    if (!seen.add(t.name())) {
                        b.warning(
                                "tensor " + t.name() + " appears in more than one weight file; the first copy is used");
                        continue;
                    }
                    b.tensor(t);
                }
                v.warnings().forEach(b::warning);
                b.claims(v.claims());
                v.vocabulary().ifPresent(b::vocabulary);
            }
            Path tok = chooseTokenizer(dir);
            if (tok != null) {
                ModelView tv = ModelOpener.readerFor(tok).open(tok);
                opened.add(tv);
                b.resource(tv);
                tv.vocabulary().ifPresent(b::vocabulary);
                tv.files().forEach(b::file);
            }
            b.claims(ModelCardClaims.read(dir));
            b.architecture(architecture);
            List<String> notWeightsOnly = checkBeside(dir, opened);
            if (!notWeightsOnly.isEmpty()) {
                b.metadata(Inspector.NOT_WEIGHTS_ONLY, String.join("; ", notWeightsOnly));
            }
            if (weightFiles.isEmpty() && tok == null) {
                throw new UnsupportedModelException(
                        dir.toString(), "directory holds no weights or tokenizer files Pedigree can read");
            }
            return b.build();
        } catch (IOException | ModelFormatException | RuntimeException e) {
            for (ModelView v : opened) {
                v.close();
            }
            throw e;
        }
    }

    /**
     * Checks every other file of the folder the way a common loader would open it ({@link ModelReader#checkBeside}):
     * a malicious {@code pytorch_model.bin}, {@code adapter_model.bin} or {@code training_args.bin} beside safe
     * weights makes the whole input unsafe, naming the file; a pickle-based file that cannot be checked is refused
     * too (fail closed).
     *
     * @return one entry per file that is not loadable weights-only but runs no code ({@code training_args.bin (its
     *     classes)}), in name order
     */
    static List<String> checkBeside(Path dir, List<ModelView> opened) throws IOException, ModelFormatException {
        Set<Path> read = new HashSet<>();
        for (ModelView v : opened) {
            v.files().forEach(f -> read.add(f.toAbsolutePath().normalize()));
        }
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        List<String> notes = new ArrayList<>();
        for (Path f : files) {
            if (read.contains(f.toAbsolutePath().normalize())) {
                continue;
            }
            ModelReader r;
            try {
                r = ModelOpener.readerFor(f);
            } catch (UnsupportedModelException | CorruptModelException notAModelFile) {
                continue; // empty, a Git LFS pointer or nothing a loader recognises
            }
            List<String> classes;
            try {
                classes = r.checkBeside(f);
            } catch (CorruptModelException | UnsupportedModelException e) {
                throw new UnsafeModelException(
                        f.toString(),
                        e.offset(),
                        "cannot be checked for code a loader would run (" + e.detail() + "); a " + r.name()
                                + " file beside the weights is refused unless it is checked",
                        e);
            }
            if (!classes.isEmpty()) {
                notes.add(name(f) + " (" + String.join(", ", classes) + ")");
            }
        }
        return notes;
    }

    static JsonNode readJson(Path file) throws IOException, CorruptModelException {
        if (!Files.isRegularFile(file)) {
            return null;
        }
        long size = Files.size(file);
        if (size > MAX_CONFIG_BYTES) {
            throw new CorruptModelException(
                    file.toString(), 0, "JSON file of " + size + " bytes is implausibly large for a configuration");
        }
        try {
            // Bytes, not a String: Jackson decodes the UTF-8 itself and names the offset of an invalid byte (a String
            // decode would fail with only "Input length = 1").
            return Json.MAPPER.readTree(Files.readAllBytes(file));
        } catch (JsonProcessingException e) {
            long off = e.getLocation() == null
                    ? 0
                    : Math.max(
                            0,
                            Math.max(
                                    e.getLocation().getByteOffset(),
                                    e.getLocation().getCharOffset()));
            throw new CorruptModelException(file.toString(), off, "invalid JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** The weight files to read, in priority order, from one format family. */
    static List<Path> chooseWeights(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        Path stIndex = dir.resolve("model.safetensors.index.json");
        if (Files.isRegularFile(stIndex)) {
            return List.of(stIndex);
        }
        List<Path> st = files.stream()
                .filter(p -> name(p).endsWith(".safetensors") && !name(p).startsWith("adapter_"))
                .toList();
        if (!st.isEmpty()) {
            return st;
        }
        Path ptIndex = dir.resolve("pytorch_model.bin.index.json");
        if (Files.isRegularFile(ptIndex)) {
            return List.of(ptIndex);
        }
        List<Path> pt = files.stream()
                .filter(p -> (name(p).endsWith(".bin") || name(p).endsWith(".pt") || name(p).endsWith(".pth"))
                        && !name(p).startsWith("adapter_")
                        && !name(p).equals("training_args.bin"))
                .toList();
        if (!pt.isEmpty()) {
            return pt;
        }
        for (Path onnx : List.of(dir.resolve("model.onnx"), dir.resolve("onnx/model.onnx"))) {
            if (Files.isRegularFile(onnx)) {
                return List.of(onnx);
            }
        }
        List<Path> anyOnnx =
                files.stream().filter(p -> name(p).endsWith(".onnx")).toList();
        if (!anyOnnx.isEmpty()) {
            return List.of(anyOnnx.getFirst());
        }
        List<Path> gguf = files.stream().filter(p -> name(p).endsWith(".gguf")).toList();
        if (!gguf.isEmpty()) {
            // Split GGUFs are opened from their first part, which finds the others.
            return List.of(gguf.getFirst());
        }
        return List.of();
    }

    /** The tokenizer file to read: tokenizer.json, tokenizer.model, vocab.json, vocab.txt, *.tiktoken. */
    static Path chooseTokenizer(Path dir) throws IOException {
        for (String n : List.of("tokenizer.json", "tokenizer.model", "vocab.json", "vocab.txt")) {
            Path p = dir.resolve(n);
            if (Files.isRegularFile(p)) {
                return p;
            }
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(p -> name(p).endsWith(".tiktoken"))
                    .sorted()
                    .findFirst()
                    .orElse(null);
        }
    }

    private static String name(Path p) {
        return p.getFileName().toString();
    }
}
