package dev.pedigree.format.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.ElementDecoder;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Every safetensors dtype written, read back and decoded to known values. */
class SafetensorsRoundTripTest {
    @TempDir
    Path dir;

    private static final Set<SafetensorsDType> NOT_DECODED =
            EnumSet.of(SafetensorsDType.C64, SafetensorsDType.F4, SafetensorsDType.F6_E2M3, SafetensorsDType.F6_E3M2);

    /** Bytes of four known elements of {@code t} and the values they decode to (null: not decodable). */
    private record Known(byte[] bytes, float[] values) {}

    private static Known known(SafetensorsDType t) {
        ByteBuffer b = ByteBuffer.allocate(32).order(ByteOrder.LITTLE_ENDIAN);
        float[] v = switch (t) {
            case F64 -> {
                b.putDouble(2.5).putDouble(-0.125).putDouble(1e300).putDouble(0);
                yield new float[] {2.5f, -0.125f, Float.POSITIVE_INFINITY, 0f};
            }
            case F32 -> {
                b.putFloat(1f).putFloat(-3.5f).putFloat(Float.MIN_VALUE).putFloat(Float.NEGATIVE_INFINITY);
                yield new float[] {1f, -3.5f, Float.MIN_VALUE, Float.NEGATIVE_INFINITY};
            }
            case F16 -> {
                b.putShort((short) 0x3C00)
                        .putShort((short) 0xC100)
                        .putShort((short) 0x0001)
                        .putShort((short) 0x7C00);
                yield new float[] {1f, -2.5f, 0x1p-24f, Float.POSITIVE_INFINITY};
            }
            case BF16 -> {
                b.putShort((short) 0x3FC0)
                        .putShort((short) 0xBF80)
                        .putShort((short) 0x4049)
                        .putShort((short) 0x0000);
                yield new float[] {1.5f, -1f, 3.140625f, 0f};
            }
            case F8_E4M3 -> {
                b.put((byte) 0x38).put((byte) 0xB8).put((byte) 0x01).put((byte) 0x7E);
                yield new float[] {1f, -1f, 0x1p-9f, 448f};
            }
            case F8_E5M2 -> {
                b.put((byte) 0x3C).put((byte) 0xBC).put((byte) 0x01).put((byte) 0x7C);
                yield new float[] {1f, -1f, 0x1p-16f, Float.POSITIVE_INFINITY};
            }
            case F8_E4M3FNUZ -> {
                b.put((byte) 0x40).put((byte) 0xC0).put((byte) 0x01).put((byte) 0x7F);
                yield new float[] {1f, -1f, 0x1p-10f, 240f};
            }
            case F8_E5M2FNUZ -> {
                b.put((byte) 0x40).put((byte) 0xC0).put((byte) 0x01).put((byte) 0x7F);
                yield new float[] {1f, -1f, 0x1p-17f, 57344f};
            }
            case F8_E8M0 -> {
                b.put((byte) 0x7F).put((byte) 0x80).put((byte) 0x00).put((byte) 0xFE);
                yield new float[] {1f, 2f, 0x1p-127f, 0x1p127f};
            }
            case BOOL -> {
                b.put((byte) 1).put((byte) 0).put((byte) 0).put((byte) 1);
                yield new float[] {1f, 0f, 0f, 1f};
            }
            case U8 -> {
                b.put((byte) 0).put((byte) 0x7F).put((byte) 0x80).put((byte) 0xFF);
                yield new float[] {0f, 127f, 128f, 255f};
            }
            case I8 -> {
                b.put((byte) 0).put((byte) 0x7F).put((byte) 0x80).put((byte) 0xFF);
                yield new float[] {0f, 127f, -128f, -1f};
            }
            case U16 -> {
                b.putShort((short) 1)
                        .putShort((short) 0x8000)
                        .putShort((short) 0xFFFF)
                        .putShort((short) 300);
                yield new float[] {1f, 32768f, 65535f, 300f};
            }
            case I16 -> {
                b.putShort((short) 1)
                        .putShort((short) 0x8000)
                        .putShort((short) 0xFFFF)
                        .putShort((short) 300);
                yield new float[] {1f, -32768f, -1f, 300f};
            }
            case U32 -> {
                b.putInt(1).putInt(0x80000000).putInt(-1).putInt(70000);
                yield new float[] {1f, 2147483648f, 4294967295f, 70000f};
            }
            case I32 -> {
                b.putInt(1).putInt(0x80000000).putInt(-1).putInt(70000);
                yield new float[] {1f, -2147483648f, -1f, 70000f};
            }
            case U64 -> {
                b.putLong(1).putLong(Long.MIN_VALUE).putLong(-1).putLong(1L << 50);
                yield new float[] {1f, 0x1p63f, 0x1p64f, 0x1p50f};
            }
            case I64 -> {
                b.putLong(1).putLong(Long.MIN_VALUE).putLong(-1).putLong(1L << 50);
                yield new float[] {1f, -0x1p63f, -1f, 0x1p50f};
            }
            case C64 -> {
                b.putFloat(1)
                        .putFloat(2)
                        .putFloat(3)
                        .putFloat(4)
                        .putFloat(5)
                        .putFloat(6)
                        .putFloat(7)
                        .putFloat(8);
                yield null;
            }
            case F4 -> {
                b.put((byte) 0x21).put((byte) 0x43);
                yield null;
            }
            case F6_E2M3, F6_E3M2 -> {
                b.put((byte) 0x01).put((byte) 0x02).put((byte) 0x03);
                yield null;
            }
        };
        byte[] bytes = new byte[b.position()];
        b.flip().get(bytes);
        return new Known(bytes, v);
    }

    @ParameterizedTest
    @EnumSource(SafetensorsDType.class)
    void everyDtypeRoundTrips(SafetensorsDType type) throws Exception {
        Known k = known(type);
        assertThat(type.byteSizeFor(4)).isEqualTo(k.bytes().length);
        byte[] file = new SafetensorsWriter()
                .metadata("format", "pt")
                .add("x.weight", type.modelType(), Shape.of(2, 2), k.bytes())
                .toBytes();
        Path p = RawFiles.write(dir, type + ".safetensors", file);
        try (ModelView v = new SafetensorsReader().open(p)) {
            TensorRef t = v.tensors().getFirst();
            assertThat(t.dtype()).isEqualTo(type.modelType());
            assertThat(((SafetensorsTensor) t).safetensorsDType()).isEqualTo(type);
            assertThat(t.shape()).isEqualTo(Shape.of(2, 2));
            assertThat(t.storedBytes().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(k.bytes());
            assertThat(t.source()).isEqualTo(p.toString());
            assertThat(((SafetensorsTensor) t).fileOffset())
                    .isEqualTo(p.toFile().length() - k.bytes().length);
            if (NOT_DECODED.contains(type)) {
                assertThat(k.values()).isNull();
                assertThatThrownBy(t::readAll)
                        .isInstanceOf(UnsupportedModelException.class)
                        .hasMessageContaining(type.name())
                        .hasMessageContaining("x.weight")
                        .hasMessageContaining(p.getFileName().toString());
            } else {
                assertThat(t.readAll()).containsExactly(k.values());
                assertThat(t.readRow(1)).containsExactly(k.values()[2], k.values()[3]);
            }
        }
    }

    @Test
    void headerNamesMapToModelTypesAndBack() {
        assertThat(SafetensorsDType.values()).hasSize(22);
        for (SafetensorsDType t : SafetensorsDType.values()) {
            assertThat(SafetensorsDType.forHeaderName(t.headerName())).isSameAs(t);
            assertThat(SafetensorsDType.of(t.modelType())).isSameAs(t);
            assertThat(t.modelType().decodable()).isEqualTo(!NOT_DECODED.contains(t));
        }
        assertThat(SafetensorsDType.forHeaderName("f32")).isNull();
        assertThatThrownBy(() -> SafetensorsDType.of(DType.Q4_0)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void knownEncodings() {
        assertThat(ElementEncoder.toBF16(1.5f)).isEqualTo((short) 0x3FC0);
        assertThat(ElementEncoder.toF16(1f)).isEqualTo((short) 0x3C00);
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3, 1f)).isEqualTo(0x38);
        assertThat(ElementEncoder.toFp8(DType.F8_E5M2, 1f)).isEqualTo(0x3C);
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3FNUZ, 1f)).isEqualTo(0x40);
        assertThat(ElementEncoder.toFp8(DType.F8_E5M2FNUZ, 1f)).isEqualTo(0x40);
        assertThat(ElementEncoder.toFp8(DType.F8_E8M0, 1f)).isEqualTo(0x7F);
        // Round to nearest, ties to even: 1 + 1/16 lies halfway between 1 (0x38) and 1.125 (0x39).
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3, 1.0625f)).isEqualTo(0x38);
        // 1.125 + 1/16 lies halfway between 0x39 and 0x3A: the even code wins.
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3, 1.1875f)).isEqualTo(0x3A);
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3, 1.07f)).isEqualTo(0x39);
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3, -2f)).isEqualTo(0xC0);
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3, 460f)).isEqualTo(0x7E);
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3, 464f)).isEqualTo(0x7E);
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3, 500f)).isEqualTo(0x7F);
        assertThat(ElementEncoder.toFp8(DType.F8_E5M2, 1e6f)).isEqualTo(0x7C);
        assertThat(ElementEncoder.toFp8(DType.F8_E5M2, -1e6f)).isEqualTo(0xFC);
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3FNUZ, -0f)).isZero();
        assertThat(ElementEncoder.toFp8(DType.F8_E4M3, -0f)).isEqualTo(0x80);
        assertThat(ElementEncoder.toFp8(DType.F8_E8M0, -1f)).isEqualTo(0xFF);
        // BF16: 1 + 2^-8 is halfway between 1 and 1 + 2^-7; ties go to the even mantissa (1.0).
        assertThat(ElementEncoder.toBF16(1f + 0x1p-8f)).isEqualTo((short) 0x3F80);
        assertThat(ElementEncoder.toBF16(1f + 0x1p-8f + 0x1p-20f)).isEqualTo((short) 0x3F81);
        assertThat(ElementEncoder.toBF16(Float.NaN)).isEqualTo((short) 0x7FC0);
        assertThat(ElementEncoder.encode(DType.I16, new float[] {-2.5f, 3.5f})).containsExactly(0xFE, 0xFF, 0x04, 0x00);
        assertThatThrownBy(() -> ElementEncoder.encode(DType.U8, new float[] {256f}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ElementEncoder.encode(DType.F4, new float[] {1f, 2f}))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @ParameterizedTest
    @EnumSource(
            value = DType.class,
            names = {"F8_E4M3", "F8_E5M2", "F8_E4M3FNUZ", "F8_E5M2FNUZ", "F8_E8M0"})
    void everyFiniteFp8CodeSurvivesDecodeThenEncode(DType type) {
        byte[] all = new byte[256];
        for (int i = 0; i < 256; i++) {
            all[i] = (byte) i;
        }
        float[] decoded = new float[256];
        ElementDecoder.decode(type, MemorySegment.ofArray(all), 0, decoded, 0, 256);
        int checked = 0;
        for (int code = 0; code < 256; code++) {
            float v = decoded[code];
            if (Float.isNaN(v)) {
                assertThat(decoded[ElementEncoder.toFp8(type, v)]).isNaN();
            } else {
                assertThat(ElementEncoder.toFp8(type, v))
                        .as("%s code 0x%02X (%s)", type, code, v)
                        .isEqualTo(code);
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(200);
    }

    @ParameterizedTest
    @EnumSource(
            value = DType.class,
            names = {"F32", "F16", "BF16", "F8_E4M3", "F8_E5M2", "F64", "I8", "I32", "U16"})
    void floatValuesWrittenThroughTheEncoderReadBackRounded(DType type) throws Exception {
        Random rnd = new Random(42);
        float[] values = new float[64];
        for (int i = 0; i < values.length; i++) {
            values[i] =
                    type.integer() ? rnd.nextInt(200) - (type == DType.U16 ? 0 : 100) : (float) rnd.nextGaussian() * 4;
        }
        Path p = dir.resolve("enc-" + type + ".safetensors");
        new SafetensorsWriter().add("w", type, Shape.of(8, 8), values).write(p);
        try (ModelView v = new SafetensorsReader().open(p)) {
            float[] back = v.tensors().getFirst().readAll();
            for (int i = 0; i < values.length; i++) {
                float expected = switch (type) {
                    case F32, F64, I8, I32, U16 -> values[i];
                    case F16 -> Float.float16ToFloat(Float.floatToFloat16(values[i]));
                    case BF16 -> Float.intBitsToFloat(ElementEncoder.toBF16(values[i]) << 16);
                    case F8_E4M3 -> ElementDecoder.e4m3(ElementEncoder.toFp8(type, values[i]));
                    case F8_E5M2 -> ElementDecoder.e5m2(ElementEncoder.toFp8(type, values[i]));
                    default -> throw new IllegalStateException("not parameterised: " + type);
                };
                assertThat(back[i]).isEqualTo(expected);
                // Nearest rounding: the error is at most half the spacing, 2^-(mantissa bits + 1) relative.
                double relative = type == DType.F8_E5M2 ? 0x1p-3 : type == DType.F8_E4M3 ? 0x1p-4 : 0x1p-8;
                assertThat((double) Math.abs(back[i] - values[i]))
                        .isLessThanOrEqualTo(Math.abs(values[i]) * relative + 0x1p-9);
            }
        }
    }
}
