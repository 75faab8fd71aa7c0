package dev.pedigree.report.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.report.Cases;
import dev.pedigree.report.Json;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CompareJsonReaderTest {
    static List<ComparisonResult> all() {
        return List.of(Cases.int8(), Cases.unrelated(), Cases.transplant(), Cases.tokenizerOnly(), Cases.hostile());
    }

    @Test
    void roundTripsEveryCase(@TempDir Path dir) throws Exception {
        int k = 0;
        for (ComparisonResult r : all()) {
            Map<String, Object> tree = CompareJson.tree(r);
            Path f = dir.resolve("r" + k++ + ".json");
            Json.write(tree, f);
            ComparisonResult back = CompareJsonReader.read(f);
            assertThat(CompareJson.tree(back)).isEqualTo(tree);
            // And the second generation is byte-identical.
            assertThat(Json.write(CompareJson.tree(back))).isEqualTo(Files.readString(f));
        }
    }

    /** {@code c} with other non-finite counts and deterministic tables in its sampling record. */
    private static ComparisonResult withSampling(
            ComparisonResult c,
            List<dev.pedigree.forensics.result.NonFiniteTensor> nf,
            List<dev.pedigree.forensics.result.DeterministicTable> dt) {
        return withSampling(c, nf, c.sampling().earlyStopping(), dt);
    }

    /** {@code c} with other non-finite counts, early stopping and deterministic tables in its sampling record. */
    private static ComparisonResult withSampling(
            ComparisonResult c,
            List<dev.pedigree.forensics.result.NonFiniteTensor> nf,
            dev.pedigree.forensics.result.EarlyStopping es,
            List<dev.pedigree.forensics.result.DeterministicTable> dt) {
        var s = c.sampling();
        return new ComparisonResult(
                c.schema(),
                c.suspect(),
                c.reference(),
                c.verdict(),
                c.log10p(),
                c.components(),
                c.layerMap(),
                c.tokenizer(),
                c.sharedParameterFraction(),
                c.warnings(),
                c.layerEvidence(),
                c.customisation(),
                new dev.pedigree.forensics.result.SamplingInfo(
                        s.sampleRows(),
                        s.seed(),
                        s.maxMatchedUnits(),
                        s.probeTokens(),
                        s.description(),
                        s.bytesRead(),
                        s.weightBytes(),
                        nf,
                        es,
                        dt),
                c.thresholds());
    }

    /** Early stopping with the sampled batteries' fields round-trips; a result written before them reads as 0 and NaN. */
    @Test
    void earlyStoppingRoundTripsWithTheSampledBatteries(@TempDir Path dir) throws Exception {
        ComparisonResult c = Cases.transplant();
        var s = c.sampling();
        var es = new dev.pedigree.forensics.result.EarlyStopping(
                0.1, 0.999973, -3, 128, 19, 0, 64, 0.999973, 34, 16, 1, 128, 1, "The whole battery of 34 of 35 ...");
        ComparisonResult r = withSampling(c, s.nonFinite(), es, s.deterministicTables());
        Path f = dir.resolve("es.json");
        Json.write(CompareJson.tree(r), f);
        assertThat(Files.readString(f))
                .contains("\"battery_unmatched\" : 16")
                .contains("\"battery_second_sample_rows\" : 128")
                .contains("\"battery_second_samples\" : 1");
        assertThat(CompareJsonReader.read(f).sampling().earlyStopping()).isEqualTo(es);
        Path old = dir.resolve("old.json");
        Files.writeString(old, Files.readString(f).replaceAll("\\s*\"battery_[a-z_]+\" : [0-9.]+,", ""));
        var back = CompareJsonReader.read(old).sampling().earlyStopping();
        assertThat(back.batterySampledRows()).isZero();
        assertThat(back.batteryPower()).isNaN();
        assertThat(back.batterySecond()).isZero();
        assertThat(back.stopped()).isEqualTo(19);
        // Without a second sample the two fields are not written.
        var none = new dev.pedigree.forensics.result.EarlyStopping(
                0.1, 0.999973, -3, 128, 19, 0, 64, 0.999973, 34, 16, 1, 0, 0, "The whole battery of 34 of 35 ...");
        Json.write(CompareJson.tree(withSampling(c, s.nonFinite(), none, s.deterministicTables())), f);
        assertThat(Files.readString(f)).doesNotContain("battery_second");
        assertThat(CompareJsonReader.read(f).sampling().earlyStopping()).isEqualTo(none);
    }

    /** Issue 18: non-finite weights are counted per tensor, written as sampling.non_finite and listed as caveats. */
    @Test
    void nonFiniteCountsRoundTripAndAreListedAsCaveats(@TempDir Path dir) throws Exception {
        ComparisonResult c = Cases.transplant();
        var s = c.sampling();
        var nf = List.of(
                new dev.pedigree.forensics.result.NonFiniteTensor("suspect", "model.embed_tokens.weight", 1, 0, 1, 0),
                new dev.pedigree.forensics.result.NonFiniteTensor("reference", "x\nforged", 2, 3, 0, 1));
        ComparisonResult r = withSampling(c, nf, s.deterministicTables());
        Path f = dir.resolve("nf.json");
        Json.write(CompareJson.tree(r), f);
        assertThat(Files.readString(f)).contains("\"non_finite\"").contains("\"positive_infinity\" : 1");
        assertThat(CompareJsonReader.read(f).sampling().nonFinite()).isEqualTo(nf);
        assertThat(Json.write(CompareJson.tree(c))).doesNotContain("non_finite");
        String text = CompareText.render(r);
        assertThat(text)
                .contains(
                        "suspect tensor model.embed_tokens.weight: 1 non-finite value (NaN 0, +Inf 1, -Inf 0) in 1 row")
                .contains("reference tensor x\\u000aforged: 4 non-finite values");
    }

    /** Deterministic tables are written as sampling.deterministic_tables, read back and listed as caveats. */
    @Test
    void deterministicTablesRoundTripAndAreListedAsCaveats(@TempDir Path dir) throws Exception {
        ComparisonResult c = Cases.transplant();
        var s = c.sampling();
        var dt = List.of(
                new dev.pedigree.forensics.result.DeterministicTable(
                        "suspect", "model.encoder.embed_positions.weight", "sinusoidal table"),
                new dev.pedigree.forensics.result.DeterministicTable(
                        "reference", "h.0.attn.bias", "mask (Toeplitz, 2 values)"));
        ComparisonResult r = withSampling(c, s.nonFinite(), dt);
        Path f = dir.resolve("dt.json");
        Json.write(CompareJson.tree(r), f);
        assertThat(Files.readString(f))
                .contains("\"deterministic_tables\"")
                .contains("\"kind\" : \"sinusoidal table\"");
        assertThat(CompareJsonReader.read(f).sampling().deterministicTables()).isEqualTo(dt);
        assertThat(Json.write(CompareJson.tree(c))).doesNotContain("deterministic_tables");
        assertThat(CompareText.render(r))
                .contains("suspect tensor model.encoder.embed_positions.weight: deterministic table, not evidence"
                        + " (sinusoidal table; independent models hold the same values)")
                .contains("reference tensor h.0.attn.bias: deterministic table, not evidence");
    }

    @Test
    void readsRecordValuesBack(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("c.json");
        Json.write(CompareJson.tree(Cases.transplant()), f);
        ComparisonResult r = CompareJsonReader.read(f);
        assertThat(r.components()).hasSize(3);
        assertThat(r.component("projector").orElseThrow().log10p()).isNull();
        assertThat(r.layerEvidence().get(0).log10p().get(1).get(2)).isNull();
        assertThat(r.customisation().embeddings()).isNull();
        assertThat(r.sampling().sampleRows()).isEqualTo(512);
        assertThat(Cases.tokenizerOnly().log10p()).isNull();
    }

    /** The separated regular and special additions, the order statistic and the flag changes come back as written. */
    @Test
    void readsTokenizerDetailsBack(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("t.json");
        Json.write(CompareJson.tree(Cases.tokenizerOnly()), f);
        String json = Files.readString(f);
        assertThat(json)
                .contains("\"added_special_tokens\" : 3")
                .contains("\"<|assistant|>\"")
                .contains("\"flag_changes\" : 994");
        var t = CompareJsonReader.read(f).tokenizer();
        assertThat(t.addedTokens()).isEqualTo(2400);
        assertThat(t.specials()).isEqualTo(Cases.tokenizerOnly().tokenizer().specials());
        assertThat(t.order()).isEqualTo(Cases.tokenizerOnly().tokenizer().order());
    }

    @Test
    void toleratesMissingExtras() throws Exception {
        String minimal = """
        {"schema":"pedigree/compare/v1","suspect":{"source":"a","format":"onnx","parameters":1},"reference":{"source":"b","format":"onnx","parameters":1},
         "verdict":"INCONCLUSIVE","components":[],"layer_map":[],"tokenizer":{"relation":"ABSENT"},"shared_parameter_fraction":0,"warnings":[]}
        """;
        ComparisonResult r = CompareJsonReader.parse(minimal.getBytes(StandardCharsets.UTF_8), "min.json");
        assertThat(r.log10p()).isNull();
        assertThat(r.thresholds()).isEqualTo(dev.pedigree.forensics.result.Thresholds.DEFAULT);
        assertThat(r.customisation()).isNull();
    }

    @Test
    void errorsNameTheFileAndWhere(@TempDir Path dir) throws Exception {
        String good = Json.write(CompareJson.tree(Cases.transplant()));
        assertThatThrownBy(
                        () -> CompareJsonReader.parse("{\n  \"schema\": ".getBytes(StandardCharsets.UTF_8), "cut.json"))
                .isInstanceOf(ResultFormatException.class)
                .hasMessageStartingWith("cut.json: malformed JSON at line 2")
                .hasMessageContaining("byte offset");
        assertThatThrownBy(() -> CompareJsonReader.parse(
                        good.replace("pedigree/compare/v1", "other/v9").getBytes(StandardCharsets.UTF_8), "s.json"))
                .isInstanceOf(ResultFormatException.class)
                .hasMessage("s.json: invalid result at $.schema: expected pedigree/compare/v1, found other/v9");
        assertThatThrownBy(() -> CompareJsonReader.parse(
                        good.replace("\"vision_encoder\"", "\"robot\"").getBytes(StandardCharsets.UTF_8), "k.json"))
                .isInstanceOf(ResultFormatException.class)
                .hasMessage("k.json: invalid result at $.components[0].kind: unknown component kind robot");
        assertThatThrownBy(() -> CompareJsonReader.parse(
                        good.replaceFirst("\"verdict\" : \"SHARED_LINEAGE\"", "\"verdict\" : 3")
                                .getBytes(StandardCharsets.UTF_8),
                        "v.json"))
                .isInstanceOf(ResultFormatException.class)
                .hasMessage("v.json: invalid result at $.verdict: expected a string");
        assertThatThrownBy(() -> CompareJsonReader.parse(
                        good.replace("\"log10_p\" : -412.7", "\"log10_p\" : 5").getBytes(StandardCharsets.UTF_8),
                        "p.json"))
                .isInstanceOf(ResultFormatException.class)
                .hasMessageStartingWith("p.json: invalid result at $")
                .hasMessageContaining("log10p");
        assertThatThrownBy(() -> CompareJsonReader.parse("[1,2]".getBytes(StandardCharsets.UTF_8), "a.json"))
                .isInstanceOf(ResultFormatException.class)
                .hasMessageContaining("a.json");
        assertThatThrownBy(
                        () -> CompareJsonReader.parse("[".repeat(5000).getBytes(StandardCharsets.UTF_8), "deep.json"))
                .isInstanceOf(ResultFormatException.class)
                .hasMessageContaining("deep.json");
        Path empty = Files.writeString(dir.resolve("empty.json"), "");
        assertThatThrownBy(() -> CompareJsonReader.read(empty))
                .isInstanceOf(ResultFormatException.class)
                .hasMessageContaining("empty.json");
    }

    @Test
    void truncationAtEveryLineNeverEscapesAsAnotherException() {
        byte[] good = Json.write(CompareJson.tree(Cases.transplant())).getBytes(StandardCharsets.UTF_8);
        int cases = 0;
        for (int i = 0; i < good.length; i += 97) {
            byte[] cut = java.util.Arrays.copyOf(good, i);
            assertThatThrownBy(() -> CompareJsonReader.parse(cut, "t.json"))
                    .isInstanceOf(ResultFormatException.class)
                    .hasMessageStartingWith("t.json: ");
            cases++;
        }
        System.out.println("CompareJsonReader truncation cases: " + cases);
    }

    @Test
    void seededMutationFuzz() {
        byte[] good = Json.write(CompareJson.tree(Cases.int8())).getBytes(StandardCharsets.UTF_8);
        SplittableRandom rnd = new SplittableRandom(20261128);
        int ok = 0;
        int rejected = 0;
        int n = 3000;
        for (int k = 0; k < n; k++) {
            byte[] b = good.clone();
            int op = rnd.nextInt(3);
            int at = rnd.nextInt(b.length);
            if (op == 0) {
                b[at] = (byte) rnd.nextInt(256);
            } else if (op == 1) {
                b = java.util.Arrays.copyOf(b, at);
            } else {
                byte[] ins = "{}[]\",:-0e9nul".getBytes(StandardCharsets.US_ASCII);
                byte[] x = new byte[b.length + 1];
                System.arraycopy(b, 0, x, 0, at);
                x[at] = ins[rnd.nextInt(ins.length)];
                System.arraycopy(b, at, x, at + 1, b.length - at);
                b = x;
            }
            try {
                ComparisonResult r = CompareJsonReader.parse(b, "fuzz.json");
                CompareJson.tree(r);
                ok++;
            } catch (ResultFormatException e) {
                assertThat(e.getMessage()).startsWith("fuzz.json: ");
                rejected++;
            }
        }
        System.out.println("CompareJsonReader fuzz: " + n + " cases, " + ok + " parsed, " + rejected
                + " rejected with ResultFormatException");
        assertThat(ok + rejected).isEqualTo(n);
    }
}
