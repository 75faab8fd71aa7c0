package dev.pedigree.format.safetensors;

import static dev.pedigree.format.safetensors.RawFiles.assertFails;
import static dev.pedigree.format.safetensors.RawFiles.file;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Hostile and broken files: each must fail with a typed exception whose message names the file
 * and the offset of the problem, before anything the header claims is allocated.
 */
class SafetensorsCorruptTest {
    @TempDir
    Path dir;

    private static final String T = "{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[0,16]}";

    private Path write(String name, byte[] bytes) throws Exception {
        return RawFiles.write(dir, name, bytes);
    }

    private CorruptModelException corrupt(String name, byte[] bytes) throws Exception {
        Path p = write(name, bytes);
        return assertFails(CorruptModelException.class, p, () -> RawFiles.openAndReadAll(p));
    }

    /** Offset of {@code needle} in the file: 8 + its position in the header text. */
    private static long at(byte[] file, String needle) {
        String s = new String(file, StandardCharsets.ISO_8859_1);
        int i = s.indexOf(needle);
        assertThat(i).as("%s in file", needle).isPositive();
        return i;
    }

    static Stream<Arguments> brokenHeaders() {
        return Stream.of(
                Arguments.of("not-json", "{abc}", 0),
                Arguments.of("unterminated", "{\"a\":" + T, 0),
                Arguments.of("array-root", "{\"a\":[1,2]}", 0),
                Arguments.of("nan-shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[NaN],\"data_offsets\":[0,4]}}", 4),
                Arguments.of("negative-shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", 4),
                Arguments.of("fraction-shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1.5],\"data_offsets\":[0,4]}}", 4),
                Arguments.of(
                        "huge-shape",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[99999999999999999999999],\"data_offsets\":[0,4]}}",
                        4),
                Arguments.of(
                        "exponent-shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1e30],\"data_offsets\":[0,4]}}", 4),
                Arguments.of(
                        "overflow-shape",
                        "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296],\"data_offsets\":[0,4]}}",
                        4),
                Arguments.of(
                        "overflow-bytes",
                        "{\"a\":{\"dtype\":\"F64\",\"shape\":[2305843009213693952],\"data_offsets\":[0,4]}}",
                        4),
                Arguments.of("string-shape", "{\"a\":{\"dtype\":\"F32\",\"shape\":\"2\",\"data_offsets\":[0,4]}}", 4),
                Arguments.of(
                        "string-offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[\"0\",4]}}", 4),
                Arguments.of("three-offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4,8]}}", 4),
                Arguments.of("one-offset", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", 4),
                Arguments.of("end-before-begin", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,0]}}", 4),
                Arguments.of("no-dtype", "{\"a\":{\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                Arguments.of("no-shape", "{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", 4),
                Arguments.of("no-offsets", "{\"a\":{\"dtype\":\"F32\",\"shape\":[1]}}", 4),
                Arguments.of("numeric-dtype", "{\"a\":{\"dtype\":1,\"shape\":[1],\"data_offsets\":[0,4]}}", 4),
                Arguments.of("duplicate-key", "{\"a\":" + T + ",\"a\":" + T + "}", 16),
                Arguments.of(
                        "duplicate-field",
                        "{\"a\":{\"dtype\":\"F32\",\"dtype\":\"F16\",\"shape\":[2,2],\"data_offsets\":[0,16]}}",
                        16),
                Arguments.of("metadata-number", "{\"__metadata__\":{\"format\":1},\"a\":" + T + "}", 16),
                Arguments.of("metadata-array", "{\"__metadata__\":[\"pt\"],\"a\":" + T + "}", 16),
                Arguments.of("second-root", "{\"a\":" + T + "}{}", 16),
                Arguments.of("garbage-after", "{\"a\":" + T + "} x", 16),
                Arguments.of(
                        "deep-nesting",
                        "{\"a\":{\"x\":" + "[".repeat(40) + "]".repeat(40) + "," + T.substring(1) + "}",
                        16),
                Arguments.of("invalid-utf8-name", "{\"\u00ff\u00fe\":" + T + "}", 16));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("brokenHeaders")
    void brokenHeaderIsCorruptAtAnOffsetInsideTheHeader(String name, String json, int dataBytes) throws Exception {
        byte[] bytes = file(json, dataBytes);
        if (name.equals("invalid-utf8-name")) {
            // Replace the two characters (encoded as C3 BF C3 BE) with lone continuation bytes.
            String s = new String(bytes, StandardCharsets.ISO_8859_1)
                    .replace("\u00c3\u00bf\u00c3\u00be", "\u00bf\u00be\u0020\u0020");
            bytes = s.getBytes(StandardCharsets.ISO_8859_1);
        }
        CorruptModelException e = corrupt(name + ".safetensors", bytes);
        long headerEnd = 8 + (bytes.length - 8 - dataBytes);
        assertThat(e.offset()).as(e.getMessage()).isBetween(8L, headerEnd);
    }

    @Test
    void tooShortForTheLengthField() throws Exception {
        for (int n = 0; n < 8; n++) {
            assertThat(corrupt("short" + n + ".safetensors", new byte[n]).offset())
                    .isZero();
        }
    }

    @Test
    void headerLengthBeyondTheFileOrTheLimit() throws Exception {
        byte[] body = "{}".getBytes(StandardCharsets.UTF_8);
        assertThat(corrupt("beyond.safetensors", RawFiles.withLength(3, body)).getMessage())
                .contains("exceeds");
        assertThat(corrupt("limit.safetensors", RawFiles.withLength(100_000_001L, body))
                        .getMessage())
                .contains("100000000");
        assertThat(corrupt("huge.safetensors", RawFiles.withLength(-1L, body)).getMessage())
                .contains("18446744073709551615");
        assertThat(corrupt("zero.safetensors", RawFiles.withLength(0, body)).offset())
                .isEqualTo(8);
    }

    @Test
    void headerMustStartWithABrace() throws Exception {
        assertThat(corrupt("bracket.safetensors", RawFiles.withLength(2, "[]".getBytes(StandardCharsets.UTF_8)))
                        .offset())
                .isEqualTo(8);
        assertThat(corrupt("space.safetensors", RawFiles.withLength(3, " {}".getBytes(StandardCharsets.UTF_8)))
                        .offset())
                .isEqualTo(8);
    }

    @Test
    void offsetsPastTheEnd() throws Exception {
        byte[] f = file("{\"a\":{\"dtype\":\"F32\",\"shape\":[250],\"data_offsets\":[0,1000]}}", 16);
        CorruptModelException e = corrupt("past-end.safetensors", f);
        assertThat(e.offset()).isEqualTo(f.length);
        assertThat(e.getMessage()).contains("1000");
    }

    @Test
    void overlappingTensors() throws Exception {
        String json =
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[8,24]}}";
        byte[] f = file(json, 24);
        CorruptModelException e = corrupt("overlap.safetensors", f);
        assertThat(e.getMessage()).contains("'b'").contains("overlaps");
        assertThat(e.offset()).isEqualTo(at(f, "\"b\""));
    }

    @Test
    void gapBetweenTensors() throws Exception {
        String json =
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]},\"b\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[20,36]}}";
        CorruptModelException e = corrupt("gap.safetensors", file(json, 36));
        assertThat(e.getMessage()).contains("'b'").contains("gap");
    }

    @Test
    void firstTensorMustStartAtZero() throws Exception {
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[4,20]}}";
        assertThat(corrupt("start.safetensors", file(json, 20)).getMessage()).contains("gap");
    }

    @Test
    void sizeMismatch() throws Exception {
        String json = "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,16]}}";
        byte[] f = file(json, 16);
        CorruptModelException e = corrupt("size.safetensors", f);
        assertThat(e.getMessage()).contains("needs 12");
        assertThat(e.offset()).isEqualTo(at(f, "\"a\""));
    }

    @Test
    void subByteTypesMustFillWholeBytes() throws Exception {
        String json = "{\"a\":{\"dtype\":\"F4\",\"shape\":[3],\"data_offsets\":[0,2]}}";
        assertThat(corrupt("f4.safetensors", file(json, 2)).getMessage()).contains("whole number of bytes");
        String f6 = "{\"a\":{\"dtype\":\"F6_E2M3\",\"shape\":[2],\"data_offsets\":[0,2]}}";
        assertThat(corrupt("f6.safetensors", file(f6, 2)).getMessage()).contains("whole number of bytes");
    }

    @Test
    void trailingBytes() throws Exception {
        byte[] valid = new SafetensorsWriter()
                .add("a", DType.F32, Shape.of(2), new float[] {1, 2})
                .toBytes();
        byte[] f = Arrays.copyOf(valid, valid.length + 3);
        CorruptModelException e = corrupt("trailing.safetensors", f);
        assertThat(e.offset()).isEqualTo(valid.length);
        assertThat(e.getMessage()).contains("3 trailing bytes");
    }

    @Test
    void emptyFileWithoutTensorsMustHaveNoData() throws Exception {
        Path ok = write("empty-ok.safetensors", file("{}", 0));
        assertThat(RawFiles.openAndReadAll(ok)).isZero();
        corrupt("empty-data.safetensors", file("{}", 8));
    }

    @Test
    void unknownDtypeAndExcessiveRankAreUnsupported() throws Exception {
        Path p = write("bf8.safetensors", file("{\"a\":{\"dtype\":\"BF8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1));
        assertThat(assertFails(UnsupportedModelException.class, p, () -> RawFiles.openAndReadAll(p))
                        .getMessage())
                .contains("BF8");
        Path r = write(
                "rank9.safetensors",
                file("{\"a\":{\"dtype\":\"U8\",\"shape\":[1,1,1,1,1,1,1,1,1],\"data_offsets\":[0,1]}}", 1));
        assertFails(UnsupportedModelException.class, r, () -> RawFiles.openAndReadAll(r));
    }

    @Test
    void truncationAtEveryByteOfAValidFileIsCorrupt() throws Exception {
        byte[] valid = new SafetensorsWriter()
                .metadata("format", "pt")
                .add("w", DType.BF16, Shape.of(3, 4), new float[12])
                .add("b", DType.F32, Shape.of(3), new float[] {1, 2, 3})
                .add("s", DType.F8_E4M3, Shape.of(), new byte[] {0x38})
                .toBytes();
        assertThat(RawFiles.openAndReadAll(write("valid.safetensors", valid))).isEqualTo(3);
        for (int len = 0; len < valid.length; len++) {
            Path p = write("cut" + len + ".safetensors", Arrays.copyOf(valid, len));
            CorruptModelException e = assertFails(CorruptModelException.class, p, () -> RawFiles.openAndReadAll(p));
            assertThat(e.offset()).as(e.getMessage()).isLessThanOrEqualTo(len);
        }
    }
}
