package dev.pedigree.report.bom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.model.LineageClaim;
import dev.pedigree.report.Cases;
import dev.pedigree.report.FileHash;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.cyclonedx.Version;
import org.cyclonedx.exception.ParseException;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.Test;

class CycloneDxBomTest {
    static final ObjectMapper M = new ObjectMapper();

    static BomContext transplantContext() {
        return new BomContext(
                "acme/vlm-7b",
                "rev-1",
                List.of(
                        new FileHash("suspect", "model-00001-of-00002.safetensors", "1".repeat(64)),
                        new FileHash("suspect", "model-00002-of-00002.safetensors", "2".repeat(64)),
                        new FileHash("reference", "model.safetensors", "3".repeat(64))),
                Cases.transplantClaims(),
                Map.of("/models/openai/clip-vit-large-patch14", "openai/clip-vit-large-patch14"),
                "0.1.0-SNAPSHOT",
                null);
    }

    /** Valid under two independent validators of the official CycloneDX 1.6 JSON schema. */
    static void assertValid(String json) throws Exception {
        List<ParseException> errors =
                new JsonParser().validate(json.getBytes(StandardCharsets.UTF_8), Version.VERSION_16);
        assertThat(errors)
                .as(() -> errors.stream().map(Throwable::getMessage).toList().toString())
                .isEmpty();
        assertThat(CycloneDxSchema.validate(json)).isEmpty();
    }

    /** name → value of the properties array under {@code node} (first wins). */
    static Map<String, String> props(JsonNode node) {
        Map<String, String> m = new LinkedHashMap<>();
        node.path("properties")
                .forEach(p ->
                        m.putIfAbsent(p.get("name").asText(), p.get("value").asText()));
        return m;
    }

    @Test
    void transplantBomIsValidAndRecordsVerifiedAndDeclaredLineageApart() throws Exception {
        String json = CycloneDxBom.render(Cases.transplant(), transplantContext());
        assertValid(json);
        JsonNode root = M.readTree(json);
        assertThat(root.get("bomFormat").asText()).isEqualTo("CycloneDX");
        assertThat(root.get("specVersion").asText()).isEqualTo("1.6");
        assertThat(root.get("serialNumber").asText())
                .matches("urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
        assertThat(root.path("metadata").has("timestamp")).isFalse();
        assertThat(root.at("/metadata/tools/components/0/name").asText()).isEqualTo("pedigree");
        assertThat(root.has("components")).isFalse();
        JsonNode model = root.at("/metadata/component");
        assertThat(model.get("type").asText()).isEqualTo("machine-learning-model");
        assertThat(model.get("bom-ref").asText()).isEqualTo(CycloneDxBom.SUSPECT_REF);
        assertThat(model.get("name").asText()).isEqualTo("acme/vlm-7b");
        assertThat(model.get("version").asText()).isEqualTo("rev-1");
        // One nested component per model component, then the two suspect files with their hashes.
        assertThat(model.at("/components/0/bom-ref").asText()).isEqualTo("model:suspect:component:vision");
        assertThat(model.at("/components/0/type").asText()).isEqualTo("machine-learning-model");
        assertThat(model.at("/components/0/description").asText()).startsWith("The vision encoder of acme/vlm-7b");
        assertThat(props(model.at("/components/0")))
                .containsEntry("dev.pedigree:component:kind", "vision_encoder")
                .containsEntry("dev.pedigree:component:parameters", "632000000")
                .containsEntry("dev.pedigree:comparison:0:verdict", "SHARED_LINEAGE");
        JsonNode visionAncestor = model.at("/components/0/pedigree/ancestors/0");
        assertThat(visionAncestor.get("name").asText()).isEqualTo("openai/clip-vit-large-patch14 (vision)");
        assertThat(props(visionAncestor))
                .containsEntry("dev.pedigree:lineage:status", "verified")
                .containsEntry("dev.pedigree:lineage:reference", "openai/clip-vit-large-patch14");
        assertThat(values(visionAncestor, "dev.pedigree:lineage:test")).contains("mlp.up.match", "attn.q.pearson");
        JsonNode text = component(model, "text");
        assertThat(text.has("pedigree"))
                .as("an independent text decoder has no ancestor")
                .isFalse();
        assertThat(props(text)).containsEntry("dev.pedigree:comparison:0:verdict", "INDEPENDENT");
        JsonNode files = model.get("components");
        JsonNode file = files.get(files.size() - 1);
        assertThat(file.get("type").asText()).isEqualTo("file");
        assertThat(file.get("name").asText()).isEqualTo("model-00002-of-00002.safetensors");
        assertThat(file.at("/hashes/0/alg").asText()).isEqualTo("SHA-256");
        assertThat(file.at("/hashes/0/content").asText()).isEqualTo("2".repeat(64));
        assertThat(model.at("/modelCard/modelParameters/modelArchitecture").asText())
                .isEqualTo("LlavaForConditionalGeneration");
        Map<String, String> card = props(model.get("modelCard"));
        assertThat(card)
                .containsEntry("dev.pedigree:model:parameters", "6752000000")
                .containsEntry("dev.pedigree:model:format", "hf-directory");
        // Verified: pedigree.ancestors of the whole model, related components as a list.
        JsonNode anc = model.at("/pedigree/ancestors/0");
        assertThat(anc.get("type").asText()).isEqualTo("machine-learning-model");
        assertThat(anc.get("name").asText()).isEqualTo("openai/clip-vit-large-patch14");
        assertThat(anc.at("/hashes/0/content").asText()).isEqualTo("3".repeat(64));
        Map<String, String> a = props(anc);
        assertThat(a)
                .containsEntry("dev.pedigree:lineage:status", "verified")
                .containsEntry("dev.pedigree:lineage:log10_p", "-412.7")
                .containsEntry("dev.pedigree:lineage:related_parameter_fraction", "0.0936")
                .containsEntry("dev.pedigree:lineage:declared", "false");
        assertThat(values(anc, "dev.pedigree:lineage:component")).containsExactly("vision");
        // Declared but not verified: properties only, never an ancestor.
        Map<String, String> p = props(model);
        assertThat(p)
                .containsEntry("dev.pedigree:lineage:declared:0:relation", "base_model")
                .containsEntry("dev.pedigree:lineage:declared:0:value", "Qwen/Qwen2-7B")
                .containsEntry("dev.pedigree:lineage:declared:0:status", "not_tested")
                .containsEntry("dev.pedigree:comparison:0:verdict", "SHARED_LINEAGE")
                .containsEntry("dev.pedigree:comparison:0:reference", "openai/clip-vit-large-patch14");
        assertThat(model.at("/pedigree/ancestors").size()).isEqualTo(1);
        assertThat(json).doesNotContain("\"pedigree:").doesNotContain("/models/");
    }

    /** Every value of the properties named {@code name} under {@code node}, in order. */
    static List<String> values(JsonNode node, String name) {
        List<String> out = new java.util.ArrayList<>();
        node.path("properties").forEach(p -> {
            if (p.get("name").asText().equals(name)) {
                out.add(p.get("value").asText());
            }
        });
        return out;
    }

    /** The nested component of the model component {@code name}. */
    static JsonNode component(JsonNode model, String name) {
        for (JsonNode c : model.path("components")) {
            if (c.path("bom-ref").asText().equals("model:suspect:component:" + name)) {
                return c;
            }
        }
        throw new AssertionError("no component " + name);
    }

    @Test
    void independentResultHasNoAncestorAndContradictedClaim() throws Exception {
        ComparisonResult b = Cases.unrelated();
        BomContext ctx = new BomContext(
                null,
                null,
                List.of(new FileHash("suspect", "model.onnx", "a".repeat(64))),
                List.of(new LineageClaim("base_model", "intfloat/e5-small-v2", "README.md")),
                Map.of(b.reference().source(), "intfloat/e5-small-v2"),
                null,
                null);
        String json = CycloneDxBom.render(b, ctx);
        assertValid(json);
        JsonNode model = M.readTree(json).at("/metadata/component");
        assertThat(model.get("name").asText()).isEqualTo("bge-small-en-v1.5.onnx");
        assertThat(model.has("pedigree")).isFalse();
        assertThat(model.at("/hashes/0/content").asText()).isEqualTo("a".repeat(64));
        assertThat(props(model))
                .containsEntry("dev.pedigree:lineage:declared:0:status", "contradicted")
                .containsEntry("dev.pedigree:comparison:0:verdict", "INDEPENDENT")
                .containsEntry("dev.pedigree:file", "model.onnx");
    }

    @Test
    void int8AndTokenizerOnlyAreValid() throws Exception {
        String a = CycloneDxBom.render(
                Cases.int8(),
                new BomContext(
                        null,
                        null,
                        List.of(),
                        List.of(new LineageClaim("base_model", "sentence-transformers/all-minilm-l6-v2", "card")),
                        Map.of(),
                        null,
                        null));
        assertValid(a);
        JsonNode ancestor = M.readTree(a).at("/metadata/component/pedigree/ancestors/0");
        assertThat(props(ancestor)).containsEntry("dev.pedigree:lineage:declared", "true");
        assertThat(values(ancestor, "dev.pedigree:lineage:component")).containsExactly("text", "embeddings");
        String d = CycloneDxBom.render(Cases.tokenizerOnly(), BomContext.EMPTY);
        assertValid(d);
        assertThat(M.readTree(d)
                        .at("/metadata/component/modelCard/modelParameters")
                        .isMissingNode())
                .isTrue();
    }

    @Test
    void severalReferencesAndHostileStrings() throws Exception {
        String json = CycloneDxBom.render(
                List.of(Cases.hostile(), Cases.hostile()),
                new BomContext(Cases.HOSTILE, Cases.HOSTILE, List.of(), null, Map.of(), Cases.HOSTILE, null));
        assertValid(json);
        assertThat(M.readTree(json).at("/metadata/component/name").asText()).isEqualTo(Cases.HOSTILE);
        assertThatThrownBy(() -> CycloneDxBom.render(List.of(Cases.int8(), Cases.transplant()), BomContext.EMPTY))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> CycloneDxBom.render(List.of(), BomContext.EMPTY))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void deterministicSerialFromContentAndTimestampOnlyWhenGiven() throws Exception {
        String a = CycloneDxBom.render(Cases.transplant(), transplantContext());
        String b = CycloneDxBom.render(Cases.transplant(), transplantContext());
        assertThat(b).isEqualTo(a);
        String other = CycloneDxBom.render(Cases.int8(), BomContext.EMPTY);
        assertThat(M.readTree(other).get("serialNumber").asText())
                .isNotEqualTo(M.readTree(a).get("serialNumber").asText());
        BomContext t = transplantContext();
        String stamped = CycloneDxBom.render(
                Cases.transplant(),
                new BomContext(
                        t.suspectName(),
                        t.suspectVersion(),
                        t.files(),
                        t.declaredClaims(),
                        t.referenceNames(),
                        t.pedigreeVersion(),
                        Instant.parse("2026-11-28T04:00:00Z")));
        assertValid(stamped);
        assertThat(M.readTree(stamped).at("/metadata/timestamp").asText()).isEqualTo("2026-11-28T04:00:00Z");
        assertThat(M.readTree(stamped).get("serialNumber").asText())
                .isNotEqualTo(M.readTree(a).get("serialNumber").asText());
    }

    @Test
    void validatorRejectsABrokenBom() throws Exception {
        String json = CycloneDxBom.render(Cases.transplant(), transplantContext())
                .replace("\"machine-learning-model\"", "\"not-a-type\"");
        assertThat(new JsonParser().validate(json.getBytes(StandardCharsets.UTF_8), Version.VERSION_16))
                .isNotEmpty();
        assertThat(CycloneDxSchema.validate(json)).isNotEmpty();
        String badLicence = CycloneDxBom.render(Cases.int8(), BomContext.EMPTY)
                .replace(
                        "\"bom-ref\" : \"model:suspect\",",
                        "\"bom-ref\" : \"model:suspect\", \"licenses\": [{\"license\": {\"id\": \"not-spdx\"}}],");
        assertThat(badLicence).contains("not-spdx");
        assertThat(CycloneDxSchema.validate(badLicence)).isNotEmpty();
    }
}
