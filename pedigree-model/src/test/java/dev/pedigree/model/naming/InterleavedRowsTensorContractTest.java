package dev.pedigree.model.naming;

import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Path;

/** Rows 1..2 of each of three blocks of four rows (a per-head interleaved fused projection), columns of 2. */
class InterleavedRowsTensorContractTest extends TensorRefContract {
    private static float[] parentValues() {
        float[] v = new float[12 * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = i + 0.5f;
        }
        return v;
    }

    @Override
    protected TensorRef tensor(Path dir) {
        TensorRef fused = new ArrayTensor("qkv", Shape.of(12, 2), null, parentValues());
        return new InterleavedRowsTensor(fused, "qkv[k]", 3, 4, 1, 2, null);
    }

    @Override
    protected float[] expectedValues() {
        float[] p = parentValues();
        float[] out = new float[6 * 2];
        int o = 0;
        for (int block = 0; block < 3; block++) {
            for (int r = 1; r <= 2; r++) {
                int parentRow = block * 4 + r;
                out[o++] = p[parentRow * 2];
                out[o++] = p[parentRow * 2 + 1];
            }
        }
        return out;
    }
}
