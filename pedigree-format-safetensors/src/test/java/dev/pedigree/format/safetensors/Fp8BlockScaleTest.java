package dev.pedigree.format.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.ElementDecoder;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Part;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorHashes;
import dev.pedigree.model.TensorRef;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DeepSeek-V3-style FP8 weights with {@code weight_scale_inv} block scales dequantise on read. */
class Fp8BlockScaleTest {
    @TempDir
    Path dir;

    private static final int OUT = 300;
    private static final int IN = 200;

    /** Weight codes chosen so every element is distinct per block position: code = (i + 3j) mod 120. */
    private static byte[] codes(int out, int in) {
        byte[] w = new byte[out * in];
        for (int i = 0; i < out; i++) {
            for (int j = 0; j < in; j++) {
                w[i * in + j] = (byte) ((i + 3 * j) % 120);
            }
        }
        return w;
    }

    private static Map<String, TensorRef> open(ModelView v) {
        return v.tensors().stream().collect(Collectors.toMap(TensorRef::name, Function.identity()));
    }

    @Test
    void blockScalesOf128AreApplied() throws Exception {
        // [300, 200] -> scale [ceil(300/128), ceil(200/128)] = [3, 2]
        float[] scales = {0.5f, 2f, 4f, 0.25f, 1f, 8f};
        Path p = dir.resolve("fp8.safetensors");
        new SafetensorsWriter()
                .add("model.layers.0.mlp.down_proj.weight", DType.F8_E4M3, Shape.of(OUT, IN), codes(OUT, IN))
                .add("model.layers.0.mlp.down_proj.weight_scale_inv", DType.F32, Shape.of(3, 2), scales)
                .add("model.layers.0.input_layernorm.weight", DType.BF16, Shape.of(IN), new float[IN])
                .write(p);
        try (ModelView v = new SafetensorsReader().open(p)) {
            assertThat(v.warnings()).isEmpty();
            Map<String, TensorRef> t = open(v);
            SafetensorsTensor w = (SafetensorsTensor) t.get("model.layers.0.mlp.down_proj.weight");
            TensorRef s = t.get("model.layers.0.mlp.down_proj.weight_scale_inv");
            assertThat(w.blockScale()).hasValueSatisfying(b -> {
                assertThat(b.blockRows()).isEqualTo(128);
                assertThat(b.blockColumns()).isEqualTo(128);
            });
            assertThat(s.address().part()).isEqualTo(Part.QUANT_SCALE);
            assertThat(s.address().part().isParameter()).isFalse();
            assertThat(w.address().part()).isEqualTo(Part.WEIGHT);
            assertThat(s.address().withPart(Part.WEIGHT)).isEqualTo(w.address());

            float[] all = w.readAll();
            byte[] c = codes(OUT, IN);
            for (int i = 0; i < OUT; i++) {
                for (int j = 0; j < IN; j++) {
                    float expected = ElementDecoder.e4m3(c[i * IN + j]) * scales[(i / 128) * 2 + j / 128];
                    assertThat(all[i * IN + j]).as("(%d,%d)", i, j).isEqualTo(expected);
                }
            }
            // Spot values worked by hand: code (i+3j)%120 at (0,1) = 3 -> 3/8 * 2^-6; scale[0][0] = 0.5.
            assertThat(all[1]).isEqualTo(0.375f * 0x1p-6f * 0.5f);
            // (129, 130): code (129+390)%120 = 39 = 0x27 -> e=4, m=7 -> 1.875 * 2^-3; scale[1][1] = 0.25.
            assertThat(all[129 * IN + 130]).isEqualTo(1.875f * 0.125f * 0.25f);
            // Rows read from the middle of a block agree with the full read.
            float[] rows = new float[3 * IN];
            w.readRows(127, 3, rows, 0);
            assertThat(rows).containsExactly(java.util.Arrays.copyOfRange(all, 127 * IN, 130 * IN));
            // The raw hash covers the stored FP8 bytes, the canonical hash the dequantised values.
            assertThat(w.storedBytes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(c);
            assertThat(TensorHashes.canonicalSha256(w)).isNotEqualTo(unscaledCanonicalHash(c));
            assertThat(s.readAll()).containsExactly(scales);
        }
    }

    private String unscaledCanonicalHash(byte[] c) throws Exception {
        Path p = dir.resolve("unscaled.safetensors");
        new SafetensorsWriter()
                .add("w.weight", DType.F8_E4M3, Shape.of(OUT, IN), c)
                .write(p);
        try (ModelView v = new SafetensorsReader().open(p)) {
            return TensorHashes.canonicalSha256(v.tensors().getFirst());
        }
    }

    @Test
    void bf16ScalesAndOtherBlockSizesAreInferred() throws Exception {
        // [300, 200] with 64x100 blocks -> scale [5, 2]
        float[] scales = {1f, 2f, 3f, 4f, 5f, 6f, 7f, 8f, 9f, 10f};
        Path p = dir.resolve("fp8-64.safetensors");
        new SafetensorsWriter()
                .add("a.weight", DType.F8_E5M2, Shape.of(OUT, IN), codes(OUT, IN))
                .add("a.weight_scale_inv", DType.BF16, Shape.of(5, 2), scales)
                .write(p);
        try (ModelView v = new SafetensorsReader().open(p)) {
            SafetensorsTensor w = (SafetensorsTensor) open(v).get("a.weight");
            SafetensorsTensor.BlockScale b = w.blockScale().orElseThrow();
            assertThat(b.blockRows()).isEqualTo(60);
            // ceil(200/128) = 2 columns of scales, so the default edge of 128 is kept.
            assertThat(b.blockColumns()).isEqualTo(128);
            float[] row = w.readRow(299);
            byte[] c = codes(OUT, IN);
            assertThat(row[150]).isEqualTo(ElementDecoder.e5m2(c[299 * IN + 150]) * 10f);
            assertThat(row[0]).isEqualTo(ElementDecoder.e5m2(c[299 * IN]) * 9f);
        }
    }

    @Test
    void singleScaleCoversTheWholeWeight() throws Exception {
        Path p = dir.resolve("fp8-scalar.safetensors");
        new SafetensorsWriter()
                .add("b.weight", DType.F8_E4M3, Shape.of(4, 2), new byte[] {
                    0x38, 0x40, (byte) 0xB8, 0x30, 0, 0x38, 0x38, 0x38
                })
                .add("b.weight_scale_inv", DType.F32, Shape.of(), new float[] {3f})
                .write(p);
        try (ModelView v = new SafetensorsReader().open(p)) {
            assertThat(open(v).get("b.weight").readAll()).containsExactly(3f, 6f, -3f, 1.5f, 0f, 3f, 3f, 3f);
        }
    }

    @Test
    void mismatchedScaleRefusesTheWeightsValuesWithAWarning() throws Exception {
        Path p = dir.resolve("fp8-bad.safetensors");
        new SafetensorsWriter()
                .add("c.weight", DType.F8_E4M3, Shape.of(OUT, IN), codes(OUT, IN))
                .add("c.weight_scale_inv", DType.F32, Shape.of(2, 300), new float[600])
                .add("d.weight", DType.BF16, Shape.of(2, 2), new float[4])
                .add("d.weight_scale_inv", DType.F32, Shape.of(1, 1), new float[] {2f})
                .add("orphan_scale_inv", DType.F32, Shape.of(1), new float[] {2f})
                .write(p);
        try (ModelView v = new SafetensorsReader().open(p)) {
            Map<String, TensorRef> t = open(v);
            assertThat(v.warnings()).hasSize(3);
            assertThat(v.warnings())
                    .anySatisfy(
                            w -> assertThat(w).contains("c.weight_scale_inv").contains("does not tile"));
            assertThat(v.warnings())
                    .anySatisfy(w -> assertThat(w).contains("d.weight").contains("not FP8"));
            assertThat(v.warnings())
                    .anySatisfy(w -> assertThat(w).contains("orphan_scale_inv").contains("no weight"));
            assertThatThrownBy(() -> t.get("c.weight").readRow(0))
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("does not tile");
            assertThat(t.get("d.weight").readAll()).containsExactly(0f, 0f, 0f, 0f);
            assertThat(t.get("orphan_scale_inv").address().part()).isEqualTo(Part.QUANT_SCALE);
        }
    }

    @Test
    void scaleInAnotherShardIsPaired() throws Exception {
        float[] scales = {0.5f, 2f, 4f, 0.25f, 1f, 8f};
        Path index = new SafetensorsWriter()
                .add("e.weight", DType.F8_E4M3, Shape.of(OUT, IN), codes(OUT, IN))
                .add("e.weight_scale_inv", DType.F32, Shape.of(3, 2), scales)
                .writeSharded(dir.resolve("shards"), "model", 100);
        try (ModelView v = new SafetensorsReader().open(index)) {
            assertThat(v.files()).hasSize(3);
            SafetensorsTensor w = (SafetensorsTensor) open(v).get("e.weight");
            assertThat(w.blockScale()).isPresent();
            assertThat(w.readRow(200)[199]).isEqualTo(ElementDecoder.e4m3(codes(OUT, IN)[200 * IN + 199]) * 0.25f);
        }
    }

    @Test
    void blockInference() {
        assertThat(SafetensorsReader.inferBlock(Shape.of(7168, 2048), Shape.of(56, 16)))
                .containsExactly(128, 128);
        assertThat(SafetensorsReader.inferBlock(Shape.of(129, 1), Shape.of(2, 1)))
                .containsExactly(128, 128);
        assertThat(SafetensorsReader.inferBlock(Shape.of(10, 10), Shape.of(3, 3)))
                .containsExactly(4, 4);
        assertThat(SafetensorsReader.inferBlock(Shape.of(10, 10), Shape.of(11, 1)))
                .isNull();
        assertThat(SafetensorsReader.inferBlock(Shape.of(10, 10, 10), Shape.of(1, 1)))
                .isNull();
        assertThat(SafetensorsReader.inferBlock(Shape.of(300, 200), Shape.of(7, 5)))
                .containsExactly(43, 40);
        assertThat(SafetensorsReader.inferBlock(Shape.of(0, 10), Shape.of(0, 1)))
                .containsExactly(128, 128);
        assertThat(SafetensorsReader.inferBlock(Shape.of(4, 2), Shape.of())).containsExactly(4, 2);
    }
}
