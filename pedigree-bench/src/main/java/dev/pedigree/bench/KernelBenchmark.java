package dev.pedigree.bench;

import dev.pedigree.kernels.numeric.Kernels;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Reductions over float32 (1 Mi values = 4 MiB per operand), Vector API vs the scalar twin: dot product and
 * Pearson correlation, and the two grouped-correlation kernels of the streamed fixed-index test as they are called
 * on a 1,024-unit block: {@code crossRows} (8 × 8 row pairs of 2,048 values: one group of unit rows) and
 * {@code crossGroups} (64 feature rows of a block of 8 positions × 128 groups, rows 5,632 values apart). Each
 * reads 4 MiB per operand per call except the group kernels (8 × 8 KiB and 64 × 4 KiB per operand); multiply
 * ops/s by 2 × 64 × 2,048 (crossRows) or 2 × 64 × 1,024 × 8 (crossGroups) for flop/s.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class KernelBenchmark {
    public static final int N = 1 << 20;

    @Param({"vector", "scalar"})
    public String impl;

    private float[] a;
    private float[] b;
    private Kernels k;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(2);
        a = new float[N];
        b = new float[N];
        for (int i = 0; i < N; i++) {
            a[i] = (float) r.nextGaussian();
            b[i] = (float) r.nextGaussian();
        }
        k = impl.equals("vector") ? Kernels.vector() : Kernels.scalar();
    }

    @Benchmark
    public double dot() {
        return k.dotProduct(a, 0, b, 0, N);
    }

    @Benchmark
    public double pearson() {
        return k.pearsonCorrelation(a, b);
    }

    private final double[] cross = new double[64];
    private final float[] acc = new float[8 * 8 * 128];

    @Benchmark
    public double[] crossRows() {
        k.crossRowsInto(a, 0, 128 * 1024, b, 0, 128 * 1024, 8, 2048, cross);
        return cross;
    }

    @Benchmark
    public float[] crossGroups() {
        k.crossGroupsInto(acc, a, 0, b, 0, 8, 128, 1024, 64, 5632);
        return acc;
    }
}
