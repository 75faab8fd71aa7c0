package dev.pedigree.model.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link TensorRef} implementation must do, in the spirit of Netty's {@code AbstractByteBufTest}: an
 * implementation's test extends this class and returns a tensor with at least two rows and its canonical values; the
 * inherited tests check reads by rows against those values, ranges, destinations and prefetching.
 *
 * <p>Resources the tensor borrows (an open {@link dev.pedigree.model.ModelView}) are registered with {@link
 * #closeAfter} and closed after each test.
 */
public abstract class TensorRefContract {
    @TempDir
    protected Path dir;

    private final List<AutoCloseable> resources = new ArrayList<>();
    private TensorRef tensor;
    private float[] expected;

    /** A tensor of at least two canonical rows, built in {@code dir}. */
    protected abstract TensorRef tensor(Path dir) throws Exception;

    /** The canonical values of {@link #tensor}, row-major. */
    protected abstract float[] expectedValues() throws Exception;

    /** Registers something to close after the test (a view the tensor borrows from). */
    protected final <T extends AutoCloseable> T closeAfter(T resource) {
        resources.add(resource);
        return resource;
    }

    @BeforeEach
    final void build() throws Exception {
        tensor = tensor(dir);
        expected = expectedValues();
        assertThat(tensor.shape().rows())
                .as("contract needs a tensor of two rows or more")
                .isGreaterThanOrEqualTo(2);
    }

    @AfterEach
    final void release() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
        resources.clear();
    }

    @Test
    void shapeAndCountsAgree() {
        Shape s = tensor.shape();
        assertThat(tensor.elementCount()).isEqualTo(s.elementCount()).isEqualTo(s.rows() * s.columns());
        assertThat((long) expected.length).isEqualTo(tensor.elementCount());
        assertThat(tensor.name()).isNotBlank();
        assertThat(tensor.source()).isNotBlank();
        assertThat(tensor.dtype()).isNotNull();
    }

    @Test
    void readAllGivesTheCanonicalValues() throws Exception {
        assertThat(tensor.readAll()).containsExactly(expected);
    }

    @Test
    void everyRowAndEveryRunOfRowsMatchesReadAll() throws Exception {
        int rows = (int) tensor.shape().rows();
        int cols = (int) tensor.shape().columns();
        for (int r = 0; r < rows; r++) {
            assertThat(tensor.readRow(r))
                    .as("row %d", r)
                    .containsExactly(Arrays.copyOfRange(expected, r * cols, (r + 1) * cols));
        }
        for (int first = 0; first < rows; first++) {
            for (int n = 1; first + n <= rows; n++) {
                float[] got = new float[n * cols];
                tensor.readRows(first, n, got, 0);
                assertThat(got)
                        .as("rows %d+%d", first, n)
                        .containsExactly(Arrays.copyOfRange(expected, first * cols, (first + n) * cols));
            }
        }
    }

    @Test
    void readsWriteOnlyTheirRangeOfTheDestination() throws Exception {
        int cols = (int) tensor.shape().columns();
        float[] dst = new float[3 + 2 * cols + 5];
        Arrays.fill(dst, 42f);
        tensor.readRows(1, 1, dst, 3);
        tensor.readRows(0, 0, dst, dst.length);
        assertThat(Arrays.copyOfRange(dst, 0, 3)).containsOnly(42f);
        assertThat(Arrays.copyOfRange(dst, 3, 3 + cols)).containsExactly(Arrays.copyOfRange(expected, cols, 2 * cols));
        assertThat(Arrays.copyOfRange(dst, 3 + cols, dst.length)).containsOnly(42f);
    }

    @Test
    void rowsOrDestinationsOutOfRangeThrowAndWriteNothing() {
        long rows = tensor.shape().rows();
        int cols = (int) tensor.shape().columns();
        float[] dst = new float[(int) (rows + 2) * Math.max(1, cols)];
        Arrays.fill(dst, 42f);
        for (long[] c :
                new long[][] {{-1, 1}, {0, -1}, {rows, 1}, {rows - 1, 2}, {Long.MAX_VALUE, 1}, {1, Integer.MAX_VALUE}
                }) {
            assertThatThrownBy(() -> tensor.readRows(c[0], (int) c[1], dst, 0))
                    .as("rows %d+%d", c[0], c[1])
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertThatThrownBy(() -> tensor.readRows(0, 1, dst, -1)).isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> tensor.readRows(0, 2, new float[2 * cols - 1], 0))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThatThrownBy(() -> tensor.readRows(0, 1, dst, dst.length - cols + 1))
                .isInstanceOf(IndexOutOfBoundsException.class);
        assertThat(dst).containsOnly(42f);
    }

    @Test
    void prefetchingAnyRowsNeverFailsNorChangesReads() throws Exception {
        int rows = (int) tensor.shape().rows();
        tensor.prefetchRows(new int[] {rows - 1, 0, 0, -5, rows, Integer.MAX_VALUE, Integer.MIN_VALUE});
        tensor.prefetchRows(new int[0]);
        assertThat(tensor.readAll()).containsExactly(expected);
    }

    @Test
    void storedBytesAreThereAndStable() throws Exception {
        assertThat(tensor.storedBytes()).isNotNull();
        assertThat(tensor.storedBytes().byteSize())
                .isEqualTo(tensor.storedBytes().byteSize());
    }
}
