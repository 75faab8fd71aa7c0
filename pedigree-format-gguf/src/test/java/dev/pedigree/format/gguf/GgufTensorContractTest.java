package dev.pedigree.format.gguf;

import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.contract.TensorRefContract;
import java.nio.file.Path;

/** An F32 tensor of a mapped GGUF file, read in canonical order (GGUF stores the dimensions reversed). */
class GgufTensorContractTest extends TensorRefContract {
    private static float[] values() {
        float[] v = new float[3 * 32];
        for (int i = 0; i < v.length; i++) {
            v[i] = (float) Math.sin(i * 0.3);
        }
        return v;
    }

    @Override
    protected TensorRef tensor(Path dir) throws Exception {
        Path file = dir.resolve("model.gguf");
        new GgufWriter()
                .putString("general.architecture", "llama")
                .addTensor("blk.0.ffn_up.weight", new long[] {3, 32}, values(), GgmlType.F32)
                .write(file);
        ModelView v = closeAfter(new GgufReader().open(file));
        return v.tensors().getFirst();
    }

    @Override
    protected float[] expectedValues() {
        return values();
    }
}
