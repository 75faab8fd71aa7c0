package dev.pedigree.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.io.ByteSource;
import dev.pedigree.model.LineageClaim;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class GgufRoundTripTest {
    @TempDir
    Path tmp;

    static GgufWriter everyValueType(GgufWriter w) {
        w.put("t.u8", GgufValueType.UINT8, 250)
                .put("t.i8", GgufValueType.INT8, -100)
                .put("t.u16", GgufValueType.UINT16, 65000)
                .put("t.i16", GgufValueType.INT16, -30000)
                .putU32("t.u32", 4_000_000_000L)
                .putI32("t.i32", -2_000_000_000)
                .putF32("t.f32", 3.25f)
                .putBool("t.bool", true)
                .putString("t.string", "héllo ▁ wörld")
                .put("t.u64", GgufValueType.UINT64, -1L)
                .put("t.i64", GgufValueType.INT64, -9_000_000_000L)
                .put("t.f64", GgufValueType.FLOAT64, 1e300)
                .putArray("t.arr.u8", GgufArray.ofInts(GgufValueType.UINT8, new int[] {0, 128, 255}))
                .putArray("t.arr.i16", GgufArray.ofInts(GgufValueType.INT16, new int[] {-2, 7}))
                .putArray("t.arr.u32", GgufArray.ofLongs(GgufValueType.UINT32, new long[] {1, 4_294_967_295L}))
                .putArray("t.arr.f32", GgufArray.ofFloats(new float[] {0.5f, -1f}))
                .putArray("t.arr.f64", GgufArray.ofDoubles(new double[] {2.5}))
                .putArray("t.arr.bool", GgufArray.ofBools(new boolean[] {true, false}))
                .putArray("t.arr.str", GgufArray.ofStrings(List.of("a", "", "ü")))
                .putArray("t.arr.empty", GgufArray.ofStrings(List.of()))
                .putArray(
                        "t.arr.nested",
                        GgufArray.ofArrays(List.of(
                                GgufArray.ofInts(GgufValueType.INT32, new int[] {1, 2}),
                                GgufArray.ofArrays(List.of(GgufArray.ofStrings(List.of("deep")))))));
        float[] big = new float[1000];
        return w.putArray("t.arr.big", GgufArray.ofFloats(big));
    }

    @ParameterizedTest
    @CsvSource({"3, LITTLE_ENDIAN", "2, LITTLE_ENDIAN", "3, BIG_ENDIAN", "2, BIG_ENDIAN"})
    void everyMetadataValueTypeRoundTrips(int version, String order) throws Exception {
        ByteOrder bo = order.equals("BIG_ENDIAN") ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        byte[] bytes =
                everyValueType(new GgufWriter().version(version).byteOrder(bo)).toBytes();
        try (ByteSource src = ByteSource.ofBytes("mem:kv", bytes)) {
            GgufFile f = GgufFile.parse(src);
            assertThat(f.version()).isEqualTo(version);
            assertThat(f.byteOrder()).isEqualTo(bo);
            var m = f.metadata();
            assertThat(m.get("t.u8")).isEqualTo(250);
            assertThat(m.get("t.i8")).isEqualTo(-100);
            assertThat(m.get("t.u16")).isEqualTo(65000);
            assertThat(m.get("t.i16")).isEqualTo(-30000);
            assertThat(m.get("t.u32")).isEqualTo(4_000_000_000L);
            assertThat(m.get("t.i32")).isEqualTo(-2_000_000_000);
            assertThat(m.get("t.f32")).isEqualTo(3.25f);
            assertThat(m.get("t.bool")).isEqualTo(true);
            assertThat(m.get("t.string")).isEqualTo("héllo ▁ wörld");
            assertThat(m.get("t.u64")).isEqualTo(-1L);
            assertThat(m.get("t.i64")).isEqualTo(-9_000_000_000L);
            assertThat(m.get("t.f64")).isEqualTo(1e300);
            assertThat(f.valueType("t.u64")).isEqualTo(GgufValueType.UINT64);
            assertThat(f.array("t.arr.u8").asList()).containsExactly(0, 128, 255);
            assertThat(f.array("t.arr.i16").asList()).containsExactly(-2, 7);
            assertThat(f.array("t.arr.u32").toLongArray()).containsExactly(1, 4_294_967_295L);
            assertThat(f.array("t.arr.f32").toFloatArray()).containsExactly(0.5f, -1f);
            assertThat(f.array("t.arr.f64").asList()).containsExactly(2.5);
            assertThat(f.array("t.arr.bool").asList()).containsExactly(true, false);
            assertThat(f.array("t.arr.str").strings()).containsExactly("a", "", "ü");
            assertThat(f.array("t.arr.empty").size()).isZero();
            GgufArray nested = f.array("t.arr.nested");
            assertThat(nested.elementType()).isEqualTo(GgufValueType.ARRAY);
            assertThat(((GgufArray) nested.get(0)).asList()).containsExactly(1, 2);
            assertThat(((GgufArray) ((GgufArray) nested.get(1)).get(0)).strings())
                    .containsExactly("deep");
            assertThat(f.array("t.arr.big").size()).isEqualTo(1000);
        }
        try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:kv", bytes))) {
            assertThat(v.format()).isEqualTo(ModelFormat.GGUF);
            assertThat(v.metadata().get("t.arr.big")).isEqualTo("array<float32>[1000]");
            assertThat(v.metadata().get("t.arr.str")).isEqualTo(List.of("a", "", "ü"));
            assertThat(v.metadata().get("t.arr.nested")).isEqualTo(List.of(List.of(1, 2), List.of(List.of("deep"))));
            assertThat(v.metadata().get("gguf.version")).isEqualTo(version);
        }
    }

    @Test
    void tensorsRoundTripInBothByteOrdersWithAlignment() throws Exception {
        Random rnd = new Random(11);
        float[] a = new float[6 * 64];
        for (int i = 0; i < a.length; i++) a[i] = (float) rnd.nextGaussian();
        for (ByteOrder bo : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            GgufWriter w = new GgufWriter().byteOrder(bo).alignment(64).putString("general.architecture", "qwen2");
            for (GgmlType t :
                    new GgmlType[] {GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0}) {
                w.addTensor("blk.0." + t.name().toLowerCase() + ".weight", new long[] {6, 64}, a, t);
            }
            Path p = tmp.resolve("t-" + bo + ".gguf");
            w.write(p);
            try (ModelView v = new GgufReader().open(p)) {
                assertThat(v.metadata().get("general.alignment")).isEqualTo(64L);
                assertThat(v.tensors()).hasSize(5);
                for (TensorRef t : v.tensors()) {
                    assertThat(((GgufTensor) t).info().dataOffset() % 64).isZero();
                    assertThat(t.shape().dims()).containsExactly(6, 64);
                    float[] got = t.readAll();
                    float tol = switch (((GgufTensor) t).ggmlType()) {
                        case F32 -> 0f;
                        case F16 -> 2e-3f;
                        case BF16 -> 2e-2f;
                        case Q8_0 -> 0.03f;
                        default -> 0.5f;
                    };
                    for (int i = 0; i < a.length; i++) {
                        assertThat(Math.abs(got[i] - a[i]))
                                .as("%s %s [%d]", bo, t.name(), i)
                                .isLessThanOrEqualTo(tol + Math.abs(a[i]) * 1e-2f);
                    }
                }
            }
        }
    }

    @Test
    void bigEndianFileReadsTheSameValuesAsLittleEndian() throws Exception {
        float[] a = new float[4 * 32];
        for (int i = 0; i < a.length; i++) a[i] = (i % 17) - 8.5f;
        List<float[]> results = new ArrayList<>();
        for (ByteOrder bo : new ByteOrder[] {ByteOrder.LITTLE_ENDIAN, ByteOrder.BIG_ENDIAN}) {
            byte[] b = everyValueType(new GgufWriter().byteOrder(bo))
                    .addTensor("x", new long[] {4, 32}, a, GgmlType.F16)
                    .addTensor("q", new long[] {4, 32}, a, GgmlType.Q8_0)
                    .toBytes();
            if (bo == ByteOrder.BIG_ENDIAN) {
                assertThat(b[4]).isZero(); // version 3 written byte-swapped: 00 00 00 03
                assertThat(b[7]).isEqualTo((byte) 3);
            }
            try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:" + bo, b))) {
                results.add(v.tensors().get(0).readAll());
                results.add(v.tensors().get(1).readAll());
                assertThat(v.metadata().get("t.u32")).isEqualTo(4_000_000_000L);
                if (bo == ByteOrder.BIG_ENDIAN)
                    assertThat(v.metadata().get("gguf.byte_order")).isEqualTo("big-endian");
            }
        }
        assertThat(results.get(2)).containsExactly(results.get(0));
        assertThat(results.get(3)).containsExactly(results.get(1));
    }

    @Test
    void claimsFromBaseModelKeys() throws Exception {
        byte[] b = new GgufWriter()
                .putString("general.architecture", "llama")
                .putU32("general.base_model.count", 2)
                .putString("general.base_model.0.name", "Llama 3.1 8B")
                .putString("general.base_model.0.organization", "Meta Llama")
                .putString("general.base_model.0.repo_url", "https://huggingface.co/meta-llama/Llama-3.1-8B")
                .putString("general.base_model.0.version", "3.1")
                .putString("general.base_model.1.repo_url", "https://huggingface.co/x/y")
                .putString("general.source.url", "https://example.org/src")
                .putString("general.finetune", "Instruct")
                .toBytes();
        try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:claims", b))) {
            assertThat(v.claims())
                    .containsExactly(
                            new LineageClaim(
                                    "base_model",
                                    "Meta Llama/Llama 3.1 8B (version 3.1)",
                                    "GGUF general.base_model.0.*"),
                            new LineageClaim(
                                    "base_model_url",
                                    "https://huggingface.co/meta-llama/Llama-3.1-8B",
                                    "GGUF general.base_model.0.*"),
                            new LineageClaim("base_model", "https://huggingface.co/x/y", "GGUF general.base_model.1.*"),
                            new LineageClaim("source_url", "https://example.org/src", "GGUF general.source.url"),
                            new LineageClaim("finetune", "Instruct", "GGUF general.finetune"));
            assertThat(v.tensors()).isEmpty();
            assertThat(v.vocabulary()).isEmpty();
        }
    }

    @Test
    void hintsComeFromArchitectureKeys() throws Exception {
        byte[] b = new GgufWriter()
                .putString("general.architecture", "qwen2")
                .putU32("qwen2.embedding_length", 896)
                .putU32("qwen2.attention.head_count", 14)
                .putU32("qwen2.attention.head_count_kv", 2)
                .putU32("qwen2.block_count", 24)
                .putU32("qwen2.feed_forward_length", 4864)
                .putU32("qwen2.attention.key_length", 64)
                .addTensor("token_embd.weight", new long[] {2, 32}, new float[64], GgmlType.F32)
                .toBytes();
        try (ModelView v = GgufReader.open(ByteSource.ofBytes("mem:hints", b))) {
            var h = v.hints();
            assertThat(h.architecture()).isEqualTo("qwen2");
            assertThat(h.hiddenSize()).isEqualTo(896);
            assertThat(h.numHeads()).isEqualTo(14);
            assertThat(h.numKvHeads()).isEqualTo(2);
            assertThat(h.numLayers()).isEqualTo(24);
            assertThat(h.intermediateSize()).isEqualTo(4864);
            assertThat(h.headDim()).isEqualTo(64);
            assertThat(h.tiedEmbeddings()).isTrue();
        }
    }

    @Test
    void splitFilesAreMergedInShardOrder() throws Exception {
        int n = 3;
        float[] vals = new float[32];
        for (int s = 0; s < n; s++) {
            GgufWriter w = new GgufWriter()
                    .put("split.no", GgufValueType.UINT16, s)
                    .put("split.count", GgufValueType.UINT16, n)
                    .put("split.tensors.count", GgufValueType.INT32, 2 * n);
            if (s == 0) {
                w.putString("general.architecture", "llama").putString("general.name", "split-test");
            }
            for (int k = 0; k < 2; k++) {
                java.util.Arrays.fill(vals, 10 * s + k);
                w.addTensor("blk." + s + ".t" + k + ".weight", new long[] {32}, vals, GgmlType.F32);
            }
            w.write(tmp.resolve(String.format("model-%05d-of-%05d.gguf", s + 1, n)));
        }
        try (ModelView v = new GgufReader().open(tmp.resolve("model-00002-of-00003.gguf"))) {
            assertThat(v.tensors())
                    .extracting(TensorRef::name)
                    .containsExactly(
                            "blk.0.t0.weight",
                            "blk.0.t1.weight",
                            "blk.1.t0.weight",
                            "blk.1.t1.weight",
                            "blk.2.t0.weight",
                            "blk.2.t1.weight");
            assertThat(v.tensors().get(3).readAll()[0]).isEqualTo(11f);
            assertThat(v.tensors().get(5).source()).endsWith("model-00003-of-00003.gguf");
            assertThat(v.files()).hasSize(3);
            assertThat(v.metadata().get("general.name")).isEqualTo("split-test");
        }
        Files.delete(tmp.resolve("model-00003-of-00003.gguf"));
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new GgufReader().open(tmp.resolve("model-00001-of-00003.gguf")))
                .isInstanceOf(dev.pedigree.io.CorruptModelException.class)
                .hasMessageContaining("model-00003-of-00003.gguf")
                .hasMessageContaining("missing");
    }

    @Test
    void splitTensorCountMismatchIsCorrupt() throws Exception {
        for (int s = 0; s < 2; s++) {
            new GgufWriter()
                    .put("split.no", GgufValueType.UINT16, s)
                    .put("split.count", GgufValueType.UINT16, 2)
                    .put("split.tensors.count", GgufValueType.INT32, 5)
                    .addTensor("t" + s, new long[] {32}, new float[32], GgmlType.F32)
                    .write(tmp.resolve(String.format("m-%05d-of-%05d.gguf", s + 1, 2)));
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> new GgufReader().open(tmp.resolve("m-00001-of-00002.gguf")))
                .isInstanceOf(dev.pedigree.io.CorruptModelException.class)
                .hasMessageContaining("split.tensors.count 5")
                .hasMessageContaining("m-00001-of-00002.gguf at offset");
    }

    @Test
    void probeAndServiceRegistration() {
        GgufReader r = new GgufReader();
        assertThat(r.probe(Path.of("x.bin"), "GGUF\3\0\0\0".getBytes())).isEqualTo(100);
        assertThat(r.probe(Path.of("x.gguf"), new byte[] {1, 2})).isEqualTo(10);
        assertThat(r.probe(Path.of("x.bin"), new byte[] {1, 2, 3, 4})).isZero();
        assertThat(java.util.ServiceLoader.load(dev.pedigree.model.ModelReader.class).stream()
                        .map(p -> p.type().getName()))
                .contains(GgufReader.class.getName());
    }
}
