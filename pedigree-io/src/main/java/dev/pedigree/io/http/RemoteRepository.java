package dev.pedigree.io.http;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.ShardIndex;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * A Hugging Face style model folder reached over HTTP ({@code .../resolve/<revision>/}). Plain HTTP
 * cannot list a folder, so a repository is opened by probing well-known names, a 404 meaning
 * absent:
 *
 * <ol>
 *   <li>{@code config.json};
 *   <li>{@code model.safetensors.index.json}: when present it is read ({@link ShardIndex}: a shard name that is
 *       not a plain file name is refused as unsafe) and the shards named in its {@code weight_map} become the
 *       weight files (they are not probed until opened);
 *   <li>otherwise {@code model.safetensors};
 *   <li>{@code tokenizer.json} and {@code tokenizer_config.json}.
 * </ol>
 *
 * <p>Immutable after discovery and thread-safe; each {@link #open} returns a new source that the
 * caller closes. The repository itself holds no resources.
 */
public final class RemoteRepository {
    public static final String CONFIG = "config.json";
    public static final String SAFETENSORS_INDEX = "model.safetensors.index.json";
    public static final String SAFETENSORS = "model.safetensors";
    public static final String TOKENIZER = "tokenizer.json";
    public static final String TOKENIZER_CONFIG = "tokenizer_config.json";

    private final RemoteSession session;
    private final RemoteLocation location;
    private final Map<String, RemoteFileInfo> probed;
    private final List<String> files;
    private final List<String> weightFiles;
    private final Map<String, String> weightMap;

    private RemoteRepository(
            RemoteSession session,
            RemoteLocation location,
            Map<String, RemoteFileInfo> probed,
            List<String> files,
            List<String> weightFiles,
            Map<String, String> weightMap) {
        this.session = session;
        this.location = location;
        this.probed = Collections.unmodifiableMap(probed);
        this.files = List.copyOf(files);
        this.weightFiles = List.copyOf(weightFiles);
        this.weightMap = Collections.unmodifiableMap(weightMap);
    }

    static RemoteRepository discover(RemoteSession session, RemoteLocation location)
            throws IOException, ModelFormatException {
        Map<String, RemoteFileInfo> probed = new LinkedHashMap<>();
        List<String> files = new ArrayList<>();
        List<String> weights = new ArrayList<>();
        Map<String, String> weightMap = new LinkedHashMap<>();
        probe(session, location, CONFIG, probed, files);
        if (probe(session, location, SAFETENSORS_INDEX, probed, files)) {
            try (HttpByteSource index =
                    session.open(location.fileUri(SAFETENSORS_INDEX), probed.get(SAFETENSORS_INDEX))) {
                weightMap.putAll(ShardIndex.read(index).weightMap());
            }
            TreeSet<String> shards = new TreeSet<>(weightMap.values());
            weights.addAll(shards);
            files.addAll(shards);
        } else if (probe(session, location, SAFETENSORS, probed, files)) {
            weights.add(SAFETENSORS);
        }
        probe(session, location, TOKENIZER, probed, files);
        probe(session, location, TOKENIZER_CONFIG, probed, files);
        if (!probed.containsKey(CONFIG) && weights.isEmpty()) {
            throw new RemoteIOException(
                    location.description(),
                    404,
                    "no " + CONFIG + ", " + SAFETENSORS_INDEX + " or " + SAFETENSORS
                            + " found: not a model repository, or a wrong revision");
        }
        return new RemoteRepository(session, location, probed, files, weights, weightMap);
    }

    private static boolean probe(
            RemoteSession session,
            RemoteLocation location,
            String name,
            Map<String, RemoteFileInfo> probed,
            List<String> files)
            throws IOException {
        URI uri = location.fileUri(name);
        try {
            RemoteFileInfo info = session.rangeClient().probe(uri, SafeUrl.describe(uri), session.counters());
            probed.put(name, info);
            files.add(name);
            return true;
        } catch (RemoteIOException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    /** Where the repository is. */
    public RemoteLocation location() {
        return location;
    }

    /** Files found: probed ones that exist, plus the shards named by the index, in discovery order. */
    public List<String> listFiles() {
        return files;
    }

    /** The safetensors weight files: the index's shards (sorted), or {@code model.safetensors}. */
    public List<String> weightFiles() {
        return weightFiles;
    }

    /** Tensor name → shard file from the index; empty for a single-file model. */
    public Map<String, String> weightMap() {
        return weightMap;
    }

    /** True if {@link #listFiles()} has the name. */
    public boolean contains(String name) {
        return files.contains(name);
    }

    /** Size and validators of a probed file (config, index, single weights, tokenizer files). */
    public Optional<RemoteFileInfo> probedInfo(String name) {
        return Optional.ofNullable(probed.get(name));
    }

    /** The commit the hub resolved the revision to ({@code X-Repo-Commit}), if it said. */
    public Optional<String> commit() {
        return probed.values().stream()
                .map(RemoteFileInfo::repoCommit)
                .filter(c -> c != null)
                .findFirst();
    }

    /**
     * Opens a file of the repository (any relative name, not only listed ones). Probed files open
     * without another request. The caller closes the source.
     *
     * @throws RemoteIOException if the file is absent or cannot be read
     * @throws IllegalArgumentException for an unsafe relative name
     */
    public HttpByteSource open(String name) throws IOException {
        URI uri = location.fileUri(name);
        RemoteFileInfo known = probed.get(name);
        return known != null ? session.open(uri, known) : session.open(uri);
    }

    @Override
    public String toString() {
        return "RemoteRepository[" + location.description() + ", " + files.size() + " files]";
    }
}
