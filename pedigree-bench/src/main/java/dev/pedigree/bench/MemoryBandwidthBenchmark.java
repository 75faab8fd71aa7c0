package dev.pedigree.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
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
 * sums a 1 GiB {@code long[]} (far larger than any cache) with four independent vector accumulators, so the loop is
 * bound by memory, not by the adds. GB/s = ops/s × {@link #BYTES} / 1e9. The decode kernels' input rates are compared
 * against this number.
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

    private static final VectorSpecies<Long> S = LongVector.SPECIES_PREFERRED;

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
        int l = S.length();
        LongVector s0 = LongVector.zero(S);
        LongVector s1 = s0;
        LongVector s2 = s0;
        LongVector s3 = s0;
        int i = 0;
        for (int upper = a.length - 4 * l; i <= upper; i += 4 * l) {
            s0 = s0.add(LongVector.fromArray(S, a, i));
            s1 = s1.add(LongVector.fromArray(S, a, i + l));
            s2 = s2.add(LongVector.fromArray(S, a, i + 2 * l));
            s3 = s3.add(LongVector.fromArray(S, a, i + 3 * l));
        }
        long sum = s0.add(s1).add(s2).add(s3).reduceLanes(VectorOperators.ADD);
        for (; i < a.length; i++) {
            sum += a[i];
        }
        return sum;
    }
}
