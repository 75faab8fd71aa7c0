package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.testkit.JsonContracts;
import dev.pedigree.testkit.RealModels;
import dev.pedigree.testkit.SharedFixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Black-box tests of {@code pedigree compare} on the real Maven Central models. */
class CompareCliTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private JsonNode compare(int expectedExit, String... args) throws Exception {
        Path out = dir.resolve("result.json");
        String[] full = new String[args.length + 3];
        full[0] = "compare";
        System.arraycopy(args, 0, full, 1, args.length);
        full[args.length + 1] = "--json";
        full[args.length + 2] = out.toString();
        Cli r = Cli.run(full);
        assertThat(r.exit()).as(r.out() + r.err()).isEqualTo(expectedExit);
        String json = Files.readString(out);
        assertThat(JsonContracts.validate(JsonContracts.COMPARE, json)).isEmpty();
        return JSON.readTree(json);
    }

    @Test
    void int8QuantisationOfARealModelSharesLineageInEveryComponent() throws Exception {
        JsonNode n = compare(
                ExitCode.SHARED_LINEAGE.code(),
                RealModels.directory(RealModels.ALL_MINILM_L6_V2_Q).toString(),
                RealModels.directory(RealModels.ALL_MINILM_L6_V2).toString());
        assertThat(n.get("verdict").asText()).isEqualTo("SHARED_LINEAGE");
        assertThat(n.get("shared_parameter_fraction").asDouble()).isEqualTo(1.0);
        for (JsonNode c : n.get("components")) {
            assertThat(c.get("verdict").asText()).as(c.get("name").asText()).isEqualTo("SHARED_LINEAGE");
            assertThat(c.get("log10_p").asDouble()).as(c.get("name").asText()).isLessThan(-12);
        }
        assertThat(n.get("tokenizer").get("relation").asText()).isEqualTo("IDENTICAL");
        assertThat(n.get("layer_map")).hasSize(6);
    }

    @Test
    void aModelComparedWithItselfSharesLineage() throws Exception {
        Path m = RealModels.onnx(RealModels.ALL_MINILM_L6_V2);
        JsonNode n = compare(ExitCode.SHARED_LINEAGE.code(), m.toString(), m.toString(), "--sample", "128");
        for (JsonNode c : n.get("components")) {
            assertThat(c.get("log10_p").asDouble()).as(c.get("name").asText()).isLessThan(-12);
        }
        assertThat(n.get("sampling").get("sample_rows").asInt()).isEqualTo(128);
    }

    @Test
    void tokenizerOnlyComparisonExitsWithTheTokenizerRelation() throws Exception {
        // No weights: the tokenizer relation is the answer and the exit code; the JSON verdict is the weights' own.
        Path json = SharedFixtures.file("hf-tokenizers/gpt-3.5-turbo.tokenizer.json");
        Path tik = SharedFixtures.file("tiktoken/cl100k_base.tiktoken");
        JsonNode n = compare(ExitCode.SHARED_LINEAGE.code(), json.toString(), tik.toString());
        assertThat(n.get("verdict").asText()).isEqualTo("INCONCLUSIVE");
        assertThat(n.get("log10_p").isNull()).isTrue();
        assertThat(n.get("tokenizer").get("relation").asText()).isEqualTo("IDENTICAL");
    }

    @Test
    void badSampleIsUsageError() {
        Cli r = Cli.run("compare", "a", "b", "--sample", "2");
        assertThat(r.exit()).isEqualTo(ExitCode.USAGE.code());
    }
}
