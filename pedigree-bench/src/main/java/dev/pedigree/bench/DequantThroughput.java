package dev.pedigree.bench;

import dev.pedigree.format.gguf.GgmlBlocks;
import dev.pedigree.format.gguf.GgmlDequant;
import dev.pedigree.format.gguf.GgmlType;
import dev.pedigree.model.DType;
import dev.pedigree.model.ElementDecoder;
import java.lang.foreign.MemorySegment;
import java.util.Random;

/**
 * A plain micro benchmark (not a test): decodes ~256 MB of synthetic Q4_K, Q8_0 and BF16 blocks to
 * float32 and prints input GB/s (per wall second and per thread-CPU second) and output Gfloat/s. Run with
 * {@code ./bench main DequantThroughput [MB]}.
 * Numbers are for the record, never asserted.
 */
public final class DequantThroughput {
    /** Thread CPU time makes the figure meaningful on a shared, oversubscribed machine. */
    private static final java.lang.management.ThreadMXBean THREADS =
            java.lang.management.ManagementFactory.getThreadMXBean();

    private DequantThroughput() {}

    public static void main(String[] args) {
        int mb = args.length > 0 ? Integer.parseInt(args[0]) : 256;
        for (GgmlType t : new GgmlType[] {GgmlType.Q4_K, GgmlType.Q8_0, GgmlType.BF16}) {
            run(t, (long) mb << 20);
        }
    }

    private static void run(GgmlType t, long bytes) {
        int chunkBlocks = (1 << 20) / t.typeSize(); // ~1 MB per call, as GgufTensor decodes
        int chunkBytes = chunkBlocks * t.typeSize();
        int chunks = (int) (bytes / chunkBytes);
        byte[] data =
                t == GgmlType.BF16 ? new byte[chunkBytes * 8] : GgmlBlocks.random(t, chunkBlocks * 8, new Random(1));
        if (t == GgmlType.BF16) {
            new Random(1).nextBytes(data);
        }
        MemorySegment seg = MemorySegment.ofArray(data);
        float[] out = new float[chunkBlocks * t.blockSize()];
        double best = 0;
        double sink = 0;
        for (int rep = 0; rep < 5; rep++) {
            long t0 = System.nanoTime();
            long c0 = THREADS.getCurrentThreadCpuTime();
            for (int c = 0; c < chunks; c++) {
                int off = (c % 8) * chunkBytes;
                if (t == GgmlType.BF16) {
                    ElementDecoder.decode(DType.BF16, seg, off, out, 0, out.length);
                } else {
                    GgmlDequant.dequantize(t, data, off, chunkBlocks, out, 0, false);
                }
                sink += out[c % out.length];
            }
            double s = (System.nanoTime() - t0) / 1e9;
            double cpu = (THREADS.getCurrentThreadCpuTime() - c0) / 1e9;
            double gbs = (double) chunks * chunkBytes / s / 1e9;
            double cpuGbs = (double) chunks * chunkBytes / cpu / 1e9;
            best = Math.max(best, cpuGbs);
            System.out.printf(
                    "%-5s rep %d: %.0f MB, wall %.3f s = %.2f GB/s; thread CPU %.3f s = %.2f GB/s in, %.2f Gfloat/s out%n",
                    t,
                    rep,
                    chunks * (double) chunkBytes / (1 << 20),
                    s,
                    gbs,
                    cpu,
                    cpuGbs,
                    cpuGbs * t.blockSize() / t.typeSize());
        }
        System.out.printf(
                "%-5s best (per CPU-second) %.2f GB/s of %s blocks (%.2f GB/s of float32 written) [sink %s]%n",
                t, best, t, best * t.blockSize() * 4 / t.typeSize(), sink == 42 ? "" : "ok");
    }
}
