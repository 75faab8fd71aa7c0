package dev.pedigree.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorHashes;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.naming.TensorNaming;
import dev.pedigree.testkit.Mutations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fingerprint file: determinism, round trip, hashes, corrupt input and a seeded mutation fuzz. */
class FingerprintCodecTest {
    static final SimModel MODEL =
            SyntheticTransformer.random("codec", Config.smallDecoder().withLayers(2), 11);

    static byte[] valid() throws Exception {
        return Fingerprint.of(
                        MODEL.toView(), FingerprintOptions.DEFAULT.withUnits(16).withAnchorTokens(64))
                .toBytes();
    }

    @Test
    void sameModelGivesByteIdenticalFiles(@TempDir Path dir) throws Exception {
        Fingerprint a = Fingerprint.of(MODEL.toView());
        Fingerprint b = Fingerprint.of(
                SyntheticTransformer.random("codec", Config.smallDecoder().withLayers(2), 11)
                        .toView());
        a.write(dir.resolve("a.pfp"));
        b.write(dir.resolve("b.pfp"));
        assertThat(Files.readAllBytes(dir.resolve("a.pfp"))).isEqualTo(Files.readAllBytes(dir.resolve("b.pfp")));
        Fingerprint back = Fingerprint.read(dir.resolve("a.pfp"));
        assertThat(back.toBytes()).isEqualTo(a.toBytes());
        assertThat(back).isEqualTo(a);
        assertThat(back.tensors()).hasSameSizeAs(a.tensors());
        assertThat(back.regularKeys())
                .isEqualTo(
                        MODEL.vocabulary().tokens().stream().map(t -> t.key()).toList());
        assertThat(Files.readAllBytes(dir.resolve("a.pfp")))
                .startsWith("PDGFPRNT".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }

    @Test
    void hashesAndStatisticsMatchTheModel() throws Exception {
        ModelView v = MODEL.toView();
        Fingerprint fp = Fingerprint.of(v);
        List<TensorRef> logical = TensorNaming.logicalTensors(v.tensors(), v.hints());
        assertThat(fp.tensors()).hasSize(logical.size());
        for (int i = 0; i < logical.size(); i++) {
            TensorRef t = logical.get(i);
            FingerprintTensor f = fp.tensors().get(i);
            assertThat(f.canonicalSha256()).as(t.name()).isEqualTo(TensorHashes.canonicalSha256(t));
            assertThat(f.rawSha256()).as(t.name()).isEqualTo(TensorHashes.storedSha256(t));
            float[] all = t.readAll();
            double mean = 0;
            for (float x : all) {
                mean += x;
            }
            mean /= all.length;
            assertThat(f.stats().mean()).as(t.name()).isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-6));
            // Sampled values equal the model's values at the stored indices (float16 of value/scale for matrices).
            FingerprintTensor.Sample s = f.sample();
            long cols = RestrictedTensor.matrixShape(t.shape())[1];
            float[] sv = s.values();
            int[] rows = s.rows();
            int[] cs = s.cols();
            float scale = 0;
            for (float x : sv) {
                scale = Math.max(scale, Math.abs(x));
            }
            for (int r = 0; r < rows.length; r++) {
                for (int c = 0; c < cs.length; c++) {
                    float expected = all[(int) (rows[r] * cols + cs[c])];
                    assertThat((double) sv[r * cs.length + c])
                            .as(t.name())
                            .isCloseTo(expected, org.assertj.core.api.Assertions.within(scale / 1000.0 + 1e-12));
                }
            }
        }
    }

    @Test
    void dimensionSamplesAreNestedSortedAndModelIndependent() {
        int[] a = DimensionSample.indices(1000, 64, 7);
        int[] b = DimensionSample.indices(1000, 128, 7);
        assertThat(a).hasSize(64).isSorted();
        assertThat(Arrays.stream(b).boxed().toList())
                .containsAll(Arrays.stream(a).boxed().toList());
        assertThat(DimensionSample.indices(64, 64, 7)).isNull();
        assertThat(DimensionSample.indices(1000, 64, 7)).isEqualTo(a);
        assertThat(DimensionSample.indices(1001, 64, 7)).isNotEqualTo(a);
    }

    @Test
    void sizeProjectionForA405bModelIsUnder50MB() {
        // Llama-3.1-405B shapes: d 16384, 126 layers, MLP 53248, 8 KV heads of 128, vocabulary 128256.
        List<TensorRef> ts = new java.util.ArrayList<>();
        int d = 16384;
        int h = 53248;
        int kv = 1024;
        int v = 128256;
        ts.add(shapeOnly("embed", dev.pedigree.model.Role.EMBEDDING, null, v, d));
        ts.add(shapeOnly("head", dev.pedigree.model.Role.LM_HEAD, null, v, d));
        for (int l = 0; l < 126; l++) {
            ts.add(shapeOnly("q", dev.pedigree.model.Role.ATTN_Q, l, d, d));
            ts.add(shapeOnly("k", dev.pedigree.model.Role.ATTN_K, l, kv, d));
            ts.add(shapeOnly("v", dev.pedigree.model.Role.ATTN_V, l, kv, d));
            ts.add(shapeOnly("o", dev.pedigree.model.Role.ATTN_O, l, d, d));
            ts.add(shapeOnly("gate", dev.pedigree.model.Role.MLP_GATE, l, h, d));
            ts.add(shapeOnly("up", dev.pedigree.model.Role.MLP_UP, l, h, d));
            ts.add(shapeOnly("down", dev.pedigree.model.Role.MLP_DOWN, l, d, h));
            ts.add(shapeOnly("n1", dev.pedigree.model.Role.ATTN_NORM, l, d, 0));
            ts.add(shapeOnly("n2", dev.pedigree.model.Role.MLP_NORM, l, d, 0));
        }
        long modelBytes = 0;
        for (TensorRef t : ts) {
            modelBytes += t.elementCount() * 2;
        }
        int units = Fingerprint.autoUnits(ts, modelBytes, 1024, v, DimensionSample.DEFAULT_SEED);
        long est = Fingerprint.estimateBytes(ts, units, 1024, v);
        System.out.printf(
                Locale.ROOT,
                "405B projection: %d indices per dimension, about %,d bytes (%.4f%% of %,d bf16 bytes)%n",
                units,
                est,
                100.0 * est / modelBytes,
                modelBytes);
        assertThat(est).isLessThan(50L << 20);
        assertThat(units).isEqualTo(128);
    }

    private static TensorRef shapeOnly(String name, dev.pedigree.model.Role role, Integer layer, long rows, long cols) {
        dev.pedigree.model.Shape s =
                cols == 0 ? dev.pedigree.model.Shape.of(rows) : dev.pedigree.model.Shape.of(rows, cols);
        dev.pedigree.model.TensorAddress a = dev.pedigree.model.TensorAddress.of(
                dev.pedigree.model.Component.TEXT_DECODER, layer, role, dev.pedigree.model.Part.WEIGHT);
        return new TensorRef() {
            public String name() {
                return name + layer;
            }

            public dev.pedigree.model.DType dtype() {
                return dev.pedigree.model.DType.BF16;
            }

            public dev.pedigree.model.Shape shape() {
                return s;
            }

            public dev.pedigree.model.TensorAddress address() {
                return a;
            }

            public String source() {
                return "projection";
            }

            public java.lang.foreign.MemorySegment storedBytes() {
                throw new UnsupportedOperationException();
            }

            public void readRows(long f, int n, float[] dst, int off) {
                throw new UnsupportedOperationException();
            }
        };
    }

    // ------------------------------------------------------------------ corrupt input

    @Test
    void truncationAtEveryHeaderBoundaryNamesFileAndOffset() throws Exception {
        byte[] ok = valid();
        for (int cut : new int[] {0, 4, 8, 12, 16, 24, 40, 55, 56, 57, ok.length / 2, ok.length - 1}) {
            byte[] b = Arrays.copyOf(ok, cut);
            assertThatThrownBy(() -> FingerprintCodec.decode(b, "cut.pfp"))
                    .as("cut at " + cut)
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("cut.pfp")
                    .hasMessageContaining("offset");
        }
    }

    @Test
    void headerFieldsAreChecked() throws Exception {
        byte[] ok = valid();
        byte[] magic = ok.clone();
        magic[0] = 'X';
        assertThatThrownBy(() -> FingerprintCodec.decode(magic, "m.pfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("magic")
                .hasMessageContaining("offset 0");
        byte[] version = ok.clone();
        version[8] = 9;
        assertThatThrownBy(() -> FingerprintCodec.decode(version, "v.pfp"))
                .isInstanceOf(UnsupportedModelException.class)
                .hasMessageContaining("version 9")
                .hasMessageContaining("offset 8");
        byte[] length = ok.clone();
        ByteBuffer.wrap(length).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE);
        assertThatThrownBy(() -> FingerprintCodec.decode(length, "l.pfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("body length")
                .hasMessageContaining("offset 16");
        byte[] flipped = ok.clone();
        flipped[ok.length - 3] ^= 1;
        assertThatThrownBy(() -> FingerprintCodec.decode(flipped, "h.pfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("sha256 mismatch")
                .hasMessageContaining("offset 24");
    }

    @Test
    void hugeClaimedCountsAreRefusedBeforeAllocation() throws Exception {
        byte[] ok = valid();
        // The source string's length is the first body field: claim 2^32-1 bytes, reseal the hash.
        byte[] b = ok.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(56, -1);
        reseal(b);
        assertThatThrownBy(() -> FingerprintCodec.decode(b, "big.pfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("big.pfp")
                .hasMessageContaining("offset 60");
    }

    /**
     * Issue 18: the token-key section's claimed inflated size is only a bound. A pack claiming far more than its
     * DEFLATE data holds is refused naming the offset, and the buffer never grows past what really inflates.
     */
    @Test
    void aClaimedInflatedSizeIsNotAllocatedUpFront() throws Exception {
        byte[] ok = valid();
        Fingerprint f = FingerprintCodec.decode(ok, "ok.pfp");
        long inflated = 0;
        for (String k : f.regularKeys()) {
            int len = k.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1).length;
            inflated += len + (len < 128 ? 1 : len < 16384 ? 2 : 3);
        }
        ByteBuffer pattern = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        pattern.putInt(f.regularKeys().size()).putInt((int) inflated);
        int at = indexOf(ok, pattern.array());
        assertThat(at).as("key section header").isPositive();
        int inflatedPos = at + 4;
        long deflated = Integer.toUnsignedLong(
                ByteBuffer.wrap(ok).order(ByteOrder.LITTLE_ENDIAN).getInt(at + 8));
        long claim = Math.min(FingerprintCodec.MAX_INFLATED, deflated * 1000);
        assertThat(claim).isGreaterThan(8 * inflated);
        byte[] b = ok.clone();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(inflatedPos, (int) claim);
        reseal(b);
        com.sun.management.ThreadMXBean mx =
                (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = mx.getCurrentThreadAllocatedBytes();
        assertThatThrownBy(() -> FingerprintCodec.decode(b, "claims.pfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("claims.pfp")
                .hasMessageContaining("header says " + claim);
        long allocated = mx.getCurrentThreadAllocatedBytes() - before;
        assertThat(allocated).as("bytes allocated decoding").isLessThan(claim / 2);

        byte[] over = ok.clone();
        ByteBuffer.wrap(over).order(ByteOrder.LITTLE_ENDIAN).putInt(inflatedPos, (int) (512L << 20));
        reseal(over);
        assertThatThrownBy(() -> FingerprintCodec.decode(over, "over.pfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("exceeds the limit of " + FingerprintCodec.MAX_INFLATED)
                .hasMessageContaining("over.pfp at offset");
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    static void reseal(byte[] b) {
        byte[] h = FingerprintCodec.sha256(b, FingerprintCodec.HEADER_BYTES, b.length - FingerprintCodec.HEADER_BYTES);
        System.arraycopy(h, 0, b, 24, 32);
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(16, b.length - FingerprintCodec.HEADER_BYTES);
    }

    @Test
    void seededMutationFuzz() throws Exception {
        byte[] ok = valid();
        SplittableRandom rnd = new SplittableRandom(2024);
        int cases = 0;
        int decoded = 0;
        int corrupt = 0;
        int unsupported = 0;
        int resealedCases = 0;
        long t0 = System.nanoTime();
        for (int i = 0; i < 4000; i++) {
            byte[] b = Mutations.mutate(ok, rnd);
            boolean reseal = i % 2 == 1 && b.length >= FingerprintCodec.HEADER_BYTES;
            if (reseal) {
                reseal(b);
                resealedCases++;
            }
            cases++;
            try {
                Fingerprint f = FingerprintCodec.decode(b, "fuzz.pfp");
                // Whatever decodes must be usable: views and a re-encode.
                f.toModelView().tensors().forEach(t -> {
                    try {
                        t.readAll();
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                });
                f.toBytes();
                decoded++;
            } catch (CorruptModelException e) {
                assertThat(e.getMessage()).contains("fuzz.pfp");
                corrupt++;
            } catch (UnsupportedModelException e) {
                unsupported++;
            } catch (ModelFormatException e) {
                throw new AssertionError("unexpected kind " + e, e);
            }
        }
        System.out.printf(
                Locale.ROOT,
                "fingerprint fuzz: %d cases (%d with the hash resealed so the parser sees the mutation): %d decoded, %d corrupt, %d unsupported, %d ms%n",
                cases,
                resealedCases,
                decoded,
                corrupt,
                unsupported,
                (System.nanoTime() - t0) / 1_000_000);
        assertThat(decoded + corrupt + unsupported).isEqualTo(cases);
    }
}
