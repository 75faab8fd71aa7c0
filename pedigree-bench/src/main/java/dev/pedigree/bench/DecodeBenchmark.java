package dev.pedigree.bench;

import dev.pedigree.format.gguf.GgmlDequant;
import dev.pedigree.format.gguf.GgmlType;
import dev.pedigree.kernels.decode.DecodeKernels;
import dev.pedigree.kernels.decode.Fp8Format;
import dev.pedigree.model.DType;
import dev.pedigree.model.ElementDecoder;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
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
import org.openjdk.jmh.infra.Blackhole;

/**
 * Throughput of decoding stored weights to float32, one thread. Each invocation decodes
 * {@code ELEMENTS} values; JMH reports ops/s, so GB/s of input = ops/s × input bytes per op ({@link
 * DecodeReport} runs this benchmark and prints that table).
 *
 * <p>{@code impl=active} goes through the public entry points every reader uses ({@link
 * ElementDecoder#decode} and {@link GgmlDequant#dequantize}); {@code vector} and {@code scalar} call
 * the two twins of {@link DecodeKernels} directly.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
@Fork(
        value = 1,
        jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx1g"})
public class DecodeBenchmark {
    /** Values per invocation: 4 Mi elements (16 MiB of float32 output). */
    public static final int ELEMENTS = 1 << 22;

    @Param({"BF16", "F16", "F8_E4M3", "F8_E5M2", "I8", "Q8_0", "Q4_K", "Q6_K"})
    public String type;

    @Param({"active", "vector", "scalar"})
    public String impl;

    private DecodeKernels kernels;

    private byte[] input;
    private MemorySegment segment;
    private float[] out;

    @Setup
    public void setup() {
        SplittableRandom r = new SplittableRandom(1);
        long bytes = inputBytes(type);
        input = new byte[(int) bytes];
        for (int i = 0; i < input.length; i++) {
            input[i] = (byte) r.nextInt(256);
        }
        // Keep block scales finite: small positive f16 scales.
        if (type.startsWith("Q")) {
            GgmlType t = GgmlType.valueOf(type);
            for (int b = 0; b < ELEMENTS / t.blockSize(); b++) {
                int base = b * t.typeSize();
                int[] scaleOffsets = switch (type) {
                    case "Q8_0" -> new int[] {0};
                    case "Q4_K" -> new int[] {0, 2};
                    case "Q6_K" -> new int[] {208};
                    default -> new int[0];
                };
                for (int off : scaleOffsets) {
                    input[base + off] = 0x00;
                    input[base + off + 1] = 0x20; // f16 0x2000 ≈ 0.0078
                }
            }
        }
        segment = MemorySegment.ofArray(input);
        out = new float[ELEMENTS];
        kernels = switch (impl) {
            case "vector" -> DecodeKernels.vector();
            case "scalar" -> DecodeKernels.scalar();
            default -> null;
        };
    }

    static long inputBytes(String type) {
        return switch (type) {
            case "BF16", "F16" -> 2L * ELEMENTS;
            case "F8_E4M3", "F8_E5M2", "I8" -> ELEMENTS;
            default -> GgmlType.valueOf(type).byteSizeFor(ELEMENTS);
        };
    }

    @Benchmark
    public void decode(Blackhole bh) {
        if (kernels != null) {
            switch (type) {
                case "BF16" -> kernels.bf16(segment, 0, ByteOrder.LITTLE_ENDIAN, out, 0, ELEMENTS);
                case "F16" -> kernels.f16(segment, 0, ByteOrder.LITTLE_ENDIAN, out, 0, ELEMENTS);
                case "F8_E4M3" -> kernels.fp8(Fp8Format.E4M3FN, segment, 0, out, 0, ELEMENTS);
                case "F8_E5M2" -> kernels.fp8(Fp8Format.E5M2, segment, 0, out, 0, ELEMENTS);
                case "I8" -> kernels.int8(segment, 0, 0.01f, 3, out, 0, ELEMENTS);
                case "Q8_0" -> kernels.q8_0(input, 0, ELEMENTS / 32, out, 0, false);
                case "Q4_K" -> kernels.q4_K(input, 0, ELEMENTS / 256, out, 0, false);
                case "Q6_K" -> kernels.q6_K(input, 0, ELEMENTS / 256, out, 0, false);
                default -> throw new IllegalStateException(type);
            }
            bh.consume(out);
            return;
        }
        switch (type) {
            case "BF16" -> ElementDecoder.decode(DType.BF16, segment, 0, out, 0, ELEMENTS);
            case "F16" -> ElementDecoder.decode(DType.F16, segment, 0, out, 0, ELEMENTS);
            case "F8_E4M3" -> ElementDecoder.decode(DType.F8_E4M3, segment, 0, out, 0, ELEMENTS);
            case "F8_E5M2" -> ElementDecoder.decode(DType.F8_E5M2, segment, 0, out, 0, ELEMENTS);
            case "I8" -> ElementDecoder.decode(DType.I8, segment, 0, out, 0, ELEMENTS);
            default -> {
                GgmlType t = GgmlType.valueOf(type);
                GgmlDequant.dequantize(t, input, 0, ELEMENTS / t.blockSize(), out, 0, false);
            }
        }
        bh.consume(out);
    }
}
