package dev.pedigree.kernels.decode;

import dev.pedigree.kernels.VectorSupport;
import dev.pedigree.kernels.VectorTwin;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.Objects;

/**
 * Decodes stored weights to float32 in one of two twins: a Vector API implementation ({@code jdk.incubator.vector},
 * {@code FloatVector.SPECIES_PREFERRED}) and a plain scalar one. Both produce the same bits for every input (NaN
 * patterns included); the vector twin is only faster.
 *
 * <p>Readers use the twin that {@link VectorSupport#decode()} chose once at start-up. The vector twin needs the
 * incubator module and a preferred species of 8 or 16 float lanes. {@link #scalar()} and {@link #vector()} expose both
 * twins for agreement tests and benchmarks.
 *
 * <p>The ggml block sizes below are the kernels' own copy of the layout that {@code GgmlType} (pedigree-format-gguf)
 * owns; {@code GgmlTypeTest} checks that the two agree, since this module cannot see that one.
 *
 * <p>Instances are stateless and thread-safe. Every method checks its ranges before decoding: a negative count or a
 * destination range outside {@code dst} throws {@link IndexOutOfBoundsException}, and a source range outside the
 * segment or array throws {@link IndexOutOfBoundsException} before anything is written. Callers that read files check
 * sizes against the file first and report {@code ModelFormatException}s themselves.
 */
public final class DecodeKernels {
    private static final DecodeKernels SCALAR = new DecodeKernels(ScalarDecodeOps.INSTANCE);

    /** Values per Q8_0 block. */
    public static final int Q8_0_BLOCK_VALUES = 32;
    /** Bytes per Q8_0 block of 32 values ({@code d:f16, qs:i8[32]}). */
    public static final int Q8_0_BLOCK_BYTES = 34;
    /** Values per k-quant super-block (ggml's {@code QK_K}), for Q4_K and Q6_K. */
    public static final int QK_K_BLOCK_VALUES = 256;
    /** Bytes per Q4_K super-block of 256 values ({@code d, dmin:f16, scales[12], qs[128]}). */
    public static final int Q4_K_BLOCK_BYTES = 144;
    /** Bytes per Q6_K super-block of 256 values ({@code ql[128], qh[64], scales:i8[16], d:f16}). */
    public static final int Q6_K_BLOCK_BYTES = 210;

    /** Built on first use, so that a JVM without the incubator module never loads {@link VectorDecodeOps}. */
    private static final class Vector {
        static final VectorTwin<DecodeKernels> TWIN = VectorTwin.build(() -> new DecodeKernels(new VectorDecodeOps()));
    }

    private final DecodeOps ops;

    private DecodeKernels(DecodeOps ops) {
        this.ops = ops;
    }

    /** The scalar twin. */
    public static DecodeKernels scalar() {
        return SCALAR;
    }

    /**
     * The Vector API twin.
     *
     * @throws UnsupportedOperationException naming the reason, if the Vector API twin cannot run in this JVM (see
     *     {@link #vectorAvailable()})
     */
    public static DecodeKernels vector() {
        return Vector.TWIN.require();
    }

    /** Whether {@link #vector()} is usable. */
    public static boolean vectorAvailable() {
        return Vector.TWIN.twin().isPresent();
    }

    /** The Vector API twin or the reason it cannot run here, for {@link VectorSupport}'s one decision. */
    public static VectorTwin<DecodeKernels> vectorTwin() {
        return Vector.TWIN;
    }

    /** Human-readable name of this twin, e.g. {@code vector(Species[float, 16, S_512_BIT])} or {@code scalar}. */
    public String name() {
        return ops.name();
    }

    @Override
    public String toString() {
        return "DecodeKernels[" + name() + "]";
    }

    /** bfloat16 ({@code count × 2} bytes at {@code offset}, in {@code order}) to float32: exact. */
    public void bf16(MemorySegment src, long offset, ByteOrder order, float[] dst, int dstOff, int count) {
        checkSegment(src, offset, count, 2);
        Objects.checkFromIndexSize(dstOff, count, dst.length);
        ops.bf16(src, offset, order, dst, dstOff, count);
    }

    /** IEEE binary16 to float32: exact, as {@link Float#float16ToFloat} (NaNs keep their payload and become quiet). */
    public void f16(MemorySegment src, long offset, ByteOrder order, float[] dst, int dstOff, int count) {
        checkSegment(src, offset, count, 2);
        Objects.checkFromIndexSize(dstOff, count, dst.length);
        ops.f16(src, offset, order, dst, dstOff, count);
    }

    /** 8-bit floats ({@code count} bytes) to float32: exact, as {@link Fp8Format#decode}. */
    public void fp8(Fp8Format format, MemorySegment src, long offset, float[] dst, int dstOff, int count) {
        Objects.requireNonNull(format, "format");
        checkSegment(src, offset, count, 1);
        Objects.checkFromIndexSize(dstOff, count, dst.length);
        ops.fp8(format, src, offset, dst, dstOff, count);
    }

    /**
     * Signed 8-bit integers with an affine quantisation: {@code y = (float) (q - zeroPoint) * scale}, one rounding.
     * With {@code scale = 1, zeroPoint = 0} this is the plain I8 widening.
     */
    public void int8(MemorySegment src, long offset, float scale, int zeroPoint, float[] dst, int dstOff, int count) {
        checkSegment(src, offset, count, 1);
        Objects.checkFromIndexSize(dstOff, count, dst.length);
        ops.int8(src, offset, false, scale, zeroPoint, dst, dstOff, count);
    }

    /** Unsigned 8-bit integers with an affine quantisation, as {@link #int8} with {@code q} in 0..255. */
    public void uint8(MemorySegment src, long offset, float scale, int zeroPoint, float[] dst, int dstOff, int count) {
        checkSegment(src, offset, count, 1);
        Objects.checkFromIndexSize(dstOff, count, dst.length);
        ops.int8(src, offset, true, scale, zeroPoint, dst, dstOff, count);
    }

    /** ggml Q8_0: {@code blocks} blocks of {@value #Q8_0_BLOCK_BYTES} bytes at {@code src[srcOff]} to 32 floats each. */
    public void q8_0(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean bigEndian) {
        checkBlocks(src, srcOff, blocks, Q8_0_BLOCK_BYTES, dst, dstOff, Q8_0_BLOCK_VALUES);
        ops.q8_0(src, srcOff, blocks, dst, dstOff, bigEndian);
    }

    /** ggml Q4_K: super-blocks of {@value #Q4_K_BLOCK_BYTES} bytes to 256 floats each, bit-exact with ggml-quants.c. */
    public void q4_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean bigEndian) {
        checkBlocks(src, srcOff, blocks, Q4_K_BLOCK_BYTES, dst, dstOff, QK_K_BLOCK_VALUES);
        ops.q4_K(src, srcOff, blocks, dst, dstOff, bigEndian);
    }

    /** ggml Q6_K: super-blocks of {@value #Q6_K_BLOCK_BYTES} bytes to 256 floats each, bit-exact with ggml-quants.c. */
    public void q6_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean bigEndian) {
        checkBlocks(src, srcOff, blocks, Q6_K_BLOCK_BYTES, dst, dstOff, QK_K_BLOCK_VALUES);
        ops.q6_K(src, srcOff, blocks, dst, dstOff, bigEndian);
    }

    private static void checkSegment(MemorySegment src, long offset, int count, int width) {
        if (count < 0) {
            throw new IndexOutOfBoundsException("negative count " + count);
        }
        Objects.checkFromIndexSize(offset, (long) count * width, src.byteSize());
    }

    private static void checkBlocks(
            byte[] src, int srcOff, int blocks, int blockBytes, float[] dst, int dstOff, int values) {
        if (blocks < 0) {
            throw new IndexOutOfBoundsException("negative block count " + blocks);
        }
        Objects.checkFromIndexSize(srcOff, (long) blocks * blockBytes, src.length);
        Objects.checkFromIndexSize(dstOff, (long) blocks * values, dst.length);
    }
}
