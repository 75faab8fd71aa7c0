package dev.pedigree.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 18, leaks and blocking files: every file of a model folder resolves inside it (else exit 4 naming the link),
 * and a FIFO as MODEL or inside a folder is refused at once instead of blocking the first read.
 */
class HostileFolderTest {
    @TempDir
    Path tmp;

    private Path modelFolder() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("model"));
        new SafetensorsWriter()
                .add("model.embed_tokens.weight", DType.F32, Shape.of(4, 2), new float[8])
                .write(dir.resolve("model.safetensors"));
        Files.writeString(dir.resolve("vocab.txt"), "[PAD]\n[UNK]\nthe\ncat\n");
        return dir;
    }

    private Path secret() throws Exception {
        Path s = tmp.resolve("outside/secret.txt");
        Files.createDirectories(s.getParent());
        Files.writeString(s, "root:x:0:0:root:/root:/bin/bash\n");
        return s;
    }

    @Test
    void aPlainFolderStillOpens() throws Exception {
        try (ModelView v = ModelOpener.open(modelFolder())) {
            assertThat(v.tensors()).hasSize(1);
            assertThat(v.vocabulary()).isPresent();
        }
    }

    /** Every file a directory reader opens, and a few it never opens: a link leading outside is unsafe, named. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                "vocab.txt",
                "config.json",
                "tokenizer.json",
                "tokenizer_config.json",
                "merges.txt",
                "README.md",
                "adapter_config.json",
                "model-extra.safetensors",
                "model.onnx",
                "onnx/model.onnx",
                "training_args.bin"
            })
    void aLinkLeadingOutOfTheFolderIsUnsafeAndNamed(String name) throws Exception {
        Path dir = modelFolder();
        Path link = dir.resolve(name);
        Files.createDirectories(link.getParent());
        Files.deleteIfExists(link);
        Files.createSymbolicLink(link, secret());
        assertThatThrownBy(() -> ModelOpener.open(dir).close())
                .isInstanceOfSatisfying(UnsafeModelException.class, e -> {
                    assertThat(e.source()).isEqualTo(link.toString());
                    assertThat(e.getMessage()).contains("outside the model folder");
                });
    }

    @Test
    void aLinkedSubfolderLeadingOutIsUnsafe() throws Exception {
        Path dir = modelFolder();
        Files.createSymbolicLink(dir.resolve("onnx"), secret().getParent());
        assertThatThrownBy(() -> ModelOpener.open(dir).close()).isInstanceOf(UnsafeModelException.class);
    }

    @Test
    void linksThatStayInsideTheFolderAreRead() throws Exception {
        Path dir = modelFolder();
        Files.move(dir.resolve("vocab.txt"), dir.resolve("real-vocab.txt"));
        Files.createSymbolicLink(dir.resolve("vocab.txt"), Path.of("real-vocab.txt"));
        try (ModelView v = ModelOpener.open(dir)) {
            assertThat(v.vocabulary()).isPresent();
        }
    }

    /** A Hugging Face cache: snapshots/<rev>/file links to ../../blobs/<hash>; that one layout is allowed. */
    @Test
    void aHuggingFaceCacheSnapshotMayLinkIntoItsBlobs() throws Exception {
        Path repo = tmp.resolve("models--o--m");
        Path blobs = Files.createDirectories(repo.resolve("blobs"));
        Path snap = Files.createDirectories(repo.resolve("snapshots/abc123"));
        Path built = modelFolder();
        Files.move(built.resolve("model.safetensors"), blobs.resolve("5f1e"));
        Files.move(built.resolve("vocab.txt"), blobs.resolve("9a0c"));
        Files.createSymbolicLink(snap.resolve("model.safetensors"), Path.of("../../blobs/5f1e"));
        Files.createSymbolicLink(snap.resolve("vocab.txt"), Path.of("../../blobs/9a0c"));
        try (ModelView v = ModelOpener.open(snap)) {
            assertThat(v.tensors()).hasSize(1);
        }
        Files.createSymbolicLink(snap.resolve("config.json"), secret());
        assertThatThrownBy(() -> ModelOpener.open(snap).close()).isInstanceOf(UnsafeModelException.class);
    }

    private Path fifo(Path at) throws Exception {
        Process p = new ProcessBuilder("mkfifo", at.toString()).inheritIO().start();
        assertThat(p.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        return at;
    }

    @Test
    void aFifoAsModelIsRefusedAtOnce() throws Exception {
        Path f = fifo(tmp.resolve("model.safetensors"));
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> assertThatThrownBy(() -> ModelOpener.open(f))
                        .isInstanceOfSatisfying(UnsupportedModelException.class, e -> {
                            assertThat(e.source()).isEqualTo(f.toString());
                            assertThat(e.getMessage()).contains("FIFO").doesNotContain("\n");
                        }));
    }

    @ParameterizedTest
    @ValueSource(strings = {"config.json", "vocab.txt", "model-2.safetensors", "README.md", "notes.txt"})
    void aFifoInsideAFolderIsRefusedAtOnce(String name) throws Exception {
        Path dir = modelFolder();
        Files.deleteIfExists(dir.resolve(name));
        Path f = fifo(dir.resolve(name));
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> assertThatThrownBy(() -> ModelOpener.open(dir).close())
                        .isInstanceOfSatisfying(
                                UnsupportedModelException.class,
                                e -> assertThat(e.source()).isEqualTo(f.toString())));
    }

    @Test
    void aLinkToAFifoIsRefusedToo() throws Exception {
        Path f = fifo(tmp.resolve("pipe"));
        Path link = tmp.resolve("model.gguf");
        Files.createSymbolicLink(link, f);
        assertTimeoutPreemptively(
                Duration.ofSeconds(10),
                () -> assertThatThrownBy(() -> ModelOpener.open(link)).isInstanceOf(UnsupportedModelException.class));
    }
}
