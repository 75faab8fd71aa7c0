package dev.pedigree.io.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link HttpByteSource#prefetch}: overlap without refetching, same bytes, same budget, same errors. */
class PrefetchTest {
    private static final int BLOCK = 16 << 10;
    private static final long SIZE = 8L << 20;
    private static final Pattern RANGE = Pattern.compile("bytes=([0-9]+)-([0-9]+)");

    @TempDir
    Path tmp;

    private RangeServer server;

    @BeforeEach
    void start() {
        try {
            server = new RangeServer();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        server.files.put("/w", RangeServer.pattern(SIZE, 11, "\"w\""));
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private RemoteSession.Builder session(int prefetch) {
        return TestSessions.builder(tmp.resolve("cache-" + prefetch + "-" + System.nanoTime()))
                .noDiskCache()
                .blockSize(BLOCK)
                .prefetchConcurrency(prefetch);
    }

    /** 64 scattered "rows" of 5,000 bytes, some sharing blocks, in a fixed order. */
    private static List<long[]> rows() {
        SplittableRandom rnd = new SplittableRandom(3);
        List<long[]> rows = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            rows.add(new long[] {rnd.nextLong(SIZE - 5000), 5000});
        }
        return rows;
    }

    /** Reads the rows (prefetching them all first when asked) and checks every byte. */
    private static void readRows(HttpByteSource src, List<long[]> rows, boolean prefetch) throws Exception {
        if (prefetch) {
            for (long[] r : rows) {
                src.prefetch(r[0], r[1]);
            }
        }
        for (long[] r : rows) {
            byte[] got = src.slice(r[0], r[1]).toArray(ValueLayout.JAVA_BYTE);
            assertThat(got).isEqualTo(RangeServer.pattern(11, r[0], (int) r[1]));
        }
    }

    /** Block indices of every GET answered, failing if any block was asked for twice. */
    private BitSet blocksRequestedOnce() {
        BitSet seen = new BitSet();
        for (RangeServer.Request r : server.requests) {
            if (!r.method().equals("GET") || r.range() == null || !r.range().matches("bytes=[0-9]+-[0-9]+")) {
                continue;
            }
            Matcher m = RANGE.matcher(r.range());
            assertThat(m.matches()).isTrue();
            long from = Long.parseLong(m.group(1));
            long to = Long.parseLong(m.group(2));
            assertThat(from % BLOCK).as("block-aligned start of %s", r.range()).isZero();
            for (long b = from / BLOCK; b <= to / BLOCK; b++) {
                assertThat(seen.get((int) b))
                        .as("block %d fetched twice (%s)", b, r.range())
                        .isFalse();
                seen.set((int) b);
            }
        }
        return seen;
    }

    @Test
    void prefetchedReadsTransferExactlyWhatSequentialReadsDo() throws Exception {
        List<long[]> rows = rows();
        long sequentialBytes;
        try (RemoteSession s = session(0).build();
                HttpByteSource src = s.open(server.uri("/w"))) {
            readRows(src, rows, false);
            sequentialBytes = s.stats().bytesTransferred();
            assertThat(s.prefetchConcurrency()).isZero();
        }
        BitSet sequentialBlocks = blocksRequestedOnce();
        server.requests.clear();
        long servedBefore = server.bytesServed.get();
        server.getDelayMillis = 30;
        server.maxInFlight.set(0);
        long t0 = System.nanoTime();
        try (RemoteSession s = session(6).build();
                HttpByteSource src = s.open(server.uri("/w"))) {
            server.maxInFlight.set(0);
            readRows(src, rows, true);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            TransferStats st = s.stats();
            System.out.printf(
                    "prefetch: %d rows, %d bytes (sequential %d), %d GETs, max %d in flight, %d ms with 30 ms per request%n",
                    rows.size(),
                    st.bytesTransferred(),
                    sequentialBytes,
                    server.getCount(),
                    server.maxInFlight.get(),
                    ms);
            assertThat(st.bytesTransferred()).isEqualTo(sequentialBytes);
            assertThat(server.bytesServed.get() - servedBefore).isEqualTo(sequentialBytes);
            assertThat(server.maxInFlight.get()).isBetween(2, 6);
        }
        assertThat(blocksRequestedOnce()).isEqualTo(sequentialBlocks);
    }

    @Test
    void concurrentReadersAndPrefetchNeverFetchABlockTwice() throws Exception {
        server.getDelayMillis = 10;
        List<long[]> rows = rows();
        ExecutorService readers = Executors.newFixedThreadPool(
                4, Thread.ofPlatform().name("reader-", 0).factory());
        try (RemoteSession s = session(4).build();
                HttpByteSource src = s.open(server.uri("/w"))) {
            for (int round = 0; round < 3; round++) {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < 4; t++) {
                    int shift = t;
                    done.add(readers.submit(() -> {
                        List<long[]> mine = new ArrayList<>(rows.subList(shift * 8, rows.size()));
                        mine.addAll(rows.subList(0, shift * 8));
                        readRows(src, mine, true);
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get();
                }
            }
            BitSet blocks = blocksRequestedOnce();
            System.out.printf(
                    "prefetch + 4 readers x 3 rounds: %d blocks, %d GETs, %s%n",
                    blocks.cardinality(), server.getCount(), s.stats());
            assertThat(s.stats().blocksFetched()).isEqualTo(blocks.cardinality());
        } finally {
            readers.shutdownNow();
        }
    }

    @Test
    void prefetchSpendsTheBudgetAndAReadPastItFailsClearly() throws Exception {
        long budget = 10L * BLOCK;
        try (RemoteSession s = session(4).byteBudget(budget).build();
                HttpByteSource src = s.open(server.uri("/w"))) {
            src.prefetch(0, 8L * BLOCK);
            assertThat(src.slice(0, 8L * BLOCK).toArray(ValueLayout.JAVA_BYTE))
                    .isEqualTo(RangeServer.pattern(11, 0, 8 * BLOCK));
            assertThat(s.stats().bytesTransferred()).isEqualTo(8L * BLOCK);
            // two blocks of budget left: some prefetch runs of the next eight blocks are refused
            src.prefetch(8L * BLOCK, 8L * BLOCK);
            assertThatThrownBy(() -> src.slice(8L * BLOCK, 8L * BLOCK))
                    .isInstanceOf(ByteBudgetExceededException.class)
                    .hasMessageContaining("byte budget of " + budget + " bytes exceeded")
                    .hasMessageContaining(server.uri("/w").toString());
            assertThat(s.stats().bytesTransferred()).isLessThanOrEqualTo(budget);
            assertThat(server.bytesServed.get()).isLessThanOrEqualTo(budget);
        }
    }

    @Test
    void serverErrorDuringPrefetchFailsTheReadWithTheSameMessage() throws Exception {
        server.hook = (ex, req) -> {
            if (req.method().equals("GET")) {
                ex.sendResponseHeaders(503, -1);
                return true;
            }
            return false;
        };
        String sequential;
        try (RemoteSession s = session(0).build();
                HttpByteSource src = s.open(server.uri("/w"))) {
            sequential = messageOf(() -> src.slice(5 * BLOCK + 7, 100));
        }
        try (RemoteSession s = session(4).build();
                HttpByteSource src = s.open(server.uri("/w"))) {
            src.prefetch(5 * BLOCK + 7, 100);
            assertThatThrownBy(() -> src.slice(5 * BLOCK + 7, 100))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessage(sequential)
                    .hasMessageContaining("HTTP 503")
                    .hasMessageContaining("gave up after 4 attempts");
        }
        server.hook = (ex, req) -> {
            if (req.method().equals("GET")) {
                ex.sendResponseHeaders(404, -1);
                return true;
            }
            return false;
        };
        try (RemoteSession s = session(4).build();
                HttpByteSource src = s.open(server.uri("/w"))) {
            src.prefetch(0, 40L * BLOCK);
            assertThatThrownBy(() -> src.slice(3L * BLOCK, 30L * BLOCK))
                    .isInstanceOf(RemoteIOException.class)
                    .hasMessageContaining("not found (HTTP 404)")
                    .hasMessageContaining(server.uri("/w").toString());
        }
    }

    @Test
    void hintsOutsideTheFileOrAfterCloseAreIgnored() throws Exception {
        try (RemoteSession s = session(4).build()) {
            HttpByteSource src = s.open(server.uri("/w"));
            long before = server.getCount();
            src.prefetch(-1, 10);
            src.prefetch(SIZE - 5, 10);
            src.prefetch(0, 0);
            src.close();
            src.prefetch(0, 100);
            Thread.sleep(50);
            assertThat(server.getCount()).isEqualTo(before);
        }
    }

    private interface Read {
        void run() throws Exception;
    }

    private static String messageOf(Read r) {
        try {
            r.run();
        } catch (Exception e) {
            return e.getMessage();
        }
        throw new AssertionError("expected a failure");
    }
}
