package dev.pedigree.model.naming;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.RowSliceTensor;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Splitting of fused and stacked tensors, checked value by value against parents whose element
 * {@code i} holds the value {@code i}: so row {@code r} of a {@code [rows, cols]} parent is
 * {@code r * cols .. r * cols + cols - 1}, and every part's values say exactly which parent rows
 * it took.
 */
class TensorNamingLogicalTest {

    private static ArchitectureHints hints(String arch, Integer heads, Integer kvHeads, Integer headDim) {
        return new ArchitectureHints(arch, null, heads, kvHeads, headDim, null, null, null);
    }

    /** A tensor named {@code name}, addressed by {@link TensorNaming#classify}, holding 0, 1, 2, ... */
    private static TensorRef counting(String name, ArchitectureHints h, long... dims) {
        Shape s = Shape.of(dims);
        float[] v = new float[(int) s.elementCount()];
        for (int i = 0; i < v.length; i++) {
            v[i] = i;
        }
        return new ArrayTensor(name, s, TensorNaming.classify(name, h), v);
    }

    /** The values of the given parent rows (or vector elements, cols = 1), in order. */
    private static float[] rowsOf(int cols, int... rows) {
        float[] out = new float[rows.length * cols];
        for (int i = 0; i < rows.length; i++) {
            for (int c = 0; c < cols; c++) {
                out[i * cols + c] = rows[i] * cols + c;
            }
        }
        return out;
    }

    private static int[] range(int from, int to) {
        int[] r = new int[to - from];
        for (int i = 0; i < r.length; i++) {
            r[i] = from + i;
        }
        return r;
    }

    private static float[] read(TensorRef t) throws IOException, ModelFormatException {
        return t.readAll();
    }

    @Test
    void gqaQkvIsSplitBySizesFromHints() throws Exception {
        // Phi-3-like fused qkv: 4 heads of dim 2, 2 KV heads -> q 8 rows, k 4, v 4; 3 columns.
        ArchitectureHints h = hints("phi3", 4, 2, 2);
        TensorRef qkv = counting("model.layers.1.self_attn.qkv_proj.weight", h, 16, 3);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(qkv), h);

        assertThat(parts).hasSize(3);
        assertThat(parts).allSatisfy(p -> assertThat(p).isInstanceOf(RowSliceTensor.class));
        assertThat(parts)
                .extracting(TensorRef::name)
                .containsExactly(
                        "model.layers.1.self_attn.qkv_proj.weight[q]",
                        "model.layers.1.self_attn.qkv_proj.weight[k]",
                        "model.layers.1.self_attn.qkv_proj.weight[v]");
        assertThat(parts)
                .extracting(TensorRef::address)
                .containsExactly(
                        TensorAddress.of(Component.TEXT_DECODER, 1, Role.ATTN_Q, Part.WEIGHT),
                        TensorAddress.of(Component.TEXT_DECODER, 1, Role.ATTN_K, Part.WEIGHT),
                        TensorAddress.of(Component.TEXT_DECODER, 1, Role.ATTN_V, Part.WEIGHT));
        assertThat(parts).extracting(TensorRef::shape).containsExactly(Shape.of(8, 3), Shape.of(4, 3), Shape.of(4, 3));
        assertThat(read(parts.get(0))).containsExactly(rowsOf(3, range(0, 8)));
        assertThat(read(parts.get(1))).containsExactly(rowsOf(3, range(8, 12)));
        assertThat(read(parts.get(2))).containsExactly(rowsOf(3, range(12, 16)));
    }

    @Test
    void chatGlmQkvWeightAndBiasAreSplit() throws Exception {
        // ChatGLM2: 4 heads of dim 2, multi_query_group_num 1 -> q 8, k 2, v 2.
        ArchitectureHints h = hints("chatglm", 4, 1, 2);
        TensorRef w = counting("transformer.encoder.layers.0.self_attention.query_key_value.weight", h, 12, 2);
        TensorRef b = counting("transformer.encoder.layers.0.self_attention.query_key_value.bias", h, 12);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(w, b), h);

        assertThat(parts).hasSize(6);
        assertThat(read(parts.get(0))).containsExactly(rowsOf(2, range(0, 8)));
        assertThat(read(parts.get(1))).containsExactly(rowsOf(2, 8, 9));
        assertThat(read(parts.get(2))).containsExactly(rowsOf(2, 10, 11));
        assertThat(parts.get(3).address())
                .isEqualTo(TensorAddress.of(Component.TEXT_DECODER, 0, Role.ATTN_Q, Part.BIAS));
        assertThat(parts.get(3).shape()).isEqualTo(Shape.of(8));
        assertThat(read(parts.get(3))).containsExactly(rowsOf(1, range(0, 8)));
        assertThat(read(parts.get(4))).containsExactly(8f, 9f);
        assertThat(read(parts.get(5))).containsExactly(10f, 11f);
        assertThat(parts.get(5).name())
                .isEqualTo("transformer.encoder.layers.0.self_attention.query_key_value.bias[v]");
    }

    @Test
    void qkvWithoutHintsIsSplitInThirds() throws Exception {
        TensorRef w = counting("h.0.attn.c_attn.weight", ArchitectureHints.NONE, 6, 2);
        TensorRef b = counting("h.0.attn.c_attn.bias", ArchitectureHints.NONE, 6);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(w, b), null);
        assertThat(parts)
                .extracting(p -> p.address().role())
                .containsExactly(Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V, Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V);
        assertThat(read(parts.get(0))).containsExactly(rowsOf(2, 0, 1));
        assertThat(read(parts.get(1))).containsExactly(rowsOf(2, 2, 3));
        assertThat(read(parts.get(2))).containsExactly(rowsOf(2, 4, 5));
        assertThat(read(parts.get(4))).containsExactly(2f, 3f);
    }

    @Test
    void qkvIsLeftFusedWhenRowsCannotBeSplit() {
        TensorRef odd = counting("h.0.attn.c_attn.weight", ArchitectureHints.NONE, 7, 2);
        assertThat(TensorNaming.logicalTensors(List.of(odd), null)).containsExactly(odd);
        // hints that do not add up to the rows: no guessing in the text stack
        ArchitectureHints wrong = hints("phi3", 4, 4, 4);
        TensorRef qkv = counting("model.layers.0.self_attn.qkv_proj.weight", wrong, 12, 2);
        assertThat(TensorNaming.logicalTensors(List.of(qkv), wrong)).containsExactly(qkv);
    }

    @Test
    void visionTowerQkvIgnoresTextHintsAndSplitsInThirds() throws Exception {
        // The text model is GQA (would give q 8 + k 2 + v 2 = 12 rows); the tower is MHA.
        ArchitectureHints h = hints("qwen2_vl", 4, 1, 2);
        TensorRef qkv = counting("visual.blocks.0.attn.qkv.weight", h, 12, 2);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(qkv), h);
        assertThat(parts).extracting(TensorRef::shape).containsOnly(Shape.of(4, 2));
        assertThat(parts.get(1).address()).isEqualTo(TensorAddress.of(Component.VISION, 0, Role.ATTN_K, Part.WEIGHT));
        assertThat(read(parts.get(1))).containsExactly(rowsOf(2, 4, 5, 6, 7));
    }

    @Test
    void neoxQkvIsDeinterleavedPerHead() throws Exception {
        // 2 heads of dim 2: rows [h0 q0 q1 k0 k1 v0 v1 | h1 q0 q1 k0 k1 v0 v1]
        ArchitectureHints h = hints("gpt_neox", 2, null, 2);
        TensorRef w = counting("gpt_neox.layers.3.attention.query_key_value.weight", h, 12, 3);
        TensorRef b = counting("gpt_neox.layers.3.attention.query_key_value.bias", h, 12);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(w, b), h);

        assertThat(parts).hasSize(6);
        assertThat(parts).allSatisfy(p -> assertThat(p).isInstanceOf(InterleavedRowsTensor.class));
        assertThat(parts.get(0).address())
                .isEqualTo(TensorAddress.of(Component.TEXT_DECODER, 3, Role.ATTN_Q, Part.WEIGHT));
        assertThat(parts.get(0).shape()).isEqualTo(Shape.of(4, 3));
        assertThat(read(parts.get(0))).containsExactly(rowsOf(3, 0, 1, 6, 7));
        assertThat(read(parts.get(1))).containsExactly(rowsOf(3, 2, 3, 8, 9));
        assertThat(read(parts.get(2))).containsExactly(rowsOf(3, 4, 5, 10, 11));
        assertThat(read(parts.get(3))).containsExactly(0f, 1f, 6f, 7f);
        assertThat(read(parts.get(4))).containsExactly(2f, 3f, 8f, 9f);
        assertThat(read(parts.get(5))).containsExactly(4f, 5f, 10f, 11f);
        // partial reads that cross a head boundary
        float[] dst = new float[2 * 3 + 1];
        parts.get(1).readRows(1, 2, dst, 1);
        assertThat(Arrays.copyOfRange(dst, 1, 7)).containsExactly(rowsOf(3, 3, 8));
    }

    @Test
    void neoxQkvStaysFusedWithoutHeadCounts() {
        TensorRef w = counting("gpt_neox.layers.3.attention.query_key_value.weight", ArchitectureHints.NONE, 12, 3);
        assertThat(TensorNaming.logicalTensors(List.of(w), null)).containsExactly(w);
    }

    @Test
    void falconQkvIsDeinterleavedPerKvGroup() throws Exception {
        // 4 heads, 2 KV groups, head dim 1: per group [q q k v]
        ArchitectureHints h = hints("falcon", 4, 2, 1);
        TensorRef w = counting("transformer.h.0.self_attention.query_key_value.weight", h, 8, 2);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(w), h);
        assertThat(read(parts.get(0))).containsExactly(rowsOf(2, 0, 1, 4, 5));
        assertThat(read(parts.get(1))).containsExactly(rowsOf(2, 2, 6));
        assertThat(read(parts.get(2))).containsExactly(rowsOf(2, 3, 7));
    }

    @Test
    void ggufQkvIsSequentialEvenForNeox() throws Exception {
        ArchitectureHints h = hints("gptneox", 2, null, 2);
        TensorRef w = counting("blk.0.attn_qkv.weight", h, 12, 1);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(w), h);
        assertThat(read(parts.get(0))).containsExactly(rowsOf(1, 0, 1, 2, 3));
        assertThat(read(parts.get(1))).containsExactly(rowsOf(1, 4, 5, 6, 7));
    }

    @Test
    void gateUpIsSplitInHalves() throws Exception {
        ArchitectureHints h = hints("phi3", null, null, null);
        TensorRef w = counting("model.layers.2.mlp.gate_up_proj.weight", h, 8, 2);
        TensorRef glm = counting("transformer.encoder.layers.1.mlp.dense_h_to_4h.weight", h, 4, 3);
        TensorRef gguf = counting("blk.0.ffn_up.weight", hints("chatglm", null, null, null), 6, 1);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(w, glm, gguf), h);

        assertThat(parts).hasSize(6);
        assertThat(parts.get(0).name()).isEqualTo("model.layers.2.mlp.gate_up_proj.weight[gate]");
        assertThat(parts.get(1).name()).isEqualTo("model.layers.2.mlp.gate_up_proj.weight[up]");
        assertThat(parts.get(0).address())
                .isEqualTo(TensorAddress.of(Component.TEXT_DECODER, 2, Role.MLP_GATE, Part.WEIGHT));
        assertThat(parts.get(1).address())
                .isEqualTo(TensorAddress.of(Component.TEXT_DECODER, 2, Role.MLP_UP, Part.WEIGHT));
        assertThat(read(parts.get(0))).containsExactly(rowsOf(2, 0, 1, 2, 3));
        assertThat(read(parts.get(1))).containsExactly(rowsOf(2, 4, 5, 6, 7));
        assertThat(read(parts.get(2))).containsExactly(rowsOf(3, 0, 1));
        assertThat(read(parts.get(3))).containsExactly(rowsOf(3, 2, 3));
        assertThat(parts.get(5).address().role()).isEqualTo(Role.MLP_UP);
        assertThat(read(parts.get(5))).containsExactly(3f, 4f, 5f);
    }

    @Test
    void stackedGgufExpertsBecomeOneTensorPerExpert() throws Exception {
        ArchitectureHints h = hints("qwen3moe", null, null, null);
        TensorRef w = counting("blk.5.ffn_down_exps.weight", h, 3, 2, 4); // [n_expert, out, in]
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(w), h);

        assertThat(parts).hasSize(3);
        for (int e = 0; e < 3; e++) {
            TensorRef p = parts.get(e);
            assertThat(p.name()).isEqualTo("blk.5.ffn_down_exps.weight[e" + e + "]");
            assertThat(p.address()).isEqualTo(new TensorAddress(Component.EXPERTS, 5, Role.MLP_DOWN, e, Part.WEIGHT));
            assertThat(p.shape()).isEqualTo(Shape.of(2, 4));
            assertThat(read(p)).containsExactly(rowsOf(4, 2 * e, 2 * e + 1));
        }
    }

    @Test
    void stackedGateUpExpertsAreSplitPerExpertThenInHalves() throws Exception {
        ArchitectureHints h = hints("qwen3_moe", null, null, null);
        TensorRef w = counting("model.layers.0.mlp.experts.gate_up_proj", h, 2, 4, 3);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(w), h);
        assertThat(parts)
                .extracting(TensorRef::name)
                .containsExactly(
                        "model.layers.0.mlp.experts.gate_up_proj[e0][gate]",
                                "model.layers.0.mlp.experts.gate_up_proj[e0][up]",
                        "model.layers.0.mlp.experts.gate_up_proj[e1][gate]",
                                "model.layers.0.mlp.experts.gate_up_proj[e1][up]");
        assertThat(parts.get(2).address())
                .isEqualTo(new TensorAddress(Component.EXPERTS, 0, Role.MLP_GATE, 1, Part.WEIGHT));
        assertThat(read(parts.get(0))).containsExactly(rowsOf(3, 0, 1));
        assertThat(read(parts.get(1))).containsExactly(rowsOf(3, 2, 3));
        assertThat(read(parts.get(2))).containsExactly(rowsOf(3, 4, 5));
        assertThat(read(parts.get(3))).containsExactly(rowsOf(3, 6, 7));
    }

    @Test
    void gptOssStackedGateUpIsSplitPerExpertOnly() throws Exception {
        ArchitectureHints h = hints("gpt_oss", null, null, null);
        TensorRef w = counting("model.layers.0.mlp.experts.gate_up_proj", h, 2, 4, 3);
        TensorRef b = counting("model.layers.0.mlp.experts.gate_up_proj_bias", h, 2, 3);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(w, b), h);
        assertThat(parts).hasSize(4);
        assertThat(parts.get(1).address())
                .isEqualTo(new TensorAddress(Component.EXPERTS, 0, Role.MLP_GATE_UP, 1, Part.WEIGHT));
        assertThat(read(parts.get(1))).containsExactly(rowsOf(3, 4, 5, 6, 7));
        assertThat(parts.get(3).address())
                .isEqualTo(new TensorAddress(Component.EXPERTS, 0, Role.MLP_GATE_UP, 1, Part.BIAS));
        assertThat(parts.get(3).shape()).isEqualTo(Shape.of(3));
        assertThat(read(parts.get(3))).containsExactly(3f, 4f, 5f);
    }

    @Test
    void sandwichNormsAreDetectedFromTensorNames() {
        // Gemma 2 names read without an architecture hint
        TensorRef post = counting("model.layers.0.post_attention_layernorm.weight", null, 4);
        TensorRef pre = counting("model.layers.0.pre_feedforward_layernorm.weight", null, 4);
        assertThat(post.address().role()).isEqualTo(Role.MLP_NORM);
        List<TensorRef> parts = TensorNaming.logicalTensors(List.of(post, pre), null);
        assertThat(parts.get(0).address())
                .isEqualTo(TensorAddress.of(Component.TEXT_DECODER, 0, Role.POST_ATTN_NORM, Part.WEIGHT));
        assertThat(parts.get(0).name()).isEqualTo(post.name());
        assertThat(parts.get(1)).isSameAs(pre);
        // Llama: no feed-forward norms, nothing changes
        assertThat(TensorNaming.logicalTensors(List.of(post), null)).containsExactly(post);
    }

    @Test
    void otherTensorsPassThroughInOrder() {
        ArchitectureHints h = hints("llama", 4, 2, 2);
        TensorRef q = counting("model.layers.0.self_attn.q_proj.weight", h, 8, 2);
        TensorRef scale = counting("model.layers.0.self_attn.qkv_proj.weight_scale_inv", h, 2, 1);
        TensorRef dense = counting("blk.0.ffn_gate.weight", h, 3, 2, 2); // not an expert tensor: rank kept
        TensorRef shared = counting("blk.0.ffn_up_shexp.weight", h, 4, 2);
        TensorRef unknown = counting("model.layers.0.foo.weight", h, 2);
        List<TensorRef> in = List.of(q, scale, dense, shared, unknown);
        assertThat(TensorNaming.logicalTensors(in, h)).containsExactlyElementsOf(in);
    }

    @Test
    void interleavedRowsTensorChecksItsBounds() {
        TensorRef parent = counting("x.weight", null, 6, 2);
        TensorAddress a = parent.address();
        assertThatThrownBy(() -> new InterleavedRowsTensor(parent, "p", 2, 4, 0, 2, a))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new InterleavedRowsTensor(parent, "p", 2, 3, 2, 2, a))
                .isInstanceOf(IllegalArgumentException.class);
        InterleavedRowsTensor p = new InterleavedRowsTensor(parent, "p", 2, 3, 1, 1, a);
        assertThat(p.shape()).isEqualTo(Shape.of(2, 2));
        assertThat(p.parent()).isSameAs(parent);
        assertThatThrownBy(() -> p.readRows(1, 2, new float[4], 0)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> p.readRows(0, 2, new float[3], 0)).isInstanceOf(IndexOutOfBoundsException.class);
    }
}
