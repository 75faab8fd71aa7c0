package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.DeterministicTable;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.FormulaTables;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 (risk left by §1): tables that follow from a formula or an index (sinusoidal positions,
 * causal masks, position ids, rotary caches, ALiBi slopes) are stored as parameters by real
 * checkpoints and are equal in independent models. They must not count as exact reuse or enter a
 * weight test, while a real copy stays SHARED_LINEAGE.
 */
class DeterministicTablesTest {
    private static final TensorAddress OTHER = TensorAddress.of(Component.TEXT_DECODER, null, Role.OTHER, Part.WEIGHT);

    private static String kind(float[] v, long... shape) throws Exception {
        return DeterministicTables.kind(new ArrayTensor("t", Shape.of(shape), OTHER, v));
    }

    private static float[] bf16(float[] v) {
        float[] o = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            int b = Float.floatToRawIntBits(v[i]);
            b = (b + 0x7fff + ((b >>> 16) & 1)) & 0xffff0000; // round to nearest even
            o[i] = Float.intBitsToFloat(b);
        }
        return o;
    }

    @Test
    void sinusoidalTablesAreFoundInEveryLayoutAndBase() throws Exception {
        // Whisper encoder (1500 × 384), Marian (512 × 512), original Transformer (interleaved), fairseq/FSMT
        // (padding row zero), another base, bf16 storage.
        assertThat(kind(FormulaTables.sinusoidal(1500, 384, 10_000, false, false, -1), 1500, 384))
                .isEqualTo("sinusoidal table");
        assertThat(kind(FormulaTables.sinusoidal(512, 512, 10_000, false, true, -1), 512, 512))
                .isEqualTo("sinusoidal table");
        assertThat(kind(FormulaTables.sinusoidal(256, 64, 10_000, true, true, -1), 256, 64))
                .isEqualTo("sinusoidal table");
        assertThat(kind(FormulaTables.sinusoidal(1026, 128, 10_000, false, false, 1), 1026, 128))
                .isEqualTo("sinusoidal table");
        assertThat(kind(FormulaTables.sinusoidal(300, 96, 500, true, false, -1), 300, 96))
                .isEqualTo("sinusoidal table");
        assertThat(kind(bf16(FormulaTables.sinusoidal(1500, 384, 10_000, false, false, -1)), 1500, 384))
                .isEqualTo("sinusoidal table");
        assertThat(kind(FormulaTables.rotaryCos(2048, 64, 10_000), 2048, 64)).isEqualTo("sinusoidal table");
        // Stored transposed [width × positions].
        float[] t = FormulaTables.sinusoidal(200, 32, 10_000, false, false, -1);
        float[] tt = new float[t.length];
        for (int p = 0; p < 200; p++) {
            for (int j = 0; j < 32; j++) {
                tt[j * 200 + p] = t[p * 32 + j];
            }
        }
        assertThat(kind(tt, 32, 200)).isEqualTo("sinusoidal table");
    }

    @Test
    void masksIndexBuffersAndSlopesAreFound() throws Exception {
        assertThat(kind(FormulaTables.causalMask(1024), 1, 1, 1024, 1024)).isEqualTo("mask (Toeplitz, 2 values)");
        assertThat(kind(FormulaTables.arange(512), 1, 512)).isEqualTo("index table (affine)");
        assertThat(kind(FormulaTables.arange(512), 512)).isEqualTo("index table (affine)");
        assertThat(kind(FormulaTables.alibiSlopes(16), 16)).isEqualTo("geometric table");
        float[] invFreq = new float[32];
        for (int i = 0; i < 32; i++) {
            invFreq[i] = (float) Math.pow(500_000, -2.0 * i / 64);
        }
        assertThat(kind(invFreq, 32)).isEqualTo("geometric table");
        float[] tokenTypes = new float[128];
        java.util.Arrays.fill(tokenTypes, 64, 128, 1);
        assertThat(kind(tokenTypes, 128)).startsWith("mask (step vector");
    }

    @Test
    void learnedTensorsAreNotTables() throws Exception {
        SplittableRandom rnd = new SplittableRandom(3);
        float[] g = new float[1024 * 64];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) rnd.nextGaussian() * 0.02f;
        }
        assertThat(kind(g, 1024, 64)).isNull();
        // A learned table that is smooth in position (adjacent rows correlated 0.95) is still learned.
        float[] smooth = new float[1024 * 64];
        for (int j = 0; j < 64; j++) {
            double x = rnd.nextGaussian();
            for (int p = 0; p < 1024; p++) {
                x = 0.95 * x + Math.sqrt(1 - 0.95 * 0.95) * rnd.nextGaussian();
                smooth[p * 64 + j] = (float) x;
            }
        }
        assertThat(kind(smooth, 1024, 64)).isNull();
        // Norm gains close to 1, a ternary (BitNet-like) matrix, a sinusoidal table plus learned noise.
        float[] gains = new float[384];
        for (int i = 0; i < gains.length; i++) {
            gains[i] = 1 + (float) rnd.nextGaussian() * 0.005f;
        }
        assertThat(kind(gains, 384)).isNull();
        float[] ternary = new float[256 * 256];
        for (int i = 0; i < ternary.length; i++) {
            ternary[i] = 0.03f * (rnd.nextInt(3) - 1);
        }
        assertThat(kind(ternary, 256, 256)).isNull();
        float[] noisy = FormulaTables.sinusoidal(512, 64, 10_000, false, false, -1);
        for (int i = 0; i < noisy.length; i++) {
            noisy[i] += (float) rnd.nextGaussian() * 0.2f;
        }
        assertThat(kind(noisy, 512, 64)).isNull();
        // Learned roles are never checked.
        ArrayTensor q = new ArrayTensor(
                "q",
                Shape.of(1500, 384),
                TensorAddress.of(Component.TEXT_DECODER, 0, Role.ATTN_Q, Part.WEIGHT),
                FormulaTables.sinusoidal(1500, 384, 10_000, false, false, -1));
        assertThat(DeterministicTables.kind(q)).isNull();
    }

    /** A GPT-2-like decoder with the tables real checkpoints store (names that mark nothing). */
    private static SimModel gpt2Like(long seed) {
        return FormulaTables.addTables(
                SyntheticTransformer.random("gpt2-like-" + seed, Config.smallDecoder(), seed),
                Component.TEXT_DECODER,
                1024,
                1024);
    }

    /** A Whisper-like audio encoder: conv stem, sinusoidal positions (1500 × width) in place of learned ones. */
    private static SimModel whisperLike(long seed) {
        Config audio = new Config(Component.AUDIO, 0, 64, 4, 4, 256, 4, false, true, true);
        SimModel m = SyntheticTransformer.random("whisper-like-" + seed, audio, seed);
        List<ArrayTensor> ts = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            if (t.address().role() == Role.POSITION_EMBEDDING) {
                ts.add(new ArrayTensor(
                        "audio.embed_positions.weight",
                        Shape.of(1500, 64),
                        t.address(),
                        FormulaTables.sinusoidal(1500, 64, 10_000, false, false, -1)));
            } else {
                ts.add(t);
            }
        }
        return m.withTensors(ts);
    }

    private static ComparisonResult compare(SimModel s, SimModel r) throws Exception {
        return LineageComparator.compare(s.toView(), r.toView(), CompareOptions.DEFAULT);
    }

    @Test
    void independentGpt2LikeModelsSharingOnlyTablesAreNotShared() throws Exception {
        SimModel a = gpt2Like(11);
        ComparisonResult r = compare(a, gpt2Like(12));
        assertThat(r.verdict()).isEqualTo(Verdict.INDEPENDENT);
        assertThat(r.components())
                .allSatisfy(
                        c -> assertThat(c.evidence()).noneMatch(e -> e.test().equals(IdenticalTensors.TEST_ID)));
        // Every table of both models is listed, and nothing else.
        int layers = a.layers("text").size();
        assertThat(r.sampling().deterministicTables())
                .filteredOn(t -> t.model().equals("suspect"))
                .extracting(DeterministicTable::tensor)
                .containsExactlyInAnyOrder(tableNames(layers).toArray(String[]::new));
        assertThat(r.sampling().deterministicTables()).hasSize(2 * (layers + 4));
        // A real copy is still a copy: identical learned tensors, the tables not counted among them.
        ComparisonResult copy = compare(a, a);
        assertThat(copy.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(copy.component("text").orElseThrow().reason()).contains("exact reuse:");
        ComparisonResult tuned = compare(DerivationSimulator.noise(a, 1, 5), a);
        assertThat(tuned.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
    }

    private static List<String> tableNames(int layers) {
        List<String> out = new ArrayList<>();
        out.add("text.embed_positions.weight");
        for (int l = 0; l < layers; l++) {
            out.add("text.h." + l + ".attn.causal");
        }
        out.add("text.pos_index");
        out.add("text.rotary.cos_table");
        out.add("text.alibi.slope_table");
        return out;
    }

    @Test
    void independentWhisperLikeEncodersSharingTheSinusoidalTableAreNotShared() throws Exception {
        SimModel a = whisperLike(21);
        ComparisonResult r = compare(a, whisperLike(22));
        assertThat(r.verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.component("audio").orElseThrow().verdict()).isNotEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.sampling().deterministicTables())
                .extracting(t -> t.model() + ":" + t.tensor() + ":" + t.kind())
                .containsExactly(
                        "suspect:audio.embed_positions.weight:sinusoidal table",
                        "reference:audio.embed_positions.weight:sinusoidal table");
        assertThat(compare(a, a).verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(compare(DerivationSimulator.noise(a, 1, 5), a).verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
    }
}
