package dev.pedigree.format.onnx;

import static dev.pedigree.format.onnx.OnnxTestWriter.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Part;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generated models with known answers: every storage form, layout rule and quantisation path. */
class GeneratedModelTest {
    @TempDir
    static Path dir;

    static Path rich;

    @BeforeAll
    static void write() throws Exception {
        rich = dir.resolve("rich.onnx");
        Files.write(rich, KnownModels.rich());
    }

    private static Map<String, OnnxTensor> tensors(ModelView v) {
        return v.tensors().stream().map(t -> (OnnxTensor) t).collect(Collectors.toMap(TensorRef::name, t -> t));
    }

    private static float[] values(TensorRef t) throws Exception {
        return t.readAll();
    }

    @Test
    void floatDataMatMulIsTransposedAndNamedFromScopeConfirmedByBias() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            OnnxTensor w = tensors(v).get("enc.fc1.weight");
            assertThat(w.storedName()).isEqualTo("onnx::MatMul_11");
            assertThat(w.shape()).isEqualTo(Shape.of(3, 2));
            assertThat(w.storedDims()).containsExactly(2, 3);
            assertThat(values(w)).containsExactly(1, 4, 2, 5, 3, 6);
            assertThat(w.readRow(2)).containsExactly(3, 6);
            assertThat(w.binding().confirmedByBias()).isTrue();
            assertThat(w.binding().consumerOp()).isEqualTo("MatMul");
            assertThat(w.dtype()).isEqualTo(DType.F32);
        }
    }

    @Test
    void int32DataHoldsF16BitsAndGemmTransBKeepsLayout() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            OnnxTensor w = tensors(v).get("enc.fc2.weight");
            assertThat(w.storedName()).isEqualTo("W2");
            assertThat(w.dtype()).isEqualTo(DType.F16);
            assertThat(w.transposed()).isFalse();
            assertThat(values(w)).containsExactly(0.5f, -1f, 2f, 0.25f);
        }
    }

    @Test
    void constantNodeWeight() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            OnnxTensor w = tensors(v).get("enc.fc4.weight");
            assertThat(w.storedName()).isEqualTo("/enc/fc4/Constant_output_0");
            assertThat(values(w)).containsExactly(1, 3, 2, 4);
            assertThat(v.metadata().get("onnx.constants_skipped")).isEqualTo(0);
        }
    }

    @Test
    void transposeNodePathMeansStoredIsCanonical() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            OnnxTensor w = tensors(v).get("enc.fc5.weight");
            assertThat(w.transposed()).isFalse();
            assertThat(w.shape()).isEqualTo(Shape.of(3, 2));
            assertThat(values(w)).containsExactly(1, 2, 3, 4, 5, 6);
        }
    }

    @Test
    void bf16GemmWithoutTransBIsTransposed() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            OnnxTensor w = tensors(v).get("enc.fc6.weight");
            assertThat(w.dtype()).isEqualTo(DType.BF16);
            assertThat(w.shape()).isEqualTo(Shape.of(3, 2));
            assertThat(values(w)).containsExactly(1, 4, 2, 5, 3, 6);
        }
    }

    @Test
    void rawF16EmbeddingIsZeroCopyAndNamedByGather() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            OnnxTensor e = tensors(v).get("embeddings.word_embeddings.weight");
            assertThat(e.storedName()).isEqualTo("E");
            assertThat(e.shape()).isEqualTo(Shape.of(4, 2));
            assertThat(values(e)).containsExactly(0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f);
            assertThat(e.storedBytes().isMapped())
                    .as("raw_data must stay a slice of the mapping")
                    .isTrue();
            assertThat(e.storedBytes().byteSize()).isEqualTo(16);
            assertThat(Float.float16ToFloat(e.storedBytes().get(ValueLayout.JAVA_SHORT_UNALIGNED, 2)))
                    .isEqualTo(0.5f);
        }
    }

    @Test
    void integerBufferAndDoubleData() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            OnnxTensor ids = tensors(v).get("embeddings.position_ids");
            assertThat(ids.address().part()).isEqualTo(Part.BUFFER);
            assertThat(ids.address().part().isParameter()).isFalse();
            assertThat(values(ids)).containsExactly(0, 1, 2, 3);
            OnnxTensor b = tensors(v).get("enc.norm.bias");
            assertThat(b.dtype()).isEqualTo(DType.F64);
            assertThat(values(b)).containsExactly(0.5f, 1.5f);
        }
    }

    @Test
    void dynamicInt8WeightIsDequantisedInCanonicalLayout() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            Map<String, OnnxTensor> t = tensors(v);
            OnnxTensor w = t.get("enc.q.weight");
            assertThat(w.storedName()).isEqualTo("onnx::MatMul_9_quantized");
            assertThat(w.dtype()).isEqualTo(DType.I8);
            assertThat(w.dequantised()).isTrue();
            assertThat(w.shape()).isEqualTo(Shape.of(3, 2));
            assertThat(values(w)).containsExactly(-1f, 0.5f, -2f, 1f, 2f, 8f);
            assertThat(w.readRow(1)).containsExactly(-2f, 1f);
            assertThat(w.address().part()).isEqualTo(Part.WEIGHT);
            OnnxTensor s = t.get("enc.q.weight_scale");
            assertThat(s.storedName()).isEqualTo("onnx::MatMul_9_scale");
            assertThat(s.address().part()).isEqualTo(Part.QUANT_SCALE);
            assertThat(values(s)).containsExactly(0.5f, 1f, 2f);
            OnnxTensor z = t.get("enc.q.weight_zero_point");
            assertThat(z.address().part()).isEqualTo(Part.QUANT_ZERO_POINT);
            assertThat(values(z)).containsExactly(0, 1, -1);
            assertThat(s.address().withPart(Part.WEIGHT)).isEqualTo(w.address());
        }
    }

    @Test
    void quantisedGatherWithDequantizeLinear() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            OnnxTensor e = tensors(v).get("emb.weight");
            assertThat(e.dtype()).isEqualTo(DType.U8);
            assertThat(e.shape()).isEqualTo(Shape.of(3, 2));
            float[] x = values(e);
            float[] want = {-1, 0, 1, 2, 3, 4};
            for (int i = 0; i < want.length; i++) {
                assertThat(x[i]).isCloseTo(want[i], org.assertj.core.data.Offset.offset(1e-6f));
            }
            assertThat(tensors(v).get("emb.weight_zero_point").address().part()).isEqualTo(Part.QUANT_ZERO_POINT);
        }
    }

    @Test
    void subgraphInitialiserAndSparseInitialiser() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            Map<String, OnnxTensor> t = tensors(v);
            assertThat(values(t.get("sub.w"))).containsExactly(7, 8);
            assertThat(v.metadata().get("onnx.subgraph_initializers")).isEqualTo(1);
            OnnxTensor sp = t.get("sp.weight");
            assertThat(sp.shape()).isEqualTo(Shape.of(4));
            assertThat(sp.unsupportedReason()).contains("sparse");
            assertThatThrownBy(() -> sp.readAll())
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("rich.onnx")
                    .hasMessageContaining("at offset");
        }
    }

    @Test
    void modelMetadataAndOrder() throws Exception {
        try (ModelView v = new OnnxReader().open(rich)) {
            assertThat(v.format()).isEqualTo(ModelFormat.ONNX);
            assertThat(v.architecture()).isEqualTo("bert");
            assertThat(v.metadata())
                    .containsEntry("onnx.ir_version", 8L)
                    .containsEntry("onnx.producer_name", "pedigree-test")
                    .containsEntry("onnx.metadata.model_type", "bert");
            assertThat(v.metadata().get("onnx.opset_import")).isEqualTo(Map.of("", 17L));
            List<Long> offsets =
                    v.tensors().stream().map(t -> ((OnnxTensor) t).offset()).toList();
            assertThat(offsets).isSorted();
            assertThat(v.hints().hiddenSize()).isEqualTo(2);
            assertThat(v.files()).containsExactly(rich);
        }
    }

    @Test
    void externalDataRelativeToModelDirectory() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("ext"));
        byte[] data = new byte[4096 + 24];
        byte[] w = f32(1, 2, 3, 4, 5, 6);
        System.arraycopy(w, 0, data, 4096, w.length);
        Files.write(sub.resolve("model.onnx_data"), data);
        Msg g = graph(
                "ext",
                List.of(node("/enc/fc3/MatMul", "MatMul", List.of("x", "onnx::MatMul_3"), List.of("y"))),
                List.of(externalTensor("onnx::MatMul_3", FLOAT, KnownModels.d(3, 2), "model.onnx_data", 4096, 24)));
        Path model = sub.resolve("model.onnx");
        Files.write(model, model(g));
        try (ModelView v = new OnnxReader().open(model)) {
            OnnxTensor t = (OnnxTensor) v.tensors().getFirst();
            assertThat(t.name()).isEqualTo("enc.fc3.weight");
            assertThat(t.shape()).isEqualTo(Shape.of(2, 3));
            assertThat(t.readAll()).containsExactly(1, 3, 5, 2, 4, 6);
            assertThat(t.storedBytes().isMapped()).isTrue();
            assertThat(t.storedBytes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(w);
            assertThat(v.files()).hasSize(2);
            assertThat(v.files().get(1).getFileName().toString()).isEqualTo("model.onnx_data");
        }
    }

    @Test
    void serviceLoaderFindsTheReaderAndProbeIsByContent() throws Exception {
        ModelReader r = ServiceLoader.load(ModelReader.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(x -> x.name().equals("onnx"))
                .findFirst()
                .orElseThrow();
        byte[] head = Files.readAllBytes(rich);
        assertThat(r.probe(rich, head)).isGreaterThanOrEqualTo(90);
        Path renamed = dir.resolve("weights.bin");
        Files.write(renamed, head);
        assertThat(r.probe(renamed, head)).as("content, not the name").isGreaterThanOrEqualTo(90);
        assertThat(r.probe(renamed, new byte[] {0x08, 0x2A, 0, 0, 0, 0, 0, 0, '{', '"'}))
                .as("safetensors header")
                .isZero();
        assertThat(r.probe(
                        renamed, "GGUF\u0003\u0000\u0000\u0000".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1)))
                .isZero();
        assertThat(r.probe(renamed, new byte[] {'P', 'K', 3, 4})).isZero();
        assertThat(r.probe(renamed, new byte[0])).isZero();
        java.util.Random rnd = new java.util.Random(1);
        int claimed = 0;
        for (int i = 0; i < 2000; i++) {
            byte[] b = new byte[64];
            rnd.nextBytes(b);
            b[0] = 0x08;
            if (r.probe(renamed, b) >= 90) {
                claimed++;
            }
        }
        assertThat(claimed).as("random bytes after 0x08 claimed as ONNX").isLessThan(5);
    }

    @Test
    void dataTypeTableMatchesOnnxProto() {
        assertThat(OnnxDataType.fromId(1).dtype()).isEqualTo(DType.F32);
        assertThat(OnnxDataType.fromId(2).dtype()).isEqualTo(DType.U8);
        assertThat(OnnxDataType.fromId(3).dtype()).isEqualTo(DType.I8);
        assertThat(OnnxDataType.fromId(7).dtype()).isEqualTo(DType.I64);
        assertThat(OnnxDataType.fromId(10).dtype()).isEqualTo(DType.F16);
        assertThat(OnnxDataType.fromId(16).dtype()).isEqualTo(DType.BF16);
        assertThat(OnnxDataType.fromId(17).dtype()).isEqualTo(DType.F8_E4M3);
        assertThat(OnnxDataType.fromId(18).dtype()).isEqualTo(DType.F8_E4M3FNUZ);
        assertThat(OnnxDataType.fromId(19).dtype()).isEqualTo(DType.F8_E5M2);
        assertThat(OnnxDataType.fromId(20).dtype()).isEqualTo(DType.F8_E5M2FNUZ);
        assertThat(OnnxDataType.fromId(21).dtype()).isEqualTo(DType.U4);
        assertThat(OnnxDataType.fromId(22).dtype()).isEqualTo(DType.I4);
        assertThat(OnnxDataType.fromId(23).dtype()).isEqualTo(DType.F4);
        assertThat(OnnxDataType.fromId(24).dtype()).isEqualTo(DType.F8_E8M0);
        assertThat(OnnxDataType.fromId(26)).isEqualTo(OnnxDataType.INT2);
        assertThat(OnnxDataType.fromId(27)).isNull();
        for (OnnxDataType t : OnnxDataType.values()) {
            assertThat(OnnxDataType.fromId(t.id())).isSameAs(t);
        }
        assertThat(OnnxDataType.INT4.rawByteSize(3)).isEqualTo(2);
        assertThat(OnnxDataType.UINT2.rawByteSize(5)).isEqualTo(2);
        assertThat(OnnxDataType.COMPLEX64.rawByteSize(3)).isEqualTo(24);
        assertThat(OnnxDataType.FLOAT.rawByteSize(3)).isEqualTo(12);
    }

    @Test
    void float8InInt32DataMatchesRawDecoding() throws Exception {
        // Every E4M3FN bit pattern through int32_data and through raw_data must decode identically.
        int[] all = new int[256];
        byte[] raw = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = i;
            raw[i] = (byte) i;
        }
        Msg g = graph(
                "f8",
                List.of(),
                List.of(
                        int32DataTensor("a.weight", 17, KnownModels.d(256), all),
                        rawTensor("b.weight", 17, KnownModels.d(256), raw)));
        Path p = dir.resolve("f8.onnx");
        Files.write(p, model(g));
        try (ModelView v = new OnnxReader().open(p)) {
            float[] a = v.tensors().get(0).readAll();
            float[] b = v.tensors().get(1).readAll();
            assertThat(a).containsExactly(b);
            assertThat(a[0x38]).isEqualTo(1.0f);
        }
    }
}
