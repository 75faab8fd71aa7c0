package dev.pedigree.format.safetensors;

import dev.pedigree.model.DType;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Path;

/** A BF16 tensor of a mapped file: values chosen to be exact in BF16, so the expected values are the written ones. */
class SafetensorsTensorContractTest extends TensorRefContract {
    private static float[] values() {
        float[] v = new float[5 * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i - 7) * 0.125f;
        }
        return v;
    }

    @Override
    protected TensorRef tensor(Path dir) throws Exception {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter()
                .add("model.layers.0.mlp.up_proj.weight", DType.BF16, Shape.of(5, 4), values())
                .write(file);
        ModelView v = closeAfter(new SafetensorsReader().open(file));
        return v.tensors().getFirst();
    }

    @Override
    protected float[] expectedValues() {
        return values();
    }
}
