package dev.pedigree.format.safetensors;

import static dev.pedigree.format.safetensors.RawFiles.assertFails;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorHashes;
import dev.pedigree.model.TensorRef;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** A sharded checkpoint reads as the same tensors as the single file it was split from. */
class SafetensorsShardedTest {
    @TempDir
    Path dir;

    private SafetensorsWriter writer;

    @BeforeEach
    void model() {
        Random rnd = new Random(7);
        writer = new SafetensorsWriter().metadata("format", "pt");
        writer.add("model.embed_tokens.weight", DType.BF16, Shape.of(64, 32), gaussian(rnd, 64 * 32));
        for (int layer = 0; layer < 3; layer++) {
            String p = "model.layers." + layer + ".";
            writer.add(p + "self_attn.q_proj.weight", DType.F16, Shape.of(32, 32), gaussian(rnd, 32 * 32));
            writer.add(p + "mlp.up_proj.weight", DType.F32, Shape.of(48, 32), gaussian(rnd, 48 * 32));
            writer.add(p + "input_layernorm.weight", DType.F32, Shape.of(32), gaussian(rnd, 32));
        }
        writer.add("model.norm.weight", DType.F32, Shape.of(32), gaussian(rnd, 32));
    }

    private static float[] gaussian(Random rnd, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) rnd.nextGaussian();
        }
        return v;
    }

    private static Map<String, String> hashes(ModelView v) throws Exception {
        Map<String, String> m = new TreeMap<>();
        for (TensorRef t : v.tensors()) {
            m.put(t.name(), TensorHashes.canonicalSha256(t) + "/" + TensorHashes.storedSha256(t) + "/" + t.address());
        }
        return m;
    }

    private static List<Path> shards(Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.filter(p -> p.getFileName().toString().matches("model-\\d{5}-of-\\d{5}\\.safetensors"))
                    .sorted()
                    .toList();
        }
    }

    @Test
    void shardedReadEqualsSingleFileRead() throws Exception {
        Path single = dir.resolve("model.safetensors");
        writer.write(single);
        Path index = writer.writeSharded(dir.resolve("sharded"), "model", 8_000);
        List<Path> shards = shards(index.getParent());
        assertThat(shards).hasSizeGreaterThan(2);
        assertThat(shards.getFirst().getFileName().toString())
                .isEqualTo("model-00001-of-0000" + shards.size() + ".safetensors");

        try (ModelView one = new SafetensorsReader().open(single);
                ModelView many = SafetensorsReader.open(index, ArchitectureHints.NONE)) {
            assertThat(many.warnings()).isEmpty();
            assertThat(many.tensors()).hasSize(one.tensors().size()).hasSize(11);
            assertThat(hashes(many)).isEqualTo(hashes(one));
            assertThat(many.files()).hasSize(shards.size() + 1).first().isEqualTo(index);
            assertThat(many.metadata()).containsEntry("format", "pt").containsKey("index.total_size");
            assertThat(many.source()).isEqualTo(index.toString());
            assertThat(many.tensors()).allSatisfy(t -> assertThat(t.source()).contains("model-0000"));
        }
    }

    @Test
    void readerDispatchesOnTheIndexName() throws Exception {
        Path index = writer.writeSharded(dir, "model", 1 << 20);
        assertThat(SafetensorsReader.isIndex(index)).isTrue();
        try (ModelView v = new SafetensorsReader().open(index)) {
            assertThat(v.tensors()).hasSize(11);
            assertThat(v.files()).hasSize(2);
        }
    }

    @Test
    void wrongTotalSizeAndUnlistedTensorsAreWarnings() throws Exception {
        Path index = writer.writeSharded(dir, "model", 8_000);
        String json = Files.readString(index);
        String edited = json.replaceFirst("\"total_size\" : \\d+", "\"total_size\" : 12")
                .replaceFirst("\\s*\"model.embed_tokens.weight\" : \"[^\"]+\",", "");
        Files.writeString(index, edited);
        try (ModelView v = new SafetensorsReader().open(index)) {
            assertThat(v.tensors()).hasSize(11);
            assertThat(v.warnings()).anySatisfy(w -> assertThat(w).contains("total_size 12"));
            assertThat(v.warnings())
                    .anySatisfy(w ->
                            assertThat(w).contains("model.embed_tokens.weight").contains("not listed"));
        }
    }

    @Test
    void missingShardNamesTheIndexAndTheEntry() throws Exception {
        Path index = writer.writeSharded(dir, "model", 8_000);
        Path second = shards(dir).get(1);
        Files.delete(second);
        String shardName = second.getFileName().toString();
        CorruptModelException e =
                assertFails(CorruptModelException.class, index, () -> new SafetensorsReader().open(index));
        assertThat(e.getMessage()).contains(shardName).contains("does not exist");
        String json = Files.readString(index);
        assertThat(json.substring((int) e.offset())).startsWith("\"");
        assertThat(json.substring((int) e.offset(), json.indexOf('\n', (int) e.offset())))
                .contains(shardName);
    }

    @Test
    void tensorMissingFromItsShardIsCorrupt() throws Exception {
        Path index = writer.writeSharded(dir, "model", 8_000);
        String json = Files.readString(index);
        Files.writeString(
                index,
                json.replace(
                        "\"weight_map\" : {",
                        "\"weight_map\" : {\n    \"ghost.weight\" : \""
                                + shards(dir).getFirst().getFileName() + "\","));
        CorruptModelException e =
                assertFails(CorruptModelException.class, index, () -> new SafetensorsReader().open(index));
        assertThat(e.getMessage()).contains("ghost.weight").contains("does not contain it");
    }

    /** Traversal, an absolute path and backslash separators: one answer, unsafe, naming the index and the shard. */
    @ParameterizedTest
    @ValueSource(strings = {"../outside.safetensors", "/etc/passwd", "..\\\\outside.safetensors", "C:\\\\x"})
    void shardNamesMayNotLeaveTheDirectory(String jsonName) throws Exception {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        writer.write(dir.resolve("outside.safetensors"));
        Path index = sub.resolve("model.safetensors.index.json");
        Files.writeString(
                index, "{\"weight_map\": {\"model.norm.weight\": \"" + jsonName + "\"}}", StandardCharsets.UTF_8);
        UnsafeModelException e =
                assertFails(UnsafeModelException.class, index, () -> new SafetensorsReader().open(index));
        assertThat(e.getMessage())
                .contains("'" + jsonName.replace("\\\\", "\\") + "'")
                .contains("not a plain file name");
    }

    @Test
    void shardThatLinksOutOfTheFolderIsUnsafe() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("sub"));
        writer.write(dir.resolve("outside.safetensors"));
        Files.createSymbolicLink(sub.resolve("model-00001.safetensors"), dir.resolve("outside.safetensors"));
        Path index = sub.resolve("model.safetensors.index.json");
        Files.writeString(
                index,
                "{\"weight_map\": {\"model.norm.weight\": \"model-00001.safetensors\"}}",
                StandardCharsets.UTF_8);
        UnsafeModelException e =
                assertFails(UnsafeModelException.class, index, () -> new SafetensorsReader().open(index));
        assertThat(e.getMessage()).contains("'model-00001.safetensors'").contains("is a link to");
    }

    /**
     * The Hugging Face cache layout: {@code snapshots/<rev>/} holds links into {@code blobs/}, the index's as well as
     * the shards', so the shards stay where the index itself is.
     */
    @Test
    void hubCacheLinksIntoBlobsAreRead() throws Exception {
        Path blobs = Files.createDirectories(dir.resolve("blobs"));
        Path snapshot = Files.createDirectories(dir.resolve("snapshots").resolve("abc123"));
        Path shardBlob = blobs.resolve("5f1e");
        writer.write(shardBlob);
        Path indexBlob = blobs.resolve("9a0c");
        Files.writeString(
                indexBlob,
                "{\"weight_map\": {\"model.norm.weight\": \"model-00001.safetensors\"}}",
                StandardCharsets.UTF_8);
        Files.createSymbolicLink(snapshot.resolve("model-00001.safetensors"), Path.of("../../blobs/5f1e"));
        Path index =
                Files.createSymbolicLink(snapshot.resolve("model.safetensors.index.json"), Path.of("../../blobs/9a0c"));
        try (ModelView v = new SafetensorsReader().open(index)) {
            assertThat(v.tensors()).extracting(TensorRef::name).contains("model.norm.weight");
        }
    }

    @Test
    void malformedIndexIsCorrupt() throws Exception {
        Path index = dir.resolve("model.safetensors.index.json");
        Files.writeString(index, "{\"metadata\": {\"total_size\": 5}, \"weight_map\": [1, 2]}");
        assertFails(CorruptModelException.class, index, () -> new SafetensorsReader().open(index));
        Files.writeString(index, "{\"metadata\": {}}");
        assertFails(CorruptModelException.class, index, () -> new SafetensorsReader().open(index));
        Files.writeString(index, "{\"weight_map\": {\"a\": \"x.safetensors\", \"a\": \"y.safetensors\"}}");
        assertThat(assertFails(CorruptModelException.class, index, () -> new SafetensorsReader().open(index))
                        .getMessage())
                .containsIgnoringCase("duplicate");
        Files.writeString(index, "{\"weight_map\": {\"a\": \"x.safetensors\"");
        assertFails(CorruptModelException.class, index, () -> new SafetensorsReader().open(index));
    }

    @Test
    void corruptShardIsReportedAgainstTheShard() throws Exception {
        Path index = writer.writeSharded(dir, "model", 8_000);
        Path shard = shards(dir).get(2);
        byte[] bytes = Files.readAllBytes(shard);
        Files.write(shard, java.util.Arrays.copyOf(bytes, bytes.length - 1));
        CorruptModelException e =
                assertFails(CorruptModelException.class, shard, () -> new SafetensorsReader().open(index));
        assertThat(e.source()).isEqualTo(shard.toString());
    }
}
