package dev.pedigree.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Positional copies out of a mapped file ({@link MappedFileSource#copyTo}). */
class MappedFileSourceTest {
    @TempDir
    Path tmp;

    private Path randomFile(int size) throws Exception {
        byte[] b = new byte[size];
        new SplittableRandom(5).nextBytes(b);
        Path f = tmp.resolve("data.bin");
        Files.write(f, b);
        return f;
    }

    @Test
    void copyToEqualsTheMappedBytesForNativeAndHeapTargets() throws Exception {
        Path f = randomFile(3 << 20);
        try (MappedFileSource src = MappedFileSource.open(f);
                Arena arena = Arena.ofConfined()) {
            for (long[] r :
                    new long[][] {{0, 1}, {7, 4096}, {(1 << 20) - 3, (1 << 20) + 9}, {(3 << 20) - 100, 100}, {5, 0}}) {
                byte[] expect = src.slice(r[0], r[1]).toArray(ValueLayout.JAVA_BYTE);
                MemorySegment n = arena.allocate(Math.max(1, r[1])).asSlice(0, r[1]);
                src.copyTo(r[0], n);
                assertThat(n.toArray(ValueLayout.JAVA_BYTE))
                        .as("native " + r[0] + "+" + r[1])
                        .isEqualTo(expect);
                byte[] heap = new byte[(int) r[1]];
                src.copyTo(r[0], MemorySegment.ofArray(heap));
                assertThat(heap).as("heap " + r[0] + "+" + r[1]).isEqualTo(expect);
            }
        }
    }

    @Test
    void rangesPastTheEndAreCorruptModelExceptionsNamingFileAndOffset() throws Exception {
        Path f = randomFile(1000);
        try (MappedFileSource src = MappedFileSource.open(f);
                Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> src.copyTo(990, arena.allocate(11)))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining("990");
            assertThatThrownBy(() -> src.copyTo(-1, arena.allocate(1))).isInstanceOf(CorruptModelException.class);
        }
    }

    @Test
    void aFileTruncatedAfterOpeningIsReportedNotReadPastItsEnd() throws Exception {
        Path f = randomFile(256 << 10);
        try (MappedFileSource src = MappedFileSource.open(f);
                Arena arena = Arena.ofConfined()) {
            try (RandomAccessFile raf = new RandomAccessFile(f.toFile(), "rw")) {
                raf.setLength(64 << 10);
            }
            assertThatThrownBy(() -> src.copyTo(0, arena.allocate(128 << 10)))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining(f.toString())
                    .hasMessageContaining("truncated");
        }
    }

    @Test
    void anInterruptedReaderDoesNotBreakTheSourceForOthers() throws Exception {
        Path f = randomFile(1 << 20);
        try (MappedFileSource src = MappedFileSource.open(f);
                Arena arena = Arena.ofShared()) {
            byte[] expect = src.slice(100, 50_000).toArray(ValueLayout.JAVA_BYTE);
            MemorySegment dst = arena.allocate(50_000);
            // An interrupted thread's channel read closes the channel (ClosedByInterruptException).
            Thread.currentThread().interrupt();
            try {
                src.copyTo(100, dst);
            } finally {
                Thread.interrupted();
            }
            assertThat(dst.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expect);
            MemorySegment again = arena.allocate(50_000);
            Thread other = new Thread(() -> {
                try {
                    src.copyTo(100, again);
                } catch (IOException | CorruptModelException e) {
                    throw new RuntimeException(e);
                }
            });
            other.start();
            other.join();
            assertThat(again.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expect);
        }
    }

    @Test
    void copyAfterCloseIsAnIllegalState() throws Exception {
        Path f = randomFile(4096);
        MappedFileSource src = MappedFileSource.open(f);
        src.close();
        try (Arena arena = Arena.ofConfined()) {
            assertThatThrownBy(() -> src.copyTo(0, arena.allocate(16))).isInstanceOf(IllegalStateException.class);
        }
    }
}
