package dev.pedigree.format.safetensors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tensor larger than the test JVM's heap (-Xmx2g) and than 2^31 bytes, in a sparse file that
 * costs almost no disk: reading single rows must touch only those rows.
 */
class LargeTensorTest {
    @TempDir
    Path dir;

    private static final long ROWS = 640_000;
    private static final long COLS = 1024; // 640,000 x 1024 F32 = 2.62 GB of data

    @Test
    void rowsOfATensorBiggerThanTheHeapReadWithoutLoadingIt() throws Exception {
        long bytes = ROWS * COLS * 4;
        String json = "{\"__metadata__\":{\"format\":\"pt\"},\"big.weight\":{\"dtype\":\"F32\",\"shape\":[" + ROWS + ","
                + COLS + "],\"data_offsets\":[0," + bytes + "]}}";
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        int n = (header.length + 7) / 8 * 8;
        Path file = dir.resolve("big.safetensors");
        long dataStart = 8 + n;
        long lastRow = ROWS - 1;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer head = ByteBuffer.allocate(8 + n)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(n)
                    .put(header);
            while (head.hasRemaining()) {
                head.put((byte) ' ');
            }
            ch.write(head.flip(), 0);
            // Known values in row 1 (columns 0..2) and in the last row (last column).
            ByteBuffer row1 = ByteBuffer.allocate(12)
                    .order(ByteOrder.LITTLE_ENDIAN)
                    .putFloat(1.5f)
                    .putFloat(-2f)
                    .putFloat(3.25f);
            ch.write(row1.flip(), dataStart + COLS * 4);
            ByteBuffer last =
                    ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(42f);
            ch.write(last.flip(), dataStart + (lastRow * COLS + COLS - 1) * 4);
        }
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw")) {
            raf.setLength(dataStart + bytes);
        }
        assertThat(bytes).isGreaterThan(Runtime.getRuntime().maxMemory()).isGreaterThan(Integer.MAX_VALUE);

        try (ModelView v = new SafetensorsReader().open(file)) {
            TensorRef t = v.tensors().getFirst();
            assertThat(t.shape()).isEqualTo(Shape.of(ROWS, COLS));
            assertThat(t.storedBytes().byteSize()).isEqualTo(bytes);
            float[] small = new float[(int) COLS + 2];
            t.readRows(1, 1, small, 2);
            assertThat(small[2]).isEqualTo(1.5f);
            assertThat(small[3]).isEqualTo(-2f);
            assertThat(small[4]).isEqualTo(3.25f);
            assertThat(small[5]).isZero();
            float[] tail = t.readRow(lastRow);
            assertThat(tail[(int) COLS - 1]).isEqualTo(42f);
            float[] two = new float[(int) (2 * COLS)];
            t.readRows(lastRow - 1, 2, two, 0);
            assertThat(two[two.length - 1]).isEqualTo(42f);
            assertThatThrownBy(() -> t.readRows(lastRow, 2, two, 0)).isInstanceOf(IndexOutOfBoundsException.class);
            assertThatThrownBy(() -> t.readRows(0, 2, small, 0)).isInstanceOf(IndexOutOfBoundsException.class);
        }
    }
}
