package dev.pedigree.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;

/**
 * Runs {@link DecodeBenchmark}, {@link KernelBenchmark} and {@link MemoryBandwidthBenchmark} with short settings
 * (2 × 1 s warm-up, 3 × 1 s measurement, 1 fork, 1 thread) and prints GB/s of input per core for each, next to the
 * measured DRAM read bandwidth. Numbers are recorded, never asserted.
 *
 * <p>Usage: {@code ThroughputReport [regex]} (default: all three benchmarks).
 */
public final class ThroughputReport {
    private ThroughputReport() {}

    public static void main(String[] args) throws Exception {
        String include = args.length > 0 ? args[0] : "(DecodeBenchmark|KernelBenchmark|MemoryBandwidthBenchmark)";
        Options opt = new OptionsBuilder()
                .include(include)
                .warmupIterations(2)
                .warmupTime(TimeValue.seconds(1))
                .measurementIterations(3)
                .measurementTime(TimeValue.seconds(1))
                .forks(1)
                .threads(1)
                .build();
        Collection<RunResult> results = new Runner(opt).run();
        List<String> rows = new ArrayList<>();
        double dram = Double.NaN;
        for (RunResult rr : results) {
            BenchmarkParams p = rr.getParams();
            double ops = rr.getPrimaryResult().getScore();
            double err = rr.getPrimaryResult().getScoreError();
            String bench = p.getBenchmark()
                    .substring(
                            p.getBenchmark().lastIndexOf('.', p.getBenchmark().lastIndexOf('.') - 1) + 1);
            double inBytes;
            double outBytes;
            String label;
            if (bench.startsWith("DecodeBenchmark")) {
                String type = p.getParam("type");
                inBytes = DecodeBenchmark.inputBytes(type);
                outBytes = 4.0 * DecodeBenchmark.ELEMENTS;
                label = "decode " + type + " [" + p.getParam("impl") + "]";
            } else if (bench.startsWith("KernelBenchmark")) {
                inBytes = 2.0 * 4 * KernelBenchmark.N;
                outBytes = 0;
                label = bench.substring(bench.indexOf('.') + 1) + " f32 [" + p.getParam("impl") + "]";
            } else {
                inBytes = MemoryBandwidthBenchmark.BYTES;
                outBytes = 0;
                label = "DRAM read (sum 1 GiB long[])";
                dram = ops * inBytes / 1e9;
            }
            rows.add(String.format(
                    Locale.ROOT,
                    "| %-36s | %12.1f ± %-8.1f | %8.2f | %8.2f |",
                    label,
                    ops,
                    err,
                    ops * inBytes / 1e9,
                    ops * outBytes / 1e9));
        }
        System.out.println();
        System.out.println("| benchmark                            | ops/s                   | in GB/s  | out GB/s |");
        System.out.println("|--------------------------------------|-------------------------|----------|----------|");
        rows.forEach(System.out::println);
        if (!Double.isNaN(dram)) {
            System.out.printf(Locale.ROOT, "DRAM read bandwidth, one core: %.2f GB/s%n", dram);
        }
    }
}
