package dev.pedigree.attest;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.format.gguf.GgmlType;
import dev.pedigree.format.gguf.GgufWriter;
import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.formats.ModelOpener;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorHashes;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.naming.TensorNaming;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.spec.EdECPrivateKeySpec;
import java.security.spec.NamedParameterSpec;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Known answers for the building blocks: canonical JSON, DSSE PAE, Ed25519, index samples, the model hash. */
class PrimitivesTest {
    @TempDir
    Path dir;

    @Test
    void canonicalJsonSortsKeysAndEscapesMinimally() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("b", 2L);
        m.put("a", List.of("x\"y\\z\n", true));
        m.put("é", null);
        m.put("c\u0001", Map.of("z", 1, "y", -3L));
        assertThat(new String(CanonicalJson.bytes(m), StandardCharsets.UTF_8))
                .isEqualTo("{\"a\":[\"x\\\"y\\\\z\\n\",true],\"b\":2,\"c\\u0001\":{\"y\":-3,\"z\":1},\"é\":null}");
    }

    @Test
    void paeMatchesTheDsseSpecExample() {
        // DSSE protocol.md test vector.
        assertThat(new String(
                        Dsse.pae("http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)),
                        StandardCharsets.UTF_8))
                .isEqualTo("DSSEv1 29 http://example.com/HelloWorld 11 hello world");
    }

    @Test
    void ed25519MatchesRfc8032TestVector1() throws Exception {
        HexFormat hex = HexFormat.of();
        byte[] seed = hex.parseHex("9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60");
        PrivateKey k = KeyFactory.getInstance("Ed25519")
                .generatePrivate(new EdECPrivateKeySpec(NamedParameterSpec.ED25519, seed));
        byte[] spki = Ed25519Keys.publicOf(k).getEncoded();
        // The last 32 bytes of the SubjectPublicKeyInfo are the raw public key.
        assertThat(hex.formatHex(java.util.Arrays.copyOfRange(spki, spki.length - 32, spki.length)))
                .isEqualTo("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a");
        Signature s = Signature.getInstance("Ed25519");
        s.initSign(k);
        assertThat(hex.formatHex(s.sign()))
                .isEqualTo(
                        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b");
    }

    @Test
    void keysRoundTripThroughPemAndEnvelopesVerifyOnlyUnchanged() throws Exception {
        var kp = Ed25519Keys.generate();
        Path[] files = Ed25519Keys.write(kp, dir.resolve("k"));
        PrivateKey priv = Ed25519Keys.readPrivate(files[0]);
        var pub = Ed25519Keys.readPublic(files[1]);
        assertThat(Ed25519Keys.keyId(pub)).isEqualTo(Ed25519Keys.keyId(kp.getPublic()));
        Dsse.Envelope env = Dsse.sign(Dsse.IN_TOTO, "{\"a\":1}".getBytes(StandardCharsets.UTF_8), priv);
        Dsse.Envelope back = Dsse.parse(env.toJson().getBytes(StandardCharsets.UTF_8));
        assertThat(Dsse.verify(back, pub)).isTrue();
        assertThat(back.signatures().getFirst().keyid()).isEqualTo(Ed25519Keys.keyId(pub));
        assertThat(Dsse.verify(new Dsse.Envelope("text/plain", back.payload(), back.signatures()), pub))
                .isFalse();
        assertThat(Dsse.verify(
                        new Dsse.Envelope(
                                Dsse.IN_TOTO, "{\"a\":2}".getBytes(StandardCharsets.UTF_8), back.signatures()),
                        pub))
                .isFalse();
        assertThat(Dsse.verify(back, Ed25519Keys.generate().getPublic())).isFalse();
    }

    @Test
    void indexSamplesAreSortedDeterministicAndNested() {
        int[] a = CheckpointSampler.indices(100_000, 64, 7);
        assertThat(a).hasSize(64).isSorted().doesNotHaveDuplicates();
        assertThat(CheckpointSampler.indices(100_000, 64, 7)).containsExactly(a);
        assertThat(CheckpointSampler.indices(100_000, 512, 7)).contains(a);
        assertThat(CheckpointSampler.indices(100_000, 64, 8)).isNotEqualTo(a);
        assertThat(CheckpointSampler.indices(10, 64, 7)).containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
    }

    @Test
    void stepsAreParsedFromCommonCheckpointNames() {
        assertThat(Recorder.stepOf(Path.of("step-000100.safetensors"))).hasValue(100);
        assertThat(Recorder.stepOf(Path.of("checkpoint-2500"))).hasValue(2500);
        assertThat(Recorder.stepOf(Path.of("global_step42"))).hasValue(42);
        assertThat(Recorder.stepOf(Path.of("ckpt_7.pt"))).hasValue(7);
        assertThat(Recorder.stepOf(Path.of("model.safetensors"))).isEmpty();
    }

    @Test
    void modelHashIsTheSameAcrossFormatsAndShardingAndTensorHashesMatchTheModelLibrary() throws Exception {
        SimModel m = TinyChain.train(TinyChain.init(3, 4), 4, 20);
        Path single = TinyChain.save(m, dir.resolve("single.safetensors"));
        SafetensorsWriter w = new SafetensorsWriter();
        GgufWriter g = new GgufWriter().putString("general.architecture", "llama");
        for (ArrayTensor t : m.tensors()) {
            String hf = t.name().equals("lm_head.weight") ? "lm_head.weight" : "model." + t.name();
            w.add(hf, DType.F32, t.shape(), t.readAll());
            String gg = switch (t.address().role()) {
                case EMBEDDING -> "token_embd.weight";
                case LM_HEAD -> "output.weight";
                case MLP_UP -> "blk.0.ffn_up.weight";
                case MLP_DOWN -> "blk.0.ffn_down.weight";
                default -> throw new IllegalStateException();
            };
            g.addTensor(gg, t.shape().dims(), t.readAll(), GgmlType.F32);
        }
        Path shardDir = dir.resolve("sharded");
        java.nio.file.Files.createDirectories(shardDir);
        w.writeSharded(shardDir, "model", 9000);
        Path gguf = dir.resolve("m.gguf");
        g.write(gguf);
        CheckpointSampler.Options o = new CheckpointSampler.Options(1, 64, 512, 2);
        String h1;
        try (ModelView v = ModelOpener.open(single)) {
            CheckpointSample fp = CheckpointSampler.of(v, o);
            h1 = fp.modelHash();
            List<TensorRef> logical = TensorNaming.logicalTensors(v.tensors(), v.hints());
            for (TensorRef t : logical) {
                assertThat(fp.tensor(t.address()).orElseThrow().canonicalSha256())
                        .isEqualTo(TensorHashes.canonicalSha256(t));
            }
        }
        try (ModelView v = ModelOpener.open(shardDir)) {
            assertThat(CheckpointSampler.of(v, o.withThreads(1)).modelHash()).isEqualTo(h1);
        }
        try (ModelView v = ModelOpener.open(gguf)) {
            assertThat(CheckpointSampler.of(v, o).modelHash()).isEqualTo(h1);
        }
        // Any change of one value changes the hash.
        float[] e = m.tensors().getFirst().readAll();
        e[5] += 1e-3f;
        SimModel changed = m.withTensors(List.of(
                SimModel.replace(m.tensors().get(0), e),
                m.tensors().get(1),
                m.tensors().get(2),
                m.tensors().get(3)));
        try (ModelView v = ModelOpener.open(TinyChain.save(changed, dir.resolve("changed.safetensors")))) {
            assertThat(CheckpointSampler.of(v, o).modelHash()).isNotEqualTo(h1);
        }
    }
}
