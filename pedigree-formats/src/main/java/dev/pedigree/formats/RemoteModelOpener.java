package dev.pedigree.formats;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.GitLfsPointer;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.io.http.HttpByteSource;
import dev.pedigree.io.http.RemoteLocation;
import dev.pedigree.io.http.RemoteRepository;
import dev.pedigree.io.http.RemoteSession;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * Opens models over HTTP: a URL of one file ({@code .safetensors}, {@code .gguf},
 * {@code tokenizer.json}), a repository URL in the Hugging Face {@code …/resolve/<revision>/}
 * layout, or {@code hf:owner/name[@revision]}. Only the bytes that are read are fetched (HTTP Range
 * requests, see {@link RemoteSession}); the returned view owns the session and closes it.
 *
 * <p>Every file goes through the {@link ModelReader} its content selects ({@link ModelReader#open(ByteSource,
 * ArchitectureHints)}), as a local file does. Remote PyTorch and ONNX files are refused by their readers: they need
 * the whole structure mapped.
 */
public final class RemoteModelOpener {
    /** Created on first use: a mapper costs a fifth of a second of class loading, which a local compare never needs. */
    private static final class Json {
        static final ObjectMapper MAPPER = new ObjectMapper();
    }

    private RemoteModelOpener() {}

    /** Whether {@code argument} names a remote model rather than a local path. */
    public static boolean isRemote(String argument) {
        return RemoteLocation.isRemote(argument);
    }

    /** Opens a remote model with a session configured from the environment. */
    public static ModelView open(String argument) throws IOException, ModelFormatException {
        RemoteSession session = RemoteSession.fromEnvironment();
        try {
            return open(argument, session);
        } catch (IOException | ModelFormatException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    /** Opens a remote model through {@code session}; the view closes the session. */
    public static ModelView open(String argument, RemoteSession session) throws IOException, ModelFormatException {
        RemoteLocation loc;
        try {
            loc = session.resolve(argument);
        } catch (IllegalArgumentException e) {
            throw new UnsupportedModelException(argument, "not a usable model URL: " + e.getMessage());
        }
        if (loc.kind() == RemoteLocation.Kind.FILE) {
            ModelView v = openFile(session.open(loc.uri()), ArchitectureHints.NONE);
            return BasicModelView.builder(v.source(), v.format())
                    .architecture(v.architecture())
                    .hints(v.hints())
                    .metadata(v.metadata())
                    .tensors(v.tensors())
                    .vocabulary(v.vocabulary().orElse(null))
                    .claims(v.claims())
                    .resource(session)
                    .resource(v)
                    .build();
        }
        return openRepository(session, session.openRepository(loc));
    }

    private static ModelView openRepository(RemoteSession session, RemoteRepository repo)
            throws IOException, ModelFormatException {
        JsonNode cfg = null;
        if (repo.contains(RemoteRepository.CONFIG)) {
            try (HttpByteSource c = repo.open(RemoteRepository.CONFIG)) {
                cfg = json(c);
            }
        }
        ArchitectureHints hints = ConfigHints.from(cfg);
        BasicModelView.Builder b = BasicModelView.builder(repo.location().description(), ModelFormat.HF_DIRECTORY)
                .hints(hints)
                .architecture(hints.architecture());
        b.resource(session);
        List<ModelView> opened = new ArrayList<>();
        try {
            List<TensorRef> all = new ArrayList<>();
            for (String w : repo.weightFiles()) {
                ModelView v = openFile(repo.open(w), hints);
                opened.add(v);
                b.resource(v);
                all.addAll(v.tensors());
                v.warnings().forEach(b::warning);
            }
            b.tensors(ReaddressedTensor.all(all, hints));
            if (repo.contains(RemoteRepository.TOKENIZER)) {
                try (ModelView t = openFile(repo.open(RemoteRepository.TOKENIZER), hints)) {
                    b.vocabulary(t.vocabulary().orElse(null));
                }
            }
            repo.commit().ifPresent(c -> b.metadata("remote.commit", c));
            b.metadata("remote.revision", repo.location().revision());
            return b.build();
        } catch (IOException | ModelFormatException | RuntimeException e) {
            for (ModelView v : opened) {
                v.close();
            }
            throw e;
        }
    }

    /**
     * Opens one remote file through the reader that its first bytes and its name select, as for a local file. The
     * view owns {@code src}; on failure {@code src} is closed.
     */
    static ModelView openFile(ByteSource src, ArchitectureHints hints) throws IOException, ModelFormatException {
        ModelReader reader;
        try {
            byte[] head = src.readBytes(0, (int) Math.min(src.size(), ModelOpener.PROBE_BYTES));
            GitLfsPointer.refuse(src.description(), head); // named by its URL, not only its file name
            reader = ModelOpener.readerFor(java.nio.file.Path.of(fileName(src.description())), head);
        } catch (IOException | ModelFormatException | RuntimeException e) {
            src.close();
            throw e;
        }
        return reader.open(src, hints);
    }

    private static String fileName(String url) {
        String path = url;
        int q = path.indexOf('?');
        if (q >= 0) {
            path = path.substring(0, q);
        }
        int slash = path.lastIndexOf('/');
        String n = slash >= 0 ? path.substring(slash + 1) : path;
        return n.isEmpty() ? "remote" : n;
    }

    private static JsonNode json(ByteSource s) throws IOException, ModelFormatException {
        if (s.size() > (16 << 20)) {
            throw new CorruptModelException(
                    s.description(), 0, "config.json of " + s.size() + " bytes is implausibly large");
        }
        try {
            return Json.MAPPER.readTree(s.readBytes(0, (int) s.size()));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new CorruptModelException(s.description(), 0, "invalid JSON: " + e.getOriginalMessage(), e);
        }
    }
}
