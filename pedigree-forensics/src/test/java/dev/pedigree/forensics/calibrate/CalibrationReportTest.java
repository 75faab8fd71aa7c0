package dev.pedigree.forensics.calibrate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.simulate.TinyTrainer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class CalibrationReportTest {
    @Test
    void quickRunHasNoFalsePositivesAndDetectsMildDerivations() throws Exception {
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CalibrationReport.Result r = CalibrationReport.run(
                CalibrationReport.Config.quick(), new PrintStream(buf, true, StandardCharsets.UTF_8));
        String table = buf.toString(StandardCharsets.UTF_8);
        System.out.println(table);
        assertThat(r.nullPairs()).isEqualTo(96);
        assertThat(r.falsePositives()).isZero();
        assertThat(r.detection())
                .filteredOn(d ->
                        d.transformation().startsWith("noise") && d.strength().equals("σ×1"))
                .allMatch(d -> d.rate() == 1.0);
        assertThat(r.detection())
                .filteredOn(d -> d.transformation().startsWith("int8"))
                .allMatch(d -> d.rate() == 1.0);
        assertThat(table).contains("Detection", "false SHARED_LINEAGE 0");
        assertThat(r.detection())
                .filteredOn(d -> (d.transformation().startsWith("tower relabelled")
                                || d.transformation().startsWith("tensors renamed"))
                        && !d.strength().equals("σ×4"))
                .hasSize(4)
                .allMatch(d -> d.rate() == 1.0);
        assertThat(r.detection())
                .filteredOn(d -> d.transformation().startsWith("merge against the wider parent")
                        || d.transformation().startsWith("width-pruned, padded"))
                .hasSize(2)
                .allMatch(d -> d.rate() == 1.0);
    }

    @Test
    void rankRowsReadTheTrueRankWithinTwentyPercentAndNoiseAsFullRank() throws Exception {
        CalibrationReport.Config c = new CalibrationReport.Config(
                1, 0, 1, 11L, CalibrationReport.Config.quick().model());
        List<CalibrationReport.RankRow> ranks =
                CalibrationReport.ranks(c, dev.pedigree.forensics.CompareOptions.DEFAULT.withSeed(c.seed()));
        CalibrationReport.Result r = new CalibrationReport.Result(List.of(), List.of(), ranks, -6, 0);
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        CalibrationReport.print(r, new PrintStream(buf, true, StandardCharsets.UTF_8));
        System.out.println(buf.toString(StandardCharsets.UTF_8));
        assertThat(r.ranks()).extracting(CalibrationReport.RankRow::trueRank).containsExactly(4, 16, 32, 0);
        for (CalibrationReport.RankRow k : r.ranks()) {
            assertThat(k.detected()).as(k.change()).isEqualTo(k.trials());
            if (k.trueRank() == 0) {
                assertThat(k.medianRank()).as(k.change()).isNull();
                assertThat(k.lowRankShare()).as(k.change()).isZero();
            } else {
                assertThat((double) k.medianRank()).as(k.change()).isBetween(0.8 * k.trueRank(), 1.2 * k.trueRank());
                assertThat(k.lowRankShare()).as(k.change()).isEqualTo(1.0);
            }
        }
        assertThat(buf.toString(StandardCharsets.UTF_8))
                .contains("rank of low-rank changes", "LoRA rank 32", "full rank (not low-rank)");
    }

    @Test
    void trainedFamiliesPoolTheBlockTestsOfEveryBlockPair() throws Exception {
        TinyTrainer.Config deep = new TinyTrainer.Config(64, 16, 32, 50, 32, 0.01, true, 2, true);
        CalibrationReport.NullSummary n = CalibrationReport.trainedFamily(
                "deep", deep, 2, 5, 6, dev.pedigree.forensics.CompareOptions.DEFAULT.withSeed(5));
        assertThat(n.family()).contains("2 blocks, block tests of every block pair", "unigram entropy");
        assertThat(n.falsePositives()).isZero();
        // Two blocks a side: more block-pair values than pairs of models.
        assertThat(n.pValues())
                .filteredOn(d -> d.name().equals("mlp.up.match"))
                .singleElement()
                .satisfies(d -> assertThat(d.count()).isGreaterThan(2));
    }

    @Test
    void ksDistanceOfUniformGridIsSmall() {
        List<Double> l = new java.util.ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            l.add(Math.log10(i / 100.0));
        }
        CalibrationReport.PDistribution d = CalibrationReport.distribution("grid", l);
        assertThat(d.ks()).isLessThanOrEqualTo(0.011);
        assertThat(d.below05()).isBetween(0.04, 0.05); // 0.05 itself may round either way
    }

    /** The tests whose null distributions are reported: the same ids the table has always listed. */
    @Test
    void tracksBlockZeroAndTheComponentWideTests() {
        for (String t : List.of(
                "mlp.up.match",
                "mlp.up.match_aligned",
                "mlp.down.match",
                "mlp.down.match_aligned",
                "attn.q.pearson",
                "attn.q.pearson_aligned",
                "attn.q.cka_aligned",
                "mlp.gate_up.agreement",
                "mlp.up_down.agreement",
                "attn.qk.invariant",
                "norm.attn_norm.centred")) {
            assertThat(CalibrationReport.testKey("block0~0." + t)).isEqualTo(t);
            assertThat(CalibrationReport.testKey("block1~1." + t)).isNull();
            assertThat(CalibrationReport.testKey("block0~0.expert1." + t)).isNull();
        }
        for (String id : List.of(
                "embeddings.columns.pearson",
                "embeddings.columns.match",
                "embeddings.rows.pearson_aligned",
                "lm_head.columns.pearson",
                "lm_head.columns.match",
                "lm_head.rows.pearson_aligned",
                "blocks.fisher_exact")) {
            assertThat(CalibrationReport.testKey(id)).isEqualTo(id);
        }
        assertThat(CalibrationReport.testKey("block0~0.mlp.gate.match")).isNull();
        assertThat(CalibrationReport.testKey("blocks.cauchy_all")).isNull();
    }
}
