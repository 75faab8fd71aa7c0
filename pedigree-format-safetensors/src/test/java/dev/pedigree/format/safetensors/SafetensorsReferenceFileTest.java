package dev.pedigree.format.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files written by the reference implementation (safetensors 0.8.0; the generating scripts sit
 * beside the resources) read back with the values that were put in, and the writer reproduces
 * the reference's bytes exactly.
 */
class SafetensorsReferenceFileTest {
    @TempDir
    Path dir;

    private Path resource(String name) throws IOException {
        try (InputStream in = getClass().getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            Path p = dir.resolve(name);
            Files.write(p, in.readAllBytes());
            return p;
        }
    }

    private static Map<String, TensorRef> byName(ModelView v) {
        Map<String, TensorRef> m = new LinkedHashMap<>();
        v.tensors().forEach(t -> m.put(t.name(), t));
        return m;
    }

    @Test
    void numpyReferenceFileReadsBackItsValues() throws Exception {
        try (ModelView v = SafetensorsReader.open(
                resource("reference-numpy.safetensors"), dev.pedigree.model.ArchitectureHints.NONE)) {
            assertThat(v.format()).isEqualTo(ModelFormat.SAFETENSORS);
            assertThat(v.metadata()).containsEntry("format", "np").containsEntry("source", "safetensors 0.8.0");
            assertThat(v.warnings()).isEmpty();
            Map<String, TensorRef> t = byName(v);
            assertThat(t).hasSize(15);
            // File order is data order, as the reference writer laid it out.
            assertThat(v.tensors().getFirst().name()).isEqualTo("u64");
            assertThat(v.tensors().getLast().name()).isEqualTo("flags");

            TensorRef emb = t.get("model.embed_tokens.weight");
            assertThat(emb.shape()).isEqualTo(Shape.of(3, 4));
            assertThat(emb.readAll()).containsExactly(-1f, -0.5f, 0f, 0.5f, 1f, 1.5f, 2f, 2.5f, 3f, 3.5f, 4f, 4.5f);
            assertThat(emb.readRow(2)).containsExactly(3f, 3.5f, 4f, 4.5f);
            float[] part = new float[6];
            emb.readRows(1, 1, part, 2);
            assertThat(part).containsExactly(0f, 0f, 1f, 1.5f, 2f, 2.5f);

            assertThat(t.get("model.layers.0.mlp.up_proj.weight").readAll())
                    .containsExactly(1f, -2f, 0.5f, 65504f, 6.1035156e-05f, -0f);
            assertThat(t.get("model.norm.weight").readAll()).containsExactly(1f, 2.5f, -3.25f);
            assertThat(t.get("i8").readAll()).containsExactly(-128f, -1f, 0f, 127f);
            assertThat(t.get("u8").readAll()).containsExactly(0f, 1f, 200f, 255f);
            assertThat(t.get("i16").readAll()).containsExactly(-32768f, 32767f);
            assertThat(t.get("u16").readAll()).containsExactly(65535f, 7f);
            assertThat(t.get("i32").readAll()).containsExactly(-2147483648f, 123456f);
            assertThat(t.get("u32").readAll()).containsExactly(4e9f);
            assertThat(t.get("i64").readAll()).containsExactly(-2f, (float) (1L << 40));
            assertThat(t.get("u64").readAll()).containsExactly(1.8446744e19f, 5f);
            assertThat(t.get("flags").readAll()).containsExactly(1f, 0f, 1f);
            assertThat(t.get("scalar").shape().rank()).isZero();
            assertThat(t.get("scalar").readAll()).containsExactly(7f);
            assertThat(t.get("empty").shape()).isEqualTo(Shape.of(0, 3));
            assertThat(t.get("empty").readAll()).isEmpty();
            TensorRef c64 = t.get("c64");
            assertThat(c64.dtype()).isEqualTo(DType.C64);
            assertThat(c64.storedBytes().byteSize()).isEqualTo(8);
            assertThatThrownBy(c64::readAll)
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("C64")
                    .hasMessageContaining("c64");
        }
    }

    @Test
    void everyDtypeOfTheReferenceWriterReadsBack() throws Exception {
        Path file = resource("all-dtypes.safetensors");
        try (ModelView v = new SafetensorsReader().open(file)) {
            Map<String, TensorRef> t = byName(v);
            assertThat(t).hasSize(20);
            Map<String, float[]> expected = new LinkedHashMap<>();
            expected.put("F64", new float[] {1.5f, -2f, 0f, 3.25f});
            expected.put("F32", new float[] {1.5f, -2f, 0f, 3.25f});
            expected.put("F16", new float[] {1f, -2f, 0.5f, 65504f});
            expected.put("BF16", new float[] {1.5f, -2f, 0f, 3.25f});
            expected.put("F8_E4M3", new float[] {1f, -2f, 0.5f, 448f});
            expected.put("F8_E5M2", new float[] {1f, -2f, 0.5f, 57344f});
            expected.put("F8_E4M3FNUZ", new float[] {1f, -2f, 0.5f, 240f});
            expected.put("F8_E5M2FNUZ", new float[] {1f, -2f, 0.5f, 57344f});
            expected.put("F8_E8M0", new float[] {1f, 2f, 0.5f, 0x1p-127f});
            expected.put("BOOL", new float[] {1f, 0f, 1f, 1f});
            expected.put("U8", new float[] {0f, 1f, 200f, 255f});
            expected.put("I8", new float[] {-128f, -1f, 0f, 127f});
            expected.put("U16", new float[] {0f, 1f, 40000f, 65535f});
            expected.put("I16", new float[] {-32768f, -1f, 0f, 32767f});
            expected.put("U32", new float[] {0f, 1f, 4e9f, 7f});
            expected.put("I32", new float[] {-2147483648f, -1f, 0f, 123456f});
            expected.put("U64", new float[] {0f, 1f, (float) (1L << 40), 5f});
            expected.put("I64", new float[] {-2f, -1f, 0f, (float) (1L << 40)});
            for (Map.Entry<String, float[]> e : expected.entrySet()) {
                TensorRef r = t.get("t_" + e.getKey());
                assertThat(r.dtype())
                        .isEqualTo(SafetensorsDType.forHeaderName(e.getKey()).modelType());
                assertThat(r.readAll()).as(e.getKey()).containsExactly(e.getValue());
            }
            TensorRef f4 = t.get("t_F4");
            assertThat(f4.dtype()).isEqualTo(DType.F4);
            assertThat(f4.shape()).isEqualTo(Shape.of(4));
            assertThat(f4.storedBytes().toArray(ValueLayout.JAVA_BYTE)).containsExactly(0x21, 0x43);
            assertThatThrownBy(f4::readAll)
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("F4");
        }
    }

    @Test
    void writerReproducesTheReferenceWritersBytes() throws Exception {
        Path file = resource("all-dtypes.safetensors");
        SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
        try (ModelView v = new SafetensorsReader().open(file)) {
            for (TensorRef t : v.tensors()) {
                w.add(t.name(), t.dtype(), t.shape(), t.storedBytes().toArray(ValueLayout.JAVA_BYTE));
            }
        }
        assertThat(w.toBytes()).isEqualTo(Files.readAllBytes(file));
    }
}
