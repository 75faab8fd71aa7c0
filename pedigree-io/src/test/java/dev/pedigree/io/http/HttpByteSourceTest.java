package dev.pedigree.io.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.testkit.RealModels;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Range reads against a loopback server that serves real files and generated data. */
class HttpByteSourceTest {
    private static final int MIB = 1 << 20;

    @TempDir
    Path tmp;

    private RangeServer server;

    @BeforeEach
    void start() throws IOException {
        server = new RangeServer();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private static byte[] fileBytes(Path file, long offset, int length) throws IOException {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer buf = ByteBuffer.allocate(length);
            while (buf.hasRemaining()) {
                if (ch.read(buf, offset + buf.position()) < 0) {
                    throw new IOException("short file");
                }
            }
            return buf.array();
        }
    }

    @Test
    void realOnnxModelReadsOnlyTheBlocksItNeeds() throws Exception {
        Path onnx = RealModels.onnx(RealModels.ALL_MINILM_L6_V2);
        long size = Files.size(onnx);
        server.files.put("/models/minilm.onnx", RangeServer.ofFile(onnx, "\"minilm-v1\""));
        try (RemoteSession session = TestSessions.builder(tmp.resolve("cache")).build();
                HttpByteSource src = session.open(server.uri("/models/minilm.onnx"))) {
            assertThat(src.size()).isEqualTo(size);
            assertThat(src.description())
                    .isEqualTo(server.uri("/models/minilm.onnx").toString());
            assertThat(src.etag()).contains("\"minilm-v1\"");

            byte[] got = src.readBytes(50_000_000L, 100);
            assertThat(got).isEqualTo(fileBytes(onnx, 50_000_000L, 100));
            TransferStats afterOne = session.stats();
            System.out.printf("onnx %d bytes: 100 bytes at 50 MB -> %s%n", size, afterOne);
            assertThat(afterOne.bytesTransferred()).isLessThanOrEqualTo(MIB);
            assertThat(afterOne.requests()).isEqualTo(2); // HEAD + one range GET
            assertThat(server.bytesServed.get()).isEqualTo(afterOne.bytesTransferred());

            // the same block again: memory hit, nothing transferred
            assertThat(src.readBytes(50_000_500L, 64)).isEqualTo(fileBytes(onnx, 50_000_500L, 64));
            assertThat(session.stats().since(afterOne).bytesTransferred()).isZero();
            assertThat(session.stats().memoryCacheHits()).isEqualTo(1);

            // across a block boundary, and the file's first and last bytes
            long boundary = 10L * MIB - 10;
            assertThat(src.readBytes(boundary, 20)).isEqualTo(fileBytes(onnx, boundary, 20));
            assertThat(src.readBytes(0, 16)).isEqualTo(fileBytes(onnx, 0, 16));
            assertThat(src.readBytes(size - 7, 7)).isEqualTo(fileBytes(onnx, size - 7, 7));

            // a multi-block slice is one coalesced request
            TransferStats before = session.stats();
            MemorySegment big = src.slice(30L * MIB + 123, 3L * MIB + 500);
            assertThat(big.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(fileBytes(onnx, 30L * MIB + 123, 3 * MIB + 500));
            TransferStats delta = session.stats().since(before);
            System.out.printf("onnx 3 MiB slice -> %s%n", delta);
            assertThat(delta.requests()).isEqualTo(1);
            assertThat(delta.bytesTransferred()).isEqualTo(4L * MIB);
            System.out.printf(
                    "onnx total: %s of %d bytes (%.2f%%)%n",
                    session.stats(), size, 100.0 * session.stats().bytesTransferred() / size);
        }
    }

    @Test
    void handWrittenSafetensorsReadsKnownValues() throws Exception {
        Path file = tmp.resolve("tiny.safetensors");
        String json =
                "{\"__metadata__\":{\"format\":\"pt\"},\"b\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[48,60]},"
                        + "\"w\":{\"dtype\":\"F32\",\"shape\":[4,3],\"data_offsets\":[0,48]}}";
        StringBuilder padded = new StringBuilder(json);
        while (padded.length() % 8 != 0) padded.append(' ');
        byte[] header = padded.toString().getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + header.length + 60).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(header.length).put(header);
        for (int i = 0; i < 15; i++) bb.putFloat(i * 0.5f);
        Files.write(file, bb.array());
        server.files.put("/st/tiny.safetensors", RangeServer.ofFile(file, "\"tiny\""));

        try (RemoteSession session = TestSessions.builder(tmp.resolve("cache")).build();
                HttpByteSource src = session.open(server.uri("/st/tiny.safetensors"))) {
            long n = src.slice(0, 8).get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
            assertThat(n).isEqualTo(header.length);
            JsonNode parsed = new ObjectMapper().readTree(src.readBytes(8, (int) n));
            long begin = parsed.get("w").get("data_offsets").get(0).longValue();
            // row 2 of w [4,3]: floats 6, 7, 8 times 0.5; the slice keeps the file's 4-byte alignment
            MemorySegment row = src.slice(8 + n + begin + 2 * 3 * 4, 12);
            ValueLayout.OfFloat le = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN);
            assertThat(new float[] {row.get(le, 0), row.get(le, 4), row.get(le, 8)})
                    .containsExactly(3.0f, 3.5f, 4.0f);
            assertThat(src.slice(8 + n + 48, 12).get(le, 8)).isEqualTo(7.0f);
            assertThat(src.stats().requests()).isEqualTo(2); // a 0.2 KB file: one block
        }
    }

    @Test
    void copyToFillsAnyTargetStraightFromTheFetchedBlocks() throws Exception {
        server.files.put("/p", RangeServer.pattern(5 * MIB + 77, 11, "\"p\""));
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/p"))) {
            long offset = MIB - 5;
            int length = 2 * MIB + 17;
            byte[] expect = src.slice(offset, length).toArray(ValueLayout.JAVA_BYTE);
            TransferStats before = session.stats();
            try (java.lang.foreign.Arena arena = java.lang.foreign.Arena.ofConfined()) {
                java.lang.foreign.MemorySegment nativeDst = arena.allocate(length);
                src.copyTo(offset, nativeDst);
                assertThat(nativeDst.toArray(ValueLayout.JAVA_BYTE)).isEqualTo(expect);
            }
            byte[] heap = new byte[length];
            src.copyTo(offset, java.lang.foreign.MemorySegment.ofArray(heap));
            assertThat(heap).isEqualTo(expect);
            assertThat(session.stats().since(before).bytesTransferred())
                    .as("blocks already fetched are not fetched again")
                    .isZero();
            assertThatThrownBy(() -> src.copyTo(5L * MIB, java.lang.foreign.MemorySegment.ofArray(new byte[100])))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining(server.uri("/p").toString());
        }
    }

    @Test
    void outOfRangeSlicesAreCorruptModelExceptionsNamingTheUrl() throws Exception {
        server.files.put("/p", RangeServer.pattern(5000, 7, "\"p\""));
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/p"))) {
            assertThatThrownBy(() -> src.slice(4990, 11))
                    .isInstanceOf(CorruptModelException.class)
                    .hasMessageContaining(server.uri("/p").toString())
                    .hasMessageContaining("4990");
            assertThatThrownBy(() -> src.slice(-1, 1)).isInstanceOf(CorruptModelException.class);
            assertThat(src.slice(5000, 0).byteSize()).isZero();
            assertThat(session.stats().bytesTransferred()).isZero();
        }
    }

    @Test
    void concurrentSlicesOfDifferentBlocksFetchInParallelAndSameBlockOnce() throws Exception {
        long size = 16L * MIB;
        server.files.put("/big", RangeServer.pattern(size, 42, "\"big\""));
        server.getDelayMillis = 150;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/big"))) {
            List<Future<Boolean>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                long off = t * 2L * MIB + 1000;
                results.add(pool.submit(
                        () -> java.util.Arrays.equals(src.readBytes(off, 5000), RangeServer.pattern(42, off, 5000))));
            }
            for (Future<Boolean> f : results) assertThat(f.get()).isTrue();
            assertThat(server.maxInFlight.get()).isGreaterThanOrEqualTo(2);
            long getsBefore = server.getCount();
            List<Future<byte[]>> same = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                same.add(pool.submit(() -> src.readBytes(5L * MIB + 77, 100)));
            }
            for (Future<byte[]> f : same) assertThat(f.get()).isEqualTo(RangeServer.pattern(42, 5L * MIB + 77, 100));
            assertThat(server.getCount() - getsBefore).isEqualTo(1);
            System.out.printf(
                    "concurrency: max %d requests in flight; 8 readers of one block -> 1 GET; %s%n",
                    server.maxInFlight.get(), session.stats());
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void diskCacheIsReusedAcrossSessions() throws Exception {
        server.files.put("/m", RangeServer.pattern(8L * MIB, 3, "\"v1\""));
        Path cache = tmp.resolve("cache");
        long[][] ranges = {{100, 50}, {3L * MIB + 5, 2L * MIB}, {8L * MIB - 9, 9}};
        try (RemoteSession s1 = TestSessions.builder(cache).build();
                HttpByteSource src = s1.open(server.uri("/m"))) {
            for (long[] r : ranges)
                assertThat(src.readBytes(r[0], (int) r[1])).isEqualTo(RangeServer.pattern(3, r[0], (int) r[1]));
            assertThat(s1.stats().bytesTransferred()).isEqualTo(5L * MIB);
            assertThat(src.diskCached()).isTrue();
        }
        try (RemoteSession s2 = TestSessions.builder(cache).build();
                HttpByteSource src = s2.open(server.uri("/m"))) {
            for (long[] r : ranges)
                assertThat(src.readBytes(r[0], (int) r[1])).isEqualTo(RangeServer.pattern(3, r[0], (int) r[1]));
            TransferStats st = s2.stats();
            System.out.printf("second session, same ranges: %s%n", st);
            assertThat(st.bytesTransferred()).isZero();
            assertThat(st.diskCacheHits()).isEqualTo(5);
            assertThat(st.requests()).isEqualTo(1); // the HEAD only
        }
        // a damaged block file is ignored and fetched again
        try (Stream<Path> files = Files.walk(cache)) {
            Path blk = files.filter(p -> p.getFileName().toString().equals(MIB + "-0.blk"))
                    .findFirst()
                    .orElseThrow();
            byte[] b = Files.readAllBytes(blk);
            b[10] ^= 1;
            Files.write(blk, b);
        }
        try (RemoteSession s3 = TestSessions.builder(cache).build();
                HttpByteSource src = s3.open(server.uri("/m"))) {
            assertThat(src.readBytes(100, 50)).isEqualTo(RangeServer.pattern(3, 100, 50));
            assertThat(s3.stats().bytesTransferred()).isEqualTo(MIB);
        }
    }

    @Test
    void etagChangeInvalidatesTheCacheAndFailsAnOpenSource() throws Exception {
        server.files.put("/m", RangeServer.pattern(4L * MIB, 1, "\"v1\""));
        Path cache = tmp.resolve("cache");
        try (RemoteSession s1 = TestSessions.builder(cache).build();
                HttpByteSource src = s1.open(server.uri("/m"))) {
            assertThat(src.readBytes(10, 10)).isEqualTo(RangeServer.pattern(1, 10, 10));
            server.files.put("/m", RangeServer.pattern(4L * MIB, 2, "\"v2\""));
            assertThatThrownBy(() -> src.readBytes(2L * MIB, 10))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("changed on the server")
                    .hasMessageContaining("\"v1\"")
                    .hasMessageContaining("\"v2\"");
            // block 0 is still the v1 block in memory: the source keeps serving its own version
            assertThat(src.readBytes(10, 10)).isEqualTo(RangeServer.pattern(1, 10, 10));
        }
        try (RemoteSession s2 = TestSessions.builder(cache).build();
                HttpByteSource src = s2.open(server.uri("/m"))) {
            assertThat(src.etag()).contains("\"v2\"");
            assertThat(src.readBytes(10, 10)).isEqualTo(RangeServer.pattern(2, 10, 10));
            assertThat(s2.stats().diskCacheHits()).isZero();
            assertThat(s2.stats().bytesTransferred()).isEqualTo(MIB);
        }
    }

    @Test
    void byteBudgetIsEnforcedBeforeFetching() throws Exception {
        server.files.put("/m", RangeServer.pattern(10L * MIB, 5, "\"b\""));
        try (RemoteSession session =
                        TestSessions.builder(tmp).byteBudget(3L * MIB).build();
                HttpByteSource src = session.open(server.uri("/m"))) {
            src.readBytes(0, 1);
            src.readBytes(MIB, 1);
            src.readBytes(2L * MIB, 1);
            assertThatThrownBy(() -> src.readBytes(3L * MIB, 1))
                    .isInstanceOfSatisfying(
                            ByteBudgetExceededException.class,
                            e -> assertThat(e.budget()).isEqualTo(3L * MIB))
                    .isInstanceOf(IOException.class)
                    .hasMessageContaining("byte budget of 3145728 bytes");
            assertThat(session.stats().bytesTransferred()).isEqualTo(3L * MIB);
            assertThat(server.bytesServed.get()).isEqualTo(3L * MIB);
            src.readBytes(MIB + 5, 10); // cached blocks still read
            assertThat(session.byteBudget()).isEqualTo(3L * MIB);
        }
    }

    @Test
    void headRefusedFallsBackToAOneByteRange() throws Exception {
        server.refuseHead = true;
        server.files.put("/m", RangeServer.pattern(3000, 9, "\"h\""));
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/m"))) {
            assertThat(src.size()).isEqualTo(3000);
            assertThat(src.readBytes(2990, 10)).isEqualTo(RangeServer.pattern(9, 2990, 10));
        }
    }

    @Test
    void emptyFileHasSizeZero() throws Exception {
        server.files.put("/empty", RangeServer.ofBytes(new byte[0], "\"e\""));
        server.refuseHead = true;
        try (RemoteSession session = TestSessions.builder(tmp).build();
                HttpByteSource src = session.open(server.uri("/empty"))) {
            assertThat(src.size()).isZero();
            assertThat(src.slice(0, 0).byteSize()).isZero();
        }
    }
}
