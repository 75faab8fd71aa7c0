package dev.pedigree.format.safetensors;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Row hints reach the byte source as merged row ranges, and chunked multi-row reads decode the same values. */
class SafetensorsPrefetchTest {
    private static final int ROWS = 300;
    private static final int COLS = 2048;

    /** A heap source that records every prefetch hint and slice. */
    private static final class Recording implements ByteSource {
        final ByteSource inner;
        final List<long[]> hints = new ArrayList<>();
        final List<long[]> slices = new ArrayList<>();

        Recording(ByteSource inner) {
            this.inner = inner;
        }

        @Override
        public String description() {
            return inner.description();
        }

        @Override
        public long size() {
            return inner.size();
        }

        @Override
        public MemorySegment slice(long offset, long length) throws IOException, CorruptModelException {
            slices.add(new long[] {offset, length});
            return inner.slice(offset, length);
        }

        @Override
        public void prefetch(long offset, long length) {
            hints.add(new long[] {offset, length});
        }

        @Override
        public void close() {
            inner.close();
        }
    }

    private static float[] values() {
        float[] v = new float[ROWS * COLS];
        for (int i = 0; i < v.length; i++) {
            v[i] = (i % 977) * 0.25f - 100;
        }
        return v;
    }

    private static Recording source() {
        byte[] file = new SafetensorsWriter()
                .add("w", DType.BF16, Shape.of(ROWS, COLS), values())
                .toBytes();
        return new Recording(ByteSource.ofBytes("w.safetensors", file));
    }

    @Test
    void prefetchRowsHintsMergedRowRanges() throws Exception {
        Recording src = source();
        try (ModelView m = new SafetensorsReader().open(src, ArchitectureHints.NONE)) {
            SafetensorsTensor t = (SafetensorsTensor) m.tensors().getFirst();
            src.slices.clear(); // the header
            long rowBytes = COLS * 2L;
            t.prefetchRows(new int[] {7, 3, 4, 5, 5, 200, -1, ROWS, 299});
            assertThat(src.hints)
                    .containsExactly(
                            new long[] {t.fileOffset() + 3 * rowBytes, 3 * rowBytes},
                            new long[] {t.fileOffset() + 7 * rowBytes, rowBytes},
                            new long[] {t.fileOffset() + 200 * rowBytes, rowBytes},
                            new long[] {t.fileOffset() + 299 * rowBytes, rowBytes});
            assertThat(src.slices).isEmpty();
        }
    }

    @Test
    void multiRowReadHintsTheWholeRangeThenDecodesInChunks() throws Exception {
        Recording src = source();
        float[] expected = values();
        try (ModelView m = new SafetensorsReader().open(src, ArchitectureHints.NONE)) {
            TensorRef t = m.tensors().getFirst();
            src.slices.clear(); // the header
            long off = ((SafetensorsTensor) t).fileOffset();
            long rowBytes = COLS * 2L;
            float[] got = new float[ROWS * COLS];
            t.readRows(10, 290, got, 10 * COLS);
            assertThat(src.hints).containsExactly(new long[] {off + 10 * rowBytes, 290 * rowBytes});
            // 1 MiB chunks of 4 KiB rows: 256 rows, then 34
            assertThat(src.slices).containsExactly(new long[] {off + 10 * rowBytes, 256 * rowBytes}, new long[] {
                off + 266 * rowBytes, 34 * rowBytes
            });
            for (int i = 10 * COLS; i < got.length; i++) {
                assertThat(got[i]).isEqualTo(bf16(expected[i]));
            }
            src.hints.clear();
            t.readRows(3, 2, got, 0);
            assertThat(src.hints).as("a read of one chunk needs no hint").isEmpty();
        }
    }

    private static float bf16(float v) {
        int bits = Float.floatToRawIntBits(v);
        return Float.intBitsToFloat(((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16) << 16);
    }
}
