package dev.pedigree.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * One heap budget for all metadata of a GGUF file (issue 18: a 140 MB u8 array widened to int[]
 * and 12M one-character strings exhausted the heap). Generated files, each small; the limit here is
 * 1 MiB, and each case must be refused before it allocates, naming the key and the offset.
 */
class GgufMetadataBudgetTest {
    static final long LIMIT = 1 << 20;

    static RawGguf arrayKv(RawGguf g, String key, GgufValueType et, long count) {
        return g.str(key).u32(GgufValueType.ARRAY.id()).u32(et.id()).u64(count);
    }

    static byte[] oneCharStrings(int n) {
        RawGguf g = arrayKv(RawGguf.header(0, 1), "tokenizer.ggml.tokens", GgufValueType.STRING, n);
        for (int i = 0; i < n; i++) {
            g.str("a");
        }
        return g.bytes();
    }

    static byte[] u8Array(int n) {
        return arrayKv(RawGguf.header(0, 1), "tokenizer.ggml.precompiled_charsmap", GgufValueType.UINT8, n)
                .zeros(n)
                .bytes();
    }

    static byte[] nestedEmptyArrays(int n) {
        RawGguf g = arrayKv(RawGguf.header(0, 1), "nested", GgufValueType.ARRAY, n);
        for (int i = 0; i < n; i++) {
            g.u32(GgufValueType.UINT8.id()).u64(0);
        }
        return g.bytes();
    }

    static byte[] manyKeys(int n) {
        RawGguf g = RawGguf.header(0, n);
        for (int i = 0; i < n; i++) {
            g.str("k" + i).u32(GgufValueType.UINT8.id()).u8(1);
        }
        return g.bytes();
    }

    static byte[] manyStringValues(int n) {
        RawGguf g = RawGguf.header(0, n);
        for (int i = 0; i < n; i++) {
            g.str("s" + i).u32(GgufValueType.STRING.id()).str("x");
        }
        return g.bytes();
    }

    static byte[] u32Array(int n) {
        return arrayKv(RawGguf.header(0, 1), "widened", GgufValueType.UINT32, n)
                .zeros(4 * n)
                .bytes();
    }

    static Stream<Arguments> bombs() {
        return Stream.of(
                Arguments.of("one-character strings", oneCharStrings(30_000), "tokenizer.ggml.tokens"),
                Arguments.of(
                        "u8 array larger than the budget", u8Array(1_200_000), "tokenizer.ggml.precompiled_charsmap"),
                Arguments.of("nested empty arrays", nestedEmptyArrays(20_000), "nested"),
                Arguments.of("many keys", manyKeys(10_000), "k"),
                Arguments.of("many string values", manyStringValues(8_000), "s"),
                Arguments.of("u32 array held as long", u32Array(140_000), "widened"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("bombs")
    void metadataBeyondTheBudgetIsRefusedNamingKeyAndOffset(String what, byte[] file, String key) {
        assertThatThrownBy(() -> GgufFile.parse(ByteSource.ofBytes("bomb.gguf", file), LIMIT))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("metadata needs more than 1 MiB of memory (at key '" + key)
                .hasMessageContaining("bomb.gguf at offset")
                .satisfies(e -> assertThat(((ModelFormatException) e).offset()).isBetween(24L, (long) file.length));
    }

    @Test
    void theSameFilesPassUnderTheDefaultBudget() throws Exception {
        for (byte[] f : new byte[][] {oneCharStrings(30_000), u8Array(1_200_000), manyKeys(10_000)}) {
            assertThat(GgufFile.parse(ByteSource.ofBytes("ok.gguf", f)).metadata())
                    .isNotEmpty();
        }
    }

    @Test
    void narrowArraysKeepTheirWidthAndTheirValues() throws Exception {
        byte[] f = arrayKv(RawGguf.header(0, 2), "u8", GgufValueType.UINT8, 3)
                .u8(0)
                .u8(128)
                .u8(255)
                .str("i16")
                .u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.INT16.id())
                .u64(2)
                .le(-2, 2)
                .le(7, 2)
                .bytes();
        GgufFile g = GgufFile.parse(ByteSource.ofBytes("n.gguf", f));
        GgufArray u8 = g.array("u8");
        assertThat(u8.backing()).isInstanceOf(byte[].class);
        assertThat(u8.asList()).containsExactly(0, 128, 255);
        assertThat(u8.toLongArray()).containsExactly(0, 128, 255);
        assertThat(u8.toDoubleArray()).containsExactly(0, 128, 255);
        assertThat(u8.integral()).isTrue();
        GgufArray i16 = g.array("i16");
        assertThat(i16.backing()).isInstanceOf(short[].class);
        assertThat(i16.asList()).containsExactly(-2, 7);
        assertThat(i16).isEqualTo(GgufArray.ofInts(GgufValueType.INT16, new int[] {-2, 7}));
        assertThatThrownBy(() -> GgufArray.ofInts(GgufValueType.UINT8, new int[] {256}))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
