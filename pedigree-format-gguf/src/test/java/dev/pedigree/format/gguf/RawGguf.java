package dev.pedigree.format.gguf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Hand-assembles GGUF bytes field by field (for corrupt-input tests); little-endian. */
final class RawGguf {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static RawGguf header(long tensorCount, long kvCount) {
        return new RawGguf()
                .raw("GGUF".getBytes(StandardCharsets.US_ASCII))
                .u32(3)
                .u64(tensorCount)
                .u64(kvCount);
    }

    int pos() {
        return out.size();
    }

    RawGguf raw(byte[] b) {
        out.writeBytes(b);
        return this;
    }

    RawGguf le(long v, int n) {
        for (int i = 0; i < n; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    RawGguf u8(int v) {
        return le(v, 1);
    }

    RawGguf u32(long v) {
        return le(v, 4);
    }

    RawGguf u64(long v) {
        return le(v, 8);
    }

    RawGguf str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        u64(b.length);
        return raw(b);
    }

    /** A u32 KV. */
    RawGguf kvU32(String key, long v) {
        return str(key).u32(GgufValueType.UINT32.id()).u32(v);
    }

    /** A tensor info. */
    RawGguf info(String name, long[] dims, int type, long offset) {
        str(name).u32(dims.length);
        for (long d : dims) u64(d);
        return u32(type).u64(offset);
    }

    RawGguf padTo(int align) {
        while (out.size() % align != 0) out.write(0);
        return this;
    }

    RawGguf zeros(int n) {
        for (int i = 0; i < n; i++) out.write(0);
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }
}
