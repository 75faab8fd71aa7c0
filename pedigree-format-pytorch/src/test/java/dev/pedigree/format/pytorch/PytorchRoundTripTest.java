package dev.pedigree.format.pytorch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelFormat;
import dev.pedigree.model.ModelReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorHashes;
import dev.pedigree.model.TensorRef;
import java.io.InputStream;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class PytorchRoundTripTest {
    @TempDir
    Path tmp;

    /** Values exactly representable in each dtype, so the decoded floats must match exactly. */
    static double[] knownValues(DType t) {
        return switch (t) {
            case F32, F64, F16, BF16 -> new double[] {0, 1, -2, 0.5, 3.25, 100, -0.125, 7, 1024, -96, 0.75, 12};
            case I64 -> new double[] {0, 1, -2, 5, -3_000_000_000.0, 100, -128, 7, 1L << 40, -1, 42, 12};
            case I32 -> new double[] {0, 1, -2, 5, -2_000_000_000.0, 100, -128, 7, 65536, -1, 42, 12};
            case I16 -> new double[] {0, 1, -2, 5, -32768, 100, -128, 7, 32767, -1, 42, 12};
            case I8 -> new double[] {0, 1, -2, 5, -128, 100, 127, 7, 3, -1, 42, 12};
            case U8 -> new double[] {0, 1, 2, 5, 255, 100, 128, 7, 3, 200, 42, 12};
            case BOOL -> new double[] {0, 1, 1, 0, 1, 0, 0, 1, 1, 1, 0, 0};
            case U16 -> new double[] {0, 1, 2, 5, 65535, 100, 128, 7, 3, 40000, 42, 12};
            case U32 -> new double[] {0, 1, 2, 5, 4_000_000_000.0, 100, 128, 7, 3, 70000, 42, 12};
            default -> throw new IllegalArgumentException(t.toString());
        };
    }

    static Stream<Arguments> dtypes() {
        return Stream.of(
                        DType.F32,
                        DType.F64,
                        DType.F16,
                        DType.BF16,
                        DType.I64,
                        DType.I32,
                        DType.I16,
                        DType.I8,
                        DType.U8,
                        DType.BOOL,
                        DType.U16,
                        DType.U32)
                .flatMap(t -> Stream.of(Arguments.of(t, "zip"), Arguments.of(t, "legacy")));
    }

    private static float[] asFloats(double[] v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            f[i] = (float) v[i];
        }
        return f;
    }

    private Path write(PytorchWriter.Builder b, String format, String name) throws Exception {
        Path p = tmp.resolve(name);
        if (format.equals("zip")) {
            b.writeZip(p);
        } else {
            b.writeLegacy(p);
        }
        return p;
    }

    private static Map<String, TensorRef> byName(ModelView v) {
        return v.tensors().stream().collect(Collectors.toMap(TensorRef::name, Function.identity()));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("dtypes")
    void everyDtypeRoundTrips(DType dtype, String format) throws Exception {
        boolean untyped = PytorchWriter.storageClass(dtype) == null;
        if (untyped && format.equals("legacy")) {
            // Legacy streams predate UntypedStorage: the writer refuses, as torch would.
            assertThatThrownBy(() -> PytorchWriter.builder()
                            .tensor("w", dtype, new long[] {3, 4}, knownValues(dtype))
                            .legacyBytes())
                    .isInstanceOf(IllegalArgumentException.class);
            return;
        }
        double[] values = knownValues(dtype);
        PytorchWriter.Builder b = PytorchWriter.builder()
                .tensor("model.layers.0.mlp.up_proj.weight", dtype, new long[] {3, 4}, values)
                .tensor("model.norm.weight", dtype, new long[] {12}, values);
        Path file = write(b, format, "m-" + dtype + "." + format);
        try (ModelView v = new PytorchReader().open(file)) {
            assertThat(v.format()).isEqualTo(ModelFormat.PYTORCH);
            assertThat(v.metadata()).containsEntry("pytorch.format", format);
            assertThat(v.tensors()).hasSize(2);
            TensorRef w = v.tensors().get(0);
            assertThat(w.name()).isEqualTo("model.layers.0.mlp.up_proj.weight");
            assertThat(w.dtype()).isEqualTo(dtype);
            assertThat(w.shape()).isEqualTo(Shape.of(3, 4));
            assertThat(w.readAll()).containsExactly(asFloats(values));
            assertThat(w.readRow(2)).containsExactly(asFloats(java.util.Arrays.copyOfRange(values, 8, 12)));
            assertThat(w.storedBytes().toArray(ValueLayout.JAVA_BYTE))
                    .isEqualTo(PytorchWriter.encode(dtype, values, ByteOrder.LITTLE_ENDIAN));
            assertThat(v.tensors().get(1).readAll()).containsExactly(asFloats(values));
            assertThat(v.files()).containsExactly(file);
        }
    }

    @Test
    void zipDataRecordsAre64ByteAlignedAndStored() throws Exception {
        byte[] zip = PytorchWriter.builder()
                .tensor("a", DType.F32, new long[] {5}, new double[] {1, 2, 3, 4, 5})
                .tensor("b", DType.F16, new long[] {3}, new double[] {1, 2, 3})
                .zipBytes();
        ZipDirectory dir = ZipDirectory.read(ByteSource.ofBytes("mem.pt", zip));
        for (ZipDirectory.Entry e : dir.entries()) {
            assertThat(e.dataOffset() % 64).as(e.name()).isZero();
            assertThat(e.stored()).isTrue();
        }
        assertThat(dir.entries())
                .extracting(ZipDirectory.Entry::name)
                .containsExactly(
                        "archive/data.pkl", "archive/byteorder", "archive/data/0", "archive/data/1", "archive/version");
    }

    @Test
    void bigEndianZipAndLegacy() throws Exception {
        double[] values = {1.5, -2, 3, 4};
        for (String format : List.of("zip", "legacy")) {
            PytorchWriter.Builder b = PytorchWriter.builder()
                    .byteOrder(ByteOrder.BIG_ENDIAN)
                    .tensor("w", DType.F32, new long[] {2, 2}, values)
                    .tensor("i", DType.I64, new long[] {4}, new double[] {1, -1, 1L << 33, 5})
                    .tensor("h", DType.BF16, new long[] {4}, values);
            try (ModelView v = new PytorchReader().open(write(b, format, "be." + format))) {
                assertThat(v.metadata()).containsEntry("pytorch.byteorder", "big");
                Map<String, TensorRef> t = byName(v);
                assertThat(t.get("w").readAll()).containsExactly(1.5f, -2f, 3f, 4f);
                assertThat(t.get("i").readAll()).containsExactly(1f, -1f, (float) (1L << 33), 5f);
                assertThat(t.get("h").readAll()).containsExactly(1.5f, -2f, 3f, 4f);
            }
        }
    }

    @Test
    void transposedViewReadsCanonicalValues() throws Exception {
        double[] s = new double[12];
        for (int i = 0; i < 12; i++) {
            s[i] = i;
        }
        for (String format : List.of("zip", "legacy")) {
            PytorchWriter.Builder b = PytorchWriter.builder()
                    .storage("0", DType.F32, s)
                    .tensor("w", "0", 0, new long[] {3, 4}, new long[] {4, 1})
                    .tensor("wt", "0", 0, new long[] {4, 3}, new long[] {1, 4})
                    // every other column of rows 1..2: a strided slice with offset
                    .tensor("slice", "0", 5, new long[] {2, 2}, new long[] {4, 2})
                    // 3-D permuted view
                    .tensor("cube", "0", 0, new long[] {2, 3, 2}, new long[] {1, 4, 2});
            try (ModelView v = new PytorchReader().open(write(b, format, "t." + format))) {
                Map<String, TensorRef> t = byName(v);
                assertThat(t.get("wt").readAll()).containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
                assertThat(t.get("wt").readRow(3)).containsExactly(3, 7, 11);
                float[] dst = new float[7];
                t.get("wt").readRows(1, 2, dst, 1);
                assertThat(dst).containsExactly(0, 1, 5, 9, 2, 6, 10);
                assertThat(t.get("slice").readAll()).containsExactly(5, 7, 9, 11);
                // cube[i][j][k] = i*1 + j*4 + k*2
                assertThat(t.get("cube").readAll()).containsExactly(0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11);
                assertThat(((PytorchTensor) t.get("wt")).contiguous()).isFalse();
                // A view's stored bytes are its whole storage; a contiguous tensor's are its own.
                assertThat(t.get("wt").storedBytes().byteSize()).isEqualTo(48);
                assertThat(TensorHashes.canonicalSha256(t.get("w")))
                        .isNotEqualTo(TensorHashes.canonicalSha256(t.get("wt")));
            }
        }
    }

    @Test
    void sharedStorageWithOffsets() throws Exception {
        double[] s = {10, 11, 12, 13, 14, 15, 16, 17};
        PytorchWriter.Builder b = PytorchWriter.builder()
                .storage("shared", DType.F16, s)
                .tensor("a", "shared", 0, new long[] {2, 2}, new long[] {2, 1})
                .tensor("b", "shared", 4, new long[] {4}, new long[] {1})
                .tensor("c", "shared", 6, new long[] {}, new long[] {})
                .tensor("d", "shared", 3, new long[] {0, 5}, new long[] {5, 1});
        for (String format : List.of("zip", "legacy")) {
            try (ModelView v = new PytorchReader().open(write(b, format, "s." + format))) {
                Map<String, TensorRef> t = byName(v);
                assertThat(t.get("a").readAll()).containsExactly(10, 11, 12, 13);
                assertThat(t.get("b").readAll()).containsExactly(14, 15, 16, 17);
                assertThat(t.get("c").shape().rank()).isZero();
                assertThat(t.get("c").readAll()).containsExactly(16);
                assertThat(t.get("d").readAll()).isEmpty();
                assertThat(t.get("b").storedBytes().byteSize()).isEqualTo(8);
                assertThat(t.get("b").storedBytes().get(ValueLayout.JAVA_SHORT_UNALIGNED, 0))
                        .isEqualTo(Float.floatToFloat16(14f));
            }
        }
    }

    @Test
    void nestedStateDictsAndParameters() throws Exception {
        for (String key : List.of("state_dict", "model")) {
            PytorchWriter.Builder b = PytorchWriter.builder()
                    .nestUnder(key)
                    .parameters(true)
                    .zip64(true)
                    .tensor("encoder.layer.0.attention.self.query.weight", DType.F32, new long[] {2, 2}, new double[] {
                        1, 2, 3, 4
                    });
            for (String format : List.of("zip", "legacy")) {
                try (ModelView v = new PytorchReader().open(write(b, format, key + "." + format))) {
                    assertThat(v.metadata()).containsEntry("pytorch.state_dict_key", key);
                    assertThat(v.tensors()).singleElement().satisfies(t -> {
                        assertThat(t.name()).isEqualTo("encoder.layer.0.attention.self.query.weight");
                        assertThat(t.readAll()).containsExactly(1, 2, 3, 4);
                    });
                }
            }
        }
    }

    @Test
    void pickleFromCpythonThroughStandInTorchClasses() throws Exception {
        for (String name : List.of("fake_torch_zip.pt", "fake_torch_legacy.pt")) {
            Path p = resource(name);
            try (ModelView v = new PytorchReader().open(p, ArchitectureHints.NONE)) {
                assertThat(v.metadata()).containsEntry("pytorch.state_dict_key", "state_dict");
                Map<String, TensorRef> t = byName(v);
                assertThat(t)
                        .containsOnlyKeys(
                                "model.layers.0.mlp.up_proj.weight",
                                "model.layers.0.mlp.down_proj.weight",
                                "model.norm.weight",
                                "model.embed_tokens.weight",
                                "position_ids");
                assertThat(t.get("model.layers.0.mlp.up_proj.weight").readAll())
                        .containsExactly(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11);
                assertThat(t.get("model.layers.0.mlp.down_proj.weight").shape()).isEqualTo(Shape.of(4, 3));
                assertThat(t.get("model.layers.0.mlp.down_proj.weight").readAll())
                        .containsExactly(0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11);
                assertThat(t.get("model.norm.weight").readAll()).containsExactly(8, 9, 10, 11);
                assertThat(t.get("model.embed_tokens.weight").dtype()).isEqualTo(DType.F16);
                assertThat(t.get("model.embed_tokens.weight").readAll()).containsExactly(0.5f, -2f, 1024f, 0.25f);
                assertThat(t.get("position_ids").dtype()).isEqualTo(DType.I64);
                assertThat(t.get("position_ids").readAll()).containsExactly(-3f, 7f, (float) (1L << 40));
            }
        }
    }

    @Test
    void deflatedPickleIsInflatedWithinCapButDeflatedStorageIsRefused() throws Exception {
        PytorchWriter.Builder b = PytorchWriter.builder()
                .tensor("w", DType.F32, new long[] {2}, new double[] {1, 2})
                .deflatePickle(true);
        try (ModelView v = new PytorchReader().open(write(b, "zip", "deflated-pkl.pt"))) {
            assertThat(v.tensors().get(0).readAll()).containsExactly(1, 2);
            assertThat(v.warnings()).anyMatch(w -> w.contains("deflated"));
        }
        Path bad = write(b.deflatePickle(false).deflateStorages(true), "zip", "deflated-storage.pt");
        assertThatThrownBy(() -> new PytorchReader().open(bad))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("archive/data/0")
                .hasMessageContaining("compressed")
                .hasMessageContaining(bad.toString());
    }

    @Test
    void untypedStorageWithRebuildTensorV3() throws Exception {
        byte[] zip = PytorchWriter.builder()
                .tensor("u", DType.U16, new long[] {2}, new double[] {65535, 2})
                .zipBytes();
        assertThat(new String(
                        PytorchWriter.builder()
                                .tensor("u", DType.U16, new long[] {2}, new double[] {1, 2})
                                .dataPkl(),
                        StandardCharsets.ISO_8859_1))
                .contains("_rebuild_tensor_v3")
                .contains("UntypedStorage")
                .contains("uint16");
        try (ByteSource src = ByteSource.ofBytes("mem.pt", zip)) {
            List<PytorchTensor> t = new PytorchReader().tensors(src, ArchitectureHints.NONE);
            assertThat(t.get(0).dtype()).isEqualTo(DType.U16);
            assertThat(t.get(0).readAll()).containsExactly(65535, 2);
        }
    }

    @Test
    void complexTensorsAreListedButRefusedWhenRead() throws Exception {
        byte[] raw = new byte[16];
        PytorchWriter.Builder b = PytorchWriter.builder()
                .storage("0", DType.I8, raw)
                .tensor("x", "0", 0, new long[] {16}, new long[] {1});
        byte[] pkl = b.dataPkl();
        // Swap the storage class to ComplexFloatStorage (numel 16 -> 2 elements of 8 bytes).
        String s = new String(pkl, StandardCharsets.ISO_8859_1)
                .replace("torch\nCharStorage\n", "torch\nComplexFloatStorage\n");
        byte[] patched = s.getBytes(StandardCharsets.ISO_8859_1);
        byte[] zip = PytorchWriter.zip(
                List.of(
                        new PytorchWriter.ZipRecord("archive/data.pkl", patched, false),
                        new PytorchWriter.ZipRecord("archive/data/0", new byte[16 * 8], false)),
                false);
        try (ByteSource src = ByteSource.ofBytes("complex.pt", zip)) {
            PytorchTensor t =
                    new PytorchReader().tensors(src, ArchitectureHints.NONE).get(0);
            assertThat(t.dtype()).isEqualTo(DType.C64);
            assertThatThrownBy(t::readAll)
                    .isInstanceOf(UnsupportedModelException.class)
                    .hasMessageContaining("C64");
        }
    }

    @Test
    void shardedIndex() throws Exception {
        PytorchWriter.builder()
                .tensor("a.weight", DType.F32, new long[] {2}, new double[] {1, 2})
                .writeZip(tmp.resolve("pytorch_model-00001-of-00002.bin"));
        PytorchWriter.builder()
                .tensor("b.weight", DType.F32, new long[] {2}, new double[] {3, 4})
                .writeLegacy(tmp.resolve("pytorch_model-00002-of-00002.bin"));
        Path index = tmp.resolve("pytorch_model.bin.index.json");
        Files.writeString(index, """
        {"metadata": {"total_size": 16}, "weight_map": {"a.weight": "pytorch_model-00001-of-00002.bin", "b.weight": "pytorch_model-00002-of-00002.bin"}}
        """);
        try (ModelView v = new PytorchReader().open(index)) {
            assertThat(v.tensors()).extracting(TensorRef::name).containsExactly("a.weight", "b.weight");
            assertThat(byName(v).get("b.weight").readAll()).containsExactly(3, 4);
            assertThat(v.files()).hasSize(2);
        }
        Files.writeString(index, """
        {"weight_map": {"a.weight": "pytorch_model-00001-of-00002.bin", "missing.weight": "pytorch_model-00001-of-00002.bin"}}
        """);
        assertThatThrownBy(() -> new PytorchReader().open(index))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("missing.weight");
        Files.writeString(index, "{\"weight_map\": {\"a\": ");
        assertThatThrownBy(() -> new PytorchReader().open(index))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining(index.toString());
    }

    /** Traversal, an absolute path and backslash separators: one answer, unsafe, naming the index and the shard. */
    @ParameterizedTest
    @ValueSource(strings = {"../../etc/passwd", "/etc/passwd", "..\\\\x.bin", "C:\\\\x.bin"})
    void shardNamesMayNotLeaveTheDirectory(String jsonName) throws Exception {
        Path index = tmp.resolve("pytorch_model.bin.index.json");
        Files.writeString(index, "{\"weight_map\": {\"a.weight\": \"" + jsonName + "\"}}");
        assertThatThrownBy(() -> new PytorchReader().open(index))
                .isInstanceOf(dev.pedigree.io.UnsafeModelException.class)
                .hasMessageContaining(index.toString())
                .hasMessageContaining("'" + jsonName.replace("\\\\", "\\") + "'")
                .hasMessageContaining("not a plain file name");
    }

    @Test
    void serviceLoaderAndProbe() throws Exception {
        PytorchReader reader = ServiceLoader.load(ModelReader.class).stream()
                .map(ServiceLoader.Provider::get)
                .filter(r -> r instanceof PytorchReader)
                .map(r -> (PytorchReader) r)
                .findFirst()
                .orElseThrow();
        assertThat(reader.name()).isEqualTo("pytorch");
        byte[] zip = PytorchWriter.builder()
                .tensor("w", DType.F32, new long[] {1}, new double[] {1})
                .zipBytes();
        byte[] legacy = PytorchWriter.builder()
                .tensor("w", DType.F32, new long[] {1}, new double[] {1})
                .legacyBytes();
        assertThat(reader.probe(Path.of("x.bin"), java.util.Arrays.copyOf(zip, Math.min(4096, zip.length))))
                .isEqualTo(100);
        assertThat(reader.probe(Path.of("x"), java.util.Arrays.copyOf(legacy, 64)))
                .isEqualTo(100);
        assertThat(reader.probe(Path.of("model.safetensors"), new byte[] {8, 0, 0, 0, 0, 0, 0, 0, '{'}))
                .isZero();
        assertThat(reader.probe(Path.of("pytorch_model.bin.index.json"), "{".getBytes(StandardCharsets.US_ASCII)))
                .isPositive();
    }

    static Path resource(String name) throws Exception {
        try (InputStream in = PytorchRoundTripTest.class.getResourceAsStream(name)) {
            assertThat(in).as(name).isNotNull();
            Path p = Files.createTempFile("pedigree-pt-", "-" + name);
            Files.write(p, in.readAllBytes());
            p.toFile().deleteOnExit();
            return p;
        }
    }
}
