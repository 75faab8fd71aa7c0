package dev.pedigree.fingerprint;

import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Path;

/** Rows {4, 0, 2} and columns {3, 1} of a 5 × 4 parent, in that order. */
class RestrictedTensorContractTest extends TensorRefContract {
    private static final int[] ROWS = {4, 0, 2};
    private static final int[] COLS = {3, 1};

    private static float[] parent() {
        float[] v = new float[5 * 4];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 1.5f - 3f;
        }
        return v;
    }

    @Override
    protected TensorRef tensor(Path dir) {
        return new RestrictedTensor(new ArrayTensor("w", Shape.of(5, 4), null, parent()), ROWS, COLS);
    }

    @Override
    protected float[] expectedValues() {
        float[] p = parent();
        float[] out = new float[ROWS.length * COLS.length];
        for (int i = 0; i < ROWS.length; i++) {
            for (int j = 0; j < COLS.length; j++) {
                out[i * COLS.length + j] = p[ROWS[i] * 4 + COLS[j]];
            }
        }
        return out;
    }
}
