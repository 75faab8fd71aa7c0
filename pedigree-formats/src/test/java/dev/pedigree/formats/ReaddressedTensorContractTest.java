package dev.pedigree.formats;

import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Path;

/** A tensor given a new address from config.json hints; reads go to the tensor it wraps. */
class ReaddressedTensorContractTest extends TensorRefContract {
    private static float[] values() {
        float[] v = new float[3 * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = 2f - i * 0.5f;
        }
        return v;
    }

    @Override
    protected TensorRef tensor(Path dir) {
        TensorRef stored = new ArrayTensor("model.layers.0.mlp.up_proj.weight", Shape.of(3, 4), null, values());
        return new ReaddressedTensor(stored, null);
    }

    @Override
    protected float[] expectedValues() {
        return values();
    }
}
