package dev.pedigree.formats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.TensorCountLimit;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelView;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 18, tensor counts: valid files listing more empty tensors than {@link TensorCountLimit#MAX_TENSORS} are refused
 * with one error naming the file, the offset and the limit (exit 3), before anything is built per tensor; a file just
 * under the limit still opens.
 */
class TensorCountLimitTest {
    @TempDir
    Path dir;

    private static final long OVER = TensorCountLimit.MAX_TENSORS + 1;

    static byte[] safetensors(long n) {
        StringBuilder sb = new StringBuilder("{");
        for (long i = 0; i < n; i++) {
            sb.append(i == 0 ? "" : ",")
                    .append('"')
                    .append(i)
                    .append("\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}");
        }
        sb.append('}');
        while (sb.length() % 8 != 0) {
            sb.append(' ');
        }
        byte[] json = sb.toString().getBytes(StandardCharsets.US_ASCII);
        return ByteBuffer.allocate(8 + json.length)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.length)
                .put(json)
                .array();
    }

    private static void varint(ByteArrayOutputStream o, long v) {
        while ((v & ~0x7fL) != 0) {
            o.write((int) (v & 0x7f) | 0x80);
            v >>>= 7;
        }
        o.write((int) v);
    }

    private static void field(ByteArrayOutputStream o, int field, byte[] payload) {
        varint(o, (field << 3) | 2);
        varint(o, payload.length);
        o.writeBytes(payload);
    }

    /** A ModelProto whose graph holds {@code n} empty float initializers. */
    static byte[] onnx(long n) {
        ByteArrayOutputStream g = new ByteArrayOutputStream();
        for (long i = 0; i < n; i++) {
            ByteArrayOutputStream t = new ByteArrayOutputStream();
            varint(t, 1 << 3);
            varint(t, 0); // dims: 0
            varint(t, 2 << 3);
            varint(t, 1); // data_type FLOAT
            field(t, 8, ("t" + i).getBytes(StandardCharsets.US_ASCII));
            field(g, 5, t.toByteArray());
        }
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        varint(m, 1 << 3);
        varint(m, 8); // ir_version
        field(m, 7, g.toByteArray());
        return m.toByteArray();
    }

    @Test
    void safetensorsOverTheLimitIsRefusedNamingFileAndLimit() throws Exception {
        Path f = dir.resolve("many.safetensors");
        Files.write(f, safetensors(OVER));
        assertThatThrownBy(() -> ModelOpener.open(f).close())
                .isInstanceOfSatisfying(UnsupportedModelException.class, e -> {
                    assertThat(e.source()).isEqualTo(f.toString());
                    assertThat(e.getMessage())
                            .contains("limit of 200,000 tensors")
                            .contains("offset");
                });
    }

    @Test
    void safetensorsJustUnderTheLimitOpens() throws Exception {
        Path f = dir.resolve("under.safetensors");
        Files.write(f, safetensors(20_000));
        try (ModelView v = ModelOpener.open(f)) {
            assertThat(v.tensors()).hasSize(20_000);
        }
    }

    /** A valid GGUF listing one empty tensor more than the limit: refused at the count, before any tensor info. */
    @Test
    void ggufOverTheLimitIsRefusedAtTheCount() throws Exception {
        Path f = dir.resolve("many.gguf");
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
        h.put("GGUF".getBytes(StandardCharsets.US_ASCII))
                .putInt(3)
                .putLong(OVER)
                .putLong(0);
        o.writeBytes(h.array());
        for (long i = 0; i < OVER; i++) {
            byte[] name = ("t" + i).getBytes(StandardCharsets.US_ASCII);
            ByteBuffer t = ByteBuffer.allocate(8 + name.length + 4 + 8 + 4 + 8).order(ByteOrder.LITTLE_ENDIAN);
            t.putLong(name.length).put(name).putInt(1).putLong(0).putInt(0).putLong(0);
            o.writeBytes(t.array());
        }
        while (o.size() % 32 != 0) {
            o.write(0);
        }
        Files.write(f, o.toByteArray());
        assertThatThrownBy(() -> ModelOpener.open(f).close())
                .isInstanceOfSatisfying(
                        UnsupportedModelException.class,
                        e -> assertThat(e.getMessage())
                                .contains("200,001 tensors")
                                .contains("limit of 200,000")
                                .contains("offset 8"));
    }

    @Test
    void onnxOverTheLimitIsRefusedNamingFileAndLimit() throws Exception {
        Path f = dir.resolve("many.onnx");
        Files.write(f, onnx(OVER));
        assertThatThrownBy(() -> ModelOpener.open(f).close())
                .isInstanceOfSatisfying(UnsupportedModelException.class, e -> {
                    assertThat(e.source()).isEqualTo(f.toString());
                    assertThat(e.getMessage()).contains("limit of 200,000 tensors");
                });
    }
}
