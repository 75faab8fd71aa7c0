package dev.pedigree.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The models the start-up cache is trained on must be read the way real ones are: the ONNX copy
 * (anonymous MatMul weights stored {@code [in, out]}) names and lays out every tensor like the
 * safetensors copy, so its inspect and compare run the reader's graph walk and transposed decode.
 */
class AotTrainingTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void theOnnxTrainingModelReadsAsTheSameWeightsAsItsSafetensorsCopy() throws Exception {
        SimModel m = SyntheticTransformer.random("base", SyntheticTransformer.Config.smallDecoder(), 1);
        Map<String, JsonNode> st = tensors(AotTraining.save(m, dir.resolve("m.safetensors")), "st.json");
        Map<String, JsonNode> onnx = tensors(AotTraining.saveOnnx(m, dir.resolve("m.onnx")), "onnx.json");
        assertThat(onnx.keySet()).isEqualTo(st.keySet());
        assertThat(onnx).containsKey("model.layers.0.self_attn.q_proj.weight");
        for (Map.Entry<String, JsonNode> e : st.entrySet()) {
            JsonNode o = onnx.get(e.getKey());
            assertThat(o.get("role")).as(e.getKey()).isEqualTo(e.getValue().get("role"));
            assertThat(o.get("layer")).as(e.getKey()).isEqualTo(e.getValue().get("layer"));
            assertThat(o.get("canonical_sha256"))
                    .as(e.getKey())
                    .isEqualTo(e.getValue().get("canonical_sha256"));
        }
    }

    /** Tensors of an inspect --json, by name. */
    private Map<String, JsonNode> tensors(String model, String json) throws Exception {
        Path out = dir.resolve(json);
        Cli r = Cli.run("inspect", model, "--json", out.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        Map<String, JsonNode> byName = new HashMap<>();
        for (JsonNode t : JSON.readTree(out.toFile()).get("tensors")) {
            byName.put(t.get("name").asText(), t);
        }
        return byName;
    }
}
