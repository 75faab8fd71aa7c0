package dev.pedigree.format.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class RestrictedUnpicklerTest {
    static final Path MARKER = Path.of("/tmp/pedigree-pytorch-marker-must-not-exist");

    /** Bytes from ints (opcodes, raw bytes) and strings (latin-1 text). */
    static byte[] p(Object... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Object o : parts) {
            switch (o) {
                case Integer i -> out.write(i);
                case Character c -> out.write(c);
                case String s -> out.writeBytes(s.getBytes(StandardCharsets.ISO_8859_1));
                case byte[] b -> out.writeBytes(b);
                default -> throw new IllegalArgumentException(o.toString());
            }
        }
        return out.toByteArray();
    }

    static byte[] resource(String name) throws Exception {
        try (InputStream in = RestrictedUnpicklerTest.class.getResourceAsStream("hostile/" + name)) {
            assertThat(in).as(name).isNotNull();
            return in.readAllBytes();
        }
    }

    static PickleValue load(byte[] b) throws ModelFormatException {
        return RestrictedUnpickler.load("test.pkl", b);
    }

    static Stream<Arguments> hostileFiles() {
        return Stream.of(
                Arguments.of("os_system_global.pkl", "refused global os.system (dangerous, via GLOBAL)", 2),
                Arguments.of(
                        "os_system_stack_global.pkl", "refused global os.system (dangerous, via STACK_GLOBAL)", 16),
                Arguments.of("posix_system_p2.pkl", "refused global posix.system (dangerous", 2),
                Arguments.of("posix_system_p4.pkl", "refused global posix.system (dangerous, via STACK_GLOBAL)", -1),
                Arguments.of("builtins_eval_p4.pkl", "refused global builtins.eval (dangerous", -1),
                Arguments.of("builtins_eval_p2.pkl", "refused global __builtin__.eval (dangerous", 2),
                Arguments.of("builtins_open_marker_p2.pkl", "refused global io.open (dangerous", 2),
                Arguments.of("builtins_open_marker.pkl", "refused global builtins.open (dangerous, via GLOBAL)", 2),
                Arguments.of("subprocess_popen_p2.pkl", "refused global subprocess.Popen (dangerous", 2),
                Arguments.of("subprocess_popen_commands_p2.pkl", "refused global commands.Popen (dangerous", 2),
                Arguments.of("functools_partial_p2.pkl", "refused global functools.partial (dangerous", 2),
                Arguments.of("state_dict_hidden_system_p2.pkl", "refused global ", -1),
                Arguments.of("inst_os_system.pkl", "refused global os.system (dangerous, via INST)", -1));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileFiles")
    void hostilePicklesAreRefusedByName(String file, String message, long offset) throws Exception {
        byte[] b = resource(file);
        assertThatThrownBy(() -> load(b))
                .isInstanceOf(UnsafeModelException.class)
                .hasMessageContaining(message)
                .hasMessageContaining("test.pkl at offset")
                .satisfies(e -> {
                    ModelFormatException m = (ModelFormatException) e;
                    assertThat(m.offset()).isBetween(0L, (long) b.length);
                    if (offset >= 0) {
                        assertThat(m.offset()).isEqualTo(offset);
                    }
                });
    }

    @Test
    void nothingRunsEvenWhenEveryHostilePickleIsLoadedInsideACheckpoint(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        Files.deleteIfExists(MARKER);
        int refused = 0;
        for (Arguments a : hostileFiles().toList()) {
            String file = (String) a.get()[0];
            byte[] pkl = resource(file);
            Path ckpt = tmp.resolve(file + ".pt");
            Files.write(
                    ckpt,
                    PytorchWriter.zip(List.of(new PytorchWriter.ZipRecord("archive/data.pkl", pkl, false)), false));
            assertThatThrownBy(() -> new PytorchReader().open(ckpt))
                    .as(file)
                    .isInstanceOf(UnsafeModelException.class)
                    .hasMessageContaining(ckpt.toString());
            refused++;
        }
        assertThat(refused).isEqualTo(13);
        assertThat(MARKER).doesNotExist();
    }

    static Stream<Arguments> refusedOpcodes() {
        return Stream.of(
                Arguments.of("EXT1", p(0x80, 2, 0x82, 1, '.')),
                Arguments.of("EXT2", p(0x80, 2, 0x83, 1, 0, '.')),
                Arguments.of("EXT4", p(0x80, 2, 0x84, 1, 0, 0, 0, '.')));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedOpcodes")
    void extensionCodesAreRefused(String name, byte[] b) {
        assertThatThrownBy(() -> load(b))
                .isInstanceOf(UnsafeModelException.class)
                .hasMessageContaining("refused pickle opcode " + name)
                .hasMessageContaining("copyreg's registry")
                .hasMessageContaining("test.pkl at offset 2");
    }

    static Stream<Arguments> invalidOpcodes() {
        return Stream.of(
                Arguments.of("NEXT_BUFFER", p(0x80, 5, 0x97, '.'), "out-of-band"),
                Arguments.of("READONLY_BUFFER on None", p(0x80, 5, 'N', 0x98, '.'), "not a buffer"),
                Arguments.of("unknown", p(0x80, 2, 0xff, '.'), "invalid pickle opcode 0xff"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidOpcodes")
    void opcodesCPythonRejectsAreCorrupt(String name, byte[] b, String message) {
        assertThatThrownBy(() -> load(b))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining(message)
                .hasMessageContaining("test.pkl at offset");
    }

    @Test
    void protocolZeroAndOtherDataOpcodesAreInterpreted() throws Exception {
        assertThat(load(p("S'abc'\n."))).isEqualTo(new PickleValue.Str("abc"));
        assertThat(load(p("S'a\\x41\\n\\101'\n."))).isEqualTo(new PickleValue.Str("aA\nA"));
        assertThat(load(p("Vcaf\\u00e9\n."))).isEqualTo(new PickleValue.Str("caf\u00e9"));
        assertThat(load(p("I42\n."))).isEqualTo(new PickleValue.Int(42));
        assertThat(load(p("I-0x10\n."))).isEqualTo(new PickleValue.Int(-16));
        assertThat(load(p("I01\n."))).isEqualTo(new PickleValue.Bool(true));
        assertThat(load(p("L123456789012345678901234567890L\n.")))
                .isEqualTo(new PickleValue.BigInt(new java.math.BigInteger("123456789012345678901234567890")));
        assertThat(load(p("F1.5\n."))).isEqualTo(new PickleValue.PyFloat(1.5));
        assertThat(load(p("(I1\nI2\nl.")).describe()).isEqualTo("list(2)");
        assertThat(load(p("(S'k'\np0\nI1\nd.")).describe()).isEqualTo("dict(1)");
        assertThat(load(p("S'k'\np0\n0g0\n."))).isEqualTo(new PickleValue.Str("k"));
        assertThat(load(p(0x80, 2, 'N', '2', 0x86, '.')).describe()).isEqualTo("tuple(2)");
        assertThat(load(p(0x80, 2, 'N', 'N', '0', '.'))).isEqualTo(PickleValue.PyNone.NONE);
        // memo keys far apart (the map) and dense (the array) both resolve
        assertThat(load(p(0x80, 2, 'K', 7, 'r', 0, 0, 0, 0x40, '0', 'K', 8, 'q', 3, '0', 'j', 0, 0, 0, 0x40, '.')))
                .isEqualTo(new PickleValue.Int(7));
        assertThat(load(p(0x80, 2, 'K', 7, 'r', 0, 0, 0, 0x40, '0', 'K', 8, 'q', 3, '0', 'h', 3, '.')))
                .isEqualTo(new PickleValue.Int(8));
        assertThat(load(p(0x80, 2, 'N', '(', '0', '.'))).isEqualTo(PickleValue.PyNone.NONE);
        assertThat(load(p(0x80, 2, 'N', '(', 'N', 'N', '1', '.'))).isEqualTo(PickleValue.PyNone.NONE);
        assertThat(load(p(0x80, 5, 0x96, 1, 0, 0, 0, 0, 0, 0, 0, 7, 0x98, '.')))
                .isEqualTo(new PickleValue.Bytes(new byte[] {7}));
        assertThat(load(p(0x80, 4, 0x8f, '(', 'K', 1, 'K', 2, 0x90, '.')).describe())
                .isEqualTo("set(2)");
        assertThat(load(p(0x80, 4, '(', 'K', 1, 0x91, '.')).describe()).isEqualTo("set(1)");
        assertThat(load(p(0x80, 2, 0x8b, 2, 0, 0, 0, 0x00, 0x80, '.'))).isEqualTo(new PickleValue.Int(-32768));
        assertThat(load(p(0x80, 2, 'T', 2, 0, 0, 0, "hi", '.'))).isEqualTo(new PickleValue.Str("hi"));
        // OBJ, INST and NEWOBJ_EX on an allowlisted class are inert calls
        assertThat(load(p(0x80, 2, '(', OD, 'o', '.')).describe()).isEqualTo("OrderedDict(0)");
        assertThat(load(p("(icollections\nOrderedDict\n.")).describe()).isEqualTo("OrderedDict(0)");
        assertThat(load(p(0x80, 4, OD, ')', '}', 0x92, '.')).describe()).isEqualTo("OrderedDict(0)");
        // PERSID carries a string id, which torch's zip loader rejects
        assertThatThrownBy(() -> load(p(0x80, 2, "P0\n", '.')))
                .isInstanceOf(UnsafeModelException.class)
                .hasMessageContaining("refused persistent id '0'");
        assertThatThrownBy(() -> load(p(0x80, 4, OD, ')', '}', 'K', 1, 'K', 1, 's', 0x92, '.')))
                .isInstanceOf(UnsafeModelException.class)
                .hasMessageContaining("refused NEWOBJ_EX on collections.OrderedDict with keyword arguments");
        assertThatThrownBy(() -> load(p(0x80, 2, ']', '(', 'N', 0x90, '.')))
                .isInstanceOf(UnsafeModelException.class)
                .hasMessageContaining("refused ADDITEMS to list(0)");
    }

    static Stream<Arguments> malformedTextArguments() {
        return Stream.of(
                Arguments.of("INT not a number", p("Ifoo\n."), "INT argument 'foo'"),
                Arguments.of("INT leading zero", p("I012\n."), "INT argument '012'"),
                Arguments.of("LONG too many digits", p("L" + "9".repeat(5000) + "\n."), "LONG argument"),
                Arguments.of("FLOAT not a number", p("Fx1\n."), "FLOAT argument"),
                Arguments.of("STRING unquoted", p("Sabc\n."), "not quoted"),
                Arguments.of("STRING bad escape", p("S'\\x4'\n."), "invalid escape"),
                Arguments.of("UNICODE bad escape", p("V\\u12\n."), "invalid"),
                Arguments.of("GET negative", p("N(g-1\n."), "out of range"),
                Arguments.of("PUT without newline", p("Np1"), "newline-terminated"),
                Arguments.of("BINSTRING negative", p(0x80, 2, 'T', 0xff, 0xff, 0xff, 0xff, '.'), "negative length"),
                Arguments.of("OBJ without class", p(0x80, 2, '(', 'o', '.'), "OBJ needs a class"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedTextArguments")
    void malformedProtocolZeroArgumentsAreCorrupt(String what, byte[] b, String message) {
        assertThatThrownBy(() -> load(b))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining(message)
                .hasMessageContaining("test.pkl at offset");
    }

    static final String REBUILD = "ctorch._utils\n_rebuild_tensor_v2\n";
    static final String OD = "ccollections\nOrderedDict\n";

    /** ('storage', torch.FloatStorage, '0', 'cpu', 4) then BINPERSID. */
    static byte[] storage() {
        return p(
                '(',
                "X",
                7,
                0,
                0,
                0,
                "storage",
                "ctorch\nFloatStorage\n",
                "X",
                1,
                0,
                0,
                0,
                "0",
                "X",
                3,
                0,
                0,
                0,
                "cpu",
                'K',
                4,
                't',
                'Q');
    }

    static byte[] tensorCall(byte[] storage, int extraArgs) {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(p(REBUILD, '('));
        b.writeBytes(storage);
        b.writeBytes(p('K', 0, 'K', 4, 0x85, 'K', 1, 0x85, 0x89, OD, ')', 'R'));
        for (int i = 0; i < extraArgs; i++) {
            b.writeBytes(p('N'));
        }
        b.writeBytes(p('t', 'R'));
        return b.toByteArray();
    }

    static Stream<Arguments> refusedSemantics() {
        return Stream.of(
                Arguments.of(
                        "persistent id kind 'module'",
                        p(0x80, 2, '(', "X", 6, 0, 0, 0, "module", "X", 1, 0, 0, 0, "x", 't', 'Q', '.'),
                        "refused persistent id of kind 'module'"),
                Arguments.of(
                        "persistent id not a tuple",
                        p(0x80, 2, "X", 7, 0, 0, 0, "storage", 'Q', '.'),
                        "refused persistent id"),
                Arguments.of(
                        "storage id with code type",
                        p(
                                0x80, 2, '(', "X", 7, 0, 0, 0, "storage", OD, "X", 1, 0, 0, 0, "0", "X", 3, 0, 0, 0,
                                "cpu", 'K', 4, 't', 'Q', '.'),
                        "refused storage persistent id with type collections.OrderedDict"),
                Arguments.of(
                        "legacy 6-tuple in zip pickle",
                        p(
                                0x80,
                                2,
                                '(',
                                "X",
                                7,
                                0,
                                0,
                                0,
                                "storage",
                                "ctorch\nFloatStorage\n",
                                "X",
                                1,
                                0,
                                0,
                                0,
                                "0",
                                "X",
                                3,
                                0,
                                0,
                                0,
                                "cpu",
                                'K',
                                4,
                                'N',
                                't',
                                'Q',
                                '.'),
                        "refused storage persistent id with 6 fields"),
                Arguments.of("BUILD on a list", p(0x80, 2, ']', '}', 'b', '.'), "refused BUILD on list(0)"),
                Arguments.of("BUILD on a plain dict", p(0x80, 2, '}', '}', 'b', '.'), "refused BUILD on dict(0)"),
                Arguments.of(
                        "BUILD on a string", p(0x80, 2, "X", 1, 0, 0, 0, "a", '}', 'b', '.'), "refused BUILD on 'a'"),
                Arguments.of("APPEND to a tuple", p(0x80, 2, ')', 'N', 'a', '.'), "refused APPEND to tuple(0)"),
                Arguments.of("APPENDS to a dict", p(0x80, 2, '}', '(', 'N', 'e', '.'), "refused APPEND to dict(0)"),
                Arguments.of("SETITEM on a list", p(0x80, 2, ']', 'N', 'N', 's', '.'), "refused SETITEM on list(0)"),
                Arguments.of(
                        "SETITEMS on OrderedDict class",
                        p(0x80, 2, OD, '(', 'N', 'N', 'u', '.'),
                        "refused SETITEM on collections.OrderedDict"),
                Arguments.of(
                        "_rebuild_tensor_v2 with 2 args",
                        p(0x80, 2, REBUILD, 'N', 'N', 0x86, 'R', '.'),
                        "refused call of torch._utils._rebuild_tensor_v2 with 2 arguments (expected 6 to 7)"),
                Arguments.of(
                        "_rebuild_tensor_v2 with 9 args",
                        p(0x80, 2, tensorCall(storage(), 3), '.'),
                        "refused call of torch._utils._rebuild_tensor_v2 with 9 arguments"),
                Arguments.of(
                        "REDUCE on a storage class",
                        p(0x80, 2, "ctorch\nFloatStorage\n", ')', 'R', '.'),
                        "refused REDUCE on torch.FloatStorage"),
                Arguments.of(
                        "REDUCE on a dtype",
                        p(0x80, 2, "ctorch\nfloat16\n", ')', 'R', '.'),
                        "refused REDUCE on torch.float16"),
                Arguments.of(
                        "REDUCE on a string", p(0x80, 2, "X", 1, 0, 0, 0, "a", ')', 'R', '.'), "refused REDUCE on 'a'"),
                Arguments.of(
                        "NEWOBJ on Size", p(0x80, 2, "ctorch\nSize\n", ')', 0x81, '.'), "refused NEWOBJ on torch.Size"),
                Arguments.of(
                        "from_type_v2 with other type",
                        p(
                                0x80,
                                2,
                                "ctorch._tensor\n_rebuild_from_type_v2\n",
                                '(',
                                REBUILD,
                                OD,
                                ')',
                                'N',
                                't',
                                'R',
                                '.'),
                        "only Parameter or Tensor"),
                Arguments.of(
                        "codecs.encode rot13",
                        p(
                                0x80,
                                2,
                                "c_codecs\nencode\n",
                                "X",
                                1,
                                0,
                                0,
                                0,
                                "a",
                                "X",
                                5,
                                0,
                                0,
                                0,
                                "rot13",
                                0x86,
                                'R',
                                '.'),
                        "refused _codecs.encode with encoding rot13"),
                Arguments.of(
                        "torch global outside list",
                        p(0x80, 2, "ctorch\nload\n", '.'),
                        "refused global torch.load (dangerous"),
                Arguments.of(
                        "unknown module is suspicious",
                        p(0x80, 2, "cmypkg.evil\nThing\n", '.'),
                        "refused global mypkg.evil.Thing (suspicious"),
                Arguments.of(
                        "getattr",
                        p(0x80, 2, "cbuiltins\ngetattr\n", '.'),
                        "refused global builtins.getattr (dangerous"),
                Arguments.of(
                        "runpy", p(0x80, 2, "crunpy\n_run_code\n", '.'), "refused global runpy._run_code (dangerous"),
                Arguments.of(
                        "operator.attrgetter",
                        p(0x80, 4, 0x8c, 8, "operator", 0x8c, 10, "attrgetter", 0x93, '.'),
                        "refused global operator.attrgetter (dangerous, via STACK_GLOBAL"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refusedSemantics")
    void unsafeSemanticsAreRefused(String what, byte[] b, String message) {
        assertThatThrownBy(() -> load(b))
                .isInstanceOf(UnsafeModelException.class)
                .hasMessageContaining(message)
                .hasMessageContaining("test.pkl at offset");
    }

    @Test
    void rebuildTensorBuildsAnInertRecord() throws Exception {
        PickleValue v = load(p(0x80, 2, tensorCall(storage(), 0), '.'));
        assertThat(v).isInstanceOf(PickleValue.TensorSpec.class);
        PickleValue.TensorSpec t = (PickleValue.TensorSpec) v;
        assertThat(t.dtype()).isEqualTo(DType.F32);
        assertThat(t.size()).containsExactly(4);
        assertThat(t.stride()).containsExactly(1);
        assertThat(t.storage().key()).isEqualTo("0");
        assertThat(t.storage().numel()).isEqualTo(4);
        assertThat(t.parameter()).isFalse();
        // Parameter via _rebuild_from_type_v2 and via torch.nn.parameter.Parameter
        byte[] fromType = p(
                0x80,
                2,
                "ctorch._tensor\n_rebuild_from_type_v2\n",
                '(',
                REBUILD,
                "ctorch.nn.parameter\nParameter\n",
                '(',
                storage(),
                'K',
                0,
                'K',
                4,
                0x85,
                'K',
                1,
                0x85,
                0x89,
                OD,
                ')',
                'R',
                't',
                '}',
                't',
                'R',
                '.');
        assertThat(((PickleValue.TensorSpec) load(fromType)).parameter()).isTrue();
        byte[] param = p(
                0x80, 2, "ctorch.nn.parameter\nParameter\n", tensorCall(storage(), 0), 0x88, 0x86, 0x81, '}', 'b', '.');
        assertThat(((PickleValue.TensorSpec) load(param)).parameter()).isTrue();
    }

    @Test
    void scalarsStringsAndContainers() throws Exception {
        byte[] b = p(
                0x80,
                2,
                ']',
                '(',
                'J',
                0xff,
                0xff,
                0xff,
                0xff,
                'M',
                0x34,
                0x12,
                0x8a,
                2,
                0x00,
                0x80,
                0x8a,
                0,
                'G',
                0x3f,
                0xf8,
                0,
                0,
                0,
                0,
                0,
                0,
                0x8c,
                2,
                "hi",
                'C',
                2,
                1,
                2,
                'U',
                3,
                "abc",
                0x88,
                'N',
                "c_codecs\nencode\n",
                "X",
                2,
                0,
                0,
                0,
                0xc3,
                0xbf,
                "X",
                6,
                0,
                0,
                0,
                "latin1",
                0x86,
                'R',
                'e',
                '.');
        PickleValue.PyList l = (PickleValue.PyList) load(b);
        assertThat(l.items())
                .containsExactly(
                        new PickleValue.Int(-1),
                        new PickleValue.Int(0x1234),
                        new PickleValue.Int(-32768),
                        new PickleValue.Int(0),
                        new PickleValue.PyFloat(1.5),
                        new PickleValue.Str("hi"),
                        new PickleValue.Bytes(new byte[] {1, 2}),
                        new PickleValue.Str("abc"),
                        new PickleValue.Bool(true),
                        PickleValue.PyNone.NONE,
                        new PickleValue.Bytes(new byte[] {(byte) 0xff}));
        assertThat(((PickleValue.BigInt) load(PytorchWriter.builder().legacyBytes())).value())
                .isEqualTo(PytorchCheckpoint.LEGACY_MAGIC);
    }

    static Stream<Arguments> corruptPickles() {
        return Stream.of(
                Arguments.of("no STOP", p(0x80, 2, 'N'), "without STOP"),
                Arguments.of("empty", p(), "without STOP"),
                Arguments.of("underflow", p(0x80, 2, 'R', '.'), "stack underflow"),
                Arguments.of("underflow past mark", p(0x80, 2, 'N', '(', 0x85, '.'), "stack underflow"),
                Arguments.of("TUPLE without MARK", p(0x80, 2, 't', '.'), "none is open"),
                Arguments.of("memo miss", p(0x80, 2, 'h', 5, '.'), "memo key 5"),
                Arguments.of(
                        "BINUNICODE past end",
                        p(0x80, 2, 'X', 0xff, 0xff, 0xff, 0x7f, "ab"),
                        "claims 2147483647 bytes"),
                Arguments.of("BINUNICODE8 huge", p(0x80, 4, 0x8d, 0, 0, 0, 0, 0, 0, 0, 0x80), "implausibly large"),
                Arguments.of(
                        "FRAME past end", p(0x80, 4, 0x95, 0xff, 0, 0, 0, 0, 0, 0, 0, '.'), "FRAME claims 255 bytes"),
                Arguments.of("bad utf8", p(0x80, 2, 'X', 1, 0, 0, 0, 0xff, '.'), "not valid UTF-8"),
                Arguments.of("GLOBAL without newline", p(0x80, 2, 'c', "os"), "newline-terminated"),
                Arguments.of("odd SETITEMS", p(0x80, 2, '}', '(', 'N', 'u', '.'), "odd number"),
                Arguments.of("unhashable key", p(0x80, 2, '}', ']', 'N', 's', '.'), "unsupported dict key list(0)"),
                Arguments.of(
                        "bytes key", p(0x80, 2, '}', 'C', 1, 0xff, 'N', 's', '.'), "unsupported dict key bytes(1)"),
                Arguments.of(
                        "nested tuple key",
                        p(0x80, 2, '}', 'N', 0x85, 0x85, 'N', 's', '.'),
                        "unsupported dict key tuple(1)"),
                Arguments.of(
                        "STACK_GLOBAL non-strings", p(0x80, 4, 'N', 'N', 0x93, '.'), "STACK_GLOBAL needs two strings"),
                Arguments.of(
                        "negative stride",
                        p(
                                0x80, 2, REBUILD, '(', storage(), 'K', 0, 'K', 4, 0x85, 'J', 0xff, 0xff, 0xff, 0xff,
                                0x85, 0x89, OD, ')', 'R', 't', 'R', '.'),
                        "non-negative"),
                Arguments.of(
                        "rank mismatch",
                        p(
                                0x80, 2, REBUILD, '(', storage(), 'K', 0, 'K', 4, 0x85, ')', 0x89, OD, ')', 'R', 't',
                                'R', '.'),
                        "dimensions"),
                Arguments.of(
                        "rebuild with string storage",
                        p(0x80, 2, REBUILD, '(', 'N', 'K', 0, ')', ')', 0x89, '}', 't', 'R', '.'),
                        "must be a storage"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corruptPickles")
    void corruptPicklesNameTheOffset(String what, byte[] b, String message) {
        assertThatThrownBy(() -> load(b))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining(message)
                .hasMessageContaining("test.pkl at offset");
    }

    @Test
    @Timeout(20)
    void hundredThousandMarksEndInABoundedError() {
        byte[] b = new byte[2 + 100_000 + 1];
        b[0] = (byte) 0x80;
        b[1] = 2;
        java.util.Arrays.fill(b, 2, b.length - 1, (byte) '(');
        b[b.length - 1] = '.';
        assertThatThrownBy(() -> load(b))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("MARKs nested deeper than 4096")
                .satisfies(e -> assertThat(((ModelFormatException) e).offset()).isEqualTo(2 + 4096));
    }

    @Test
    @Timeout(20)
    void deeplyNestedContainersEndInABoundedError() {
        // 100k EMPTY_LISTs, then 100k APPENDs: lists nested 100k deep.
        int n = 100_000;
        byte[] lists = new byte[2 + 2 * n + 1];
        lists[0] = (byte) 0x80;
        lists[1] = 2;
        java.util.Arrays.fill(lists, 2, 2 + n, (byte) ']');
        java.util.Arrays.fill(lists, 2 + n, 2 + 2 * n, (byte) 'a');
        lists[lists.length - 1] = '.';
        assertThatThrownBy(() -> load(lists))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("nested deeper than 256");
        // Tuples nested with TUPLE1.
        byte[] tuples = new byte[2 + 1 + n + 1];
        tuples[0] = (byte) 0x80;
        tuples[1] = 2;
        tuples[2] = 'N';
        java.util.Arrays.fill(tuples, 3, 3 + n, (byte) 0x85);
        tuples[tuples.length - 1] = '.';
        assertThatThrownBy(() -> load(tuples))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("nested deeper than 256");
        // Dicts nested through SETITEM.
        ByteArrayOutputStream d = new ByteArrayOutputStream();
        d.writeBytes(p(0x80, 2));
        for (int i = 0; i < n; i++) {
            d.writeBytes(p('}', 'N'));
        }
        for (int i = 0; i < n; i++) {
            d.writeBytes(p('s'));
        }
        d.writeBytes(p('.'));
        // '}' 'N' '}' 'N' ... 's': each SETITEM pops (value, key)... keys are None, values dicts
        assertThatThrownBy(() -> load(d.toByteArray())).isInstanceOf(ModelFormatException.class);
    }

    @Test
    @Timeout(20)
    void limitsOnStackMemoAndOps() {
        UnpicklerLimits small = new UnpicklerLimits(10, 100, 8, 1000, 16, 64);
        byte[] many = new byte[2 + 200 + 1];
        many[0] = (byte) 0x80;
        many[1] = 2;
        java.util.Arrays.fill(many, 2, 202, (byte) 'N');
        many[202] = '.';
        assertThatThrownBy(() -> run(many, small))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("stack exceeds 100");
        ByteArrayOutputStream memo = new ByteArrayOutputStream();
        memo.writeBytes(p(0x80, 2, 'N'));
        for (int i = 0; i < 20; i++) {
            memo.writeBytes(p('q', i));
        }
        assertThatThrownBy(() -> run(memo.toByteArray(), small))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("memo exceeds 10");
        UnpicklerLimits fewOps = new UnpicklerLimits(10, 100, 8, 1000, 100_000, 64);
        byte[] nones = new byte[3000];
        for (int i = 0; i < nones.length; i += 3) {
            nones[i] = 'N';
            nones[i + 1] = 'N';
            nones[i + 2] = (byte) 0x86;
        }
        assertThatThrownBy(() -> run(nones, new UnpicklerLimits(10, 10_000, 8, 1000, 100, 64)))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("exceeds 1000 opcodes");
        assertThatThrownBy(() -> run(p(0x80, 2, 'X', 100, 0, 0, 0, new byte[100], '.'), fewOps))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("exceeds the limit of 64");
    }

    private static PickleValue run(byte[] b, UnpicklerLimits limits) throws ModelFormatException {
        return new RestrictedUnpickler(
                        "test.pkl",
                        java.lang.foreign.MemorySegment.ofArray(b),
                        0,
                        limits,
                        RestrictedUnpickler.PersistentIds.ZIP)
                .load();
    }

    @Test
    void sharedReferencesDoNotBlowUpTheWalk() throws Exception {
        // t0 = (None, None); t(i+1) = (ti, ti) via the memo, 60 levels: 2^60 paths if walked naively.
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(p(0x80, 2, 'N', 'N', 0x86, 'q', 0));
        for (int i = 0; i < 60; i++) {
            b.writeBytes(p('h', i, 0x86, 'q', i + 1));
        }
        b.writeBytes(p('.'));
        byte[] pkl = b.toByteArray();
        byte[] zip = PytorchWriter.zip(List.of(new PytorchWriter.ZipRecord("archive/data.pkl", pkl, false)), false);
        assertThat(org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                        java.time.Duration.ofSeconds(10),
                        () -> new PytorchReader()
                                .tensors(ByteSource.ofBytes("shared.pt", zip), ArchitectureHints.NONE)))
                .isEmpty();
    }

    @Test
    void exponentialSharedTupleAsDictKeyIsRefusedQuickly() throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        b.writeBytes(p(0x80, 2, '}', 'N', 'N', 0x86, 'q', 0));
        for (int i = 0; i < 60; i++) {
            b.writeBytes(p('h', i, 0x86, 'q', i + 1));
        }
        b.writeBytes(p('N', 's', '.'));
        byte[] pkl = b.toByteArray();
        org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
                java.time.Duration.ofSeconds(5),
                () -> assertThatThrownBy(() -> load(pkl))
                        .isInstanceOf(CorruptModelException.class)
                        .hasMessageContaining("unsupported dict key"));
        // Flat tuples of scalars are fine as keys.
        PickleValue.PyDict d =
                (PickleValue.PyDict) load(p(0x80, 2, '}', 'K', 1, "X", 1, 0, 0, 0, "a", 0x86, 'N', 's', '.'));
        assertThat(d.entries()).hasSize(1);
    }

    @Test
    void picklescanClassification() {
        assertThat(PickleGlobal.classify("os", "system")).isEqualTo(PickleGlobal.Safety.DANGEROUS);
        assertThat(PickleGlobal.classify("os.path", "join")).isEqualTo(PickleGlobal.Safety.DANGEROUS);
        assertThat(PickleGlobal.classify("__builtin__", "eval")).isEqualTo(PickleGlobal.Safety.DANGEROUS);
        assertThat(PickleGlobal.classify("torch._utils", "_rebuild_tensor_v2"))
                .isEqualTo(PickleGlobal.Safety.INNOCUOUS);
        assertThat(PickleGlobal.classify("collections", "OrderedDict")).isEqualTo(PickleGlobal.Safety.INNOCUOUS);
        assertThat(PickleGlobal.classify("numpy.core.multiarray", "_reconstruct"))
                .isEqualTo(PickleGlobal.Safety.SUSPICIOUS);
        assertThat(PickleGlobal.classify("builtins", "set")).isEqualTo(PickleGlobal.Safety.INNOCUOUS);
        assertThat(PickleGlobal.resolve("torch", "bfloat16"))
                .get()
                .extracting(PickleValue.Global::dtype)
                .isEqualTo(DType.BF16);
        assertThat(PickleGlobal.resolve("torch", "system")).isEmpty();
    }
}
