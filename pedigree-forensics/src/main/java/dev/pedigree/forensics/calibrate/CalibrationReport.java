package dev.pedigree.forensics.calibrate;

import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.TestIds;
import dev.pedigree.forensics.TestIds.Statistic;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.FormulaTables;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.TinyTrainer;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongFunction;

/**
 * Calibration of the lineage engine on simulated models with known ground truth (the CLI exposes it
 * as {@code pedigree calibrate}).
 *
 * <p>Null side: many independent pairs (fresh random initialisations of small transformer-shaped
 * models, plus pairs of {@link TinyTrainer} models trained on the same data from different seeds).
 * For each pair it records the verdict, the overall log10 p and the p-values of a few individual
 * tests, and reports the Kolmogorov–Smirnov distance of those p-values from the uniform law, the
 * fractions below 0.05 and 0.01 and the number of false SHARED_LINEAGE verdicts.
 *
 * <p>Alternative side: detection rate (fraction judged SHARED_LINEAGE) per transformation and
 * strength, so the table shows where detection stops.
 *
 * <p>Stateless; {@link #run} is deterministic in its configuration.
 */
public final class CalibrationReport {
    private CalibrationReport() {}

    /**
     * What to run.
     *
     * @param randomPairs independent pairs of randomly initialised models
     * @param trainedPairs independent pairs of tiny trained models (same data, different seeds)
     * @param replicates trials per transformation and strength
     * @param seed base seed
     * @param model shape of the random models
     * @param largerTrainedPairs independent pairs of larger trained models (same data, different seeds;
     *     {@link TinyTrainer.Config#LARGER}: 8× the vocabulary, 2× the width, Adam)
     * @param largestTrainedPairs independent pairs of the largest trained models (same data, different
     *     seeds; {@link TinyTrainer.Config#LARGEST}: 32× the vocabulary, 4× the width, two blocks, Adam)
     */
    public record Config(
            int randomPairs,
            int trainedPairs,
            int replicates,
            long seed,
            SyntheticTransformer.Config model,
            int largerTrainedPairs,
            int largestTrainedPairs) {
        /**
         * The default run: 1,000 random + 100 trained + 20 larger + 2 largest trained independent pairs, 4
         * replicates per strength (a few minutes on 2 cores).
         */
        public static final Config DEFAULT = new Config(
                1000,
                100,
                4,
                20240601L,
                SyntheticTransformer.Config.tinyDecoder(),
                Config.DEFAULT_LARGER_TRAINED_PAIRS,
                Config.DEFAULT_LARGEST_TRAINED_PAIRS);

        /** Larger trained pairs in the default run. */
        public static final int DEFAULT_LARGER_TRAINED_PAIRS = 20;

        /** Largest trained pairs in the default run (the full check is an explicit, longer run). */
        public static final int DEFAULT_LARGEST_TRAINED_PAIRS = 2;

        /** Without largest trained pairs beyond the default count. */
        public Config(
                int randomPairs,
                int trainedPairs,
                int replicates,
                long seed,
                SyntheticTransformer.Config model,
                int largerTrainedPairs) {
            this(randomPairs, trainedPairs, replicates, seed, model, largerTrainedPairs, DEFAULT_LARGEST_TRAINED_PAIRS);
        }

        /** Without larger trained pairs beyond the default count. */
        public Config(int randomPairs, int trainedPairs, int replicates, long seed, SyntheticTransformer.Config model) {
            this(randomPairs, trainedPairs, replicates, seed, model, DEFAULT_LARGER_TRAINED_PAIRS);
        }

        /** A quick run for tests. */
        public static Config quick() {
            return new Config(60, 10, 2, 7L, SyntheticTransformer.Config.tinyDecoder(), 2, 0);
        }
    }

    /**
     * Distribution of one p-value under H0.
     *
     * @param name which p-value
     * @param count how many were collected
     * @param ks Kolmogorov–Smirnov distance from Uniform(0, 1) (a conservative test lies below the
     *     diagonal: p-values pile up near 1)
     * @param below05 fraction of p-values below 0.05
     * @param below01 fraction below 0.01
     * @param minLog10p the smallest log10 p seen
     */
    public record PDistribution(String name, int count, double ks, double below05, double below01, double minLog10p) {}

    /**
     * Null calibration of one family of independent pairs.
     *
     * @param falsePositives pairs judged SHARED_LINEAGE (must be 0)
     * @param independent pairs judged INDEPENDENT
     * @param inconclusive pairs judged INCONCLUSIVE
     */
    public record NullSummary(
            String family,
            int pairs,
            int falsePositives,
            int independent,
            int inconclusive,
            List<PDistribution> pValues) {
        public NullSummary {
            pValues = List.copyOf(pValues);
        }
    }

    /** Detection of one transformation at one strength. */
    public record DetectionRow(String transformation, String strength, int trials, int detected, double medianLog10p) {
        public double rate() {
            return trials == 0 ? 0 : detected / (double) trials;
        }
    }

    /**
     * The estimated rank of a merged low-rank change (issue 14 §4), over all trials.
     *
     * @param change what was merged: "rank r" or the dense-noise control
     * @param trueRank r; 0 for the dense control (full rank)
     * @param trials pairs compared
     * @param detected pairs judged SHARED_LINEAGE
     * @param medianRank median over trials of the component's estimated rank; null when the median
     *     trial read full rank
     * @param minRank smallest per-tensor estimate over all trials (among low-rank tensors; 0 if none)
     * @param maxRank largest
     * @param lowRankShare share of measured tensors whose change read low-rank
     */
    public record RankRow(
            String change,
            int trueRank,
            int trials,
            int detected,
            Integer medianRank,
            int minRank,
            int maxRank,
            double lowRankShare) {}

    /** Everything the report prints. */
    public record Result(
            List<NullSummary> nulls,
            List<DetectionRow> detection,
            List<RankRow> ranks,
            double sharedThreshold,
            long millis) {
        public Result {
            nulls = List.copyOf(nulls);
            detection = List.copyOf(detection);
            ranks = List.copyOf(ranks);
        }

        /** A result without rank rows. */
        public Result(List<NullSummary> nulls, List<DetectionRow> detection, double sharedThreshold, long millis) {
            this(nulls, detection, List.of(), sharedThreshold, millis);
        }

        /** False positives over all null families. */
        public int falsePositives() {
            return nulls.stream().mapToInt(NullSummary::falsePositives).sum();
        }

        /** Independent pairs over all null families. */
        public int nullPairs() {
            return nulls.stream().mapToInt(NullSummary::pairs).sum();
        }
    }

    /** Runs the default calibration and prints the table. */
    public static void main(String[] args) throws IOException, ModelFormatException {
        Config c = Config.DEFAULT;
        if (args.length > 0) {
            c = new Config(Integer.parseInt(args[0]), c.trainedPairs(), c.replicates(), c.seed(), c.model());
        }
        run(c, System.out);
    }

    /**
     * Where each pair's stage is told while a calibration runs ({@link #run(Config, PrintStream, Consumer)}); unbound
     * otherwise. Scoped to the run's thread, so that the pair loops keep their signatures.
     */
    private static final ScopedValue<Consumer<String>> STAGES = ScopedValue.newInstance();

    /**
     * {@link #run(Config, PrintStream)}, telling {@code stages} each pair as it starts ("null pairs, random-init: pair
     * 120 of 1000", "detection, int8 round trip per-row: trial 2 of 4"), e.g. for progress on a terminal.
     */
    public static Result run(Config c, PrintStream out, Consumer<String> stages)
            throws IOException, ModelFormatException {
        try {
            return ScopedValue.where(STAGES, stages).call(() -> run(c, out));
        } catch (IOException | ModelFormatException | RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static void stage(String s) {
        if (STAGES.isBound()) {
            STAGES.get().accept(s);
        }
    }

    /** Runs the calibration, printing progress and the tables to {@code out} (may be null). */
    public static Result run(Config c, PrintStream out) throws IOException, ModelFormatException {
        long t0 = System.nanoTime();
        CompareOptions opts = CompareOptions.DEFAULT.withSeed(c.seed());
        List<NullSummary> nulls = new ArrayList<>();
        nulls.add(nullFamily("random-init", c.randomPairs(), opts, k -> {
            SimModel a = SyntheticTransformer.random("a" + k, c.model(), c.seed() + 2 * k);
            SimModel b = SyntheticTransformer.random("b" + k, c.model(), c.seed() + 2 * k + 1);
            return new SimModel[] {a, b};
        }));
        nulls.add(nullFamily("tiny-trained-same-data", c.trainedPairs(), opts, k -> {
            TinyTrainer.Config tc = TinyTrainer.Config.DEFAULT.withSteps(200);
            SimModel a = TinyTrainer.train("ta" + k, tc, c.seed() + 1000 + 2 * k, 77 + k)
                    .model();
            SimModel b = TinyTrainer.train("tb" + k, tc, c.seed() + 1001 + 2 * k, 77 + k)
                    .model();
            return new SimModel[] {a, b};
        }));
        // Issue 14 §6: the same-data null at larger scales: 8× the vocabulary, 2× the width, 4× the MLP units,
        // Adam (whose coordinate-wise steps give the residual stream a privileged basis, as in real
        // transformers, so that a residual alignment finds more); then 32× the vocabulary, 4× the width, 8×
        // the MLP units and two blocks. Both on data that covers the vocabulary, learnt far below its unigram
        // entropy.
        nulls.add(
                trainedFamily("larger", TinyTrainer.Config.LARGER, c.largerTrainedPairs(), c.seed() + 3000, 177, opts));
        nulls.add(trainedFamily(
                "largest",
                TinyTrainer.Config.LARGEST,
                c.largestTrainedPairs(),
                c.seed() + 4000,
                c.seed() + 4177,
                opts));
        // Issue 14 §1: the searches across labels (stacks paired by structure, matrices paired by shape
        // and values) must not create evidence between independent models either.
        int structural = Math.max(1, c.randomPairs() / 10);
        nulls.add(nullFamily("random-init, suspect renamed", structural, opts, k -> {
            SimModel a = SyntheticTransformer.random("a" + k, c.model(), c.seed() + 500_000 + 2 * k);
            SimModel b = SyntheticTransformer.random("b" + k, c.model(), c.seed() + 500_001 + 2 * k);
            return new SimModel[] {DerivationSimulator.renameTensors(a, k), b};
        }));
        nulls.add(nullFamily("random-init, tower relabelled", structural, opts, k -> {
            SimModel a = SyntheticTransformer.random("a" + k, c.model(), c.seed() + 600_000 + 3 * k);
            SimModel d = SyntheticTransformer.random("d" + k, c.model(), c.seed() + 600_001 + 3 * k);
            SimModel b = SyntheticTransformer.random("b" + k, c.model(), c.seed() + 600_002 + 3 * k);
            return new SimModel[] {DerivationSimulator.relabelTower(a, d, Component.TEXT_DECODER, Component.VISION), b};
        }));
        // Tables that follow from a formula (sinusoidal positions, causal masks, position ids, rotary
        // caches, ALiBi slopes) stored as unnamed parameters in both models: no evidence.
        nulls.add(nullFamily("random-init, shared deterministic tables", structural, opts, k -> {
            SimModel a = SyntheticTransformer.random("a" + k, c.model(), c.seed() + 800_000 + 2 * k);
            SimModel b = SyntheticTransformer.random("b" + k, c.model(), c.seed() + 800_001 + 2 * k);
            return new SimModel[] {
                FormulaTables.addTables(a, Component.TEXT_DECODER, 512, 256),
                FormulaTables.addTables(b, Component.TEXT_DECODER, 512, 256)
            };
        }));
        nulls.add(nullFamily("random-init, narrow merge vs wider model", structural, opts, k -> {
            SimModel wide = SyntheticTransformer.random("w" + k, c.model(), c.seed() + 700_000 + 3 * k);
            SimModel sliced = DerivationSimulator.widthPruning(
                    SyntheticTransformer.random("x" + k, c.model(), c.seed() + 700_001 + 3 * k),
                    Component.TEXT_DECODER,
                    0.25,
                    0.25,
                    k);
            SimModel other = DerivationSimulator.matchedRandom(sliced, c.seed() + 700_002 + 3 * k)
                    .withVocabulary(SyntheticTransformer.vocabulary(c.model().vocab(), 100_000));
            return new SimModel[] {DerivationSimulator.merge(other, sliced, 0.5), wide};
        }));
        List<DetectionRow> det = detection(c, opts);
        List<RankRow> ranks = ranks(c, opts);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        Result r = new Result(nulls, det, ranks, opts.thresholds().sharedLog10p(), ms);
        if (out != null) {
            print(r, out);
        }
        return r;
    }

    /**
     * Independent pairs of models trained with {@code tc} from different initialisation seeds ({@code initBase
     * + 2k}, {@code + 2k + 1}) on the same data (seed {@code dataBase + k}); block tests pooled over every
     * block pair compared.
     */
    static NullSummary trainedFamily(
            String scale, TinyTrainer.Config tc, int pairs, long initBase, long dataBase, CompareOptions opts)
            throws IOException, ModelFormatException {
        String family = String.format(
                Locale.ROOT,
                "trained-same-data, %s (vocab %d, width %d, MLP %d%s, Adam, %d steps)",
                scale,
                tc.vocab(),
                tc.hidden(),
                tc.mlp(),
                tc.layers() > 1 ? ", " + tc.layers() + " blocks, block tests of every block pair" : "",
                tc.steps());
        double[] fit = new double[3];
        NullSummary n = nullFamily(
                family,
                pairs,
                opts,
                k -> {
                    TinyTrainer.Result a = TinyTrainer.train(scale + "-a" + k, tc, initBase + 2 * k, dataBase + k);
                    TinyTrainer.Result b = TinyTrainer.train(scale + "-b" + k, tc, initBase + 2 * k + 1, dataBase + k);
                    for (TinyTrainer.Result r : List.of(a, b)) {
                        fit[0] += r.expectedLoss() / (2.0 * pairs);
                        fit[1] += r.unigramEntropy() / (2.0 * pairs);
                        fit[2] += r.entropyRate() / (2.0 * pairs);
                    }
                    return new SimModel[] {a.model(), b.model()};
                },
                true);
        if (pairs == 0) {
            return n;
        }
        // How well the models learnt the data: their loss against the unigram entropy (a model that ignores
        // its input) and the entropy rate (the floor), in nats, averaged over the models.
        String learnt = String.format(
                Locale.ROOT, "; loss %.2f nats, unigram entropy %.2f, entropy rate %.2f", fit[0], fit[1], fit[2]);
        return new NullSummary(
                family.substring(0, family.length() - 1) + learnt + ")",
                n.pairs(),
                n.falsePositives(),
                n.independent(),
                n.inconclusive(),
                n.pValues());
    }

    private interface PairMaker {
        SimModel[] make(long k);
    }

    private static NullSummary nullFamily(String family, int pairs, CompareOptions opts, PairMaker maker)
            throws IOException, ModelFormatException {
        return nullFamily(family, pairs, opts, maker, false);
    }

    /**
     * One null family; with {@code anyBlockPair}, a block test's p-values are pooled over every block pair
     * compared (each pair of models may add several), not only block 0 against block 0.
     */
    private static NullSummary nullFamily(
            String family, int pairs, CompareOptions opts, PairMaker maker, boolean anyBlockPair)
            throws IOException, ModelFormatException {
        Map<String, List<Double>> ps = new LinkedHashMap<>();
        int fp = 0;
        int ind = 0;
        int inc = 0;
        for (int k = 0; k < pairs; k++) {
            stage("null pairs, " + family + ": pair " + (k + 1) + " of " + pairs);
            SimModel[] ab = maker.make(k);
            ComparisonResult r =
                    LineageComparator.compare(ab[0].toView(), ab[1].toView(), opts.withSeed(opts.seed() + k));
            switch (r.verdict()) {
                case SHARED_LINEAGE -> fp++;
                case INDEPENDENT -> ind++;
                case INCONCLUSIVE -> inc++;
            }
            if (r.log10p() != null) {
                ps.computeIfAbsent("overall (min Holm-adjusted)", x -> new ArrayList<>())
                        .add(r.log10p());
            }
            for (ComponentResult c : r.components()) {
                for (Evidence e : c.evidence()) {
                    if (e.log10p() == null) {
                        continue;
                    }
                    String key = testKey(
                            anyBlockPair
                                    ? e.test().replaceFirst("^block\\d+~\\d+\\.", TestIds.blockPair(0, 0))
                                    : e.test());
                    if (key != null) {
                        // Tests reported as effect sizes only cannot decide a verdict: the table says so.
                        String name = e.note() != null && e.note().contains("not combined") ? key + EFFECT_ONLY : key;
                        ps.computeIfAbsent(name, x -> new ArrayList<>()).add(e.log10p());
                    }
                }
            }
        }
        List<PDistribution> dists = new ArrayList<>();
        for (Map.Entry<String, List<Double>> e : ps.entrySet()) {
            dists.add(distribution(e.getKey(), e.getValue()));
        }
        return new NullSummary(family, pairs, fp, ind, inc, dists);
    }

    /**
     * Tests whose null distribution is tracked, id → the name it is reported under: block 0 against
     * block 0 only (one value per pair; reported without the block scope), the token-row tests and
     * the Fisher combination over blocks.
     */
    private static final Map<String, String> TRACKED = trackedTests();

    /** Appended to the name of a tracked test that is reported as an effect size only (never combined). */
    static final String EFFECT_ONLY = " (effect only)";

    private static Map<String, String> trackedTests() {
        Map<String, String> tracked = new HashMap<>();
        String first = TestIds.blockPair(0, 0);
        for (String test : List.of(
                TestIds.ofRole("", Role.MLP_UP, Statistic.MATCH),
                TestIds.ofRole("", Role.MLP_UP, Statistic.MATCH_ALIGNED),
                TestIds.ofRole("", Role.MLP_DOWN, Statistic.MATCH),
                TestIds.ofRole("", Role.MLP_DOWN, Statistic.MATCH_ALIGNED),
                TestIds.ofRole("", Role.ATTN_Q, Statistic.PEARSON),
                TestIds.ofRole("", Role.ATTN_Q, Statistic.PEARSON_ALIGNED),
                TestIds.ofRole("", Role.ATTN_Q, Statistic.CKA_ALIGNED),
                TestIds.agreement("", Role.MLP_GATE, Role.MLP_UP),
                TestIds.agreement("", Role.MLP_UP, Role.MLP_DOWN),
                TestIds.attentionInvariant(""),
                TestIds.of("attn.vo", Statistic.MATCH_HELD_OUT),
                TestIds.of("mlp.down", Statistic.MATCH_HELD_OUT),
                TestIds.centred("", Part.WEIGHT, Role.ATTN_NORM))) {
            tracked.put(first + test, test);
        }
        for (String id : List.of(
                TestIds.tokenColumns(Component.EMBEDDINGS.name(), Statistic.PEARSON),
                TestIds.tokenColumns(Component.EMBEDDINGS.name(), Statistic.MATCH),
                TestIds.heldOutTokenRows(Component.EMBEDDINGS.name()),
                TestIds.tokenColumns(Component.LM_HEAD.name(), Statistic.PEARSON),
                TestIds.tokenColumns(Component.LM_HEAD.name(), Statistic.MATCH),
                TestIds.heldOutTokenRows(Component.LM_HEAD.name()),
                TestIds.FISHER_OVER_BLOCKS,
                TestIds.HELD_OUT_OVER_BLOCKS,
                TestIds.SIGN_SYMMETRY_OVER_BLOCKS)) {
            tracked.put(id, id);
        }
        return Map.copyOf(tracked);
    }

    /** The name a tracked test is reported under; null for the others. */
    static String testKey(String id) {
        return TRACKED.get(id);
    }

    static PDistribution distribution(String name, List<Double> log10p) {
        double[] p = log10p.stream().mapToDouble(l -> Math.pow(10, l)).sorted().toArray();
        int n = p.length;
        double ks = 0;
        for (int i = 0; i < n; i++) {
            ks = Math.max(ks, Math.max((i + 1) / (double) n - p[i], p[i] - i / (double) n));
        }
        double b05 = Arrays.stream(p).filter(x -> x < 0.05).count() / (double) Math.max(1, n);
        double b01 = Arrays.stream(p).filter(x -> x < 0.01).count() / (double) Math.max(1, n);
        double min = log10p.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        return new PDistribution(name, n, ks, b05, b01, min);
    }

    private static List<DetectionRow> detection(Config c, CompareOptions opts)
            throws IOException, ModelFormatException {
        List<DetectionRow> rows = new ArrayList<>();
        Component text = Component.TEXT_DECODER;
        int reps = c.replicates();
        LongFunction<SimModel> base = k -> SyntheticTransformer.random("base" + k, c.model(), c.seed() + 90_000 + k);
        for (double rel : new double[] {1, 2, 4, 8, 16, 32, 64, 128}) {
            rows.add(detect("noise (fine-tune proxy)", "σ×" + fmt(rel), reps, opts, k -> {
                SimModel m = base.apply(k);
                return new SimModel[] {DerivationSimulator.noise(m, rel, k + 5), m};
            }));
        }
        for (double rel : new double[] {0.5, 2, 8}) {
            rows.add(detect("low-rank update r=4", "‖ΔW‖=" + fmt(rel) + "‖W‖", reps, opts, k -> {
                SimModel m = base.apply(k);
                return new SimModel[] {DerivationSimulator.lowRank(m, 4, rel, k + 5), m};
            }));
        }
        rows.add(detect("int8 round trip", "per-row", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {DerivationSimulator.int8RoundTrip(m), m};
        }));
        rows.add(detect("hidden-unit + head permutation", "full", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {DerivationSimulator.permuteHiddenAndHeads(m, k + 5), m};
        }));
        rows.add(detect("residual permutation + gain rescale", "full", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {DerivationSimulator.permuteResidual(m, text, true, k + 5), m};
        }));
        // Issue 14 §3: obfuscation (residual, head and hidden-unit permutations, new norm gains) plus noise.
        for (double rel : new double[] {1, 2, 4, 8, 16}) {
            rows.add(detect("perm + residual perm + noise", "σ×" + fmt(rel), reps, opts, k -> {
                SimModel m = base.apply(k);
                SimModel v = DerivationSimulator.permuteResidual(
                        DerivationSimulator.permuteHiddenAndHeads(m, k + 5), text, true, k + 6);
                return new SimModel[] {DerivationSimulator.noise(v, rel, k + 7), m};
            }));
        }
        rows.add(detect("residual rotation (RMSNorm)", "random orthogonal", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {DerivationSimulator.rotateResidual(m, text, k + 5), m};
        }));
        int layers = c.model().layers();
        rows.add(detect("every second layer", layers + "→" + ((layers + 1) / 2), reps, opts, k -> {
            SimModel m = base.apply(k);
            int[] keep = new int[(layers + 1) / 2];
            for (int i = 0; i < keep.length; i++) {
                keep[i] = 2 * i;
            }
            return new SimModel[] {DerivationSimulator.restack(m, text, keep), m};
        }));
        rows.add(detect("depth up-scaling", layers + "→" + (2 * layers - 1), reps, opts, k -> {
            SimModel m = base.apply(k);
            int[] src = new int[2 * layers - 1];
            for (int i = 0; i < src.length; i++) {
                src[i] = i < layers ? i : i - layers + 1;
            }
            return new SimModel[] {DerivationSimulator.restack(m, text, src), m};
        }));
        rows.add(detect("vocabulary extension", "+25%", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {
                DerivationSimulator.extendVocabulary(m, c.model().vocab() / 4, k + 5), m
            };
        }));
        rows.add(detect("vocabulary pruning", "−30%", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {DerivationSimulator.pruneVocabulary(m, 0.3, k + 5), m};
        }));
        rows.add(detect("width pruning (MLP units)", "−25%", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {DerivationSimulator.widthPruning(m, text, 0.25, 0, k + 5), m};
        }));
        rows.add(detect("width pruning (MLP + residual)", "−25% / −25%", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {DerivationSimulator.widthPruning(m, text, 0.25, 0.25, k + 5), m};
        }));
        rows.add(detect("dense→MoE upcycling", "4 experts, σ×1", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {DerivationSimulator.upcycle(m, text, 4, 1, k + 5), m};
        }));
        for (double rel : new double[] {0, 1, 4}) {
            String strength = rel == 0 ? "identical" : "σ×" + fmt(rel);
            rows.add(detect("tower relabelled (text→vision)", strength, reps, opts, k -> {
                SimModel m = base.apply(k);
                SimModel donor = rel == 0 ? m : DerivationSimulator.noise(m, rel, k + 5);
                SimModel own = SyntheticTransformer.random("own" + k, c.model(), c.seed() + 95_000 + k);
                return new SimModel[] {DerivationSimulator.relabelTower(own, donor, text, Component.VISION), m};
            }));
        }
        for (double rel : new double[] {0, 1, 4}) {
            String strength = rel == 0 ? "identical" : "σ×" + fmt(rel);
            rows.add(detect("tensors renamed", strength, reps, opts, k -> {
                SimModel m = base.apply(k);
                SimModel v = rel == 0 ? m : DerivationSimulator.noise(m, rel, k + 5);
                return new SimModel[] {DerivationSimulator.renameTensors(v, k + 6), m};
            }));
        }
        // Issue 14 §1: renamed copies whose values changed beyond a hash or a fixed-index partner: blocks
        // inferred from the structure alone (StructuralBlocks).
        for (double rel : new double[] {1, 2}) {
            rows.add(detect("renamed + perm + residual perm + noise", "σ×" + fmt(rel), reps, opts, k -> {
                SimModel m = base.apply(k);
                SimModel v = DerivationSimulator.permuteResidual(
                        DerivationSimulator.permuteHiddenAndHeads(m, k + 5), text, true, k + 6);
                return new SimModel[] {
                    DerivationSimulator.renameTensors(DerivationSimulator.noise(v, rel, k + 7), k + 8), m
                };
            }));
        }
        rows.add(detect("renamed + residual rotation", "random orthogonal", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {
                DerivationSimulator.renameTensors(DerivationSimulator.rotateResidual(m, text, k + 5), k + 6), m
            };
        }));
        // Issue 14 §2: a 50/50 merge of a model with another tokenizer and a width-sliced copy of the
        // parent, against the wider parent; a width-pruned copy with a padded embedding and no tokenizer.
        int narrow = c.model().hidden() * 3 / 4;
        rows.add(detect(
                "merge against the wider parent", "50/50, d " + c.model().hidden() + "→" + narrow, reps, opts, k -> {
                    SimModel m = base.apply(k);
                    SimModel sliced = DerivationSimulator.widthPruning(m, text, 0.25, 0.25, k + 5);
                    SimModel other = DerivationSimulator.matchedRandom(sliced, k + 6)
                            .withVocabulary(
                                    SyntheticTransformer.vocabulary(c.model().vocab(), 100_000));
                    return new SimModel[] {DerivationSimulator.merge(other, sliced, 0.5), m};
                }));
        rows.add(detect("width-pruned, padded, no tokenizer", "−25%/−25%, +64 rows", reps, opts, k -> {
            SimModel m = base.apply(k);
            return new SimModel[] {
                DerivationSimulator.padVocabularyWithoutTokenizer(
                        DerivationSimulator.widthPruning(m, text, 0.25, 0.25, k + 5), 64),
                m
            };
        }));
        for (int steps : new int[] {100, 1000, 4000}) {
            rows.add(detect("tiny trainer fine-tune (new data)", steps + " steps", reps, opts, k -> {
                TinyTrainer.Config tc = TinyTrainer.Config.DEFAULT.withSteps(200);
                SimModel m =
                        TinyTrainer.train("tt" + k, tc, c.seed() + 5000 + k, 11).model();
                return new SimModel[] {
                    TinyTrainer.fineTune(m, tc, 12 + k, steps).model(), m
                };
            }));
        }
        return rows;
    }

    /**
     * A model wide enough that every matrix the customisation probes has 128 rows and columns, so that changes up to
     * rank 64 can read as low-rank (the calibration's tiny decoder is 32 wide: a rank-32 change of it is full rank).
     */
    public static final SyntheticTransformer.Config RANK_MODEL =
            new SyntheticTransformer.Config(Component.TEXT_DECODER, 256, 128, 4, 4, 256, 2, true, false, false);

    /** Issue 14 §4: the estimated rank of merged LoRA updates of rank 4, 16 and 32, and of dense noise. */
    static List<RankRow> ranks(Config c, CompareOptions opts) throws IOException, ModelFormatException {
        List<RankRow> rows = new ArrayList<>();
        for (int rank : new int[] {4, 16, 32, 0}) {
            int hit = 0;
            List<Integer> medians = new ArrayList<>();
            int fullRankTrials = 0;
            int min = Integer.MAX_VALUE;
            int max = 0;
            int tensors = 0;
            int low = 0;
            for (int k = 0; k < c.replicates(); k++) {
                SimModel m = SyntheticTransformer.random("rank" + k, RANK_MODEL, c.seed() + 97_000 + k);
                SimModel v = rank == 0
                        ? DerivationSimulator.noise(m, 1, k + 5)
                        : DerivationSimulator.lowRank(m, rank, 0.5, k + 5);
                ComparisonResult r = LineageComparator.compare(v.toView(), m.toView(), opts.withSeed(opts.seed() + k));
                if (r.verdict() == Verdict.SHARED_LINEAGE) {
                    hit++;
                }
                if (r.customisation() == null) {
                    fullRankTrials++;
                    continue;
                }
                for (CustomisationSummary.LayerChange l : r.customisation().layers()) {
                    if (l.estimatedRank() == null) {
                        continue;
                    }
                    tensors++;
                    if (l.lowRank()) {
                        low++;
                        min = Math.min(min, l.estimatedRank());
                        max = Math.max(max, l.estimatedRank());
                    }
                }
                Integer median = r.customisation().componentRanks().stream()
                        .findFirst()
                        .map(CustomisationSummary.ComponentRank::medianRank)
                        .orElse(null);
                if (median == null) {
                    fullRankTrials++;
                } else {
                    medians.add(median);
                }
            }
            medians.sort(null);
            // The median trial: full rank when at least half of the trials read full rank.
            Integer median =
                    2 * fullRankTrials >= c.replicates() || medians.isEmpty() ? null : medians.get(medians.size() / 2);
            rows.add(new RankRow(
                    rank == 0 ? "dense noise σ×1" : "LoRA rank " + rank,
                    rank,
                    c.replicates(),
                    hit,
                    median,
                    low == 0 ? 0 : min,
                    max,
                    tensors == 0 ? 0 : low / (double) tensors));
        }
        return rows;
    }

    private static DetectionRow detect(String name, String strength, int reps, CompareOptions opts, PairMaker maker)
            throws IOException, ModelFormatException {
        int hit = 0;
        double[] l = new double[reps];
        for (int k = 0; k < reps; k++) {
            stage("detection, " + name + " " + strength + ": trial " + (k + 1) + " of " + reps);
            SimModel[] ab = maker.make(k);
            ComparisonResult r =
                    LineageComparator.compare(ab[0].toView(), ab[1].toView(), opts.withSeed(opts.seed() + k));
            if (r.verdict() == Verdict.SHARED_LINEAGE) {
                hit++;
            }
            l[k] = r.log10p() == null ? 0 : r.log10p();
        }
        Arrays.sort(l);
        return new DetectionRow(name, strength, reps, hit, reps == 0 ? Double.NaN : l[reps / 2]);
    }

    private static String fmt(double x) {
        return x == Math.rint(x) ? Long.toString((long) x) : Double.toString(x);
    }

    /** Prints the tables. */
    public static void print(Result r, PrintStream out) {
        out.println("Pedigree calibration (verdict threshold: Holm-adjusted log10 p <= " + r.sharedThreshold() + ")");
        out.println();
        for (NullSummary n : r.nulls()) {
            out.printf(
                    Locale.ROOT,
                    "Independent pairs: %s, %d pairs: false SHARED_LINEAGE %d, INDEPENDENT %d, INCONCLUSIVE %d%n",
                    n.family(),
                    n.pairs(),
                    n.falsePositives(),
                    n.independent(),
                    n.inconclusive());
            out.printf(
                    Locale.ROOT, "  %-46s %6s %7s %7s %7s %9s%n", "p-value", "n", "KS", "<0.05", "<0.01", "min log10p");
            for (PDistribution d : n.pValues()) {
                out.printf(
                        Locale.ROOT,
                        "  %-46s %6d %7.3f %7.3f %7.3f %9.2f%n",
                        d.name(),
                        d.count(),
                        d.ks(),
                        d.below05(),
                        d.below01(),
                        d.minLog10p());
            }
            out.println();
        }
        out.println("Detection (fraction judged SHARED_LINEAGE)");
        out.printf(Locale.ROOT, "  %-38s %-20s %6s %12s%n", "transformation", "strength", "rate", "median log10p");
        for (DetectionRow d : r.detection()) {
            out.printf(
                    Locale.ROOT,
                    "  %-38s %-20s %3d/%-3d %12.1f%n",
                    d.transformation(),
                    d.strength(),
                    d.detected(),
                    d.trials(),
                    d.medianLog10p());
        }
        if (!r.ranks().isEmpty()) {
            out.println();
            out.println("Detection: rank of low-rank changes (merged into every block matrix, ‖ΔW‖=0.5‖W‖, d=128;"
                    + " estimated rank per true rank)");
            out.printf(
                    Locale.ROOT,
                    "  %-38s %6s %-26s %-11s %s%n",
                    "change",
                    "rate",
                    "estimated rank (median)",
                    "range",
                    "tensors low-rank");
            for (RankRow k : r.ranks()) {
                out.printf(
                        Locale.ROOT,
                        "  %-38s %3d/%-3d %-26s %-11s %.0f%%%n",
                        k.change(),
                        k.detected(),
                        k.trials(),
                        k.medianRank() == null ? "full rank (not low-rank)" : Integer.toString(k.medianRank()),
                        k.maxRank() == 0 ? "-" : k.minRank() + "–" + k.maxRank(),
                        100 * k.lowRankShare());
            }
        }
        out.printf(
                Locale.ROOT,
                "%nTotal: %d independent pairs, %d false positives; %.1f s%n",
                r.nullPairs(),
                r.falsePositives(),
                r.millis() / 1000.0);
    }
}
