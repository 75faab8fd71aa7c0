package dev.pedigree.bench;

import dev.pedigree.stats.Kernels;
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

/** Reductions over float32 (1 Mi values = 4 MiB per operand), Vector API vs the scalar twin. */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
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
}
