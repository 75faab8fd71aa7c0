package dev.pedigree.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The one weight_map parser: its shard order, its metadata, and its one answer to names that leave the folder. */
class ShardIndexTest {

    private static ShardIndex parse(String json) throws ModelFormatException {
        return ShardIndex.parse("idx.json", json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void readsTheWeightMapInFileOrderAndTheShardsInNameOrder() throws Exception {
        String json = "{\"metadata\": {\"total_size\": 48, \"format\": \"pt\", \"nested\": {\"x\": 1}},"
                + " \"weight_map\": {\"b\": \"m-00002.safetensors\", \"a\": \"m-00001.safetensors\","
                + " \"c\": \"m-00002.safetensors\"}, \"extra\": [1, 2]}";
        ShardIndex idx = parse(json);
        assertThat(idx.weightMap())
                .containsExactly(
                        java.util.Map.entry("b", "m-00002.safetensors"),
                        java.util.Map.entry("a", "m-00001.safetensors"),
                        java.util.Map.entry("c", "m-00002.safetensors"));
        assertThat(idx.shards())
                .containsExactly(
                        java.util.Map.entry("m-00001.safetensors", (long) json.indexOf("\"a\"")),
                        java.util.Map.entry("m-00002.safetensors", (long) json.indexOf("\"b\"")));
        assertThat(idx.totalSize()).isEqualTo(48L);
        assertThat(idx.metadata()).containsOnlyKeys("total_size", "format");
    }

    /** Traversal, absolute paths, backslash and drive prefixes, control characters: all unsafe, all named. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "../x.safetensors",
                "..",
                ".",
                "/etc/passwd",
                "sub/x.safetensors",
                "..\\\\x.safetensors",
                "\\\\\\\\server\\\\share",
                "C:\\\\x",
                "C:x",
                "a\\u0000b",
                "a\\nb"
            })
    void namesThatAreNotPlainFileNamesAreUnsafe(String jsonName) {
        String json = "{\"weight_map\": {\"t\": \"ok.safetensors\", \"u\": \"" + jsonName + "\"}}";
        assertThatThrownBy(() -> parse(json))
                .isInstanceOfSatisfying(UnsafeModelException.class, e -> {
                    assertThat(e.source()).isEqualTo("idx.json");
                    assertThat(e.offset()).isEqualTo(json.indexOf("\"u\""));
                })
                .hasMessageContaining("weight_map entry 'u' names shard '")
                .hasMessageContaining("not a plain file name");
    }

    @Test
    void malformedIndexesAreCorrupt() {
        for (String json : new String[] {
            "[]",
            "{}",
            "{\"weight_map\": {}}",
            "{\"weight_map\": []}",
            "{\"weight_map\": {\"t\": 5}}",
            "{\"weight_map\": {\"t\": \"\"}}",
            "{\"weight_map\": {\"t\": \"a\"}} x",
            "{\"weight_map\": {\"t\": \"a\""
        }) {
            assertThatThrownBy(() -> parse(json))
                    .as(json)
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("idx.json");
        }
    }

    @Test
    void localShardsMustExistAndStayBesideTheIndex(@TempDir Path dir) throws Exception {
        Path sub = Files.createDirectories(dir.resolve("model"));
        Files.writeString(sub.resolve("a.bin"), "a");
        Files.writeString(dir.resolve("secret"), "s");
        Files.createSymbolicLink(sub.resolve("b.bin"), dir.resolve("secret"));
        Files.createDirectories(sub.resolve("deeper"));
        Files.writeString(sub.resolve("deeper/c"), "c");
        Files.createSymbolicLink(sub.resolve("c.bin"), Path.of("deeper/c"));
        Path index = sub.resolve("index.json");
        String json = "{\"weight_map\": {\"a\": \"a.bin\", \"b\": \"b.bin\", \"c\": \"c.bin\", \"d\": \"d.bin\"}}";
        Files.writeString(index, json);
        ShardIndex idx;
        try (ByteSource src = ByteSource.map(index)) {
            idx = ShardIndex.read(src);
        }
        assertThat(idx.resolve(index, "a.bin")).isEqualTo(sub.resolve("a.bin"));
        assertThat(idx.resolve(index, "c.bin")).isEqualTo(sub.resolve("c.bin"));
        assertThatThrownBy(() -> idx.resolve(index, "b.bin"))
                .isInstanceOfSatisfying(
                        UnsafeModelException.class, e -> assertThat(e.offset()).isEqualTo(json.indexOf("\"b\"")))
                .hasMessageContaining(index.toString())
                .hasMessageContaining("'b.bin'")
                .hasMessageContaining("is a link to");
        assertThatThrownBy(() -> idx.resolve(index, "d.bin"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("d.bin named in weight_map does not exist");
    }
}
