package dev.pedigree.census.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.pedigree.census.hub.HubListing;
import dev.pedigree.census.hub.HubModel;
import dev.pedigree.census.hub.HubModel.HubFile;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.io.Sha256;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.DType;
import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a simulated model hub with its ground truth: families of a base and every derivation the
 * simulator knows ({@link SimKind}), independent controls that share their family's tokenizer and
 * shapes (two per family, one of them falsely claiming the base), standalone vision towers that the
 * families' VLMs freeze bit for bit, and tokenizers shared by several families.
 *
 * <p>Layout under the output directory: {@code hub.json} (the listing: {@link HubListing}),
 * {@code truth.json} ({@link GroundTruth}) and {@code repos/OWNER/NAME/} with {@code
 * model.safetensors} (BF16), {@code config.json}, {@code tokenizer.json} and a {@code README.md}
 * model card whose front matter declares {@code base_model} where the kind declares it. Deterministic
 * for a seed. Not thread-safe (one call writes one directory).
 */
public final class SimulatedHub {
    /** Models per text family: the base, sixteen derivatives, two independent controls. */
    public static final int FAMILY_SIZE = 19;
    /** Standalone vision towers (each frozen into the VLMs of every other family). */
    public static final int VISION_TOWERS = 2;
    /** Families that share one tokenizer (so a tokenizer block holds several unrelated families). */
    public static final int FAMILIES_PER_TOKENIZER = 3;

    private static final SimKind[] FAMILY_KINDS = {
        SimKind.BASE,
        SimKind.NOISE_LIGHT,
        SimKind.NOISE_HEAVY,
        SimKind.LORA,
        SimKind.INT8,
        SimKind.FROZEN_EMBEDDINGS,
        SimKind.VOCAB_EXTENDED,
        SimKind.PERMUTED,
        SimKind.CHAIN,
        SimKind.UPCYCLED_MOE,
        SimKind.VLM,
        SimKind.RESTACKED,
        SimKind.DEPTH_UPSCALED,
        SimKind.VOCAB_PRUNED,
        SimKind.WIDTH_PRUNED,
        SimKind.RESIDUAL_PERMUTED,
        SimKind.RESIDUAL_ROTATED,
        SimKind.INDEPENDENT,
        SimKind.INDEPENDENT_FALSE_CLAIM
    };
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
    private static final Instant EPOCH = Instant.parse("2024-01-01T00:00:00Z");

    /**
     * Shape and size of a simulated hub.
     *
     * @param models at least this many models (rounded up to whole families)
     * @param layers decoder blocks per text model
     * @param seed seed of every draw
     */
    public record Options(int models, int layers, long seed) {
        public Options {
            if (models < FAMILY_SIZE + VISION_TOWERS) {
                throw new IllegalArgumentException(
                        "a simulated hub needs at least " + (FAMILY_SIZE + VISION_TOWERS) + " models, got " + models);
            }
            if (layers < 1 || layers > 64) {
                throw new IllegalArgumentException("layers must be in [1, 64]: " + layers);
            }
        }

        /** Text families of the hub. */
        public int families() {
            return Math.ceilDiv(models - VISION_TOWERS, FAMILY_SIZE);
        }
    }

    private SimulatedHub() {}

    /**
     * Writes the hub into {@code dir} (created; must be empty or absent) and returns its truth.
     *
     * @throws IOException if writing fails
     */
    public static GroundTruth write(Path dir, Options options) throws IOException {
        Files.createDirectories(dir);
        try (var s = Files.list(dir)) {
            if (s.findAny().isPresent()) {
                throw new IOException(dir + ": not empty; a simulated hub is written into a new directory");
            }
        }
        Config text = Config.smallDecoder().withLayers(options.layers());
        Config vision = Config.smallVision();
        List<HubModel> listing = new ArrayList<>();
        List<GroundTruth.Entry> truth = new ArrayList<>();
        SplittableRandom rnd = new SplittableRandom(options.seed());
        List<SimModel> towers = new ArrayList<>();
        List<String> towerIds = new ArrayList<>();
        int minute = 0;
        for (int g = 0; g < VISION_TOWERS; g++) {
            SimModel tower = SyntheticTransformer.random("vit-" + g, vision, rnd.nextLong());
            String id = "vision-lab" + g + "/" + SimKind.VISION_ROOT.slug() + "-" + g;
            towers.add(tower);
            towerIds.add(id);
            listing.add(writeRepo(dir, id, tower, vision, null, EPOCH.plusSeconds(60L * minute++)));
            truth.add(new GroundTruth.Entry(id, SimKind.VISION_ROOT, null, Map.of("vision", id)));
        }
        for (int f = 0; f < options.families(); f++) {
            Vocabulary vocab = SyntheticTransformer.vocabulary(text.vocab(), 10_000 * (f / FAMILIES_PER_TOKENIZER));
            SimModel base =
                    SyntheticTransformer.random("base", text, rnd.nextLong()).withVocabulary(vocab);
            String owner = "lab" + f;
            String baseId = owner + "/" + SimKind.BASE.slug();
            String lightId = owner + "/" + SimKind.NOISE_LIGHT.slug();
            SimModel light = null;
            // Independent controls are published at random times, some before the base.
            for (SimKind kind : FAMILY_KINDS) {
                long seed = rnd.nextLong();
                SimModel m;
                String parent = baseId;
                String declared = null;
                String vit = null;
                switch (kind) {
                    case BASE -> {
                        m = base;
                        parent = null;
                    }
                    case NOISE_LIGHT -> {
                        m = light = DerivationSimulator.noise(base, 0.5, seed);
                        declared = baseId;
                    }
                    case NOISE_HEAVY -> m = DerivationSimulator.noise(base, 2.0, seed);
                    case LORA -> {
                        m = DerivationSimulator.lowRank(base, 8, 0.5, seed);
                        declared = baseId;
                    }
                    case INT8 -> {
                        m = DerivationSimulator.int8RoundTrip(base);
                        declared = baseId;
                    }
                    case FROZEN_EMBEDDINGS -> m = frozenEmbeddings(base, seed);
                    case VOCAB_EXTENDED ->
                        m = DerivationSimulator.noise(DerivationSimulator.extendVocabulary(base, 64, seed), 0.3, ~seed);
                    case PERMUTED ->
                        m = DerivationSimulator.noise(
                                DerivationSimulator.permuteHiddenAndHeads(base, seed), 0.5, ~seed);
                    case CHAIN -> {
                        m = DerivationSimulator.noise(light, 0.5, seed);
                        parent = lightId;
                        declared = lightId;
                    }
                    case UPCYCLED_MOE -> m = DerivationSimulator.upcycle(base, Component.TEXT_DECODER, 4, 0.1, seed);
                    case VLM -> {
                        int g = f % VISION_TOWERS;
                        vit = towerIds.get(g);
                        m = DerivationSimulator.combine(
                                DerivationSimulator.noise(base, 0.5, seed),
                                towers.get(g).tensors(),
                                "vlm");
                        declared = baseId;
                    }
                    case RESTACKED ->
                        m = DerivationSimulator.noise(
                                DerivationSimulator.restack(base, Component.TEXT_DECODER, everySecond(text.layers())),
                                0.3,
                                seed);
                    case DEPTH_UPSCALED ->
                        m = DerivationSimulator.restack(base, Component.TEXT_DECODER, upscaled(text.layers()));
                    case VOCAB_PRUNED ->
                        m = DerivationSimulator.noise(DerivationSimulator.pruneVocabulary(base, 0.3, seed), 0.3, ~seed);
                    case WIDTH_PRUNED ->
                        m = DerivationSimulator.widthPruning(base, Component.TEXT_DECODER, 0.25, 0.25, seed);
                    case RESIDUAL_PERMUTED ->
                        m = DerivationSimulator.noise(
                                DerivationSimulator.permuteResidual(base, Component.TEXT_DECODER, true, seed),
                                0.3,
                                ~seed);
                    case RESIDUAL_ROTATED -> m = DerivationSimulator.rotateResidual(base, Component.TEXT_DECODER, seed);
                    case INDEPENDENT -> {
                        m = DerivationSimulator.matchedRandom(base, seed);
                        parent = null;
                    }
                    case INDEPENDENT_FALSE_CLAIM -> {
                        m = DerivationSimulator.matchedRandom(base, seed);
                        parent = null;
                        declared = baseId;
                    }
                    case VISION_ROOT -> throw new IllegalStateException("vision roots are not family members");
                    default -> throw new IllegalStateException(kind.name());
                }
                String id = (kind.derivative() || kind == SimKind.BASE ? owner : "indie" + f) + "/" + kind.slug();
                Instant created = kind.derivative() || kind == SimKind.BASE
                        ? EPOCH.plusSeconds(60L * minute++)
                        : EPOCH.plusSeconds(60L * rnd.nextInt(Math.max(1, minute + FAMILY_SIZE)));
                listing.add(writeRepo(dir, id, m, text, declared, created));
                Map<String, String> fam = new LinkedHashMap<>();
                fam.put("text", kind.derivative() ? baseId : id);
                if (vit != null) {
                    fam.put("vision", vit);
                }
                truth.add(new GroundTruth.Entry(id, kind, parent, fam));
            }
        }
        GroundTruth gt = new GroundTruth(truth);
        HubListing.write(dir.resolve(HubListing.FILE), listing);
        JSON.writeValue(dir.resolve("truth.json").toFile(), gt);
        return gt;
    }

    /** Reads the truth written by {@link #write}. */
    public static GroundTruth readTruth(Path dir) throws IOException {
        return JSON.readValue(dir.resolve("truth.json").toFile(), GroundTruth.class);
    }

    /** The repository directory of a model id inside a simulated hub. */
    public static Path repoDir(Path hub, String id) {
        return hub.resolve("repos").resolve(id);
    }

    /** Every second layer: 0, 2, 4, … */
    static int[] everySecond(int layers) {
        int[] out = new int[Math.ceilDiv(layers, 2)];
        for (int i = 0; i < out.length; i++) {
            out[i] = 2 * i;
        }
        return out;
    }

    /** SOLAR-style: all layers but the last quarter, then all layers but the first quarter. */
    static int[] upscaled(int layers) {
        int q = Math.max(1, layers / 4);
        int[] out = new int[2 * (layers - q)];
        for (int i = 0; i < layers - q; i++) {
            out[i] = i;
            out[layers - q + i] = q + i;
        }
        return out;
    }

    /** Blocks fine-tuned (noise 0.5×), embeddings and head left bit-identical. */
    private static SimModel frozenEmbeddings(SimModel base, long seed) {
        SimModel tuned = DerivationSimulator.noise(base, 0.5, seed);
        List<ArrayTensor> out = new ArrayList<>();
        for (int i = 0; i < tuned.tensors().size(); i++) {
            ArrayTensor t = tuned.tensors().get(i);
            out.add(
                    t.address().layer() == null && t.shape().rank() == 2
                            ? base.tensors().get(i)
                            : t);
        }
        return tuned.withTensors(out).named(base.name() + "+frozen-emb");
    }

    private static HubModel writeRepo(Path hub, String id, SimModel m, Config c, String declared, Instant created)
            throws IOException {
        Path dir = repoDir(hub, id);
        Files.createDirectories(dir);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        for (ArrayTensor t : m.tensors()) {
            w.add(hubName(t.name()), DType.BF16, t.shape(), t.readAll());
        }
        List<HubFile> files = new ArrayList<>();
        files.add(writeFile(dir, "model.safetensors", w.toBytes(), true));
        files.add(writeFile(dir, "config.json", config(m, c), false));
        if (m.vocabulary() != null) {
            files.add(writeFile(dir, "tokenizer.json", tokenizerJson(m.vocabulary()), true));
        }
        String card = declared == null ? "# " + id + "\n" : "---\nbase_model: " + declared + "\n---\n# " + id + "\n";
        files.add(writeFile(dir, "README.md", card.getBytes(StandardCharsets.UTF_8), false));
        StringBuilder rev = new StringBuilder();
        for (HubFile f : files) {
            rev.append(f.path()).append(f.sha256() == null ? f.size() : f.sha256());
        }
        String sha = Sha256.hex(rev.toString().getBytes(StandardCharsets.UTF_8)).substring(0, 40);
        return new HubModel(id, sha, created.toString(), declared, files);
    }

    private static HubFile writeFile(Path dir, String name, byte[] bytes, boolean lfs) throws IOException {
        Files.write(dir.resolve(name), bytes);
        return new HubFile(name, bytes.length, lfs ? Sha256.hex(bytes) : null);
    }

    /** Hugging Face tensor names for the simulator's: {@code text.} → {@code model.} (head: {@code lm_head}), {@code vision.} → {@code vision_tower.}. */
    static String hubName(String simName) {
        if (simName.startsWith("text.lm_head.")) {
            return simName.substring("text.".length());
        }
        if (simName.startsWith("text.")) {
            return "model." + simName.substring("text.".length());
        }
        if (simName.startsWith("vision.")) {
            return "vision_tower." + simName.substring("vision.".length());
        }
        return simName;
    }

    private static byte[] config(SimModel m, Config c) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        boolean textModel = m.vocabulary() != null;
        o.put("model_type", textModel ? "llama" : "siglip_vision_model");
        o.putArray("architectures").add(textModel ? "LlamaForCausalLM" : "SiglipVisionModel");
        o.put("hidden_size", c.hidden());
        o.put("num_attention_heads", c.heads());
        o.put("num_key_value_heads", c.kvHeads());
        o.put("intermediate_size", c.mlp());
        o.put("num_hidden_layers", c.layers());
        o.put("tie_word_embeddings", c.tied());
        if (textModel) {
            o.put("vocab_size", m.vocabulary().size());
        }
        return JSON.writeValueAsBytes(o);
    }

    /** A {@code tokenizer.json} (BPE model, no merges) holding the vocabulary's tokens at their ids. */
    static byte[] tokenizerJson(Vocabulary v) throws IOException {
        ObjectNode o = JSON.createObjectNode();
        o.put("version", "1.0");
        o.putArray("added_tokens");
        ObjectNode model = o.putObject("model");
        model.put("type", "BPE");
        ObjectNode vocab = model.putObject("vocab");
        for (Token t : v.tokens()) {
            vocab.put(t.text(), t.id());
        }
        model.putArray("merges");
        return JSON.writeValueAsBytes(o);
    }
}
