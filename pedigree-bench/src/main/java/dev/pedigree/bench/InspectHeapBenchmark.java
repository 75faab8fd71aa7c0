package dev.pedigree.bench;

import dev.pedigree.formats.ModelOpener;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.inspect.Inspection;
import dev.pedigree.model.inspect.Inspector;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Inspects (with full per-tensor hashing) a generated BF16 model larger than the JVM heap and
 * reports wall time, throughput and the peak heap actually used. Run it with a small heap, e.g.
 * {@code -Xmx256m}, to show that reading never holds a model (or even a whole large tensor) on the
 * heap.
 *
 * <p>Usage: {@code InspectHeapBenchmark [GB] [workdir]} (default 3 GB in the temp directory).
 */
public final class InspectHeapBenchmark {
    private InspectHeapBenchmark() {}

    public static void main(String[] args) throws Exception {
        double gb = args.length > 0 ? Double.parseDouble(args[0]) : 3.0;
        Path dir = args.length > 1 ? Path.of(args[1]) : Files.createTempDirectory("pedigree-heap-bench");
        int hidden = 2048;
        int ffn = 5632;
        long perLayer = 2L * (4L * hidden * hidden + 3L * hidden * ffn);
        int layers = (int) Math.max(1, (gb * 1e9 - 2L * 2 * 32000 * hidden) / perLayer);
        LargeSafetensors.Spec spec = new LargeSafetensors.Spec(hidden, ffn, layers, 32000);
        Path file = dir.resolve("large.safetensors");
        long t0 = System.nanoTime();
        LargeSafetensors.write(file, spec, 1, 0, 0);
        long size = Files.size(file);
        System.out.printf(
                Locale.ROOT,
                "wrote %s: %.2f GB, %d parameters, in %.1f s%n",
                file,
                size / 1e9,
                spec.parameters(),
                (System.nanoTime() - t0) / 1e9);
        resetPeaks();
        long t1 = System.nanoTime();
        Inspection in;
        try (ModelView v = ModelOpener.open(file)) {
            in = Inspector.inspect(v, true);
        }
        double secs = (System.nanoTime() - t1) / 1e9;
        long peak = peakHeap();
        System.out.printf(
                Locale.ROOT,
                "inspect with hashes: %d tensors, %.1f s, %.2f GB/s of file read twice (raw + canonical hash), max heap %d MB, peak heap used %.1f MB%n",
                in.tensors().size(),
                secs,
                2 * size / 1e9 / secs,
                Runtime.getRuntime().maxMemory() >> 20,
                peak / 1e6);
        Files.deleteIfExists(file);
    }

    static void resetPeaks() {
        System.gc();
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                p.resetPeakUsage();
            }
        }
    }

    static long peakHeap() {
        long sum = 0;
        for (MemoryPoolMXBean p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == MemoryType.HEAP) {
                sum += p.getPeakUsage().getUsed();
            }
        }
        return sum;
    }
}
