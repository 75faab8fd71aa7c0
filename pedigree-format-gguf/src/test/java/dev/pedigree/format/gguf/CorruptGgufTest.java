package dev.pedigree.format.gguf;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelView;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hostile and damaged inputs: each must fail with a typed exception naming the file and offset. */
class CorruptGgufTest {
    @TempDir
    Path tmp;

    private Path write(String name, byte[] b) throws Exception {
        Path p = tmp.resolve(name);
        Files.write(p, b);
        return p;
    }

    private void expect(
            String name, byte[] bytes, Class<? extends ModelFormatException> type, long offset, String detail)
            throws Exception {
        Path p = write(name + ".gguf", bytes);
        assertThatThrownBy(() -> {
                    try (ModelView v = new GgufReader().open(p)) {
                        for (var t : v.tensors()) t.readAll();
                    }
                })
                .as(name)
                .isInstanceOf(type)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("at offset " + offset + ")")
                .hasMessageContaining(detail);
    }

    private static final int TYPE_F32 = 0;

    @Test
    void badMagic() throws Exception {
        byte[] b = RawGguf.header(0, 0).bytes();
        b[3] = 'X';
        expect("magic", b, CorruptModelException.class, 0, "bad GGUF magic");
        expect("empty", new byte[0], CorruptModelException.class, 0, "too short");
    }

    @Test
    void versions() throws Exception {
        byte[] v1 = new RawGguf().raw("GGUF".getBytes()).u32(1).u32(0).u32(0).bytes();
        expect("v1", v1, UnsupportedModelException.class, 4, "version 1");
        byte[] v7 = new RawGguf().raw("GGUF".getBytes()).u32(7).u64(0).u64(0).bytes();
        expect("v7", v7, UnsupportedModelException.class, 4, "unsupported GGUF version 7");
    }

    @Test
    void hugeCounts() throws Exception {
        expect(
                "kvcount",
                RawGguf.header(0, 1L << 40).bytes(),
                CorruptModelException.class,
                16,
                "kv_count 1099511627776 cannot fit");
        expect("tcount", RawGguf.header(1L << 40, 0).bytes(), CorruptModelException.class, 8, "tensor_count");
        expect("kvcount-neg", RawGguf.header(0, -1).bytes(), CorruptModelException.class, 16, "implausibly large");
    }

    @Test
    void hugeStringLength() throws Exception {
        byte[] b = RawGguf.header(0, 1)
                .u64(1L << 40)
                .raw("key".getBytes())
                .u32(4)
                .u32(1)
                .bytes();
        expect("keylen", b, CorruptModelException.class, 24, "claims 1099511627776 bytes");
        RawGguf v = RawGguf.header(0, 1).str("k").u32(GgufValueType.STRING.id());
        int at = v.pos();
        expect(
                "vallen",
                v.u64(1L << 33).raw("abc".getBytes()).zeros(32).bytes(),
                CorruptModelException.class,
                at,
                "claims 8589934592 bytes");
    }

    @Test
    void hugeArrayCount() throws Exception {
        RawGguf r = RawGguf.header(0, 1)
                .str("tokenizer.ggml.tokens")
                .u32(GgufValueType.ARRAY.id())
                .u32(GgufValueType.STRING.id());
        int at = r.pos();
        expect(
                "arrcount",
                r.u64(1L << 50).zeros(64).bytes(),
                CorruptModelException.class,
                at,
                "claims 1125899906842624 elements");
        RawGguf r2 = RawGguf.header(0, 1).str("x").u32(GgufValueType.ARRAY.id()).u32(GgufValueType.FLOAT64.id());
        int at2 = r2.pos();
        expect("arrcount-f64", r2.u64(100).zeros(64).bytes(), CorruptModelException.class, at2, "claims 100 elements");
    }

    @Test
    void nestedArraysTooDeep() throws Exception {
        RawGguf r = RawGguf.header(0, 1).str("deep").u32(GgufValueType.ARRAY.id());
        List<Integer> starts = new ArrayList<>();
        for (int d = 0; d < 12; d++) {
            starts.add(r.pos());
            r.u32(GgufValueType.ARRAY.id()).u64(1);
        }
        r.u32(GgufValueType.UINT8.id()).u64(0).zeros(16);
        expect(
                "deep",
                r.bytes(),
                CorruptModelException.class,
                starts.get(GgufFile.MAX_ARRAY_DEPTH),
                "nested deeper than 8");
    }

    @Test
    void badValueTypesAndBools() throws Exception {
        RawGguf r = RawGguf.header(0, 1).str("k");
        int at = r.pos();
        expect("vtype", r.u32(13).u32(0).bytes(), CorruptModelException.class, at, "unknown metadata value type 13");
        RawGguf b = RawGguf.header(0, 1).str("flag").u32(GgufValueType.BOOL.id());
        int bat = b.pos();
        expect("bool", b.u8(2).bytes(), CorruptModelException.class, bat, "neither 0 nor 1");
    }

    @Test
    void alignmentMustBeU32PowerOfTwo() throws Exception {
        expect(
                "align3",
                RawGguf.header(0, 1).kvU32("general.alignment", 24).bytes(),
                CorruptModelException.class,
                24,
                "not a power of two");
        byte[] wrongType = RawGguf.header(0, 1)
                .str("general.alignment")
                .u32(GgufValueType.INT32.id())
                .u32(32)
                .bytes();
        expect("aligntype", wrongType, CorruptModelException.class, 24, "expected UINT32");
    }

    /** One tensor info after the header (no KVs); returns the builder positioned after it. */
    private static RawGguf oneTensor(String name, long[] dims, int type, long offset) {
        return RawGguf.header(1, 0).info(name, dims, type, offset).padTo(32);
    }

    @Test
    void tensorInfoErrors() throws Exception {
        int infoAt = 24;
        int nDimsAt = infoAt + 8 + 1;
        expect(
                "ndims9",
                oneTensor("w", new long[] {1, 1, 1, 1, 1, 1, 1, 1, 1}, TYPE_F32, 0)
                        .zeros(64)
                        .bytes(),
                CorruptModelException.class,
                nDimsAt,
                "n_dims=9");
        expect(
                "overflow",
                oneTensor("w", new long[] {1L << 40, 1L << 40}, TYPE_F32, 0)
                        .zeros(64)
                        .bytes(),
                CorruptModelException.class,
                nDimsAt + 4 + 8,
                "overflow");
        int typeAt = nDimsAt + 4 + 8;
        expect(
                "type99",
                oneTensor("w", new long[] {4}, 99, 0).zeros(64).bytes(),
                CorruptModelException.class,
                typeAt,
                "unknown ggml type id 99");
        expect(
                "type4",
                oneTensor("w", new long[] {32}, 4, 0).zeros(64).bytes(),
                CorruptModelException.class,
                typeAt,
                "unknown ggml type id 4");
        expect(
                "q1_0",
                oneTensor("w", new long[] {32}, 41, 0).zeros(64).bytes(),
                UnsupportedModelException.class,
                typeAt,
                "Q1_0");
        expect(
                "blockmultiple",
                oneTensor("w", new long[] {33}, GgmlType.Q8_0.id(), 0).zeros(64).bytes(),
                CorruptModelException.class,
                nDimsAt,
                "not a multiple of the Q8_0 block size");
        int offAt = typeAt + 4;
        expect(
                "unaligned",
                oneTensor("w", new long[] {4}, TYPE_F32, 8).zeros(64).bytes(),
                CorruptModelException.class,
                offAt,
                "not a multiple of the alignment 32");
        expect(
                "pastend",
                oneTensor("w", new long[] {4}, TYPE_F32, 64).zeros(64).bytes(),
                CorruptModelException.class,
                offAt,
                "extends past the end");
        expect(
                "datapastend",
                oneTensor("w", new long[] {1000}, TYPE_F32, 0).zeros(64).bytes(),
                CorruptModelException.class,
                offAt,
                "extends past the end");
        expect(
                "hugeoffset",
                oneTensor("w", new long[] {4}, TYPE_F32, Long.MAX_VALUE - 31)
                        .zeros(64)
                        .bytes(),
                CorruptModelException.class,
                offAt,
                "overflows");
    }

    @Test
    void overlapsAndDuplicates() throws Exception {
        RawGguf r = RawGguf.header(2, 0).info("a", new long[] {16}, TYPE_F32, 0);
        int second = r.pos();
        byte[] overlap =
                r.info("b", new long[] {16}, TYPE_F32, 32).padTo(32).zeros(128).bytes();
        expect("overlap", overlap, CorruptModelException.class, second, "overlaps tensor 'a'");
        RawGguf d = RawGguf.header(2, 0).info("a", new long[] {4}, TYPE_F32, 0);
        int dup = d.pos();
        expect(
                "dupname",
                d.info("a", new long[] {4}, TYPE_F32, 32).padTo(32).zeros(64).bytes(),
                CorruptModelException.class,
                dup,
                "duplicate tensor name 'a'");
    }

    @Test
    void longNamesOnlyWarn() throws Exception {
        String name = "x".repeat(80);
        Path p = write(
                "long.gguf",
                oneTensor(name, new long[] {4}, TYPE_F32, 0).zeros(32).bytes());
        try (ModelView v = new GgufReader().open(p)) {
            assertThat(v.tensors()).hasSize(1);
            assertThat(v.warnings()).anyMatch(w -> w.contains("longer than 63 bytes"));
        }
    }

    @Test
    void truncatedAtEveryByteOfAValidFile() throws Exception {
        GgufWriter w = GgufRoundTripTest.everyValueType(new GgufWriter()).putString("general.architecture", "llama");
        w.addTensor("blk.0.attn_q.weight", new long[] {2, 32}, new float[64], GgmlType.Q8_0);
        w.addTensor("blk.0.ffn_up.weight", new long[] {3, 8}, new float[24], GgmlType.F16);
        byte[] full = w.toBytes();
        GgufFile parsed = GgufFile.parse(dev.pedigree.io.ByteSource.ofBytes("full", full));
        GgufTensorInfo last = parsed.tensors().getLast();
        long dataEnd = last.dataOffset() + last.byteSize();
        Path p = tmp.resolve("trunc.gguf");
        int cases = 0;
        for (int len = 0; len < dataEnd; len++) {
            Files.write(p, java.util.Arrays.copyOf(full, len));
            try (ModelView v = new GgufReader().open(p)) {
                fail("truncation to " + len + " of " + full.length + " bytes opened: " + v.tensors());
            } catch (CorruptModelException e) {
                assertThat(e.getMessage())
                        .as("len %d", len)
                        .contains(p.toString())
                        .contains(" at offset ");
                assertThat(e.offset()).as("len %d: %s", len, e.getMessage()).isBetween(0L, (long) len);
            }
            cases++;
        }
        System.out.println(
                "truncation suite: " + cases + " truncated files, all CorruptModelException with file + offset");
    }
}
