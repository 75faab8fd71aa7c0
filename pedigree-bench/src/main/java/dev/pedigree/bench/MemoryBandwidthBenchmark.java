package dev.pedigree.bench;

import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The machine's read bandwidth from DRAM for one thread (or N with {@code -t N}; the array is shared): each operation
 * sums a 1 GiB {@code long[]} (far larger than any cache) with four independent accumulators, so the loop is bound by
 * memory, not by the adds (four independent adds per cycle outrun one core's DRAM bandwidth several times over).
 * GB/s = ops/s × {@link #BYTES} / 1e9. The decode kernels' input rates are compared against this number. Plain Java on
 * purpose: only pedigree-kernels is compiled against the incubating Vector API.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1600m", "-Xms1600m"})
public class MemoryBandwidthBenchmark {
    /** Bytes read per operation: 1 GiB. */
    public static final long BYTES = 1L << 30;

    private long[] data;

    @Setup
    public void setup() {
        data = new long[(int) (BYTES / 8)];
        for (int i = 0; i < data.length; i++) {
            data[i] = i * 0x9E3779B97F4A7C15L;
        }
    }

    @Benchmark
    public long sum1GiB() {
        long[] a = data;
        long s0 = 0;
        long s1 = 0;
        long s2 = 0;
        long s3 = 0;
        int i = 0;
        for (int upper = a.length - 4; i <= upper; i += 4) {
            s0 += a[i];
            s1 += a[i + 1];
            s2 += a[i + 2];
            s3 += a[i + 3];
        }
        long sum = s0 + s1 + s2 + s3;
        for (; i < a.length; i++) {
            sum += a[i];
        }
        return sum;
    }
}
