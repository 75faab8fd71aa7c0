package dev.pedigree.format.onnx;

import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** A raw_data F32 initialiser of a mapped ONNX file. */
class OnnxTensorContractTest extends TensorRefContract {
    private static float[] values() {
        float[] v = new float[4 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.5f - 2f;
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
                        List.of(),
                        List.of(OnnxTestWriter.rawTensor(
                                "encoder.layer.0.intermediate.dense.weight",
                                OnnxTestWriter.FLOAT,
                                new long[] {4, 3},
                                OnnxTestWriter.f32(values()))))));
        ModelView v = closeAfter(new OnnxReader().open(file));
        return v.tensors().getFirst();
    }

    @Override
    protected float[] expectedValues() {
        return values();
    }
}
