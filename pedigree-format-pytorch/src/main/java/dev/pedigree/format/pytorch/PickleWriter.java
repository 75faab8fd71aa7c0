package dev.pedigree.format.pytorch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Emits protocol-2 pickle opcodes the way CPython's pickler does for torch state dicts. Used by
 * {@link PytorchWriter} only; not thread-safe.
 */
final class PickleWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private final Map<String, Integer> memoizedGlobals = new HashMap<>();
    private int nextMemo;

    PickleWriter proto() {
        out.write(0x80);
        out.write(2);
        return this;
    }

    PickleWriter op(int opcode) {
        out.write(opcode);
        return this;
    }

    PickleWriter mark() {
        return op('(');
    }

    PickleWriter tuple() {
        return op('t');
    }

    PickleWriter stop() {
        return op('.');
    }

    /** GLOBAL, memoized so later uses become BINGET as CPython does. */
    PickleWriter global(String module, String name) {
        String key = module + "\n" + name;
        Integer m = memoizedGlobals.get(key);
        if (m != null) {
            return get(m);
        }
        out.write('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        memoizedGlobals.put(key, put());
        return this;
    }

    /** BINPUT/LONG_BINPUT of the top of the stack; returns the memo index. */
    int put() {
        int m = nextMemo++;
        if (m < 256) {
            out.write('q');
            out.write(m);
        } else {
            out.write('r');
            le32(m);
        }
        return m;
    }

    PickleWriter get(int m) {
        if (m < 256) {
            out.write('h');
            out.write(m);
        } else {
            out.write('j');
            le32(m);
        }
        return this;
    }

    PickleWriter string(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.write('X');
        le32(b.length);
        out.writeBytes(b);
        return this;
    }

    PickleWriter integer(long v) {
        if (v >= 0 && v < 256) {
            out.write('K');
            out.write((int) v);
        } else if (v >= 0 && v < 65536) {
            out.write('M');
            out.write((int) v & 0xFF);
            out.write((int) (v >>> 8) & 0xFF);
        } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            out.write('J');
            le32((int) v);
        } else {
            byte[] be = java.math.BigInteger.valueOf(v).toByteArray();
            out.write(0x8a);
            out.write(be.length);
            for (int i = be.length - 1; i >= 0; i--) {
                out.write(be[i]);
            }
        }
        return this;
    }

    /** LONG1 of an arbitrary integer (the legacy magic number). */
    PickleWriter bigInteger(java.math.BigInteger v) {
        byte[] be = v.toByteArray();
        out.write(0x8a);
        out.write(be.length);
        for (int i = be.length - 1; i >= 0; i--) {
            out.write(be[i]);
        }
        return this;
    }

    PickleWriter bool(boolean v) {
        return op(v ? 0x88 : 0x89);
    }

    PickleWriter intTuple(long[] values) {
        if (values.length == 0) {
            return op(')');
        }
        mark();
        for (long v : values) {
            integer(v);
        }
        return tuple();
    }

    /** {@code collections.OrderedDict()}. */
    PickleWriter emptyOrderedDict() {
        global("collections", "OrderedDict");
        op(')');
        return op('R');
    }

    private void le32(int v) {
        out.write(v & 0xFF);
        out.write((v >>> 8) & 0xFF);
        out.write((v >>> 16) & 0xFF);
        out.write((v >>> 24) & 0xFF);
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }
}
