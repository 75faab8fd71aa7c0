package dev.pedigree.report;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.LayerEvidenceMatrix;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.SamplingInfo;
import dev.pedigree.forensics.result.Thresholds;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.model.ComponentKind;
import dev.pedigree.model.LineageClaim;
import java.util.ArrayList;
import java.util.List;

/** Hand-built comparison results with known wording, shared by the report tests. */
public final class Cases {
    private Cases() {}

    public static final String HOSTILE = "<script>alert(1)</script>";

    static SamplingInfo sampling() {
        return new SamplingInfo(
                512,
                42,
                512,
                256,
                "p-values computed on 512 sampled rows per tensor (seed 42)",
                0,
                0,
                List.of(),
                null,
                List.of());
    }

    static List<Evidence> blockEvidence(int layers, double match, double pearson) {
        List<Evidence> ev = new ArrayList<>();
        for (int i = 0; i < layers; i++) {
            ev.add(new Evidence(
                    "block" + i + "~" + i + ".mlp.up.match", 0.9, match, "Spearman of matched units (n=512)"));
            ev.add(new Evidence("block" + i + "~" + i + ".attn.q.pearson", 0.8, pearson, "fixed-index correlation"));
            ev.add(new Evidence(
                    "block" + i + "~" + i + ".norm.attn_norm.centred",
                    0.5,
                    -1.2,
                    "centred; raw cosine 0.9990 (never evidence) [weak evidence; not combined]"));
        }
        ev.add(new Evidence(
                "blocks.fisher_exact", null, match * layers / 2, "Fisher over " + layers + " suspect blocks"));
        ev.add(new Evidence("blocks.cauchy_all", null, match, "Cauchy combination"));
        return ev;
    }

    static LayerEvidenceMatrix matrix(String component, int rows, int cols, double diagonal, double off) {
        List<Integer> sl = new ArrayList<>();
        List<Integer> rl = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            sl.add(i);
        }
        for (int j = 0; j < cols; j++) {
            rl.add(j);
        }
        List<List<Double>> m = new ArrayList<>();
        for (int i = 0; i < rows; i++) {
            List<Double> row = new ArrayList<>();
            for (int j = 0; j < cols; j++) {
                row.add(i == j ? diagonal * (1 + 0.01 * i) : off - 0.01 * ((i * 7 + j * 3) % 5));
            }
            m.add(row);
        }
        if (rows > 2 && cols > 2) {
            m.get(1).set(2, null); // one cell where no test applied
        }
        return new LayerEvidenceMatrix(component, sl, rl, m);
    }

    /** {@code r} with its components replaced by {@code comps}. */
    public static ComparisonResult withComponents(ComparisonResult r, List<ComponentResult> comps) {
        return rebuilt(r, comps, r.layerMap(), r.customisation());
    }

    /** {@code r} with its layer map and customisation summary replaced. */
    public static ComparisonResult withMapAndCustomisation(
            ComparisonResult r, List<LayerMatch> map, CustomisationSummary customisation) {
        return rebuilt(r, r.components(), map, customisation);
    }

    private static ComparisonResult rebuilt(
            ComparisonResult r, List<ComponentResult> comps, List<LayerMatch> map, CustomisationSummary c) {
        return new ComparisonResult(
                r.schema(),
                r.suspect(),
                r.reference(),
                r.verdict(),
                r.log10p(),
                comps,
                map,
                r.tokenizer(),
                r.sharedParameterFraction(),
                r.warnings(),
                r.layerEvidence(),
                c,
                r.sampling(),
                r.thresholds());
    }

    /** {@link Cases#int8()} with the text stack's closeness measured: block i against block i, r falling with depth. */
    public static ComparisonResult int8WithCloseness() {
        ComparisonResult r = int8();
        List<Closeness.BlockCloseness> blocks = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            blocks.add(new Closeness.BlockCloseness(
                    new Block("text", i), new Block("text", i), 1 - 0.1 * i, 1 - 0.05 * i, 0.004 + 0.1 * i, false));
        }
        List<ComponentResult> comps = r.components().stream()
                .map(c -> c.name().equals("text") ? c.withCloseness(new Closeness(0.75, 0.88, 0.25, false, blocks)) : c)
                .toList();
        return withComponents(r, comps);
    }

    /** (a) A model against its int8 quantisation: everything shared. */
    public static ComparisonResult int8() {
        ModelSummary s = new ModelSummary("models/all-minilm-l6-v2-q.onnx", "onnx", "bert", 22_713_216);
        ModelSummary r = new ModelSummary("models/all-minilm-l6-v2.onnx", "onnx", "bert", 22_713_216);
        List<ComponentResult> comps = List.of(
                new ComponentResult(
                        "text",
                        ComponentKind.TEXT_ENCODER,
                        10_646_784,
                        Verdict.SHARED_LINEAGE,
                        -412.3,
                        blockEvidence(6, -80, -60),
                        ""),
                new ComponentResult(
                        "embeddings",
                        ComponentKind.EMBEDDINGS,
                        12_066_432,
                        Verdict.SHARED_LINEAGE,
                        -350.2,
                        List.of(new Evidence("embeddings.rows.pearson", 0.999, -350.2, "30522 shared tokens (n=256)")),
                        ""));
        List<LayerMatch> map = new ArrayList<>();
        List<CustomisationSummary.LayerChange> changes = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            map.add(new LayerMatch(new Block("text", i), new Block("text", i), -190.0 + i));
            changes.add(new CustomisationSummary.LayerChange(
                    new Block("text", i), new Block("text", i), "MLP_UP", 0.0041 + 0.0001 * i, false, 4, 0.012));
            changes.add(new CustomisationSummary.LayerChange(
                    new Block("text", i), new Block("text", i), "ATTN_Q", 0.0038 + 0.0002 * i, false, 4, 0.011));
        }
        CustomisationSummary custom = new CustomisationSummary(
                changes,
                List.of(),
                new CustomisationSummary.EmbeddingChange(30522, 0, 0, 0.9999, List.of()),
                "Every tensor changed by about 0.4%: consistent with int8 quantisation noise, not training.");
        return new ComparisonResult(
                ComparisonResult.SCHEMA,
                s,
                r,
                Verdict.SHARED_LINEAGE,
                -412.3,
                comps,
                map,
                new TokenizerLineage(
                        TokenizerLineage.Relation.IDENTICAL,
                        TokenizerLineage.Direction.UNKNOWN,
                        1.0,
                        1.0,
                        0,
                        0,
                        List.of(),
                        "same 30522 regular tokens"),
                1.0,
                List.of(),
                List.of(matrix("text", 6, 6, -200, -0.5)),
                custom,
                sampling(),
                Thresholds.DEFAULT);
    }

    /** (b) Two unrelated models: independent. */
    public static ComparisonResult unrelated() {
        ModelSummary s = new ModelSummary("models/bge-small-en-v1.5.onnx", "onnx", "bert", 33_360_000);
        ModelSummary r = new ModelSummary("models/e5-small-v2.onnx", "onnx", "bert", 33_360_000);
        List<ComponentResult> comps = List.of(
                new ComponentResult(
                        "text",
                        ComponentKind.TEXT_ENCODER,
                        21_300_000,
                        Verdict.INDEPENDENT,
                        -0.42,
                        blockEvidence(12, -0.3, -0.2),
                        "Tests had power and found nothing."),
                new ComponentResult(
                        "embeddings",
                        ComponentKind.EMBEDDINGS,
                        12_060_000,
                        Verdict.INDEPENDENT,
                        -0.11,
                        List.of(new Evidence("embeddings.rows.pearson", 0.001, -0.11, "30522 shared tokens")),
                        ""));
        return new ComparisonResult(
                ComparisonResult.SCHEMA,
                s,
                r,
                Verdict.INDEPENDENT,
                -0.42,
                comps,
                List.of(),
                new TokenizerLineage(
                        TokenizerLineage.Relation.IDENTICAL,
                        TokenizerLineage.Direction.UNKNOWN,
                        1.0,
                        1.0,
                        0,
                        0,
                        List.of(),
                        "both use the bert-base-uncased vocabulary"),
                0.0,
                List.of("Identical tokenizers do not imply shared weights."),
                List.of(matrix("text", 12, 12, -0.9, -0.4)),
                null,
                sampling(),
                Thresholds.DEFAULT);
    }

    /** (c) A multimodal model whose vision tower was transplanted: vision shared, text independent. */
    public static ComparisonResult transplant() {
        ModelSummary s = new ModelSummary(
                "/models/acme/vlm-7b", "hf-directory", "LlavaForConditionalGeneration", 6_752_000_000L);
        ModelSummary r =
                new ModelSummary("/models/openai/clip-vit-large-patch14", "safetensors", "CLIPModel", 427_600_000);
        List<ComponentResult> comps = List.of(
                new ComponentResult(
                        "vision",
                        ComponentKind.VISION_ENCODER,
                        632_000_000,
                        Verdict.SHARED_LINEAGE,
                        -412.7,
                        blockEvidence(24, -120, -90),
                        ""),
                new ComponentResult(
                        "text",
                        ComponentKind.TEXT_DECODER,
                        6_100_000_000L,
                        Verdict.INDEPENDENT,
                        -0.8,
                        blockEvidence(28, -0.5, -0.3),
                        "Tests had power and found nothing."),
                new ComponentResult(
                        "projector",
                        ComponentKind.PROJECTOR,
                        20_000_000,
                        Verdict.INCONCLUSIVE,
                        null,
                        List.of(new Evidence("tensor.projector.pearson", null, null, "the reference has no projector")),
                        "The reference has no projector."));
        List<LayerMatch> map = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            map.add(new LayerMatch(new Block("vision", i), new Block("vision", i), -150.0 + i));
        }
        List<CustomisationSummary.LayerChange> changes = new ArrayList<>();
        for (int i = 0; i < 24; i++) {
            changes.add(new CustomisationSummary.LayerChange(
                    new Block("vision", i),
                    new Block("vision", i),
                    "MLP_UP",
                    i < 20 ? 0 : 0.02 * (i - 19),
                    i < 20,
                    8,
                    i < 20 ? 0 : 0.93));
        }
        List<Block> untouched = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            untouched.add(new Block("vision", i));
        }
        CustomisationSummary custom = new CustomisationSummary(
                changes,
                untouched,
                null,
                "The first 20 vision blocks are bit-identical; the last 4 carry a low-rank update.");
        return new ComparisonResult(
                ComparisonResult.SCHEMA,
                s,
                r,
                Verdict.SHARED_LINEAGE,
                -412.7,
                comps,
                map,
                new TokenizerLineage(
                        TokenizerLineage.Relation.INDEPENDENT,
                        TokenizerLineage.Direction.UNKNOWN,
                        0.21,
                        0.3,
                        0,
                        0,
                        List.of(),
                        "different BPE merges"),
                0.0936,
                List.of("512 rows sampled per tensor."),
                List.of(matrix("vision", 24, 24, -160, -0.6), matrix("text", 28, 12, -0.7, -0.3)),
                custom,
                sampling(),
                Thresholds.DEFAULT);
    }

    /** Claims of (c): declares Qwen2 only, so the CLIP ancestor is undeclared. */
    public static List<LineageClaim> transplantClaims() {
        return List.of(new LineageClaim("base_model", "Qwen/Qwen2-7B", "README.md front matter"));
    }

    /** (d) Two tokenizers, no weights: INCONCLUSIVE, tokenizer DERIVED. */
    public static ComparisonResult tokenizerOnly() {
        ModelSummary s = new ModelSummary("tok/suspect/tokenizer.json", "tokenizer", null, 0);
        ModelSummary r = new ModelSummary("tok/llama/tokenizer.json", "tokenizer", null, 0);
        return new ComparisonResult(
                ComparisonResult.SCHEMA,
                s,
                r,
                Verdict.INCONCLUSIVE,
                null,
                List.of(),
                List.of(),
                new TokenizerLineage(
                        TokenizerLineage.Relation.DERIVED,
                        TokenizerLineage.Direction.SUSPECT_FROM_REFERENCE,
                        0.9282,
                        0.9995,
                        2400,
                        12,
                        List.of("Привет", "мир", "日本語", "東京", "नमस्ते", "hello", "123", "Ελλάδα"),
                        "suspect keeps the reference's tokens in order and appends 2400",
                        new TokenizerLineage.OrderEvidence(30_000, 29_985, 173.1),
                        new TokenizerLineage.SpecialTokens(
                                true, 3, 1, List.of("<|user|>", "<|assistant|>", "<|end|>"), List.of("<pad>"), 994)),
                0.0,
                List.of("No weights: only tokenizer lineage can be reported."),
                List.of(),
                null,
                new SamplingInfo(null, 42, 0, 0, "no weights read", 0, 0, List.of(), null, List.of()),
                Thresholds.DEFAULT);
    }

    /** (c) with hostile strings in every input-derived field. */
    public static ComparisonResult hostile() {
        ComparisonResult c = transplant();
        ModelSummary s = new ModelSummary(
                "/models/" + HOSTILE + "/x & y",
                "hf-directory",
                HOSTILE,
                c.suspect().parameters());
        ModelSummary r = new ModelSummary(
                "/m/\"quoted\" 'name' " + HOSTILE,
                "safetensors",
                "a<b>c",
                c.reference().parameters());
        List<ComponentResult> comps = new ArrayList<>(c.components());
        comps.add(new ComponentResult(
                HOSTILE,
                ComponentKind.OTHER,
                1,
                Verdict.INCONCLUSIVE,
                null,
                List.of(new Evidence(HOSTILE + ".pearson", null, null, HOSTILE)),
                HOSTILE));
        return new ComparisonResult(
                c.schema(),
                s,
                r,
                c.verdict(),
                c.log10p(),
                comps,
                c.layerMap(),
                new TokenizerLineage(
                        TokenizerLineage.Relation.DERIVED,
                        TokenizerLineage.Direction.SUSPECT_FROM_REFERENCE,
                        0.5,
                        0.9,
                        3,
                        1,
                        List.of(HOSTILE, "|pipe|", "`tick`", "[link](http://x)", "a\u0000b"),
                        HOSTILE,
                        new TokenizerLineage.OrderEvidence(10, 9, 2.85),
                        new TokenizerLineage.SpecialTokens(true, 2, 0, List.of(HOSTILE, "|pipe|"), List.of(), 0)),
                c.sharedParameterFraction(),
                List.of(HOSTILE),
                List.of(
                        c.layerEvidence().get(0),
                        new LayerEvidenceMatrix(
                                HOSTILE,
                                List.of(0, 1),
                                List.of(0, 1),
                                List.of(List.of(-1.0, -2.0), List.of(-3.0, -4.0)))),
                c.customisation(),
                c.sampling(),
                c.thresholds());
    }

    public static ReportContext context(ComparisonResult r, List<LineageClaim> claims, String referenceName) {
        return ReportContext.builder()
                .commandLine("pedigree compare " + r.suspect().source() + " "
                        + r.reference().source() + " --html report.html")
                .pedigreeVersion("0.1.0-SNAPSHOT")
                .inputHashes(List.of(
                        new FileHash("suspect", r.suspect().source(), "a".repeat(64)),
                        new FileHash("reference", r.reference().source(), "b".repeat(64))))
                .declaredClaims(claims)
                .referenceName(referenceName)
                .languageFitness(List.of(
                        new LanguageFitnessRow("suspect", 0.31, 1.42, "English sample"),
                        new LanguageFitnessRow("reference", 0.33, 1.51, "English sample")))
                .build();
    }
}
