package dev.pedigree.format.onnx;

import static dev.pedigree.format.onnx.OnnxTestWriter.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsafeModelException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorRef;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Corrupt and hostile ONNX files: each fails with a typed exception naming the file and the offset. */
class CorruptOnnxTest {
    @TempDir
    Path dir;

    private Path write(String name, byte[] bytes) throws Exception {
        Path p = dir.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static void readEverything(ModelView v) throws Exception {
        for (TensorRef t : v.tensors()) {
            if (((OnnxTensor) t).unsupportedReason() == null) {
                t.readAll();
            }
        }
    }

    private void assertFails(Path p, Class<? extends ModelFormatException> type, String fragment) {
        assertThatThrownBy(() -> {
                    try (ModelView v = new OnnxReader().open(p)) {
                        readEverything(v);
                    }
                })
                .isInstanceOf(type)
                .hasMessageContaining(p.toString())
                .hasMessageContaining("at offset")
                .hasMessageContaining(fragment);
    }

    private static byte[] oneTensorModel(Msg tensor) {
        return model(
                graph("g", List.of(node("/a/fc/MatMul", "MatMul", List.of("x", "w"), List.of("y"))), List.of(tensor)));
    }

    @Test
    void truncatedAtEveryByte() throws Exception {
        byte[] full = KnownModels.rich();
        // The graph is field 7, followed by opset_import and metadata_props: cutting after the graph
        // leaves a valid (shorter) ModelProto, cutting anywhere before its end must fail.
        int graphEnd = graphEnd(full);
        int failures = 0;
        for (int cut = 0; cut < full.length; cut++) {
            Path p = write("cut.onnx", Arrays.copyOf(full, cut));
            try (ModelView v = new OnnxReader().open(p)) {
                readEverything(v);
                assertThat(cut).as("cut at %d opened", cut).isGreaterThanOrEqualTo(graphEnd);
            } catch (CorruptModelException e) {
                failures++;
                assertThat(e.getMessage()).contains(p.toString());
                if (cut > 0) {
                    assertThat(e.offset()).as(e.getMessage()).isBetween(0L, (long) cut);
                }
            }
        }
        assertThat(failures).isGreaterThanOrEqualTo(graphEnd);
        System.out.printf(
                "truncation: %d cut points, %d rejected as corrupt, graph ends at %d%n",
                full.length, failures, graphEnd);
    }

    private static int graphEnd(byte[] m) throws Exception {
        try (var src = dev.pedigree.io.ByteSource.ofBytes("m", m)) {
            dev.pedigree.io.ProtoWireReader r = new dev.pedigree.io.ProtoWireReader("m", src.slice(0, m.length), 0);
            while (r.next()) {
                r.skipValue();
                if (r.field() == 7) {
                    return (int) r.absolutePosition();
                }
            }
        }
        throw new IllegalStateException("no graph");
    }

    @Test
    void lengthPastTheEnd() throws Exception {
        Msg m = msg().varint(1, 8)
                .tag(7, 2)
                .rawVarint(5)
                .tag(5, 2)
                .rawVarint(127)
                .raw(new byte[] {1, 2, 3});
        assertFails(write("len.onnx", m.toBytes()), CorruptModelException.class, "claims 127 bytes");
    }

    @Test
    void emptyFileAndNoGraph() throws Exception {
        assertFails(write("empty.onnx", new byte[0]), CorruptModelException.class, "no graph");
        assertFails(
                write("nograph.onnx", msg().varint(1, 8).string(2, "x").toBytes()),
                CorruptModelException.class,
                "no graph");
    }

    @Test
    void wrongWireTypeForKnownField() throws Exception {
        assertFails(
                write("wire.onnx", msg().varint(1, 8).varint(7, 3).toBytes()),
                CorruptModelException.class,
                "wire type");
    }

    @Test
    void externalPathEscapingTheDirectoryIsUnsafe() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("m"));
        Path p = sub.resolve("esc.onnx");
        Files.write(p, oneTensorModel(externalTensor("w", FLOAT, KnownModels.d(2), "../../etc/passwd", 0, 8)));
        assertFails(p, UnsafeModelException.class, "escapes the model directory");
        Files.write(p, oneTensorModel(externalTensor("w", FLOAT, KnownModels.d(2), "/etc/passwd", 0, 8)));
        assertFails(p, UnsafeModelException.class, "absolute");
        Files.write(p, oneTensorModel(externalTensor("w", FLOAT, KnownModels.d(2), "sub/../../x.bin", 0, 8)));
        assertFails(p, UnsafeModelException.class, "escapes");
    }

    @Test
    void externalSymlinkOutOfTheDirectoryIsUnsafe() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("s"));
        Path outside = write("outside.bin", new byte[64]);
        try {
            Files.createSymbolicLink(sub.resolve("w.bin"), outside);
        } catch (UnsupportedOperationException | java.io.IOException e) {
            return;
        }
        Path p = sub.resolve("link.onnx");
        Files.write(p, oneTensorModel(externalTensor("w", FLOAT, KnownModels.d(2), "w.bin", 0, 8)));
        assertFails(p, UnsafeModelException.class, "link");
    }

    @Test
    void externalRangePastTheFileAndMissingFile() throws Exception {
        Path sub = Files.createDirectories(dir.resolve("r"));
        Files.write(sub.resolve("w.bin"), new byte[16]);
        Path p = sub.resolve("range.onnx");
        Files.write(p, oneTensorModel(externalTensor("w", FLOAT, KnownModels.d(4), "w.bin", 8, 16)));
        assertFails(p, CorruptModelException.class, "extends past the end");
        Files.write(p, oneTensorModel(externalTensor("w", FLOAT, KnownModels.d(4), "w.bin", Long.MAX_VALUE - 4, 16)));
        assertFails(p, CorruptModelException.class, "extends past the end");
        Files.write(p, oneTensorModel(externalTensor("w", FLOAT, KnownModels.d(2), "w.bin", 0, 16)));
        assertFails(p, CorruptModelException.class, "does not match dims");
        Files.write(p, oneTensorModel(externalTensor("w", FLOAT, KnownModels.d(2), "nope.bin", 0, 8)));
        assertFails(p, CorruptModelException.class, "does not exist");
        Files.write(p, oneTensorModel(externalTensor("w", FLOAT, KnownModels.d(2), "w.bin", -3, 8)));
        assertFails(p, CorruptModelException.class, "not a non-negative integer");
    }

    @Test
    void negativeAndHugeDims() throws Exception {
        assertFails(
                write(
                        "neg.onnx",
                        oneTensorModel(tensorHeaderUnpacked("w", FLOAT, -1).bytes(9, new byte[4]))),
                CorruptModelException.class,
                "negative dimension");
        assertFails(
                write(
                        "neg2.onnx",
                        oneTensorModel(tensorHeader("w", FLOAT, 2, -5).bytes(9, new byte[4]))),
                CorruptModelException.class,
                "negative dimension");
        assertFails(
                write(
                        "over.onnx",
                        oneTensorModel(rawTensor("w", FLOAT, KnownModels.d(1L << 40, 1L << 40), new byte[4]))),
                CorruptModelException.class,
                "overflows");
        assertFails(
                write("huge.onnx", oneTensorModel(rawTensor("w", FLOAT, KnownModels.d(1L << 40), new byte[4]))),
                CorruptModelException.class,
                "need 4398046511104");
        assertFails(
                write(
                        "rank.onnx",
                        oneTensorModel(rawTensor("w", FLOAT, KnownModels.d(1, 1, 1, 1, 1, 1, 1, 1, 1), new byte[4]))),
                UnsupportedModelException.class,
                "dimensions");
        assertFails(
                write("nodata.onnx", oneTensorModel(tensorHeader("w", FLOAT, 1L << 50))),
                CorruptModelException.class,
                "no data");
    }

    @Test
    void rawSizeAndTypedCountMismatch() throws Exception {
        assertFails(
                write("raw.onnx", oneTensorModel(rawTensor("w", FLOAT, KnownModels.d(2, 3), new byte[20]))),
                CorruptModelException.class,
                "raw_data holds 20 bytes");
        assertFails(
                write("typed.onnx", oneTensorModel(floatDataTensor("w", KnownModels.d(2, 3), 1, 2, 3))),
                CorruptModelException.class,
                "3 typed values");
        assertFails(
                write("field.onnx", oneTensorModel(tensorHeader("w", INT64, 2).bytes(4, f32(1, 2)))),
                CorruptModelException.class,
                "expected field 7");
        assertFails(
                write(
                        "both.onnx",
                        oneTensorModel(
                                rawTensor("w", FLOAT, KnownModels.d(1), f32(1)).bytes(4, f32(1)))),
                CorruptModelException.class,
                "both");
        assertFails(
                write("packed.onnx", oneTensorModel(tensorHeader("w", FLOAT, 1).bytes(4, new byte[5]))),
                CorruptModelException.class,
                "whole number");
        assertFails(
                write("varint.onnx", oneTensorModel(tensorHeader("w", INT64, 1).bytes(7, new byte[] {(byte) 0x80}))),
                CorruptModelException.class,
                "truncated");
    }

    @Test
    void nestingTooDeep() throws Exception {
        Msg g = graph("leaf", List.of(), List.of(rawTensor("deep.w", FLOAT, KnownModels.d(1), f32(1))));
        for (int i = 0; i < 20; i++) {
            g = graph(
                    "g" + i,
                    List.of(node("/if" + i, "If", List.of("c"), List.of("o"), attrGraph("then_branch", g))),
                    List.of());
        }
        assertFails(write("deep.onnx", model(g)), CorruptModelException.class, "nested deeper");
        // 10 levels are fine.
        Msg ok = graph("leaf", List.of(), List.of(rawTensor("deep.w", FLOAT, KnownModels.d(1), f32(1))));
        for (int i = 0; i < 10; i++) {
            ok = graph(
                    "g" + i,
                    List.of(node("/if" + i, "If", List.of("c"), List.of("o"), attrGraph("then_branch", ok))),
                    List.of());
        }
        try (ModelView v = new OnnxReader().open(write("ok.onnx", model(ok)))) {
            assertThat(v.tensors()).extracting(TensorRef::name).containsExactly("deep.w");
        }
    }

    @Test
    void invalidUtf8Name() throws Exception {
        Msg t = msg().bytes(1, packedVarints(1))
                .varint(2, FLOAT)
                .bytes(8, new byte[] {(byte) 0xC3, 0x28})
                .bytes(9, f32(1));
        assertFails(write("utf8.onnx", oneTensorModel(t)), CorruptModelException.class, "UTF-8");
    }

    @Test
    void unknownDataTypeIsListedNotFatal() throws Exception {
        try (ModelView v = new OnnxReader()
                .open(write("unk.onnx", oneTensorModel(rawTensor("w", 99, KnownModels.d(2), new byte[3]))))) {
            OnnxTensor t = (OnnxTensor) v.tensors().getFirst();
            assertThat(t.unsupportedReason()).contains("99");
            assertThatThrownBy(t::readAll)
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("at offset");
        } catch (ModelFormatException e) {
            fail("unknown types are listed", e);
        }
    }
}
