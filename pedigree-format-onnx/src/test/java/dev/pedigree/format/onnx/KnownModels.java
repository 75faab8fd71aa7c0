package dev.pedigree.format.onnx;

import static dev.pedigree.format.onnx.OnnxTestWriter.*;

import java.util.ArrayList;
import java.util.List;

/** Small generated ONNX models whose every value is known. */
final class KnownModels {
    private KnownModels() {}

    static long[] d(long... dims) {
        return dims;
    }

    /** Nodes and initialisers of the rich model (see {@link #rich()}). */
    static Msg richGraph() {
        List<Msg> nodes = new ArrayList<>();
        List<Msg> inits = new ArrayList<>();
        // 1. float_data MatMul weight [in=2, out=3] with a bias that confirms the name.
        inits.add(floatDataTensor("onnx::MatMul_11", d(2, 3), 1, 2, 3, 4, 5, 6));
        inits.add(rawTensor("enc.fc1.bias", FLOAT, d(3), f32(0.1f, 0.2f, 0.3f)));
        nodes.add(node(
                "/enc/fc1/MatMul", "MatMul", List.of("x", "onnx::MatMul_11"), List.of("/enc/fc1/MatMul_output_0")));
        nodes.add(node("/enc/fc1/Add", "Add", List.of("enc.fc1.bias", "/enc/fc1/MatMul_output_0"), List.of("h1")));
        // 2. f16 bit patterns in int32_data, Gemm transB=1: stored [out, in] already.
        inits.add(int32DataTensor("W2", FLOAT16, d(2, 2), h(0.5f), h(-1f), h(2f), h(0.25f)));
        nodes.add(node("/enc/fc2/Gemm", "Gemm", List.of("h1", "W2"), List.of("h2"), attrInt("transB", 1)));
        // 4. Constant node weight consumed by MatMul.
        nodes.add(node(
                "/enc/fc4/Constant",
                "Constant",
                List.of(),
                List.of("/enc/fc4/Constant_output_0"),
                attrTensor("value", rawTensor("", FLOAT, d(2, 2), f32(1, 2, 3, 4)))));
        nodes.add(node("/enc/fc4/MatMul", "MatMul", List.of("h2", "/enc/fc4/Constant_output_0"), List.of("h4")));
        // 5. Stored [out=3, in=2], transposed by a Transpose node before MatMul: canonical = stored.
        inits.add(rawTensor("onnx::Transpose_5", FLOAT, d(3, 2), f32(1, 2, 3, 4, 5, 6)));
        nodes.add(node(
                "/enc/fc5/Transpose",
                "Transpose",
                List.of("onnx::Transpose_5"),
                List.of("t5"),
                attrInts("perm", 1, 0)));
        nodes.add(node("/enc/fc5/MatMul", "MatMul", List.of("h4", "t5"), List.of("h5")));
        // 6. bf16 raw, Gemm without transB: stored [in=2, out=3].
        inits.add(rawTensor("W6", BFLOAT16, d(2, 3), bf16(1, 2, 3, 4, 5, 6)));
        nodes.add(node("/enc/fc6/Gemm", "Gemm", List.of("h5", "W6"), List.of("h6")));
        // 7. f16 raw embedding via Gather, unpacked dims.
        inits.add(tensorHeaderUnpacked("E", FLOAT16, 4, 2).bytes(9, f16(0, 0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f)));
        nodes.add(node("/embeddings/word_embeddings/Gather", "Gather", List.of("E", "ids"), List.of("e")));
        // 8. int64 buffer and double_data.
        inits.add(tensorHeader("embeddings.position_ids", INT64, 1, 4).bytes(7, packedVarints(0, 1, 2, 3)));
        inits.add(tensorHeader("enc.norm.bias", DOUBLE, 2).bytes(10, f64(0.5, 1.5)));
        nodes.add(node("/enc/norm/Add", "Add", List.of("h6", "enc.norm.bias"), List.of("h7")));
        // 9. onnxruntime dynamic int8, per-channel scale and zero point.
        inits.add(rawTensor("onnx::MatMul_9_quantized", INT8, d(2, 3), i8(-2, -1, 0, 1, 2, 3)));
        inits.add(floatDataTensor("onnx::MatMul_9_scale", d(3), 0.5f, 1f, 2f));
        inits.add(int32DataTensor("onnx::MatMul_9_zero_point", INT8, d(3), 0, 1, -1));
        nodes.add(node(
                "/enc/q/MatMul_quant",
                "MatMulInteger",
                List.of("xq", "onnx::MatMul_9_quantized", "xzp", "onnx::MatMul_9_zero_point"),
                List.of("/enc/q/MatMul_output_0_output_quantized")));
        // 10. quantised embedding: Gather + DequantizeLinear, per-tensor uint8.
        inits.add(rawTensor("emb.weight_quantized", UINT8, d(3, 2), i8(10, 20, 30, 40, 50, 60)));
        inits.add(floatDataTensor("emb.weight_scale", d(), 0.1f));
        inits.add(int32DataTensor("emb.weight_zero_point", UINT8, d(), 20));
        nodes.add(node("/emb/Gather", "Gather", List.of("emb.weight_quantized", "ids"), List.of("g")));
        nodes.add(node(
                "/emb/Gather_output_0_DequantizeLinear",
                "DequantizeLinear",
                List.of("g", "emb.weight_scale", "emb.weight_zero_point"),
                List.of("gd")));
        // 11. If with a subgraph initialiser.
        Msg then = graph(
                "then",
                List.of(node("/cond/then/Identity", "Identity", List.of("sub.w"), List.of("o"))),
                List.of(rawTensor("sub.w", FLOAT, d(2), f32(7, 8))));
        Msg otherwise = graph("else", List.of(), List.of());
        nodes.add(node(
                "/cond/If",
                "If",
                List.of("c"),
                List.of("o"),
                attrGraph("then_branch", then),
                attrGraph("else_branch", otherwise)));
        Msg g = graph("known", nodes, inits);
        // 12. sparse initialiser (graph field 15).
        Msg sparse = msg().message(1, rawTensor("sp.weight", FLOAT, d(2), f32(1, 2)))
                .message(2, tensorHeader("sp.idx", INT64, 2).bytes(7, packedVarints(0, 3)))
                .bytes(3, packedVarints(4));
        g.message(15, sparse);
        return g;
    }

    /** Every feature of the reader in one small model. */
    static byte[] rich() {
        return model(richGraph());
    }

    private static int h(float v) {
        return Float.floatToFloat16(v) & 0xFFFF;
    }
}
