package dev.pedigree.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorHashes;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Opening {@code hf:owner/name} and file URLs against a loopback hub that serves a real directory. */
class RemoteModelTest {
    @TempDir
    Path repo;

    @TempDir
    Path cache;

    private HttpServer server;
    private final AtomicLong served = new AtomicLong();
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d+)");

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/acme/tiny/resolve/main/", this::serve);
        server.start();
        System.setProperty(
                "pedigree.hf.endpoint",
                "http://127.0.0.1:" + server.getAddress().getPort());
        System.setProperty("pedigree.cache", cache.toString());
    }

    @AfterEach
    void stop() {
        server.stop(0);
        System.clearProperty("pedigree.hf.endpoint");
        System.clearProperty("pedigree.cache");
    }

    private void serve(HttpExchange ex) throws IOException {
        String name = ex.getRequestURI().getPath().substring("/acme/tiny/resolve/main/".length());
        Path f = repo.resolve(name).normalize();
        if (!f.startsWith(repo) || !Files.isRegularFile(f)) {
            ex.sendResponseHeaders(404, -1);
            ex.close();
            return;
        }
        byte[] all = Files.readAllBytes(f);
        ex.getResponseHeaders().add("ETag", "\"" + name + "-" + all.length + "\"");
        ex.getResponseHeaders().add("Accept-Ranges", "bytes");
        String range = ex.getRequestHeaders().getFirst("Range");
        if (ex.getRequestMethod().equals("HEAD")) {
            ex.getResponseHeaders().add("Content-Length", Long.toString(all.length));
            ex.sendResponseHeaders(200, -1);
            ex.close();
            return;
        }
        Matcher m = range == null ? null : RANGE.matcher(range);
        if (m == null || !m.matches()) {
            ex.sendResponseHeaders(200, all.length);
            try (OutputStream o = ex.getResponseBody()) {
                o.write(all);
            }
            served.addAndGet(all.length);
            return;
        }
        int a = Integer.parseInt(m.group(1));
        int b = Math.min(all.length - 1, Integer.parseInt(m.group(2)));
        ex.getResponseHeaders().add("Content-Range", "bytes " + a + "-" + b + "/" + all.length);
        ex.sendResponseHeaders(206, b - a + 1);
        try (OutputStream o = ex.getResponseBody()) {
            o.write(all, a, b - a + 1);
        }
        served.addAndGet(b - a + 1);
    }

    @Test
    void hfRepositoryReadsTheSameWeightsAsTheLocalDirectory() throws Exception {
        TinyLlama m = new TinyLlama(5);
        m.writeSafetensors(repo.resolve("model.safetensors"));
        Files.writeString(
                repo.resolve("config.json"),
                "{\"model_type\": \"llama\", \"hidden_size\": 64, \"num_attention_heads\": 4, \"num_key_value_heads\": 2}");
        try (ModelView remote = ModelOpener.open("hf:acme/tiny");
                ModelView local = ModelOpener.open(repo)) {
            assertThat(remote.format()).isEqualTo(ModelFormat.HF_DIRECTORY);
            assertThat(remote.architecture()).isEqualTo("llama");
            Map<String, TensorRef> byName = new HashMap<>();
            remote.tensors().forEach(t -> byName.put(t.name(), t));
            assertThat(byName).hasSize(local.tensors().size());
            TensorRef lt = local.tensors().getFirst();
            TensorRef rt = byName.get(lt.name());
            assertThat(rt.address()).isEqualTo(lt.address());
            assertThat(rt.readRow(3)).isEqualTo(lt.readRow(3));
            for (TensorRef t : local.tensors()) {
                assertThat(TensorHashes.canonicalSha256(byName.get(t.name())))
                        .isEqualTo(TensorHashes.canonicalSha256(t));
            }
        }
    }

    @Test
    void fileUrlOfATokenizerOpensAsTokenizer() throws Exception {
        Files.writeString(repo.resolve("tokenizer.json"), """
        {"version":"1.0","added_tokens":[],"normalizer":null,"pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true},
         "post_processor":null,"decoder":{"type":"ByteLevel"},"model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2},"merges":["a b"]}}
        """);
        String url = "http://127.0.0.1:" + server.getAddress().getPort() + "/acme/tiny/resolve/main/tokenizer.json";
        try (ModelView v = ModelOpener.open(url)) {
            assertThat(v.format()).isEqualTo(ModelFormat.TOKENIZER);
            assertThat(v.vocabulary().orElseThrow().size()).isEqualTo(3);
        }
    }

    private String url(String file) {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/acme/tiny/resolve/main/" + file;
    }

    /** A remote file goes through the reader its content selects, the same one a local copy gets. */
    @Test
    void fileUrlOfAGgufOpensThroughItsReaderAsTheLocalFileDoes() throws Exception {
        TinyLlama m = new TinyLlama(6);
        m.writeGguf(repo.resolve("tiny.gguf"));
        try (ModelView remote = ModelOpener.open(url("tiny.gguf"));
                ModelView local = ModelOpener.open(repo.resolve("tiny.gguf"))) {
            assertThat(remote.format()).isEqualTo(ModelFormat.GGUF).isEqualTo(local.format());
            assertThat(remote.tensors()).hasSameSizeAs(local.tensors());
            for (int i = 0; i < local.tensors().size(); i++) {
                TensorRef l = local.tensors().get(i);
                TensorRef r = remote.tensors().get(i);
                assertThat(r.address()).isEqualTo(l.address());
                assertThat(TensorHashes.canonicalSha256(r)).isEqualTo(TensorHashes.canonicalSha256(l));
            }
        }
    }

    /** Readers that need a local file keep the interface's default: refused, naming the URL. */
    @Test
    void fileUrlOfAPytorchCheckpointIsRefusedByItsReader() throws Exception {
        new TinyLlama(7).writePytorch(repo.resolve("pytorch_model.bin"));
        assertThatThrownBy(() -> ModelOpener.open(url("pytorch_model.bin")))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining(url("pytorch_model.bin"))
                .hasMessageContaining("remote pytorch files are not supported yet");
    }

    @Test
    void repositoryTokenizerIsReadThroughTheTokenizerReader() throws Exception {
        new TinyLlama(8).writeSafetensors(repo.resolve("model.safetensors"));
        Files.writeString(repo.resolve("tokenizer.json"), """
        {"version":"1.0","added_tokens":[],"normalizer":null,"pre_tokenizer":null,"post_processor":null,"decoder":null,
         "model":{"type":"BPE","vocab":{"a":0,"b":1,"ab":2,"c":3},"merges":["a b"]}}
        """);
        try (ModelView v = ModelOpener.open("hf:acme/tiny")) {
            assertThat(v.vocabulary().orElseThrow().size()).isEqualTo(4);
            assertThat(v.tensors()).isNotEmpty();
        }
    }

    /** A repository served without its LFS objects (or a raw URL) hands out pointers: say so, for a file URL and a repo. */
    @Test
    void aGitLfsPointerServedInPlaceOfTheFileIsNamed() throws Exception {
        Files.writeString(repo.resolve("model.safetensors"), GitLfsPointerInputTest.POINTER);
        Files.writeString(repo.resolve("config.json"), "{\"model_type\": \"llama\", \"hidden_size\": 64}");
        assertThatThrownBy(() -> ModelOpener.open(url("model.safetensors")))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith(GitLfsPointerInputTest.SAYS)
                .hasMessageContaining(url("model.safetensors"));
        assertThatThrownBy(() -> ModelOpener.open("hf:acme/tiny"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageStartingWith(GitLfsPointerInputTest.SAYS)
                .hasMessageContaining("model.safetensors");
    }
}
