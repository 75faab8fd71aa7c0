package dev.pedigree.report.bom;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.report.Cases;
import dev.pedigree.report.FileHash;
import dev.pedigree.report.ReportContext;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The BOM's subject: display name, purl, version and licences from real folders; no absolute path of an input. */
class BomIdentityTest {
    static final ObjectMapper M = new ObjectMapper();

    @TempDir
    Path tmp;

    static ComparisonResult withSources(ComparisonResult c, String suspect, String reference) {
        ModelSummary s = c.suspect();
        ModelSummary r = c.reference();
        return new ComparisonResult(
                c.schema(),
                new ModelSummary(suspect, s.format(), s.architecture(), s.parameters()),
                new ModelSummary(reference, r.format(), r.architecture(), r.parameters()),
                c.verdict(),
                c.log10p(),
                c.components(),
                c.layerMap(),
                c.tokenizer(),
                c.sharedParameterFraction(),
                c.warnings(),
                c.layerEvidence(),
                c.customisation(),
                c.sampling(),
                c.thresholds());
    }

    /** A model folder with two weight files and a model card; returns the folder. */
    private static Path folder(Path dir, String card) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("README.md"), card);
        Files.writeString(dir.resolve("model-00001-of-00002.safetensors"), "x");
        Files.writeString(dir.resolve("model-00002-of-00002.safetensors"), "y");
        return dir;
    }

    private static String bom(ComparisonResult r, Path suspect, Path reference) {
        ReportContext ctx = ReportContext.builder()
                .pedigreeVersion("test")
                .inputHashes(List.of(
                        new FileHash(
                                "reference",
                                reference.resolve("model.safetensors").toString(),
                                "3".repeat(64)),
                        new FileHash(
                                "suspect",
                                suspect.resolve("model-00001-of-00002.safetensors")
                                        .toString(),
                                "1".repeat(64)),
                        new FileHash(
                                "suspect",
                                suspect.resolve("model-00002-of-00002.safetensors")
                                        .toString(),
                                "2".repeat(64))))
                .declaredClaims(Cases.transplantClaims())
                .build();
        BomContext c = BomContext.of(ctx, suspect.toString(), reference.toString(), reference.toString());
        return CycloneDxBom.render(withSources(r, suspect.toString(), reference.toString()), c);
    }

    @Test
    void huggingFaceCacheSnapshotGivesPurlVersionAndCardLicence() throws Exception {
        String commit = "0123456789abcdef0123456789abcdef01234567";
        Path suspect = folder(
                tmp.resolve("hub/models--acme--vlm-7b/snapshots/" + commit),
                "---\nlicense: apache-2.0\nbase_model: Qwen/Qwen2-7B\n---\n# acme/vlm-7b\n");
        Path reference = folder(tmp.resolve("models/clip-vit-large-patch14"), "no front matter\n");
        String json = bom(Cases.transplant(), suspect, reference);
        CycloneDxBomTest.assertValid(json);
        JsonNode model = M.readTree(json).at("/metadata/component");
        assertThat(model.get("name").asText()).isEqualTo("acme/vlm-7b");
        assertThat(model.get("version").asText()).isEqualTo(commit);
        assertThat(model.get("purl").asText()).isEqualTo("pkg:huggingface/acme/vlm-7b@" + commit);
        assertThat(model.at("/licenses/0/license/id").asText()).isEqualTo("Apache-2.0");
        assertThat(model.at("/pedigree/ancestors/0/name").asText()).isEqualTo("clip-vit-large-patch14");
        assertThat(json).doesNotContain(tmp.toString());
    }

    @Test
    void otherLicenceKeepsItsNameAndLink() throws Exception {
        Path suspect = folder(
                tmp.resolve("work/my-model"),
                "---\nlicense: other\nlicense_name: acme-research-licence\nlicense_link: https://acme.example/licence\n---\n");
        Path reference = folder(tmp.resolve("work/base"), "---\nlicense: [mit]\n---\n");
        String json = bom(Cases.int8(), suspect, reference);
        CycloneDxBomTest.assertValid(json);
        JsonNode model = M.readTree(json).at("/metadata/component");
        assertThat(model.get("name").asText()).isEqualTo("my-model");
        assertThat(model.has("purl")).isFalse();
        assertThat(model.at("/licenses/0/license/name").asText()).isEqualTo("acme-research-licence");
        assertThat(model.at("/licenses/0/license/url").asText()).isEqualTo("https://acme.example/licence");
    }

    @Test
    void noBomContainsAnAbsolutePathOfItsInputs() throws Exception {
        Path suspect = folder(tmp.resolve("analyst/home/suspect-model"), "---\nlicense: mit\n---\n");
        Path reference = folder(tmp.resolve("analyst/home/reference-model"), "---\nlicense: mit\n---\n");
        for (ComparisonResult r :
                List.of(Cases.transplant(), Cases.int8(), Cases.unrelated(), Cases.tokenizerOnly(), Cases.hostile())) {
            String json = bom(r, suspect, reference);
            CycloneDxBomTest.assertValid(json);
            assertThat(json).doesNotContain(tmp.toString()).doesNotContain("analyst/home");
            JsonNode model = M.readTree(json).at("/metadata/component");
            assertThat(model.get("name").asText()).isEqualTo("suspect-model");
        }
        // the same through BomContext.EMPTY: names come from the results' sources alone
        String bare = CycloneDxBom.render(
                withSources(Cases.transplant(), suspect.toString(), reference.toString()), BomContext.EMPTY);
        assertThat(bare).doesNotContain(tmp.toString());
    }

    @Test
    void identities() {
        assertThat(ModelIdentity.of("hf:intfloat/e5-small-v2@main").purl())
                .isEqualTo("pkg:huggingface/intfloat/e5-small-v2@main");
        assertThat(ModelIdentity.of("https://huggingface.co/BAAI/bge-small-en-v1.5/resolve/5c38ec7c/model.safetensors"))
                .isEqualTo(new ModelIdentity("BAAI/bge-small-en-v1.5", "BAAI/bge-small-en-v1.5", "5c38ec7c"));
        assertThat(ModelIdentity.of("/home/me/models/e5-small-v2/").displayName())
                .isEqualTo("e5-small-v2");
        assertThat(ModelIdentity.of("acme/vlm-7b")).isEqualTo(new ModelIdentity("acme/vlm-7b", null, null));
        assertThat(ModelIdentity.of("hf:a b/c").purl()).isNull();
    }
}
