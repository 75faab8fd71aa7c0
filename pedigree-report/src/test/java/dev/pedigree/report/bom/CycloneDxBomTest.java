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

    static void assertValid(String json) throws Exception {
        List<ParseException> errors =
                new JsonParser().validate(json.getBytes(StandardCharsets.UTF_8), Version.VERSION_16);
        assertThat(errors)
                .as(() -> errors.stream().map(Throwable::getMessage).toList().toString())
                .isEmpty();
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
        JsonNode model = root.at("/components/0");
        assertThat(model.get("type").asText()).isEqualTo("machine-learning-model");
        assertThat(model.get("bom-ref").asText()).isEqualTo(CycloneDxBom.SUSPECT_REF);
        assertThat(model.get("name").asText()).isEqualTo("acme/vlm-7b");
        // Two suspect files → nested file components with their hashes.
        assertThat(model.at("/components/0/type").asText()).isEqualTo("file");
        assertThat(model.at("/components/1/hashes/0/alg").asText()).isEqualTo("SHA-256");
        assertThat(model.at("/components/1/hashes/0/content").asText()).isEqualTo("2".repeat(64));
        assertThat(model.at("/modelCard/modelParameters/modelArchitecture").asText())
                .isEqualTo("LlavaForConditionalGeneration");
        Map<String, String> card = props(model.get("modelCard"));
        assertThat(card)
                .containsEntry("pedigree:model:parameters", "6752000000")
                .containsEntry("pedigree:model:format", "hf-directory")
                .containsEntry("pedigree:model:component:vision:kind", "vision_encoder")
                .containsEntry("pedigree:model:component:vision:parameters", "632000000");
        // Verified: pedigree.ancestors.
        JsonNode anc = model.at("/pedigree/ancestors/0");
        assertThat(anc.get("type").asText()).isEqualTo("machine-learning-model");
        assertThat(anc.get("name").asText()).isEqualTo("openai/clip-vit-large-patch14");
        assertThat(anc.at("/hashes/0/content").asText()).isEqualTo("3".repeat(64));
        Map<String, String> a = props(anc);
        assertThat(a)
                .containsEntry("pedigree:lineage:status", "verified")
                .containsEntry("pedigree:lineage:components", "vision")
                .containsEntry("pedigree:lineage:log10_p", "-412.7")
                .containsEntry("pedigree:lineage:inherited_parameter_fraction", "0.0936")
                .containsEntry("pedigree:lineage:declared", "false");
        assertThat(a.get("pedigree:lineage:tests"))
                .isEqualTo("mlp.up.match,attn.q.pearson,norm.attn_norm.centred,blocks.fisher_exact,blocks.cauchy_all");
        // Declared but not verified: properties only, never an ancestor.
        Map<String, String> p = props(model);
        assertThat(p)
                .containsEntry("pedigree:lineage:declared:0:relation", "base_model")
                .containsEntry("pedigree:lineage:declared:0:value", "Qwen/Qwen2-7B")
                .containsEntry("pedigree:lineage:declared:0:status", "not_tested")
                .containsEntry("pedigree:comparison:0:verdict", "SHARED_LINEAGE")
                .containsEntry("pedigree:comparison:0:reference", "openai/clip-vit-large-patch14");
        assertThat(model.at("/pedigree/ancestors").size()).isEqualTo(1);
        assertThat(json).doesNotContain("Qwen2-7B\",\n        \"type\"");
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
        JsonNode model = M.readTree(json).at("/components/0");
        assertThat(model.has("pedigree")).isFalse();
        assertThat(model.at("/hashes/0/content").asText()).isEqualTo("a".repeat(64));
        assertThat(props(model))
                .containsEntry("pedigree:lineage:declared:0:status", "contradicted")
                .containsEntry("pedigree:comparison:0:verdict", "INDEPENDENT")
                .containsEntry("pedigree:file", "model.onnx");
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
        assertThat(props(M.readTree(a).at("/components/0/pedigree/ancestors/0")))
                .containsEntry("pedigree:lineage:declared", "true")
                .containsEntry("pedigree:lineage:components", "text,embeddings");
        String d = CycloneDxBom.render(Cases.tokenizerOnly(), BomContext.EMPTY);
        assertValid(d);
        assertThat(M.readTree(d).at("/components/0/modelCard/modelParameters").isMissingNode())
                .isTrue();
    }

    @Test
    void severalReferencesAndHostileStrings() throws Exception {
        String json = CycloneDxBom.render(
                List.of(Cases.hostile(), Cases.hostile()),
                new BomContext(Cases.HOSTILE, Cases.HOSTILE, List.of(), null, Map.of(), Cases.HOSTILE, null));
        assertValid(json);
        assertThat(M.readTree(json).at("/components/0/name").asText()).isEqualTo(Cases.HOSTILE);
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
    }
}
