package dev.pedigree.model;

import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Path;

class ArrayTensorContractTest extends TensorRefContract {
    static float[] values(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i * 0.25f - 1.5f;
        }
        return v;
    }

    @Override
    protected TensorRef tensor(Path dir) {
        return new ArrayTensor("w", Shape.of(5, 3), null, values(15));
    }

    @Override
    protected float[] expectedValues() {
        return values(15);
    }
}
