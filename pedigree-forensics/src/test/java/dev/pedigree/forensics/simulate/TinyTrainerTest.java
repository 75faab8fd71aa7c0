package dev.pedigree.forensics.simulate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Role;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class TinyTrainerTest {
    @Test
    void batchedPathComputesTheSameTrainingAsThePerPositionLoop() {
        TinyTrainer.Config c = TinyTrainer.Config.DEFAULT.withSteps(20);
        TinyTrainer.Result loop = TinyTrainer.train("a", c, 3, 4);
        TinyTrainer.Result batched = TinyTrainer.trainBatched("a", c, 3, 4);
        assertThat(batched.initialLoss()).isCloseTo(loop.initialLoss(), within(1e-5));
        assertThat(batched.finalLoss()).isCloseTo(loop.finalLoss(), within(1e-4));
        for (int i = 0; i < loop.model().tensors().size(); i++) {
            float[] x = loop.model().tensors().get(i).readAll();
            float[] y = batched.model().tensors().get(i).readAll();
            double worst = 0;
            double scale = 0;
            for (int k = 0; k < x.length; k++) {
                worst = Math.max(worst, Math.abs(x[k] - y[k]));
                scale = Math.max(scale, Math.abs(x[k]));
            }
            assertThat(worst).as(loop.model().tensors().get(i).name()).isLessThan(1e-4 * scale);
        }
        // Adam takes the batched path too; one step moves every weight that had a gradient.
        TinyTrainer.Config adam = new TinyTrainer.Config(64, 32, 64, 20, 32, 0.01, true);
        TinyTrainer.Result a = TinyTrainer.train("a", adam, 3, 4);
        assertThat(a.finalLoss()).isLessThan(a.initialLoss());
    }

    @Test
    void matrixProductsMatchTheDefinition() {
        SplittableRandom r = new SplittableRandom(1);
        int m = 5;
        int k = 7;
        int n = 9;
        float[] a = new float[m * k];
        float[] at = new float[k * m];
        float[] b = new float[k * n];
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) {
                a[i * k + p] = p == 2 ? 0f : (float) r.nextGaussian();
                at[p * m + i] = a[i * k + p];
            }
        }
        for (int i = 0; i < b.length; i++) {
            b[i] = (float) r.nextGaussian();
        }
        float[] c = new float[m * n];
        float[] ct = new float[m * n];
        c[3] = 1f;
        ct[3] = 1f;
        TinyTrainer.multiplyAdd(c, a, b, m, k, n);
        TinyTrainer.multiplyTransposedAdd(ct, at, b, k, m, n);
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                double s = i * n + j == 3 ? 1 : 0;
                for (int p = 0; p < k; p++) {
                    s += a[i * k + p] * b[p * n + j];
                }
                assertThat((double) c[i * n + j]).isCloseTo(s, within(1e-5));
                assertThat((double) ct[i * n + j]).isCloseTo(s, within(1e-5));
            }
        }
    }

    @Test
    void deeperAdamModelsLearnTheChainAndFineTune() {
        TinyTrainer.Config c = new TinyTrainer.Config(256, 32, 64, 400, 64, 0.01, true, 2, true);
        TinyTrainer.Result r = TinyTrainer.train("deep", c, 5, 6);
        assertThat(r.model().tensors()).hasSize(6);
        assertThat(r.model().hints().numLayers()).isEqualTo(2);
        assertThat(r.entropyRate()).isLessThan(r.unigramEntropy());
        // Learnt: far below the loss of a model that ignores its input.
        assertThat(r.expectedLoss()).isLessThan(r.unigramEntropy() - 1.5);
        assertThat(r.expectedLoss()).isGreaterThanOrEqualTo(r.entropyRate() - 1e-6);
        TinyTrainer.Result ft = TinyTrainer.fineTune(r.model(), c, 7, 10);
        assertThat(ft.model().tensors()).hasSize(6);
        for (ArrayTensor t : ft.model().tensors()) {
            assertThat(t.address().role()).isIn(Role.EMBEDDING, Role.MLP_UP, Role.MLP_DOWN, Role.LM_HEAD);
        }
    }
}
