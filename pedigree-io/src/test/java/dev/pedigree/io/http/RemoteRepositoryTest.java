package dev.pedigree.io.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.testkit.RealModels;
import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.net.URI;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Repositories: hf: arguments, discovery by probing, and a synthesised 100B-parameter model. */
class RemoteRepositoryTest {
    private static final URI HUB = URI.create("https://huggingface.co");

    @TempDir
    Path tmp;

    private RangeServer server;

    @BeforeEach
    void start() throws IOException {
        server = new RangeServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void synthesisedHundredBillionParameterModelCostsAFewMegabytes() throws Exception {
        SyntheticLlama model = new SyntheticLlama(96, 9216, 32768, 72, 8, 128256, 5_000_000_000L);
        String prefix = "/synthetic/llama-100b/resolve/main/";
        model.serveOn(server, prefix);
        System.out.printf(
                "synthetic model: %,d parameters, %d shards, %,d bytes%n",
                model.parameters, model.shards.size(), model.totalFileBytes());
        assertThat(model.parameters).isGreaterThan(100_000_000_000L);
        assertThat(model.totalFileBytes()).isGreaterThan(200_000_000_000L);

        try (RemoteSession session = TestSessions.builder(tmp.resolve("cache"))
                .hfEndpoint(server.base())
                .build()) {
            RemoteLocation loc = session.resolve("hf:synthetic/llama-100b");
            assertThat(loc.uri()).isEqualTo(server.uri(prefix));
            RemoteRepository repo = session.openRepository(loc);
            assertThat(repo.weightFiles())
                    .hasSize(model.shards.size())
                    .first()
                    .isEqualTo(model.shards.getFirst().name());
            assertThat(repo.listFiles())
                    .startsWith("config.json", "model.safetensors.index.json")
                    .doesNotContain("tokenizer.json");
            assertThat(repo.weightMap()).isEqualTo(model.weightMap);

            String tensor = "model.layers.40.mlp.down_proj.weight";
            String shardName = repo.weightMap().get(tensor);
            int s = model.shards.stream()
                    .map(SyntheticLlama.Shard::name)
                    .toList()
                    .indexOf(shardName);
            try (HttpByteSource shard = repo.open(shardName)) {
                assertThat(shard.size()).isEqualTo(model.shards.get(s).size());
                long n = shard.slice(0, 8).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
                JsonNode info =
                        new ObjectMapper().readTree(shard.readBytes(8, (int) n)).get(tensor);
                assertThat(info.get("dtype").asText()).isEqualTo("BF16");
                assertThat(info.get("shape").get(0).longValue()).isEqualTo(9216L);
                assertThat(info.get("shape").get(1).longValue()).isEqualTo(32768L);
                assertThat(info.get("shape").size()).isEqualTo(2);
                long begin = info.get("data_offsets").get(0).longValue();
                long rowBytes = 32768L * 2;
                long rowsAt = 8 + n + begin + 100 * rowBytes;
                byte[] rows = shard.slice(rowsAt, 4 * rowBytes).toArray(ValueLayout.JAVA_BYTE);
                assertThat(rows).isEqualTo(model.expected(s, rowsAt, (int) (4 * rowBytes)));
                // and the last row of the last tensor in the shard
                long end = shard.size();
                assertThat(shard.readBytes(end - rowBytes, (int) rowBytes))
                        .isEqualTo(model.expected(s, end - rowBytes, (int) rowBytes));
            }
            TransferStats st = session.stats();
            System.out.printf(
                    "100B model: index + shard header + 5 rows -> %s (%.6f%% of %,d bytes)%n",
                    st, 100.0 * st.bytesTransferred() / model.totalFileBytes(), model.totalFileBytes());
            assertThat(st.bytesTransferred()).isLessThan(50_000_000L);
            assertThat(st.bytesTransferred()).isLessThanOrEqualTo(model.indexJson.length + 3L * (1 << 20));
        }
    }

    @Test
    void smallRepositoryWithRealTokenizerAndSingleWeights() throws Exception {
        String prefix = "/org/tiny/resolve/v1.0/";
        Path tok = RealModels.tokenizer(RealModels.ALL_MINILM_L6_V2);
        server.files.put(
                prefix + "config.json",
                RangeServer.ofBytes("{\"model_type\":\"bert\"}".getBytes(StandardCharsets.UTF_8), "\"c\""));
        server.files.put(prefix + "model.safetensors", RangeServer.pattern(3000, 5, "\"w\""));
        server.files.put(prefix + "tokenizer.json", RangeServer.ofFile(tok, "\"t\""));
        server.hook = (ex, req) -> {
            ex.getResponseHeaders().set("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567");
            return false;
        };
        try (RemoteSession session = TestSessions.builder(tmp).build()) {
            RemoteLocation loc = session.resolve(server.uri(prefix).toString());
            assertThat(loc.kind()).isEqualTo(RemoteLocation.Kind.REPOSITORY);
            assertThat(loc.revision()).isEqualTo("v1.0");
            RemoteRepository repo = session.openRepository(loc);
            assertThat(repo.listFiles()).containsExactly("config.json", "model.safetensors", "tokenizer.json");
            assertThat(repo.weightFiles()).containsExactly("model.safetensors");
            assertThat(repo.commit()).contains("0123456789abcdef0123456789abcdef01234567");
            long before = session.stats().requests();
            try (HttpByteSource t = repo.open("tokenizer.json")) {
                assertThat(session.stats().requests()).isEqualTo(before); // probed already: no second HEAD
                assertThat(t.readBytes(0, (int) t.size())).isEqualTo(Files.readAllBytes(tok));
                assertThat(t.info().repoCommit()).startsWith("0123456789");
            }
        }
    }

    @Test
    void emptyLocationIsNotARepository() throws Exception {
        try (RemoteSession session =
                TestSessions.builder(tmp).hfEndpoint(server.base()).build()) {
            assertThatThrownBy(() -> session.openRepository(session.resolve("hf:nobody/nothing@dev")))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("not a model repository")
                    .hasMessageContaining("/nobody/nothing/resolve/dev/");
        }
    }

    @Test
    void gatedRepositoryFailsWithAHint() throws Exception {
        server.hook = (ex, req) -> {
            ex.sendResponseHeaders(401, -1);
            return true;
        };
        try (RemoteSession session =
                TestSessions.builder(tmp).hfEndpoint(server.base()).build()) {
            assertThatThrownBy(() -> session.openRepository(session.resolve("hf:meta/gated")))
                    .isInstanceOfSatisfying(
                            RemoteIOException.class, e -> assertThat(e.status()).isEqualTo(401))
                    .hasMessageContaining("HF_TOKEN");
        }
    }

    /** Shard names that could reach outside the repository: traversal, absolute paths, backslash separators. */
    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "/etc/passwd", "..\\\\x.safetensors", "C:\\\\x.safetensors"})
    void indexNamingUnsafeShardsIsUnsafe(String jsonName) throws Exception {
        String prefix = "/o/bad/resolve/main/";
        server.files.put(
                prefix + "model.safetensors.index.json",
                RangeServer.ofBytes(
                        ("{\"weight_map\":{\"a\":\"" + jsonName + "\"}}").getBytes(StandardCharsets.UTF_8), "\"i\""));
        String shard = jsonName.replace("\\\\", "\\");
        try (RemoteSession session =
                TestSessions.builder(tmp).hfEndpoint(server.base()).build()) {
            assertThatThrownBy(() -> session.openRepository(session.resolve("hf:o/bad")))
                    .isInstanceOf(UnsafeModelException.class)
                    .hasMessageContaining("model.safetensors.index.json")
                    .hasMessageContaining("'" + shard + "'")
                    .hasMessageContaining("not a plain file name");
        }
    }

    @Test
    void endpointComesFromPropertyThenEnvironment() {
        Map<String, String> env = Map.of("HF_ENDPOINT", "http://127.0.0.1:9/mirror/");
        try (RemoteSession s = RemoteSession.builder()
                .lookups(k -> null, env::get)
                .noDiskCache()
                .build()) {
            assertThat(s.resolve("hf:a/b").uri()).hasToString("http://127.0.0.1:9/mirror/a/b/resolve/main/");
        }
        try (RemoteSession s = RemoteSession.builder()
                .lookups(Map.of("pedigree.hf.endpoint", "http://127.0.0.1:8")::get, env::get)
                .noDiskCache()
                .build()) {
            assertThat(s.resolve("hf:a/b@refs/pr/1").uri())
                    .hasToString("http://127.0.0.1:8/a/b/resolve/refs%2Fpr%2F1/");
        }
        try (RemoteSession s = RemoteSession.builder()
                .lookups(k -> null, k -> null)
                .noDiskCache()
                .build()) {
            assertThat(s.hfEndpoint()).isEqualTo(HUB);
        }
    }

    @Test
    void defaultCacheDirectory() {
        assertThat(RemoteSession.defaultCacheDirectory(Map.of("user.home", "/home/u")::get, k -> null))
                .isEqualTo(Path.of("/home/u/.cache/pedigree/ranges"));
        assertThat(RemoteSession.defaultCacheDirectory(
                        Map.of("user.home", "/home/u")::get, Map.of("PEDIGREE_CACHE", "/c")::get))
                .isEqualTo(Path.of("/c/ranges"));
        assertThat(RemoteSession.defaultCacheDirectory(
                        Map.of("user.home", "/home/u", "pedigree.cache", "/p")::get,
                        Map.of("PEDIGREE_CACHE", "/c")::get))
                .isEqualTo(Path.of("/p/ranges"));
    }

    @ParameterizedTest
    @CsvSource({
        "hf:owner/name, REPOSITORY, https://huggingface.co/owner/name/resolve/main/, main",
        "hf:owner/name@v2.1, REPOSITORY, https://huggingface.co/owner/name/resolve/v2.1/, v2.1",
        "hf:gpt2, REPOSITORY, https://huggingface.co/gpt2/resolve/main/, main",
        "https://huggingface.co/owner/name, REPOSITORY, https://huggingface.co/owner/name/resolve/main/, main",
        "https://huggingface.co/owner/name/tree/dev, REPOSITORY, https://huggingface.co/owner/name/resolve/dev/, dev",
        "https://huggingface.co/owner/name/resolve/abc123/, REPOSITORY, https://huggingface.co/owner/name/resolve/abc123/, abc123",
        "https://huggingface.co/owner/name/resolve/main, REPOSITORY, https://huggingface.co/owner/name/resolve/main/, main",
        "https://huggingface.co/owner/name/blob/main/model.safetensors, FILE, https://huggingface.co/owner/name/resolve/main/model.safetensors, main",
        "https://mirror.example/x/y/resolve/r1/onnx/model.onnx, FILE, https://mirror.example/x/y/resolve/r1/onnx/model.onnx, r1",
        "https://mirror.example/models/, REPOSITORY, https://mirror.example/models/, ",
        "https://example.com/files/model.gguf, FILE, https://example.com/files/model.gguf, ",
    })
    void resolvesModelArguments(String arg, RemoteLocation.Kind kind, String uri, String revision) {
        RemoteLocation loc = RemoteLocation.parse(arg, HUB);
        assertThat(loc.kind()).isEqualTo(kind);
        assertThat(loc.uri()).hasToString(uri);
        assertThat(loc.revision()).isEqualTo(revision);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "hf:",
                "hf:a/b/c",
                "hf:../x",
                "hf:a/..",
                "hf:a/b@",
                "hf:a/b@../../x",
                "hf:a b/c",
                "ftp://x/y",
                "model.gguf",
                "hf:a/b@x//y"
            })
    void rejectsBadArguments(String arg) {
        assertThatThrownBy(() -> RemoteLocation.parse(arg, HUB)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void credentialsInUrlsAreRejectedWithoutEchoingThem() {
        assertThatThrownBy(() -> RemoteLocation.parse("https://user:hunter2@example.com/m.safetensors", HUB))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageNotContaining("hunter2");
    }

    @Test
    void fileNamesAreCheckedAndEncoded() {
        RemoteLocation repo = RemoteLocation.parse("hf:o/n", HUB);
        assertThat(repo.fileUri("onnx/model q.onnx"))
                .hasToString("https://huggingface.co/o/n/resolve/main/onnx/model%20q.onnx");
        for (String bad : new String[] {"/etc/passwd", "a/../b", "a//b", "a\\b", "", "x/."}) {
            assertThatThrownBy(() -> repo.fileUri(bad)).isInstanceOf(IllegalArgumentException.class);
        }
    }
}
