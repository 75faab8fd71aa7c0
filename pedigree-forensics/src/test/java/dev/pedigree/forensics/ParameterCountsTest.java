package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParameterCountsTest {
    @Test
    void countsLogicalParametersPerComponent() {
        Config c = Config.smallDecoder();
        SimModel m = SyntheticTransformer.random("m", c, 1);
        Map<Component, Long> by = ParameterCounts.byComponent(m.toView());
        int d = c.hidden();
        int kv = d / c.heads() * c.kvHeads();
        long perBlock = 2L * d * d + 2L * kv * d + 3L * c.mlp() * d + 2L * d;
        assertThat(by.get(Component.EMBEDDINGS)).isEqualTo((long) c.vocab() * d);
        assertThat(by.get(Component.LM_HEAD)).isEqualTo((long) c.vocab() * d);
        assertThat(by.get(Component.TEXT_DECODER)).isEqualTo(perBlock * c.layers() + d);
        assertThat(ParameterCounts.total(m.toView())).isEqualTo(2L * c.vocab() * d + perBlock * c.layers() + d);
        assertThat(ParameterCounts.byBlock(m.tensors().stream()
                        .map(t -> (dev.pedigree.model.TensorRef) t)
                        .toList()))
                .containsEntry(new Block("text", 0), perBlock);
    }

    @Test
    void quantisationScalesAndBuffersAreNotParameters() {
        var view = BasicModelView.builder("x", ModelFormat.ONNX)
                .tensor(new ArrayTensor(
                        "w",
                        Shape.of(4, 8),
                        TensorAddress.of(Component.TEXT_ENCODER, 0, Role.MLP_UP, Part.WEIGHT),
                        new float[32]))
                .tensor(new ArrayTensor(
                        "w_scale",
                        Shape.of(4),
                        TensorAddress.of(Component.TEXT_ENCODER, 0, Role.MLP_UP, Part.QUANT_SCALE),
                        new float[4]))
                .tensor(new ArrayTensor(
                        "ids",
                        Shape.of(1, 16),
                        TensorAddress.of(Component.TEXT_ENCODER, null, Role.OTHER, Part.BUFFER),
                        new float[16]))
                .tensor(new ArrayTensor(
                        "b",
                        Shape.of(4),
                        TensorAddress.of(Component.TEXT_ENCODER, 0, Role.MLP_UP, Part.BIAS),
                        new float[4]))
                .build();
        assertThat(ParameterCounts.total(view)).isEqualTo(36);
    }

    @Test
    void tiedHeadIsCountedOnce() {
        Config c = Config.smallDecoder();
        SimModel m = SyntheticTransformer.random("m", c, 1);
        var hints = new dev.pedigree.model.ArchitectureHints(
                "llama", c.hidden(), c.heads(), c.kvHeads(), null, c.mlp(), c.layers(), true);
        var view = BasicModelView.builder("x", ModelFormat.SAFETENSORS)
                .hints(hints)
                .tensors(m.tensors())
                .build();
        assertThat(ParameterCounts.byComponent(view)).doesNotContainKey(Component.LM_HEAD);
    }
}
