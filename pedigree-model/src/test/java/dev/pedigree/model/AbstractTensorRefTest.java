package dev.pedigree.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The one range check: every out-of-range call is refused with one message before the subclass decodes anything. */
class AbstractTensorRefTest {

    /** Records the calls that reach decodeRows. */
    private static final class Probe extends AbstractTensorRef {
        final List<long[]> decoded = new ArrayList<>();

        @Override
        public String name() {
            return "w";
        }

        @Override
        public DType dtype() {
            return DType.F32;
        }

        @Override
        public Shape shape() {
            return Shape.of(4, 3);
        }

        @Override
        public TensorAddress address() {
            return null;
        }

        @Override
        public String source() {
            return "memory";
        }

        @Override
        public java.lang.foreign.MemorySegment storedBytes() {
            return java.lang.foreign.MemorySegment.NULL;
        }

        @Override
        protected void decodeRows(long firstRow, int rowCount, float[] dst, int dstOffset) {
            decoded.add(new long[] {firstRow, rowCount, dstOffset});
        }
    }

    @Test
    void rowsOutsideTheShapeAreRefusedNamingTheTensor() {
        Probe p = new Probe();
        for (long[] c : new long[][] {{-1, 1}, {0, -1}, {4, 1}, {3, 2}, {Long.MAX_VALUE, 1}, {1, Integer.MAX_VALUE}}) {
            assertThatThrownBy(() -> p.readRows(c[0], (int) c[1], new float[100], 0))
                    .as("rows %d+%d", c[0], c[1])
                    .isInstanceOf(IndexOutOfBoundsException.class)
                    .hasMessage("rows " + c[0] + "+" + c[1] + " out of the 4 rows of tensor 'w' [4, 3]");
        }
        assertThat(p.decoded).isEmpty();
    }

    @Test
    void destinationsTooSmallAreRefused() {
        Probe p = new Probe();
        assertThatThrownBy(() -> p.readRows(0, 2, new float[5], 0))
                .isInstanceOf(IndexOutOfBoundsException.class)
                .hasMessage("destination of 5 floats cannot take the 6 values of tensor 'w' at 0");
        assertThatThrownBy(() -> p.readRows(0, 1, new float[5], 3)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> p.readRows(0, 1, new float[5], -1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> p.readRows(0, 1, new float[5], Integer.MAX_VALUE))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(p.decoded).isEmpty();
    }

    @Test
    void rangesInsideReachDecodeRowsUnchanged() throws Exception {
        Probe p = new Probe();
        p.readRows(0, 4, new float[12], 0);
        p.readRows(4, 0, new float[0], 0);
        p.readRows(1, 2, new float[9], 3);
        assertThat(p.decoded).containsExactly(new long[] {0, 4, 0}, new long[] {4, 0, 0}, new long[] {1, 2, 3});
    }
}
