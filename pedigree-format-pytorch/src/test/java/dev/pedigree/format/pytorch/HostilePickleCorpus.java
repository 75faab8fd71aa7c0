package dev.pedigree.format.pytorch;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Generates hostile pickles: a dangerous (or merely unknown) global reached through each opcode
 * path a pickle can take to it, in protocols 0 to 5, with the offset of the opcode that names the
 * global. Used by the corpus tests; every case is small and deterministic.
 */
final class HostilePickleCorpus {
    private HostilePickleCorpus() {}

    /** Globals the corpus reaches: code execution, imports, I/O, Python 2 names, unknown modules. */
    static final List<String[]> GLOBALS = List.of(
            new String[] {"os", "system"},
            new String[] {"posix", "system"},
            new String[] {"nt", "system"},
            new String[] {"os", "popen"},
            new String[] {"os.path", "join"},
            new String[] {"subprocess", "Popen"},
            new String[] {"subprocess", "check_output"},
            new String[] {"commands", "getoutput"},
            new String[] {"builtins", "eval"},
            new String[] {"builtins", "exec"},
            new String[] {"builtins", "__import__"},
            new String[] {"builtins", "getattr"},
            new String[] {"builtins", "open"},
            new String[] {"__builtin__", "eval"},
            new String[] {"__builtin__", "file"},
            new String[] {"runpy", "_run_code"},
            new String[] {"pickle", "loads"},
            new String[] {"_pickle", "loads"},
            new String[] {"marshal", "loads"},
            new String[] {"importlib", "import_module"},
            new String[] {"webbrowser", "open"},
            new String[] {"socket", "create_connection"},
            new String[] {"shutil", "rmtree"},
            new String[] {"pty", "spawn"},
            new String[] {"ctypes", "CDLL"},
            new String[] {"functools", "partial"},
            new String[] {"operator", "attrgetter"},
            new String[] {"copyreg", "_reconstructor"},
            new String[] {"types", "FunctionType"},
            new String[] {"torch", "load"},
            new String[] {"torch.serialization", "load"},
            new String[] {"numpy", "load"},
            new String[] {"collections", "OrderedDict.fromkeys"},
            new String[] {"torch._utils", "_rebuild_tensor_v2.__globals__"},
            new String[] {"mypkg.evil", "Thing"});

    /** How the pickle reaches the global. */
    enum Path {
        P0_GLOBAL_REDUCE,
        P0_INST,
        P0_OBJ,
        P0_PUT_GET,
        P0_NESTED_IN_DICT,
        P1_SHORT_BINSTRING,
        P1_BINSTRING,
        P2_GLOBAL_REDUCE,
        P2_NEWOBJ,
        P2_BUILD_STATE,
        P2_LONG_BINGET,
        P2_IN_DICT_VALUE,
        P2_IN_PERSISTENT_ID,
        P2_OBJ,
        P2_DUP,
        P3_AFTER_BINBYTES,
        P4_STACK_GLOBAL_FRAMED,
        P4_STACK_GLOBAL_MEMO,
        P4_NEWOBJ_EX,
        P5_AFTER_BYTEARRAY
    }

    /**
     * One hostile pickle.
     *
     * @param at offset of the GLOBAL, INST or STACK_GLOBAL opcode
     * @param via that opcode's name
     */
    record Payload(Path path, String module, String name, byte[] bytes, int at, String via) {
        String qualified() {
            return module + "." + name;
        }

        boolean ascii() {
            for (byte b : bytes) {
                if (b < 0) {
                    return false;
                }
            }
            return true;
        }

        @Override
        public String toString() {
            return path + " " + qualified();
        }
    }

    private static final class B {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        int at = -1;

        B raw(Object... parts) {
            out.writeBytes(RestrictedUnpicklerTest.p(parts));
            return this;
        }

        B here() {
            at = out.size();
            return this;
        }

        /** BINUNICODE or SHORT_BINUNICODE of {@code s}. */
        B str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            if (b.length < 256) {
                out.write(0x8c);
                out.write(b.length);
            } else {
                out.write('X');
                le(b.length, 4);
            }
            out.writeBytes(b);
            return this;
        }

        B le(long v, int width) {
            for (int i = 0; i < width; i++) {
                out.write((int) (v >>> (8 * i)) & 0xFF);
            }
            return this;
        }

        byte[] bytes() {
            return out.toByteArray();
        }
    }

    static Payload build(Path path, String module, String name) {
        String g = "c" + module + "\n" + name + "\n";
        String i = "i" + module + "\n" + name + "\n";
        B b = new B();
        String via = "GLOBAL";
        switch (path) {
            case P0_GLOBAL_REDUCE -> b.here().raw(g, "(S'echo pwned'\ntR.");
            case P0_INST -> {
                b.raw("(S'echo pwned'\n").here().raw(i, ".");
                via = "INST";
            }
            case P0_OBJ -> b.raw("(").here().raw(g, "S'echo pwned'\no.");
            case P0_PUT_GET -> b.here().raw(g, "p0\n0g0\n(Vecho pwned\ntR.");
            case P0_NESTED_IN_DICT -> b.raw("(S'k'\n(").here().raw(g, "(S'x'\ntRld.");
            case P1_SHORT_BINSTRING -> b.here().raw(g, "(U", 10, "echo pwnedtR.");
            case P1_BINSTRING -> b.raw("(T", 2, 0, 0, 0, "ab").here().raw(g, "(T", 10, 0, 0, 0, "echo pwnedtR0.");
            case P2_GLOBAL_REDUCE -> b.raw(0x80, 2).here().raw(g, "q", 0, "X", 4, 0, 0, 0, "echo", 0x85, "R.");
            case P2_NEWOBJ -> b.raw(0x80, 2).here().raw(g, ")", 0x81, ".");
            case P2_BUILD_STATE ->
                b.raw(0x80, 2, RestrictedUnpicklerTest.OD, ")R").here().raw(g, "b.");
            case P2_LONG_BINGET ->
                b.raw(0x80, 2).here().raw(g, "r", 0, 1, 0, 0, "0j", 0, 1, 0, 0, "X", 1, 0, 0, 0, "x", 0x85, "R.");
            case P2_IN_DICT_VALUE ->
                b.raw(0x80, 2, "}X", 1, 0, 0, 0, "k").here().raw(g, ")Rs.");
            case P2_IN_PERSISTENT_ID ->
                b.raw(0x80, 2, "(X", 7, 0, 0, 0, "storage")
                        .here()
                        .raw(g, "X", 1, 0, 0, 0, "0X", 3, 0, 0, 0, "cpuK", 4, "tQ.");
            case P2_OBJ -> b.raw(0x80, 2, "(").here().raw(g, "X", 1, 0, 0, 0, "xo.");
            case P2_DUP -> b.raw(0x80, 2).here().raw(g, "20)R.");
            case P3_AFTER_BINBYTES -> b.raw(0x80, 3, "C", 2, "ab0").here().raw(g, ")R.");
            case P4_STACK_GLOBAL_FRAMED -> {
                B inner = new B().str(module).raw(0x94).str(name).raw(0x94);
                int before = inner.bytes().length;
                inner.raw(0x93, 0x94).str("echo pwned").raw(0x85, "R.");
                byte[] frame = inner.bytes();
                b.raw(0x80, 4, 0x95).le(frame.length, 8);
                b.at = b.out.size() + before;
                b.raw(frame);
                via = "STACK_GLOBAL";
            }
            case P4_STACK_GLOBAL_MEMO -> {
                b.raw(0x80, 4)
                        .str(module)
                        .raw(0x94)
                        .str(name)
                        .raw(0x94, "00h", 0, "h", 1)
                        .here()
                        .raw(0x93, ")R.");
                via = "STACK_GLOBAL";
            }
            case P4_NEWOBJ_EX -> {
                b.raw(0x80, 4).str(module).str(name).here().raw(0x93, ")}", 0x92, ".");
                via = "STACK_GLOBAL";
            }
            case P5_AFTER_BYTEARRAY ->
                b.raw(0x80, 5, 0x96).le(1, 8).raw("x0").here().raw(g, ")R.");
        }
        return new Payload(path, module, name, b.bytes(), b.at, via);
    }

    /** Every global through every path. */
    static List<Payload> all() {
        return GLOBALS.stream()
                .flatMap(gl -> java.util.Arrays.stream(Path.values()).map(p -> build(p, gl[0], gl[1])))
                .toList();
    }
}
