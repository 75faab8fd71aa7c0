package dev.pedigree.forensics.simulate;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.stats.SeededSample;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Trains a tiny MLP language model on a synthetic token stream, so that tests have independent models
 * trained on the <em>same data</em> from different random seeds (the realistic negative control) and
 * fine-tunes of one model (a realistic positive).
 *
 * <p>Model: {@code x = E[t]}; each block {@code x ← x + D·relu(U·x)}; {@code logits = H·x}; next-token
 * cross-entropy; plain SGD with momentum, or Adam (coordinate-wise step sizes give the residual
 * coordinates a privileged basis, as in real transformers, so that a signed-permutation alignment of two
 * independent models trained on the same data finds more than it does after SGD, which is
 * rotation-equivariant). Data: a first-order Markov chain whose transition table is drawn from the data
 * seed (each token has a few likely successors). One-block SGD runs go position by position (a few
 * milliseconds per hundred steps at the default size); Adam runs and deeper models go through batched
 * matrix products. Stateless; every run is deterministic in its seeds.
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
     * @param layers residual MLP blocks
     * @param covering data that covers the whole vocabulary (see {@link #transitions}); otherwise each token
     *     gets 1–4 successors drawn uniformly, and the stream is soon absorbed into whichever closed class of
     *     that random chain it reaches, often a handful of tokens
     */
    public record Config(
            int vocab,
            int hidden,
            int mlp,
            int steps,
            int batch,
            double learningRate,
            boolean adam,
            int layers,
            boolean covering) {
        public static final Config DEFAULT = new Config(64, 32, 64, 300, 32, 0.1);

        /**
         * The larger same-data setup of the calibration (issue 14 §6): 8× the vocabulary, 2× the width,
         * 4× the MLP units, Adam, 600 steps.
         */
        public static final Config LARGER = new Config(512, 64, 256, 600, 32, 0.01, true, 1, true);

        /**
         * The largest same-data setup of the calibration (issue 14 §6): 32× the tiny vocabulary, 4× its
         * width, 8× its MLP units, two blocks, Adam, with enough steps that the models learn the chain
         * (their loss falls far below the unigram entropy, see {@link Result#expectedLoss}).
         */
        public static final Config LARGEST = new Config(2048, 128, 512, 400, 128, 0.003, true, 2, true);

        public Config {
            if (layers < 1) {
                throw new IllegalArgumentException("layers must be positive: " + layers);
            }
        }

        /** Uniform successors, without covering. */
        public Config(
                int vocab, int hidden, int mlp, int steps, int batch, double learningRate, boolean adam, int layers) {
            this(vocab, hidden, mlp, steps, batch, learningRate, adam, layers, false);
        }

        /** One block. */
        public Config(int vocab, int hidden, int mlp, int steps, int batch, double learningRate, boolean adam) {
            this(vocab, hidden, mlp, steps, batch, learningRate, adam, 1);
        }

        /** SGD with momentum, one block. */
        public Config(int vocab, int hidden, int mlp, int steps, int batch, double learningRate) {
            this(vocab, hidden, mlp, steps, batch, learningRate, false);
        }

        public Config withSteps(int s) {
            return new Config(vocab, hidden, mlp, s, batch, learningRate, adam, layers, covering);
        }
    }

    /**
     * A trained model, its training loss at the first and the last step, and how well it learnt the chain.
     *
     * @param unigramEntropy entropy (nats) of the tokens of the training stream: the loss of the best model
     *     that ignores the input token
     * @param entropyRate the chain's conditional entropy (nats) over the stream's tokens: the smallest loss
     *     any model can reach
     * @param expectedLoss the trained model's expected cross-entropy (nats) on the chain, over the stream's
     *     tokens (each successor weighted by its transition probability, no sampling noise)
     */
    public record Result(
            SimModel model,
            double initialLoss,
            double finalLoss,
            double unigramEntropy,
            double entropyRate,
            double expectedLoss) {}

    /** Trains from a fresh initialisation drawn from {@code initSeed} on data drawn from {@code dataSeed}. */
    public static Result train(String name, Config c, long initSeed, long dataSeed) {
        return batched(c)
                ? trainBatched(name, c, initSeed, dataSeed)
                : run(name, c, init(c, initSeed), dataSeed, c.steps());
    }

    /**
     * {@link #train} through the batched path whatever the configuration. For tests: both paths compute the
     * same gradients, summed in another order.
     */
    static Result trainBatched(String name, Config c, long initSeed, long dataSeed) {
        return runBatched(name, c, init(c, initSeed), dataSeed, c.steps());
    }

    /**
     * Adam runs and runs of several blocks take the batched path; one-block SGD runs keep the per-position
     * loop, whose models tests and golden outputs pin bit for bit.
     */
    private static boolean batched(Config c) {
        return c.adam() || c.layers() > 1;
    }

    /** Weights {E, U₀, D₀, U₁, D₁, …, H}, drawn in that order. */
    private static float[][] init(Config c, long initSeed) {
        SplittableRandom init = new SplittableRandom(initSeed);
        float[][] w = new float[2 + 2 * c.layers()][];
        w[0] = SyntheticTransformer.gaussian(c.vocab() * c.hidden(), 0.3, init);
        for (int l = 0; l < c.layers(); l++) {
            w[1 + 2 * l] = SyntheticTransformer.gaussian(c.mlp() * c.hidden(), 1 / Math.sqrt(c.hidden()), init);
            w[2 + 2 * l] = SyntheticTransformer.gaussian(c.hidden() * c.mlp(), 0.5 / Math.sqrt(c.mlp()), init);
        }
        w[w.length - 1] = SyntheticTransformer.gaussian(c.vocab() * c.hidden(), 1 / Math.sqrt(c.hidden()), init);
        return w;
    }

    /** Continues training {@code start} (a model from {@link #train}) on data from {@code dataSeed}: a fine-tune. */
    public static Result fineTune(SimModel start, Config c, long dataSeed, int steps) {
        float[][] w = new float[2 + 2 * c.layers()][];
        for (ArrayTensor t : start.tensors()) {
            Integer layer = t.address().layer();
            switch (t.address().role()) {
                case EMBEDDING -> w[0] = t.readAll();
                case MLP_UP -> w[1 + 2 * layer] = t.readAll();
                case MLP_DOWN -> w[2 + 2 * layer] = t.readAll();
                case LM_HEAD -> w[w.length - 1] = t.readAll();
                default -> {}
            }
        }
        String name = start.name() + "+ft";
        return batched(c) ? runBatched(name, c, w, dataSeed, steps) : run(name, c, w, dataSeed, steps);
    }

    private static Result run(String name, Config c, float[][] w, long dataSeed, int steps) {
        int vN = c.vocab();
        int dN = c.hidden();
        int hN = c.mlp();
        int[][] next = transitions(c, dataSeed);
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
                Arrays.fill(g, 0f);
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
                Arrays.fill(dy, 0f);
                for (int v = 0; v < vN; v++) {
                    float p = (float) (Math.exp(logits[v] - max) / z) - (v == target ? 1f : 0f);
                    for (int j = 0; j < dN; j++) {
                        grad[3][v * dN + j] += p * y[j];
                        dy[j] += p * w[3][v * dN + j];
                    }
                }
                Arrays.fill(dact, 0f);
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
            update(c, w, grad, mom, sq, step);
        }
        return finish(name, c, w, dataSeed, steps, first, last);
    }

    /** One SGD-with-momentum or Adam step on every weight, from gradients summed over the batch. */
    private static void update(Config c, float[][] w, float[][] grad, float[][] mom, float[][] sq, int step) {
        double bias1 = 1 - Math.pow(0.9, step + 1);
        double bias2 = 1 - Math.pow(0.999, step + 1);
        for (int k = 0; k < w.length; k++) {
            for (int i = 0; i < w[k].length; i++) {
                float g = grad[k][i] / c.batch();
                if (c.adam()) {
                    mom[k][i] = 0.9f * mom[k][i] + 0.1f * g;
                    sq[k][i] = 0.999f * sq[k][i] + 0.001f * g * g;
                    w[k][i] -= (float) (c.learningRate() * (mom[k][i] / bias1) / (Math.sqrt(sq[k][i] / bias2) + 1e-8));
                } else {
                    mom[k][i] = 0.9f * mom[k][i] + g;
                    w[k][i] -= (float) (c.learningRate() * mom[k][i]);
                }
            }
        }
    }

    /**
     * The batched path: each step runs the batch's positions through matrix products (the same model, loss,
     * gradients and update as {@link #run}, summed in another order), with any number of blocks. Block l:
     * {@code x ← x + D_l·relu(U_l·x)}.
     */
    private static Result runBatched(String name, Config c, float[][] w, long dataSeed, int steps) {
        int vN = c.vocab();
        int dN = c.hidden();
        int hN = c.mlp();
        int bN = c.batch();
        int layers = c.layers();
        int head = w.length - 1;
        int[][] next = transitions(c, dataSeed);
        SplittableRandom data = new SplittableRandom(dataSeed ^ 0x9E3779B97F4A7C15L);
        float[][] mom = new float[w.length][];
        float[][] sq = new float[w.length][];
        float[][] grad = new float[w.length][];
        for (int i = 0; i < w.length; i++) {
            mom[i] = new float[w[i].length];
            sq[i] = new float[w[i].length];
            grad[i] = new float[w[i].length];
        }
        Forward f = new Forward(c, bN);
        float[] dx = new float[bN * dN];
        float[] dact = new float[bN * hN];
        int[] in = new int[bN];
        int[] out = new int[bN];
        double first = Double.NaN;
        double last = Double.NaN;
        int token = data.nextInt(vN);
        for (int step = 0; step < steps; step++) {
            for (int b = 0; b < bN; b++) {
                in[b] = token;
                out[b] = next[token][data.nextInt(next[token].length)];
                token = out[b];
            }
            for (float[] g : grad) {
                Arrays.fill(g, 0f);
            }
            f.run(w, in, bN);
            // Softmax cross-entropy; the logits become their gradients (softmax − one-hot).
            double loss = 0;
            float[] g = f.logits;
            for (int b = 0; b < bN; b++) {
                int o = b * vN;
                double max = Double.NEGATIVE_INFINITY;
                for (int v = 0; v < vN; v++) {
                    max = Math.max(max, g[o + v]);
                }
                double z = 0;
                for (int v = 0; v < vN; v++) {
                    z += Math.exp(g[o + v] - max);
                }
                loss += -(g[o + out[b]] - max - Math.log(z));
                for (int v = 0; v < vN; v++) {
                    g[o + v] = (float) (Math.exp(g[o + v] - max) / z);
                }
                g[o + out[b]] -= 1f;
            }
            float[][] xs = f.xs;
            multiplyTransposedAdd(grad[head], g, xs[layers], bN, vN, dN);
            Arrays.fill(dx, 0f);
            multiplyAdd(dx, g, w[head], bN, vN, dN);
            for (int l = layers - 1; l >= 0; l--) {
                multiplyTransposedAdd(grad[2 + 2 * l], dx, f.acts[l], bN, dN, hN);
                Arrays.fill(dact, 0f);
                multiplyAdd(dact, dx, w[2 + 2 * l], bN, dN, hN);
                float[] pre = f.pres[l];
                for (int i = 0; i < dact.length; i++) {
                    if (pre[i] <= 0) {
                        dact[i] = 0f;
                    }
                }
                multiplyTransposedAdd(grad[1 + 2 * l], dact, xs[l], bN, hN, dN);
                multiplyAdd(dx, dact, w[1 + 2 * l], bN, hN, dN);
            }
            for (int b = 0; b < bN; b++) {
                for (int j = 0; j < dN; j++) {
                    grad[0][in[b] * dN + j] += dx[b * dN + j];
                }
            }
            loss /= bN;
            if (step == 0) {
                first = loss;
            }
            last = loss;
            update(c, w, grad, mom, sq, step);
        }
        return finish(name, c, w, dataSeed, steps, first, last);
    }

    /** The forward pass of a batch of tokens, with what the backward pass needs. */
    private static final class Forward {
        final Config c;
        /** Residual stream entering each block, and leaving the last (rows: positions). */
        final float[][] xs;
        /** Pre-activations and activations of each block's MLP. */
        final float[][] pres;

        final float[][] acts;
        final float[] logits;
        /** Transposed weights, so that every product runs along contiguous rows. */
        private final float[] upT;

        private final float[] downT;
        private final float[] headT;

        Forward(Config c, int rows) {
            this.c = c;
            int dN = c.hidden();
            int hN = c.mlp();
            xs = new float[c.layers() + 1][rows * dN];
            pres = new float[c.layers()][rows * hN];
            acts = new float[c.layers()][rows * hN];
            logits = new float[rows * c.vocab()];
            upT = new float[dN * hN];
            downT = new float[hN * dN];
            headT = new float[dN * c.vocab()];
        }

        /** Runs the first {@code n} tokens of {@code in}. */
        void run(float[][] w, int[] in, int n) {
            int dN = c.hidden();
            int hN = c.mlp();
            int vN = c.vocab();
            for (int b = 0; b < n; b++) {
                System.arraycopy(w[0], in[b] * dN, xs[0], b * dN, dN);
            }
            for (int l = 0; l < c.layers(); l++) {
                transpose(w[1 + 2 * l], hN, dN, upT);
                float[] pre = pres[l];
                Arrays.fill(pre, 0, n * hN, 0f);
                multiplyAdd(pre, xs[l], upT, n, dN, hN);
                float[] act = acts[l];
                for (int i = 0; i < n * hN; i++) {
                    act[i] = Math.max(0f, pre[i]);
                }
                System.arraycopy(xs[l], 0, xs[l + 1], 0, n * dN);
                transpose(w[2 + 2 * l], dN, hN, downT);
                multiplyAdd(xs[l + 1], act, downT, n, hN, dN);
            }
            transpose(w[w.length - 1], vN, dN, headT);
            Arrays.fill(logits, 0, n * vN, 0f);
            multiplyAdd(logits, xs[c.layers()], headT, n, dN, vN);
        }
    }

    /** {@code t[j·rows + i] = a[i·cols + j]}: the transpose of a rows×cols matrix. */
    private static void transpose(float[] a, int rows, int cols, float[] t) {
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) {
                t[j * rows + i] = a[i * cols + j];
            }
        }
    }

    /** {@code c[m×n] += a[m×k]·b[k×n]} (row-major), along contiguous rows of b and c. */
    static void multiplyAdd(float[] c, float[] a, float[] b, int m, int k, int n) {
        product(c, a, k, 1, b, m, k, n);
    }

    /** {@code c[m×n] += a[k×m]ᵀ·b[k×n]} (row-major), along contiguous rows of b and c. */
    static void multiplyTransposedAdd(float[] c, float[] a, float[] b, int k, int m, int n) {
        product(c, a, 1, m, b, m, k, n);
    }

    /**
     * {@code c[m×n] += A·b[k×n]} where {@code A[i][p] = a[i·rowStep + p·colStep]}: four rows of b at a time
     * along contiguous rows of b and c (vectorised by the JIT), skipping four zeros of A (inactive units).
     */
    private static void product(float[] c, float[] a, int rowStep, int colStep, float[] b, int m, int k, int n) {
        for (int i = 0; i < m; i++) {
            int co = i * n;
            int ao = i * rowStep;
            int p = 0;
            for (; p + 4 <= k; p += 4) {
                float a0 = a[ao + p * colStep];
                float a1 = a[ao + (p + 1) * colStep];
                float a2 = a[ao + (p + 2) * colStep];
                float a3 = a[ao + (p + 3) * colStep];
                if (a0 == 0 && a1 == 0 && a2 == 0 && a3 == 0) {
                    continue;
                }
                int b0 = p * n;
                for (int j = 0; j < n; j++) {
                    c[co + j] += a0 * b[b0 + j] + a1 * b[b0 + n + j] + a2 * b[b0 + 2 * n + j] + a3 * b[b0 + 3 * n + j];
                }
            }
            for (; p < k; p++) {
                float a0 = a[ao + p * colStep];
                int b0 = p * n;
                for (int j = 0; j < n; j++) {
                    c[co + j] += a0 * b[b0 + j];
                }
            }
        }
    }

    /** The trained model as tensors, with its fit to the chain (see {@link Result}). */
    private static Result finish(
            String name, Config c, float[][] w, long dataSeed, int steps, double first, double last) {
        int vN = c.vocab();
        int dN = c.hidden();
        int hN = c.mlp();
        Component comp = Component.TEXT_DECODER;
        List<ArrayTensor> ts = new ArrayList<>();
        ts.add(new ArrayTensor(
                "embed_tokens.weight",
                Shape.of(vN, dN),
                TensorAddress.of(comp, null, Role.EMBEDDING, Part.WEIGHT),
                w[0]));
        for (int l = 0; l < c.layers(); l++) {
            ts.add(new ArrayTensor(
                    "layers." + l + ".mlp.up_proj.weight",
                    Shape.of(hN, dN),
                    TensorAddress.of(comp, l, Role.MLP_UP, Part.WEIGHT),
                    w[1 + 2 * l]));
            ts.add(new ArrayTensor(
                    "layers." + l + ".mlp.down_proj.weight",
                    Shape.of(dN, hN),
                    TensorAddress.of(comp, l, Role.MLP_DOWN, Part.WEIGHT),
                    w[2 + 2 * l]));
        }
        ts.add(new ArrayTensor(
                "lm_head.weight",
                Shape.of(vN, dN),
                TensorAddress.of(comp, null, Role.LM_HEAD, Part.WEIGHT),
                w[w.length - 1]));
        ArchitectureHints hints = new ArchitectureHints("tiny-mlp-lm", dN, null, null, null, hN, c.layers(), false);
        SimModel model = new SimModel(name, hints, ts, SyntheticTransformer.vocabulary(vN, 0));
        double[] fit = fit(c, w, dataSeed, steps);
        return new Result(model, first, last, fit[0], fit[1], fit[2]);
    }

    /**
     * {unigram entropy, entropy rate, expected loss} of the model on the chain, over the input tokens of the
     * stream it was trained on (replayed from the data seed).
     */
    private static double[] fit(Config c, float[][] w, long dataSeed, int steps) {
        int vN = c.vocab();
        int[][] next = transitions(c, dataSeed);
        SplittableRandom data = new SplittableRandom(dataSeed ^ 0x9E3779B97F4A7C15L);
        long[] count = new long[vN];
        int token = data.nextInt(vN);
        long positions = (long) steps * c.batch();
        for (long i = 0; i < positions; i++) {
            count[token]++;
            token = next[token][data.nextInt(next[token].length)];
        }
        double unigram = 0;
        double rate = 0;
        double loss = 0;
        int rows = 256;
        Forward f = new Forward(c, rows);
        int[] batch = new int[rows];
        int n = 0;
        for (int t = 0; t <= vN; t++) {
            if (t < vN && count[t] == 0) {
                continue;
            }
            if (t < vN) {
                double q = count[t] / (double) positions;
                unigram -= q * Math.log(q);
                rate += q * successorEntropy(next[t]);
                batch[n++] = t;
            }
            if (n == rows || (t == vN && n > 0)) {
                f.run(w, batch, n);
                for (int b = 0; b < n; b++) {
                    int o = b * vN;
                    double max = Double.NEGATIVE_INFINITY;
                    for (int v = 0; v < vN; v++) {
                        max = Math.max(max, f.logits[o + v]);
                    }
                    double z = 0;
                    for (int v = 0; v < vN; v++) {
                        z += Math.exp(f.logits[o + v] - max);
                    }
                    double lz = max + Math.log(z);
                    int[] succ = next[batch[b]];
                    double l = 0;
                    for (int s : succ) {
                        l += lz - f.logits[o + s];
                    }
                    loss += count[batch[b]] / (double) positions * l / succ.length;
                }
                n = 0;
            }
        }
        return new double[] {unigram, rate, loss};
    }

    /** Entropy (nats) of a uniform draw from a successor list (repeats count twice). */
    private static double successorEntropy(int[] succ) {
        double h = 0;
        for (int i = 0; i < succ.length; i++) {
            boolean seen = false;
            int k = 0;
            for (int j = 0; j < succ.length; j++) {
                seen |= j < i && succ[j] == succ[i];
                k += succ[j] == succ[i] ? 1 : 0;
            }
            if (!seen) {
                double q = k / (double) succ.length;
                h -= q * Math.log(q);
            }
        }
        return h;
    }

    /**
     * The chain's successor lists (a successor is drawn uniformly from its token's list; repeats count
     * twice), from the data seed. Each token gets 1–4 successors drawn uniformly; a covering chain's are
     * drawn from a Zipf(1) law over a random ranking of the tokens instead (frequent and rare tokens, as in
     * text), and each token also gets its successor on one random cycle through the whole vocabulary, so
     * that the chain is irreducible and the stream visits every token.
     */
    private static int[][] transitions(Config c, long dataSeed) {
        if (!c.covering()) {
            return transitions(c.vocab(), dataSeed);
        }
        int v = c.vocab();
        SplittableRandom r = new SplittableRandom(dataSeed);
        int[] order = SeededSample.permutation(r, v);
        double[] cdf = new double[v];
        double sum = 0;
        for (int i = 0; i < v; i++) {
            sum += 1.0 / (i + 1);
            cdf[i] = sum;
        }
        int[][] next = new int[v][];
        for (int i = 0; i < v; i++) {
            int t = order[i];
            next[t] = new int[2 + r.nextInt(4)];
            next[t][0] = order[(i + 1) % v];
            for (int k = 1; k < next[t].length; k++) {
                int rank = Arrays.binarySearch(cdf, r.nextDouble() * sum);
                next[t][k] = order[Math.min(v - 1, rank < 0 ? -rank - 1 : rank)];
            }
        }
        return next;
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
