package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.format.safetensors.SafetensorsWriter;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import dev.pedigree.testkit.RealModels;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 4's acceptance set: report, summary and BOM for (a) a real model vs its int8 quantisation,
 * (b) two real models of different families, (c) a simulated multimodal model whose vision tower is
 * transplanted from another model, (d) a tokenizer-only comparison. Artifacts land in
 * {@code target/acceptance/<case>/}; with Chromium present, screenshots of (a) and (c) too.
 */
class AcceptanceArtifactsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static Path out;

    @BeforeAll
    static void dir() throws Exception {
        out = Path.of("target", "acceptance").toAbsolutePath();
        Files.createDirectories(out);
    }

    private static JsonNode run(String name, String suspect, String reference, String... extra) throws Exception {
        Path d = out.resolve(name);
        Files.createDirectories(d);
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of(
                "compare",
                suspect,
                reference,
                "--json",
                d.resolve("result.json").toString(),
                "--html",
                d.resolve("report.html").toString(),
                "--markdown",
                d.resolve("report.md").toString(),
                "--cyclonedx",
                d.resolve("bom.cdx.json").toString()));
        args.addAll(java.util.List.of(extra));
        Cli r = Cli.run(args.toArray(String[]::new));
        assertThat(r.exit()).as(r.err()).isIn(10, 11, 12);
        Files.writeString(d.resolve("terminal.txt"), r.out());
        return JSON.readTree(Files.readString(d.resolve("result.json")));
    }

    @Test
    void a_realModelVersusItsInt8Quantisation() throws Exception {
        JsonNode n = run(
                "a-int8",
                RealModels.directory(RealModels.ALL_MINILM_L6_V2_Q).toString(),
                RealModels.directory(RealModels.ALL_MINILM_L6_V2).toString(),
                "--sample",
                "128");
        assertThat(n.get("verdict").asText()).isEqualTo("SHARED_LINEAGE");
        screenshot("a-int8");
    }

    @Test
    void b_twoRealModelsOfDifferentFamilies() throws Exception {
        JsonNode n = run(
                "b-unrelated",
                RealModels.directory(RealModels.BGE_SMALL_ZH_V15).toString(),
                RealModels.directory(RealModels.ALL_MINILM_L6_V2).toString(),
                "--sample",
                "128");
        // Different widths (512 vs 384) and vocabularies: never a false SHARED_LINEAGE.
        assertThat(n.get("verdict").asText()).isNotEqualTo("SHARED_LINEAGE");
    }

    @Test
    void c_transplantedVisionTower() throws Exception {
        Path ref = out.resolve("models/reference-vlm");
        Path sus = out.resolve("models/suspect-vlm");
        writeTransplantPair(sus, ref);
        JsonNode n = run("c-transplant", sus.toString(), ref.toString());
        Map<String, String> verdicts = new LinkedHashMap<>();
        n.get("components")
                .forEach(c ->
                        verdicts.put(c.get("name").asText(), c.get("verdict").asText()));
        assertThat(verdicts).containsEntry("vision", "SHARED_LINEAGE").containsEntry("text", "INDEPENDENT");
        assertThat(verdicts.get("embeddings")).isNotEqualTo("SHARED_LINEAGE");
        screenshot("c-transplant");
    }

    @Test
    void d_tokenizerOnly() throws Exception {
        JsonNode n = run(
                "d-tokenizers",
                SharedFixtures.file("hf-tokenizers/gpt-3.5-turbo.tokenizer.json")
                        .toString(),
                SharedFixtures.file("tiktoken/cl100k_base.tiktoken").toString());
        assertThat(n.get("verdict").asText()).isEqualTo("INCONCLUSIVE");
        assertThat(n.get("tokenizer").get("relation").asText()).isEqualTo("IDENTICAL");
    }

    // --- generated multimodal models -------------------------------------------------------------

    private static final int D_TEXT = 64;
    private static final int D_VISION = 48;

    private static float[] gaussian(SplittableRandom r, int n, double sd) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (r.nextGaussian() * sd);
        }
        return v;
    }

    private static float[] gains(SplittableRandom r, int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) (1 + 0.05 * r.nextGaussian());
        }
        return v;
    }

    private static Map<String, float[]> textModel(SplittableRandom r) {
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put("model.embed_tokens.weight|512x64", gaussian(r, 512 * D_TEXT, 0.02));
        for (int l = 0; l < 4; l++) {
            String p = "model.layers." + l + ".";
            t.put(p + "input_layernorm.weight|64", gains(r, D_TEXT));
            for (String q : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
                t.put(p + "self_attn." + q + ".weight|64x64", gaussian(r, D_TEXT * D_TEXT, 0.02));
            }
            t.put(p + "post_attention_layernorm.weight|64", gains(r, D_TEXT));
            t.put(p + "mlp.gate_proj.weight|128x64", gaussian(r, 128 * D_TEXT, 0.02));
            t.put(p + "mlp.up_proj.weight|128x64", gaussian(r, 128 * D_TEXT, 0.02));
            t.put(p + "mlp.down_proj.weight|64x128", gaussian(r, 128 * D_TEXT, 0.02));
        }
        t.put("model.norm.weight|64", gains(r, D_TEXT));
        t.put("lm_head.weight|512x64", gaussian(r, 512 * D_TEXT, 0.02));
        return t;
    }

    private static Map<String, float[]> visionTower(SplittableRandom r) {
        Map<String, float[]> t = new LinkedHashMap<>();
        String p = "vision_tower.vision_model.";
        t.put(p + "embeddings.patch_embedding.weight|48x48", gaussian(r, 48 * 48, 0.02));
        t.put(p + "embeddings.position_embedding.weight|17x48", gaussian(r, 17 * 48, 0.02));
        for (int l = 0; l < 4; l++) {
            String b = p + "encoder.layers." + l + ".";
            t.put(b + "layer_norm1.weight|48", gains(r, D_VISION));
            for (String q : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
                t.put(b + "self_attn." + q + ".weight|48x48", gaussian(r, 48 * 48, 0.02));
                t.put(b + "self_attn." + q + ".bias|48", gaussian(r, 48, 0.02));
            }
            t.put(b + "layer_norm2.weight|48", gains(r, D_VISION));
            t.put(b + "mlp.fc1.weight|192x48", gaussian(r, 192 * 48, 0.02));
            t.put(b + "mlp.fc2.weight|48x192", gaussian(r, 192 * 48, 0.02));
        }
        t.put(p + "post_layernorm.weight|48", gains(r, D_VISION));
        return t;
    }

    private static Map<String, float[]> projector(SplittableRandom r) {
        Map<String, float[]> t = new LinkedHashMap<>();
        t.put("multi_modal_projector.linear_1.weight|64x48", gaussian(r, 64 * 48, 0.02));
        t.put("multi_modal_projector.linear_2.weight|64x64", gaussian(r, 64 * 64, 0.02));
        return t;
    }

    /**
     * Two LLaVA-style directories whose text models and projectors are independent and whose vision
     * towers are one tower (the suspect's lightly fine-tuned): a transplanted tower.
     */
    static void writeTransplantPair(Path suspect, Path reference) throws Exception {
        Map<String, float[]> vision = visionTower(new SplittableRandom(1));
        writeVlm(reference, textModel(new SplittableRandom(2)), vision, projector(new SplittableRandom(3)), 0);
        writeVlm(suspect, textModel(new SplittableRandom(4)), vision, projector(new SplittableRandom(5)), 0.05);
    }

    /** Writes a LLaVA-style directory; the vision tower gets relative noise {@code visionNoise} (a fine-tune). */
    private static void writeVlm(
            Path dir,
            Map<String, float[]> text,
            Map<String, float[]> vision,
            Map<String, float[]> proj,
            double visionNoise)
            throws Exception {
        Files.createDirectories(dir);
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        SplittableRandom noise = new SplittableRandom(99);
        for (Map<String, float[]> part : java.util.List.of(text, vision, proj)) {
            for (var e : part.entrySet()) {
                String[] nameShape = e.getKey().split("\\|");
                long[] shape = java.util.Arrays.stream(nameShape[1].split("x"))
                        .mapToLong(Long::parseLong)
                        .toArray();
                float[] v = e.getValue().clone();
                if (part == vision && visionNoise > 0) {
                    for (int i = 0; i < v.length; i++) {
                        v[i] += (float) (visionNoise * Math.abs(v[i] == 0 ? 0.02 : v[i]) * noise.nextGaussian());
                    }
                }
                w.add(nameShape[0], DType.F32, Shape.of(shape), v);
            }
        }
        w.write(dir.resolve("model.safetensors"));
        Files.writeString(
                dir.resolve("config.json"),
                "{\"model_type\": \"llava\", \"text_config\": {\"model_type\": \"llama\", \"hidden_size\": 64, \"num_attention_heads\": 4, \"num_key_value_heads\": 4, \"intermediate_size\": 128, \"num_hidden_layers\": 4}, \"vision_config\": {\"hidden_size\": 48}}");
        Files.writeString(dir.resolve("README.md"), "---\nbase_model: acme/own-llm-7b\n---\n# A VLM\n");
    }

    // --- screenshots -----------------------------------------------------------------------------

    private static void screenshot(String name) throws Exception {
        Path chromium = Path.of("/usr/bin/chromium");
        Assumptions.assumeTrue(Files.isExecutable(chromium), "skipped screenshot: Chromium is not installed");
        Path html = out.resolve(name).resolve("report.html");
        Path png = out.resolve(name).resolve("screenshot.png");
        Path profile = Files.createTempDirectory("chromium-profile");
        Process p = new ProcessBuilder(
                        chromium.toString(),
                        "--headless",
                        "--no-sandbox",
                        "--disable-gpu",
                        "--disable-quic",
                        "--no-first-run",
                        "--disable-background-networking",
                        "--disable-component-update",
                        "--disable-sync",
                        "--user-data-dir=" + profile,
                        "--window-size=1280,2600",
                        "--screenshot=" + png,
                        html.toUri().toString())
                .redirectErrorStream(true)
                .redirectOutput(out.resolve(name).resolve("chromium.log").toFile())
                .start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(png).exists();
    }
}
