package dev.pedigree.formats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorHashes;
import dev.pedigree.model.TensorRef;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The same weights written in different containers read back identically. */
class CrossFormatTest {
    @TempDir
    Path dir;

    @Test
    void safetensorsAndPytorchGiveIdenticalCanonicalHashes() throws Exception {
        TinyLlama m = new TinyLlama(11);
        Path st = dir.resolve("model.safetensors");
        Path pt = dir.resolve("pytorch_model.bin");
        m.writeSafetensors(st);
        m.writePytorch(pt);
        try (ModelView a = ModelOpener.open(st);
                ModelView b = ModelOpener.open(pt)) {
            assertThat(b.format()).isEqualTo(ModelFormat.PYTORCH);
            Map<String, TensorRef> byName = new HashMap<>();
            b.tensors().forEach(t -> byName.put(t.name(), t));
            assertThat(b.tensors()).hasSize(a.tensors().size());
            for (TensorRef t : a.tensors()) {
                TensorRef p = byName.get(t.name());
                assertThat(p).as(t.name()).isNotNull();
                assertThat(TensorHashes.canonicalSha256(p)).as(t.name()).isEqualTo(TensorHashes.canonicalSha256(t));
                assertThat(TensorHashes.storedSha256(p))
                        .as("F32 stored bytes of %s", t.name())
                        .isEqualTo(TensorHashes.storedSha256(t));
                assertThat(p.address()).isEqualTo(t.address());
            }
        }
    }

    @Test
    void safetensorsAndGgufGiveIdenticalCanonicalHashesAndAddresses() throws Exception {
        TinyLlama m = new TinyLlama(7);
        Path st = dir.resolve("model.safetensors");
        Path gguf = dir.resolve("model.gguf");
        m.writeSafetensors(st);
        m.writeGguf(gguf);
        try (ModelView a = ModelOpener.open(st);
                ModelView b = ModelOpener.open(gguf)) {
            assertThat(a.format()).isEqualTo(ModelFormat.SAFETENSORS);
            assertThat(b.format()).isEqualTo(ModelFormat.GGUF);
            Map<String, TensorRef> byName = new HashMap<>();
            b.tensors().forEach(t -> byName.put(t.name(), t));
            assertThat(a.tensors()).hasSize(m.tensors.size());
            for (TensorRef t : a.tensors()) {
                TensorRef g = byName.get(TinyLlama.ggufName(t.name()));
                assertThat(g).as("GGUF twin of %s", t.name()).isNotNull();
                assertThat(g.shape()).as(t.name()).isEqualTo(t.shape());
                assertThat(TensorHashes.canonicalSha256(g)).as(t.name()).isEqualTo(TensorHashes.canonicalSha256(t));
                assertThat(t.readAll()).isEqualTo(m.tensors.get(t.name()).values());
                TensorAddress x = t.address();
                TensorAddress y = g.address();
                assertThat(y.component()).as(t.name()).isEqualTo(x.component());
                assertThat(y.layer()).as(t.name()).isEqualTo(x.layer());
                assertThat(y.role()).as(t.name()).isEqualTo(x.role());
            }
        }
    }
}
