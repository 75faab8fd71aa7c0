package dev.pedigree.format.onnx;

import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A MatMul weight stored {@code [in, out]} and read in canonical {@code [out, in]} layout: single rows and short
 * runs are read as strided stored columns, longer runs and readAll column by column, and every way must agree.
 */
class OnnxTransposedTensorContractTest extends TensorRefContract {
    private static final int IN = 3;
    private static final int OUT = 2 * OnnxTensor.STRIDED_ROWS + 3;

    private static float[] stored() {
        float[] v = new float[IN * OUT];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.25f - 3f;
        }
        return v;
    }

    @Override
    protected TensorRef tensor(Path dir) throws Exception {
        Path file = dir.resolve("model.onnx");
        Files.write(
                file,
                OnnxTestWriter.model(OnnxTestWriter.graph(
                        "g",
                        List.of(OnnxTestWriter.node(
                                "/enc/fc/MatMul", "MatMul", List.of("x", "onnx::MatMul_1"), List.of("y"))),
                        List.of(OnnxTestWriter.rawTensor(
                                "onnx::MatMul_1",
                                OnnxTestWriter.FLOAT,
                                new long[] {IN, OUT},
                                OnnxTestWriter.f32(stored()))))));
        ModelView v = closeAfter(new OnnxReader().open(file));
        OnnxTensor t = (OnnxTensor) v.tensors().getFirst();
        if (!t.transposed()) {
            throw new AssertionError("the MatMul weight should be read transposed: " + t);
        }
        return t;
    }

    @Override
    protected float[] expectedValues() {
        float[] s = stored();
        float[] canonical = new float[s.length];
        for (int o = 0; o < OUT; o++) {
            for (int i = 0; i < IN; i++) {
                canonical[o * IN + i] = s[i * OUT + o];
            }
        }
        return canonical;
    }
}
