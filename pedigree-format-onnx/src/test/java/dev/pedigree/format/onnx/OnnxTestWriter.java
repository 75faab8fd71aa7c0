package dev.pedigree.format.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** A tiny protobuf/ONNX writer for tests: just enough of onnx.proto to build models with known answers. */
final class OnnxTestWriter {
    static final int FLOAT = 1;
    static final int UINT8 = 2;
    static final int INT8 = 3;
    static final int INT64 = 7;
    static final int FLOAT16 = 10;
    static final int DOUBLE = 11;
    static final int BFLOAT16 = 16;

    private OnnxTestWriter() {}

    /** A protobuf message under construction. */
    static final class Msg {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();

        Msg raw(byte[] b) {
            out.writeBytes(b);
            return this;
        }

        Msg rawVarint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            out.write((int) v);
            return this;
        }

        Msg tag(int field, int wire) {
            return rawVarint(((long) field << 3) | wire);
        }

        Msg varint(int field, long v) {
            return tag(field, 0).rawVarint(v);
        }

        Msg fixed32(int field, int v) {
            tag(field, 5);
            return raw(ByteBuffer.allocate(4)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putInt(v)
                    .array());
        }

        Msg bytes(int field, byte[] b) {
            tag(field, 2).rawVarint(b.length);
            return raw(b);
        }

        Msg string(int field, String s) {
            return bytes(field, s.getBytes(StandardCharsets.UTF_8));
        }

        Msg message(int field, Msg m) {
            return bytes(field, m.toBytes());
        }

        byte[] toBytes() {
            return out.toByteArray();
        }
    }

    static Msg msg() {
        return new Msg();
    }

    static byte[] packedVarints(long... vs) {
        Msg m = new Msg();
        for (long v : vs) {
            m.rawVarint(v);
        }
        return m.toBytes();
    }

    static Msg tensorHeader(String name, int dtype, long... dims) {
        Msg t = new Msg();
        t.bytes(1, packedVarints(dims));
        t.varint(2, dtype);
        t.string(8, name);
        return t;
    }

    /** A tensor with unpacked dims (each dim its own field 1 varint). */
    static Msg tensorHeaderUnpacked(String name, int dtype, long... dims) {
        Msg t = new Msg();
        for (long d : dims) {
            t.varint(1, d);
        }
        t.varint(2, dtype);
        t.string(8, name);
        return t;
    }

    static Msg rawTensor(String name, int dtype, long[] dims, byte[] raw) {
        return tensorHeader(name, dtype, dims).bytes(9, raw);
    }

    static Msg floatDataTensor(String name, long[] dims, float... values) {
        return tensorHeader(name, FLOAT, dims).bytes(4, f32(values));
    }

    static Msg int32DataTensor(String name, int dtype, long[] dims, int... values) {
        long[] v = new long[values.length];
        for (int i = 0; i < v.length; i++) {
            v[i] = values[i];
        }
        return tensorHeader(name, dtype, dims).bytes(5, packedVarints(v));
    }

    static Msg externalTensor(String name, int dtype, long[] dims, String location, long offset, long length) {
        Msg t = tensorHeader(name, dtype, dims);
        t.message(13, msg().string(1, "location").string(2, location));
        t.message(13, msg().string(1, "offset").string(2, Long.toString(offset)));
        t.message(13, msg().string(1, "length").string(2, Long.toString(length)));
        t.varint(14, 1);
        return t;
    }

    static Msg node(String name, String op, List<String> inputs, List<String> outputs, Msg... attributes) {
        Msg n = new Msg();
        for (String i : inputs) {
            n.string(1, i);
        }
        for (String o : outputs) {
            n.string(2, o);
        }
        n.string(3, name);
        n.string(4, op);
        for (Msg a : attributes) {
            n.message(5, a);
        }
        return n;
    }

    static Msg attrInt(String name, long v) {
        return msg().string(1, name).varint(3, v).varint(20, 2);
    }

    static Msg attrInts(String name, long... v) {
        return msg().string(1, name).bytes(8, packedVarints(v)).varint(20, 7);
    }

    static Msg attrTensor(String name, Msg tensor) {
        return msg().string(1, name).message(5, tensor).varint(20, 4);
    }

    static Msg attrGraph(String name, Msg graph) {
        return msg().string(1, name).message(6, graph).varint(20, 5);
    }

    static Msg graph(String name, List<Msg> nodes, List<Msg> initializers) {
        Msg g = new Msg();
        for (Msg n : nodes) {
            g.message(1, n);
        }
        g.string(2, name);
        for (Msg t : initializers) {
            g.message(5, t);
        }
        return g;
    }

    static byte[] model(Msg graph) {
        Msg m = new Msg();
        m.varint(1, 8);
        m.string(2, "pedigree-test");
        m.string(3, "1.0");
        m.message(7, graph);
        m.message(8, msg().string(1, "").varint(2, 17));
        m.message(14, msg().string(1, "model_type").string(2, "bert"));
        return m.toBytes();
    }

    static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(4 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putFloat(x);
        }
        return b.array();
    }

    static byte[] f64(double... v) {
        ByteBuffer b = ByteBuffer.allocate(8 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (double x : v) {
            b.putDouble(x);
        }
        return b.array();
    }

    static byte[] f16(float... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putShort(Float.floatToFloat16(x));
        }
        return b.array();
    }

    static byte[] bf16(float... v) {
        ByteBuffer b = ByteBuffer.allocate(2 * v.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float x : v) {
            b.putShort((short) (Float.floatToIntBits(x) >>> 16));
        }
        return b.array();
    }

    static byte[] i8(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) {
            b[i] = (byte) v[i];
        }
        return b;
    }
}
