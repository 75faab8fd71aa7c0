package dev.pedigree.forensics.simulate;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a tiny one-block MLP language model on a synthetic token stream, so that tests have
 * independent models trained on the <em>same data</em> from different random seeds (the realistic
 * negative control) and fine-tunes of one model (a realistic positive).
 *
 * <p>Model: {@code x = E[t]; y = x + D·relu(U·x); logits = H·y}; next-token cross-entropy; plain
 * SGD with momentum, or Adam (coordinate-wise step sizes give the residual coordinates a privileged
 * basis, as in real transformers, so that a signed-permutation alignment of two independent models
 * trained on the same data finds more than it does after SGD, which is rotation-equivariant). Data: a first-order Markov chain whose transition table is drawn from the data
 * seed (each token has a few likely successors). Sizes default to a few milliseconds per hundred
 * steps. Stateless; every run is deterministic in its seeds.
 */
public final class TinyTrainer {
    private TinyTrainer() {}

    /**
     * Training setup.
     *
     * @param vocab tokens
     * @param hidden residual width
     * @param mlp hidden units
     * @param steps SGD steps
     * @param batch sequences positions per step
     * @param learningRate SGD learning rate
     * @param adam Adam (β 0.9/0.999) instead of SGD with momentum
     */
    public record Config(int vocab, int hidden, int mlp, int steps, int batch, double learningRate, boolean adam) {
        public static final Config DEFAULT = new Config(64, 32, 64, 300, 32, 0.1);

        /**
         * The larger same-data setup of the calibration (issue 14 §6): 8× the vocabulary, 2× the width,
         * 4× the MLP units, Adam, 600 steps.
         */
        public static final Config LARGER = new Config(512, 64, 256, 600, 32, 0.01, true);

        /** SGD with momentum. */
        public Config(int vocab, int hidden, int mlp, int steps, int batch, double learningRate) {
            this(vocab, hidden, mlp, steps, batch, learningRate, false);
        }

        public Config withSteps(int s) {
            return new Config(vocab, hidden, mlp, s, batch, learningRate, adam);
        }
    }

    /** A trained model and its loss before and after. */
    public record Result(SimModel model, double initialLoss, double finalLoss) {}

    /** Trains from a fresh initialisation drawn from {@code initSeed} on data drawn from {@code dataSeed}. */
    public static Result train(String name, Config c, long initSeed, long dataSeed) {
        SplittableRandom init = new SplittableRandom(initSeed);
        float[] e = SyntheticTransformer.gaussian(c.vocab() * c.hidden(), 0.3, init);
        float[] u = SyntheticTransformer.gaussian(c.mlp() * c.hidden(), 1 / Math.sqrt(c.hidden()), init);
        float[] d = SyntheticTransformer.gaussian(c.hidden() * c.mlp(), 0.5 / Math.sqrt(c.mlp()), init);
        float[] h = SyntheticTransformer.gaussian(c.vocab() * c.hidden(), 1 / Math.sqrt(c.hidden()), init);
        return run(name, c, new float[][] {e, u, d, h}, dataSeed, c.steps());
    }

    /** Continues training {@code start} (a model from {@link #train}) on data from {@code dataSeed}: a fine-tune. */
    public static Result fineTune(SimModel start, Config c, long dataSeed, int steps) {
        float[][] w = new float[4][];
        for (ArrayTensor t : start.tensors()) {
            switch (t.address().role()) {
                case EMBEDDING -> w[0] = t.readAll();
                case MLP_UP -> w[1] = t.readAll();
                case MLP_DOWN -> w[2] = t.readAll();
                case LM_HEAD -> w[3] = t.readAll();
                default -> {}
            }
        }
        return run(start.name() + "+ft", c, w, dataSeed, steps);
    }

    private static Result run(String name, Config c, float[][] w, long dataSeed, int steps) {
        int vN = c.vocab();
        int dN = c.hidden();
        int hN = c.mlp();
        int[][] next = transitions(vN, dataSeed);
        SplittableRandom data = new SplittableRandom(dataSeed ^ 0x9E3779B97F4A7C15L);
        float[][] mom = new float[4][];
        float[][] sq = new float[4][];
        float[][] grad = new float[4][];
        for (int i = 0; i < 4; i++) {
            mom[i] = new float[w[i].length];
            sq[i] = new float[w[i].length];
            grad[i] = new float[w[i].length];
        }
        double first = Double.NaN;
        double last = Double.NaN;
        float[] x = new float[dN];
        float[] pre = new float[hN];
        float[] act = new float[hN];
        float[] y = new float[dN];
        float[] logits = new float[vN];
        float[] dy = new float[dN];
        float[] dact = new float[hN];
        float[] dx = new float[dN];
        int token = data.nextInt(vN);
        for (int step = 0; step < steps; step++) {
            for (float[] g : grad) {
                java.util.Arrays.fill(g, 0f);
            }
            double loss = 0;
            for (int b = 0; b < c.batch(); b++) {
                int target = next[token][data.nextInt(next[token].length)];
                // forward
                System.arraycopy(w[0], token * dN, x, 0, dN);
                for (int i = 0; i < hN; i++) {
                    double s = 0;
                    for (int j = 0; j < dN; j++) {
                        s += w[1][i * dN + j] * x[j];
                    }
                    pre[i] = (float) s;
                    act[i] = Math.max(0f, pre[i]);
                }
                for (int i = 0; i < dN; i++) {
                    double s = x[i];
                    for (int j = 0; j < hN; j++) {
                        s += w[2][i * hN + j] * act[j];
                    }
                    y[i] = (float) s;
                }
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vN; v++) {
                    double s = 0;
                    for (int j = 0; j < dN; j++) {
                        s += w[3][v * dN + j] * y[j];
                    }
                    logits[v] = (float) s;
                    max = Math.max(max, s);
                }
                double z = 0;
                for (int v = 0; v < vN; v++) {
                    z += Math.exp(logits[v] - max);
                }
                loss += -(logits[target] - max - Math.log(z));
                // backward
                java.util.Arrays.fill(dy, 0f);
                for (int v = 0; v < vN; v++) {
                    float p = (float) (Math.exp(logits[v] - max) / z) - (v == target ? 1f : 0f);
                    for (int j = 0; j < dN; j++) {
                        grad[3][v * dN + j] += p * y[j];
                        dy[j] += p * w[3][v * dN + j];
                    }
                }
                java.util.Arrays.fill(dact, 0f);
                for (int i = 0; i < dN; i++) {
                    for (int j = 0; j < hN; j++) {
                        grad[2][i * hN + j] += dy[i] * act[j];
                        dact[j] += dy[i] * w[2][i * hN + j];
                    }
                }
                System.arraycopy(dy, 0, dx, 0, dN);
                for (int i = 0; i < hN; i++) {
                    if (pre[i] <= 0) {
                        continue;
                    }
                    for (int j = 0; j < dN; j++) {
                        grad[1][i * dN + j] += dact[i] * x[j];
                        dx[j] += dact[i] * w[1][i * dN + j];
                    }
                }
                for (int j = 0; j < dN; j++) {
                    grad[0][token * dN + j] += dx[j];
                }
                token = target;
            }
            loss /= c.batch();
            if (step == 0) {
                first = loss;
            }
            last = loss;
            double bias1 = 1 - Math.pow(0.9, step + 1);
            double bias2 = 1 - Math.pow(0.999, step + 1);
            for (int k = 0; k < 4; k++) {
                for (int i = 0; i < w[k].length; i++) {
                    float g = grad[k][i] / c.batch();
                    if (c.adam()) {
                        mom[k][i] = 0.9f * mom[k][i] + 0.1f * g;
                        sq[k][i] = 0.999f * sq[k][i] + 0.001f * g * g;
                        w[k][i] -=
                                (float) (c.learningRate() * (mom[k][i] / bias1) / (Math.sqrt(sq[k][i] / bias2) + 1e-8));
                    } else {
                        mom[k][i] = 0.9f * mom[k][i] + g;
                        w[k][i] -= (float) (c.learningRate() * mom[k][i]);
                    }
                }
            }
        }
        Component comp = Component.TEXT_DECODER;
        List<ArrayTensor> ts = List.of(
                new ArrayTensor(
                        "embed_tokens.weight",
                        Shape.of(vN, dN),
                        TensorAddress.of(comp, null, Role.EMBEDDING, Part.WEIGHT),
                        w[0]),
                new ArrayTensor(
                        "layers.0.mlp.up_proj.weight",
                        Shape.of(hN, dN),
                        TensorAddress.of(comp, 0, Role.MLP_UP, Part.WEIGHT),
                        w[1]),
                new ArrayTensor(
                        "layers.0.mlp.down_proj.weight",
                        Shape.of(dN, hN),
                        TensorAddress.of(comp, 0, Role.MLP_DOWN, Part.WEIGHT),
                        w[2]),
                new ArrayTensor(
                        "lm_head.weight",
                        Shape.of(vN, dN),
                        TensorAddress.of(comp, null, Role.LM_HEAD, Part.WEIGHT),
                        w[3]));
        ArchitectureHints hints = new ArchitectureHints("tiny-mlp-lm", dN, null, null, null, hN, 1, false);
        return new Result(new SimModel(name, hints, ts, SyntheticTransformer.vocabulary(vN, 0)), first, last);
    }

    /** Each token gets 1–4 successors drawn from the data seed. */
    private static int[][] transitions(int v, long dataSeed) {
        SplittableRandom r = new SplittableRandom(dataSeed);
        int[][] next = new int[v][];
        for (int t = 0; t < v; t++) {
            next[t] = new int[1 + r.nextInt(4)];
            for (int k = 0; k < next[t].length; k++) {
                next[t][k] = r.nextInt(v);
            }
        }
        return next;
    }
}
