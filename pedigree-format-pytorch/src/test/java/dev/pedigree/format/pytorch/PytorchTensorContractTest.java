package dev.pedigree.format.pytorch;

import dev.pedigree.model.DType;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Path;

/** An F32 tensor of a mapped zip checkpoint. */
class PytorchTensorContractTest extends TensorRefContract {
    private static double[] values() {
        double[] v = new double[4 * 3];
        for (int i = 0; i < v.length; i++) {
            v[i] = i * 0.25 - 1;
        }
        return v;
    }

    @Override
    protected TensorRef tensor(Path dir) throws Exception {
        Path file = dir.resolve("pytorch_model.bin");
        PytorchWriter.builder()
                .tensor("layers.0.mlp.up_proj.weight", DType.F32, new long[] {4, 3}, values())
                .writeZip(file);
        ModelView v = closeAfter(new PytorchReader().open(file));
        return v.tensors().getFirst();
    }

    @Override
    protected float[] expectedValues() {
        double[] d = values();
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) {
            f[i] = (float) d[i];
        }
        return f;
    }
}
