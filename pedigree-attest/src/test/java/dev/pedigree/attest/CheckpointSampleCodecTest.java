package dev.pedigree.attest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.model.ModelView;
import dev.pedigree.testkit.Mutations;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Round trip, corrupt-input suite and seeded mutation fuzz of the checkpoint-sample sidecar format. */
class CheckpointSampleCodecTest {
    static CheckpointSample fp;
    static byte[] bytes;

    @BeforeAll
    static void make() throws Exception {
        try (ModelView v = TinyChain.train(TinyChain.init(5, 6), 6, 10).toView()) {
            fp = CheckpointSampler.of(v, new CheckpointSampler.Options(9, 16, 16, 1));
        }
        bytes = CheckpointSampleCodec.encode(fp);
    }

    @Test
    void roundTripIsExactAndDeterministic() throws Exception {
        CheckpointSample back = CheckpointSampleCodec.decode(bytes, "fp.pdfp");
        assertThat(back).isEqualTo(fp);
        assertThat(CheckpointSampleCodec.encode(back)).isEqualTo(bytes);
        assertThat(ModelHash.of(back)).isEqualTo(fp.modelHash());
    }

    @Test
    void truncationAtEveryPreambleAndRegionBoundaryNamesFileAndOffset() {
        long h = ByteBuffer.wrap(bytes, 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        int[] cuts = {
            0,
            3,
            4,
            7,
            8,
            15,
            16,
            17,
            (int) (16 + h - 1),
            (int) (16 + h),
            (int) (16 + h + 3),
            bytes.length - 4,
            bytes.length - 1
        };
        for (int cut : cuts) {
            assertThatThrownBy(() -> CheckpointSampleCodec.decode(Arrays.copyOf(bytes, cut), "cut.pdfp"))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining("cut.pdfp")
                    .hasMessageContaining("at offset");
        }
    }

    @Test
    void hugeLengthsGapsAndTrailingBytesAreRefused() {
        byte[] b = bytes.clone();
        ByteBuffer.wrap(b, 8, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(Long.MAX_VALUE);
        assertThatThrownBy(() -> CheckpointSampleCodec.decode(b, "huge.pdfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("huge.pdfp at offset 8");
        String hdr = CheckpointSampleCodec.headerText(bytes);
        assertThatThrownBy(() -> CheckpointSampleCodec.decode(
                        withHeader(hdr.replaceFirst("\"rows\":16", "\"rows\":2000000000")), "big.pdfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("does not fit shape");
        assertThatThrownBy(() -> CheckpointSampleCodec.decode(Arrays.copyOf(bytes, bytes.length - 4), "short.pdfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("runs past the end");
        assertThatThrownBy(() -> CheckpointSampleCodec.decode(
                        withHeader(hdr.replaceFirst("\"offset\":0", "\"offset\":4")), "gap.pdfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("gap or overlap");
        byte[] trailing = Arrays.copyOf(bytes, bytes.length + 4);
        assertThatThrownBy(() -> CheckpointSampleCodec.decode(trailing, "tail.pdfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("after the last region");
        assertThatThrownBy(() -> CheckpointSampleCodec.decode(
                        withHeader(hdr.replaceFirst("\"role\":\"[A-Z_]+\"", "\"role\":\"NOPE\"")), "role.pdfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("bad address");
        assertThatThrownBy(() ->
                        CheckpointSampleCodec.decode(withHeader(hdr.substring(0, hdr.length() - 5)), "json.pdfp"))
                .isInstanceOf(CorruptModelException.class)
                .hasMessageContaining("not valid JSON");
    }

    private static byte[] withHeader(String header) {
        long h = ByteBuffer.wrap(bytes, 8, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        byte[] hb = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer out = ByteBuffer.allocate(bytes.length - (int) h + hb.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(bytes, 0, 8).putLong(hb.length).put(hb).put(bytes, 16 + (int) h, bytes.length - 16 - (int) h);
        return out.array();
    }

    @Test
    void seededMutationFuzzEitherDecodesOrThrowsCorrupt() {
        SplittableRandom r = new SplittableRandom(0xF1A9L);
        int ok = 0;
        int corrupt = 0;
        int cases = 3000;
        for (int i = 0; i < cases; i++) {
            // The JSON header, where the structure lives, is in about the first quarter of the file.
            byte[] m = Mutations.mutate(bytes, 16 + bytes.length / 4, Mutations.JSON_TOKENS, r);
            try {
                CheckpointSample f = CheckpointSampleCodec.decode(m, "fuzz.pdfp");
                f.toView("fuzz").close();
                ok++;
            } catch (CorruptModelException e) {
                assertThat(e.getMessage()).contains("fuzz.pdfp");
                corrupt++;
            }
        }
        System.out.printf("fingerprint fuzz: %d cases, %d decoded, %d CorruptModelException%n", cases, ok, corrupt);
        assertThat(ok + corrupt).isEqualTo(cases);
    }
}
