package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The counting view a comparison reads through: the same values as the tensor it wraps. */
class ReadAccountingContractTest extends TensorRefContract {
    private final ReadAccounting accounting = new ReadAccounting();

    private static float[] values() {
        float[] v = new float[4 * 5];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.cos(i);
        }
        return v;
    }

    @Override
    protected TensorRef tensor(Path dir) {
        return accounting.wrap(new ArrayTensor("w", Shape.of(4, 5), null, values()));
    }

    @Override
    protected float[] expectedValues() {
        return values();
    }

    @Test
    void countsTheStoredBytesOfWhatItReads() throws Exception {
        TensorRef t = accounting.wrap(new ArrayTensor("v", Shape.of(4, 5), null, values()));
        long before = accounting.bytesRead();
        t.readRows(1, 2, new float[10], 0);
        assertThat(accounting.bytesRead() - before).isEqualTo(2 * 5 * 4);
    }
}
