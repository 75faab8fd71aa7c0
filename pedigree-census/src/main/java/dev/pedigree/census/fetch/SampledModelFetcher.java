package dev.pedigree.census.fetch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.census.fetch.SampledFile.Range;
import dev.pedigree.census.fingerprint.CensusFingerprint;
import dev.pedigree.census.fingerprint.CensusFingerprinter;
import dev.pedigree.census.fingerprint.CensusProfile;
import dev.pedigree.census.hub.HubModel;
import dev.pedigree.census.hub.HubModel.HubFile;
import dev.pedigree.format.safetensors.SafetensorsReader;
import dev.pedigree.format.tokenizers.TokenizerJsonReader;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Fetches and fingerprints one hub model by sampled range reads, planned before any weight byte is
 * fetched:
 *
 * <ol>
 *   <li>the small files ({@code config.json}, {@code tokenizer.json}, a shard index) are read whole;
 *   <li>each safetensors file's header is read (one request, two when the header is larger than
 *       {@link #PROLOGUE_BYTES});
 *   <li>{@link CensusFingerprinter} runs once over sources that record the ranges it reads and
 *       answer zeros (what it reads depends on shapes and vocabulary only);
 *   <li>the recorded ranges are merged ({@link CensusProfile#mergeGapBytes()}) and fetched, one
 *       request each: for a matrix, one per block of contiguous rows;
 *   <li>the fingerprinter runs again over the fetched bytes. A read the plan missed is fetched on
 *       demand and reported in {@link Result#unplannedRequests()} (zero when the plan is right).
 * </ol>
 *
 * Stateless; thread-safe if the client is.
 */
public final class SampledModelFetcher {
    /** Bytes read at the start of each safetensors file: its 8-byte header length and, usually, the whole header. */
    public static final int PROLOGUE_BYTES = 64 * 1024;
    /** Range requests of one model in flight at once. */
    public static final int CONCURRENT_REQUESTS = 8;

    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * A fetched and fingerprinted model.
     *
     * @param fingerprint the census fingerprint
     * @param plannedRequests range requests the plan predicted for the weights (headers included)
     * @param plannedBytes bytes the plan predicted for the weights (headers included)
     * @param unplannedRequests requests for bytes the plan missed
     * @param fetched what the client asked of the hub for this model (listing excluded)
     * @param weightBytes the model's weight files' total size
     * @param largestRead the largest single range read of a weight file
     */
    public record Result(
            CensusFingerprint fingerprint,
            long plannedRequests,
            long plannedBytes,
            long unplannedRequests,
            FetchCounters.Snapshot fetched,
            long weightBytes,
            long largestRead) {}

    private SampledModelFetcher() {}

    /**
     * Fetches and fingerprints {@code model}.
     *
     * @throws UnsupportedModelException if the model has no safetensors weights
     * @throws IOException if the hub fails
     * @throws ModelFormatException if a file is corrupt
     */
    public static Result fetch(HubClient client, HubModel model, CensusProfile profile)
            throws IOException, ModelFormatException {
        FetchCounters.Snapshot before = client.counters().snapshot();
        String where = "hf:" + model.id() + "@" + model.sha();
        List<HubFile> weights = weightFiles(client, model, where);
        ArchitectureHints hints = ArchitectureHints.NONE;
        HubFile config = model.file("config.json");
        if (config != null) {
            hints = hints(client.readAll(model, config));
        }
        Vocabulary vocab = null;
        HubFile tok = model.file("tokenizer.json");
        if (tok != null) {
            vocab = TokenizerJsonReader.read(ByteSource.ofBytes(where + "/tokenizer.json", client.readAll(model, tok)));
        }
        List<SampledFile> files = new ArrayList<>();
        long weightBytes = 0;
        long plannedRequests = 0;
        long plannedBytes = 0;
        for (HubFile f : weights) {
            SampledFile sf =
                    new SampledFile(where + "/" + f.path(), f.size(), (o, n) -> client.readRange(model, f, o, n));
            // The header, usually in one request; bounded by a sixtieth of the file so that the prologue of
            // a small file does not read its first tensors whole.
            long first = Math.min(f.size(), Math.min(PROLOGUE_BYTES, Math.max(1024, f.size() / 64)));
            sf.fetch(new Range(0, first));
            plannedRequests++;
            plannedBytes += first;
            if (f.size() < 8) {
                throw new CorruptModelException(sf.description(), 0, "safetensors file of " + f.size() + " bytes");
            }
            long headerEnd = 8
                    + ByteBuffer.wrap(sf.readBytes(0, 8))
                            .order(ByteOrder.LITTLE_ENDIAN)
                            .getLong();
            if (headerEnd < 8 || headerEnd > f.size()) {
                throw new CorruptModelException(sf.description(), 0, "header length past the end of the file");
            }
            if (headerEnd > first) {
                sf.fetch(new Range(first, headerEnd - first));
                plannedRequests++;
                plannedBytes += headerEnd - first;
            }
            files.add(sf);
            weightBytes += f.size();
        }
        long largest = 0;
        List<Callable<Void>> fetches = new ArrayList<>();
        for (Map.Entry<SampledFile, List<Range>> e :
                plan(where, files, hints, vocab, weightBytes, profile).entrySet()) {
            SampledFile sf = e.getKey();
            for (Range r : e.getValue()) {
                fetches.add(() -> {
                    sf.fetch(r);
                    return null;
                });
                plannedRequests++;
                plannedBytes += r.length();
                largest = Math.max(largest, r.length());
            }
        }
        fetchConcurrently(fetches);
        for (SampledFile sf : files) {
            sf.mode(SampledFile.Mode.SERVE);
        }
        CensusFingerprint fp = CensusFingerprinter.fingerprint(view(where, files, hints, vocab), weightBytes, profile);
        long unplanned = 0;
        for (SampledFile sf : files) {
            unplanned += sf.unplannedRequests();
        }
        return new Result(
                fp,
                plannedRequests,
                plannedBytes,
                unplanned,
                client.counters().snapshot().since(before),
                weightBytes,
                largest);
    }

    /**
     * The range requests a census fingerprint of these files needs: a dry run of {@link
     * CensusFingerprinter} over the files in {@link SampledFile.Mode#RECORD} (each holding at least
     * its header), its reads merged per {@link CensusProfile#mergeGapBytes()}. Depends only on the
     * headers, the vocabulary and the profile, so it also predicts the cost of models never fetched.
     */
    public static Map<SampledFile, List<Range>> plan(
            String where,
            List<SampledFile> files,
            ArchitectureHints hints,
            Vocabulary vocab,
            long weightBytes,
            CensusProfile profile)
            throws IOException, ModelFormatException {
        CensusFingerprinter.fingerprint(view(where, files, hints, vocab), weightBytes, profile);
        Map<SampledFile, List<Range>> out = new LinkedHashMap<>();
        for (SampledFile sf : files) {
            out.put(sf, SampledFile.coalesce(sf.recorded(), profile.mergeGapBytes()));
        }
        return out;
    }

    /**
     * Runs the planned range requests, {@link #CONCURRENT_REQUESTS} at a time: over a real network
     * each request waits a round trip, so one model's fetch is latency-bound, not bandwidth-bound.
     */
    private static void fetchConcurrently(List<Callable<Void>> fetches) throws IOException {
        try (ExecutorService pool = Executors.newFixedThreadPool(
                CONCURRENT_REQUESTS, Thread.ofVirtual().name("census-fetch-", 0).factory())) {
            List<Future<Void>> done = pool.invokeAll(fetches);
            for (Future<Void> f : done) {
                try {
                    f.get();
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof IOException io) {
                        throw io;
                    }
                    throw new IllegalStateException("range fetch failed", e.getCause());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while fetching ranges", e);
        }
    }

    /** The safetensors files of the model: the shards of an index, or the top-level {@code *.safetensors} files. */
    static List<HubFile> weightFiles(HubClient client, HubModel model, String where)
            throws IOException, ModelFormatException {
        HubFile index = model.file("model.safetensors.index.json");
        List<HubFile> out = new ArrayList<>();
        if (index != null) {
            JsonNode map = JSON.readTree(client.readAll(model, index)).path("weight_map");
            Set<String> shards = new LinkedHashSet<>();
            map.forEach(n -> shards.add(n.asText()));
            for (String s : shards) {
                HubFile f = model.file(s);
                if (f == null || s.contains("..")) {
                    throw new CorruptModelException(
                            where + "/model.safetensors.index.json",
                            ModelFormatException.NO_OFFSET,
                            "weight_map names " + s + ", which the repository does not have");
                }
                out.add(f);
            }
            return out;
        }
        for (HubFile f : model.files()) {
            if (f.path().endsWith(".safetensors") && !f.path().contains("/")) {
                out.add(f);
            }
        }
        if (out.isEmpty()) {
            throw new UnsupportedModelException(where, "no safetensors weights (the census reads safetensors only)");
        }
        return out;
    }

    private static ModelView view(String where, List<SampledFile> files, ArchitectureHints hints, Vocabulary vocab)
            throws IOException, ModelFormatException {
        BasicModelView.Builder b = BasicModelView.builder(where, ModelFormat.SAFETENSORS)
                .hints(hints)
                .architecture(hints.architecture());
        for (SampledFile f : files) {
            ModelView v = new SafetensorsReader().open(f, hints);
            b.tensors(v.tensors());
        }
        if (vocab != null) {
            b.vocabulary(vocab);
        }
        return b.build();
    }

    /** Architecture hints from a {@code config.json} (its {@code text_config} where the top level has no sizes). */
    static ArchitectureHints hints(byte[] config) throws IOException {
        JsonNode root = JSON.readTree(config);
        JsonNode c = root.has("hidden_size") || !root.has("text_config") ? root : root.path("text_config");
        Integer hidden = intOrNull(c, "hidden_size");
        Integer heads = intOrNull(c, "num_attention_heads");
        Integer headDim = intOrNull(c, "head_dim");
        if (headDim == null && hidden != null && heads != null && heads > 0) {
            headDim = hidden / heads;
        }
        String arch = root.path("architectures").isArray()
                        && !root.path("architectures").isEmpty()
                ? root.path("architectures").get(0).asText()
                : root.path("model_type").asText(null);
        JsonNode tied =
                root.has("tie_word_embeddings") ? root.get("tie_word_embeddings") : c.get("tie_word_embeddings");
        return new ArchitectureHints(
                root.path("model_type").asText(arch),
                hidden,
                heads,
                intOrNull(c, "num_key_value_heads"),
                headDim,
                intOrNull(c, "intermediate_size"),
                intOrNull(c, "num_hidden_layers"),
                tied == null || !tied.isBoolean() ? null : tied.asBoolean());
    }

    private static Integer intOrNull(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v != null && v.canConvertToInt() ? v.asInt() : null;
    }
}
