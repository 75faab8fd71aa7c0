package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.format.onnx.OnnxReader;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.Token;
import dev.pedigree.model.TokenizerType;
import dev.pedigree.model.Vocabulary;
import dev.pedigree.testkit.RealModels;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Models whose tensors have incompatible shapes: {@link LineageComparator#compare} must never throw;
 * the affected tests become not applicable. Regression for "index 327 out of range for
 * Matrix[512x64]" in {@code SignedPermutation.applyToColumns} when residual widths differ.
 */
class MismatchedShapesTest {
    private static final CompareOptions OPTS = CompareOptions.DEFAULT;

    private static Config decoder(int vocab, int hidden, int heads, int mlp, int layers) {
        return new Config(Component.TEXT_DECODER, vocab, hidden, heads, heads, mlp, layers, true, false, false);
    }

    @Test
    void differentResidualWidthsNeverThrow() throws Exception {
        SimModel wide = SyntheticTransformer.random(
                "wide", new Config(Component.TEXT_ENCODER, 512, 384, 6, 6, 512, 2, false, true, true), 1);
        SimModel tiny = SyntheticTransformer.random(
                "tiny", new Config(Component.TEXT_ENCODER, 512, 64, 4, 4, 1024, 2, false, true, true), 2);
        SimModel tiny32 = SyntheticTransformer.random("tiny32", decoder(512, 32, 4, 64, 3), 3);
        for (SimModel[] p : new SimModel[][] {{wide, tiny}, {tiny, wide}, {wide, tiny32}, {tiny32, wide}}) {
            ComparisonResult r = LineageComparator.compare(p[0].toView(), p[1].toView(), OPTS);
            assertThat(r.verdict()).as(p[0].name() + " vs " + p[1].name()).isNotEqualTo(Verdict.SHARED_LINEAGE);
            for (ComponentResult c : r.components()) {
                assertThat(c.verdict() != Verdict.INCONCLUSIVE || !c.reason().isBlank())
                        .as(c.name())
                        .isTrue();
            }
            ComparisonResult sampled = LineageComparator.compare(p[0].toView(), p[1].toView(), OPTS.withSampleRows(48));
            assertThat(sampled.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        }
    }

    @Test
    void realOnnxModelAgainstTinyModelNeverThrows() throws Exception {
        try (ModelView real = new OnnxReader().open(RealModels.onnx(RealModels.ALL_MINILM_L6_V2))) {
            int rows = (int) real.tensors().stream()
                    .filter(t -> t.name().contains("word_embeddings"))
                    .findFirst()
                    .orElseThrow()
                    .shape()
                    .rows();
            // A tiny model with the same number of embedding rows (rows paired by index) and no vocabulary.
            SimModel tiny = SyntheticTransformer.random(
                            "tiny", new Config(Component.TEXT_ENCODER, rows, 64, 4, 4, 512, 2, false, true, true), 5)
                    .withVocabulary(null);
            ComparisonResult a = LineageComparator.compare(real, tiny.toView(), OPTS.withSampleRows(512));
            ComparisonResult b = LineageComparator.compare(tiny.toView(), real, OPTS.withSampleRows(512));
            for (ComparisonResult r : List.of(a, b)) {
                System.out.printf(
                        "real vs tiny: %s %s%n",
                        r.verdict(),
                        r.components().stream()
                                .map(c -> c.name() + "=" + c.verdict())
                                .toList());
                assertThat(r.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
            }
        }
    }

    /** Seeded random pairs of configurations with random widths, depths, vocabularies and missing parts. */
    @Test
    void randomConfigurationPairsNeverThrow() throws Exception {
        SplittableRandom rnd = new SplittableRandom(20250101L);
        int cases = Integer.getInteger("pedigree.fuzz.cases", 200);
        Map<Verdict, Integer> outcomes = new EnumMap<>(Verdict.class);
        int shared = 0;
        for (int k = 0; k < cases; k++) {
            long seed = rnd.nextLong();
            SimModel a = randomModel("a" + k, new SplittableRandom(seed));
            boolean derived = rnd.nextInt(4) == 0;
            SimModel b = derived
                    ? mutate(a, new SplittableRandom(seed + 1))
                    : randomModel("b" + k, new SplittableRandom(seed ^ 0x5DEECE66DL));
            CompareOptions o =
                    rnd.nextBoolean() ? OPTS.withSeed(k) : OPTS.withSeed(k).withSampleRows(8 + rnd.nextInt(64));
            ComparisonResult r;
            try {
                r = LineageComparator.compare(a.toView(), b.toView(), o);
            } catch (RuntimeException e) {
                throw new AssertionError(
                        "case " + k + " (seed " + seed + ", " + describe(a) + " vs " + describe(b) + ", sample "
                                + o.sampleRows() + ")",
                        e);
            }
            outcomes.merge(r.verdict(), 1, Integer::sum);
            if (r.verdict() == Verdict.SHARED_LINEAGE && !derived) {
                shared++;
                System.out.printf(
                        "independent pair %d judged shared: %s vs %s, log10p %s, %s%n",
                        k,
                        describe(a),
                        describe(b),
                        r.log10p(),
                        r.components().stream()
                                .map(c -> c.name() + "=" + c.verdict() + "@" + c.log10p())
                                .toList());
                r.components()
                        .forEach(c -> c.evidence().stream()
                                .filter(e -> e.log10p() != null && e.log10p() < -3)
                                .forEach(e -> System.out.println("   " + e)));
            }
        }
        System.out.printf("shape fuzz: %d random pairs, no exception; verdicts %s%n", cases, outcomes);
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(cases);
        assertThat(shared).as("independent pairs judged SHARED_LINEAGE").isZero();
    }

    private static String describe(SimModel m) {
        return m.name() + "[" + m.hints() + ", " + m.tensors().size() + " tensors, vocab "
                + (m.vocabulary() == null ? "none" : m.vocabulary().size()) + "]";
    }

    private static SimModel randomModel(String name, SplittableRandom r) {
        int heads = 1 + r.nextInt(6);
        int hidden = heads * (1 + r.nextInt(24));
        int kv = divisorOf(heads, r);
        int mlp = 1 + r.nextInt(200);
        int layers = r.nextInt(5);
        int kind = r.nextInt(4);
        Component comp = switch (kind) {
            case 0 -> Component.TEXT_ENCODER;
            case 1 -> Component.VISION;
            default -> Component.TEXT_DECODER;
        };
        int vocab = comp.equals(Component.VISION) ? 0 : 1 + r.nextInt(400);
        Config c = new Config(
                comp, vocab, hidden, heads, kv, mlp, layers, r.nextBoolean(), r.nextBoolean(), r.nextBoolean());
        SimModel m = SyntheticTransformer.random(name, c, r.nextLong());
        if (vocab > 0 && r.nextInt(3) == 0) {
            m = m.withVocabulary(r.nextBoolean() ? null : SyntheticTransformer.vocabulary(vocab, r.nextInt(300)));
        }
        if (r.nextInt(3) == 0) {
            // A second tower (text + vision, or vision + text).
            Config extra = new Config(
                    comp.equals(Component.VISION) ? Component.TEXT_DECODER : Component.VISION,
                    0,
                    8 * (1 + r.nextInt(6)),
                    2,
                    2,
                    1 + r.nextInt(64),
                    r.nextInt(3),
                    false,
                    true,
                    true);
            List<ArrayTensor> t =
                    new ArrayList<>(SyntheticTransformer.tower(extra, new SplittableRandom(r.nextLong())));
            m = DerivationSimulator.combine(m, t, name);
        }
        return mutate(m, r);
    }

    private static int divisorOf(int n, SplittableRandom r) {
        List<Integer> ds = new ArrayList<>();
        for (int d = 1; d <= n; d++) {
            if (n % d == 0) {
                ds.add(d);
            }
        }
        return ds.get(r.nextInt(ds.size()));
    }

    /** Drops random roles, layers or single tensors, and reshapes a few tensors. */
    private static SimModel mutate(SimModel m, SplittableRandom r) {
        Role dropRole = r.nextInt(3) == 0 ? Role.values()[r.nextInt(Role.values().length)] : null;
        int dropLayer = r.nextInt(4) == 0 ? r.nextInt(4) : -1;
        double dropOne = r.nextInt(3) == 0 ? 0.1 : 0;
        double reshape = r.nextInt(4) == 0 ? 0.1 : 0;
        List<ArrayTensor> out = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            TensorAddress a = t.address();
            if (a.role() == dropRole || (a.layer() != null && a.layer() == dropLayer) || r.nextDouble() < dropOne) {
                continue;
            }
            if (r.nextDouble() < reshape && t.elementCount() > 1) {
                float[] v = t.readAll();
                // Same values, another shape: a vector, or a matrix with fewer rows.
                Shape s = r.nextBoolean() ? Shape.of(v.length) : Shape.of(1, v.length);
                out.add(SimModel.replace(t, s, v));
                continue;
            }
            out.add(t);
        }
        return m.withTensors(out);
    }

    @Test
    void vocabularyWithFewSharedTokensIsNotAnError() throws Exception {
        SimModel a = SyntheticTransformer.random("a", Config.tinyDecoder(), 1);
        List<Token> tokens = new ArrayList<>(a.vocabulary().tokens().subList(0, 3));
        SimModel b = SyntheticTransformer.random("b", Config.tinyDecoder(), 1)
                .withVocabulary(new Vocabulary(TokenizerType.BPE, tokens, List.of(), null, "three"));
        ComparisonResult r = LineageComparator.compare(a.toView(), b.toView(), OPTS);
        assertThat(r.verdict()).isNotNull();
    }
}
