package dev.pedigree.model;

import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Path;
import java.util.Arrays;

/** The k part (rows 4..7) of a fused 10 × 3 projection. */
class RowSliceTensorContractTest extends TensorRefContract {
    @Override
    protected TensorRef tensor(Path dir) {
        TensorRef fused = new ArrayTensor("qkv", Shape.of(10, 3), null, ArrayTensorContractTest.values(30));
        return new RowSliceTensor(fused, "qkv[k]", 4, Shape.of(4, 3), null);
    }

    @Override
    protected float[] expectedValues() {
        return Arrays.copyOfRange(ArrayTensorContractTest.values(30), 12, 24);
    }
}
