package dev.pedigree.kernels.decode;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector API twin on {@link FloatVector#SPECIES_PREFERRED} (8 or 16 float lanes). Inputs in memory segments are
 * loaded as one full-width byte vector (4L bytes) and widened part by part into L-lane int vectors (2 parts for 16-bit
 * types, 4 for 8-bit types): on JDK 25, loading a narrower short or byte species from a segment is not intrinsified
 * and runs several times slower. Heap byte arrays (the ggml block kernels) load one L-byte vector per L values.
 *
 * <p>Every result is bit-identical to {@link ScalarDecodeOps}: conversions are exact, and each output is formed by the
 * same one or two IEEE roundings in the same order (a multiply and a subtract, never a fused multiply-add). F16 and
 * FP8 are rebuilt arithmetically: the exponent and mantissa bits are shifted into float position and multiplied by
 * {@code 2^(127 - bias)}, which is exact and turns the source's subnormals into float normals; NaN and infinity
 * patterns are blended in afterwards.
 *
 * <p>Only loaded when the incubator module is present; the constructor fails on shapes it does not support.
 */
final class VectorDecodeOps implements DecodeOps {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int L = F.length();
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> SH =
            VectorSpecies.of(short.class, VectorShape.forBitSize(Math.max(64, L * 16)));
    private static final VectorSpecies<Byte> B =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, L * 8)));
    /** Full-width bytes: segment loads go through this species (narrower short/byte segment loads are not intrinsified). */
    private static final VectorSpecies<Byte> BW = VectorSpecies.of(byte.class, F.vectorShape());

    private static final float TWO_112 = 0x1p112f;

    VectorDecodeOps() {
        if (L != 8 && L != 16) {
            throw new UnsupportedOperationException(
                    "preferred float species " + F + " has " + L + " lanes; the block kernels need 8 or 16");
        }
        if (SH.length() != L || B.length() != L || I.length() != L) {
            throw new UnsupportedOperationException("no short/byte species with " + L + " lanes");
        }
        // Touch every conversion once so a broken module fails here, at selection time.
        float[] probe = new float[L];
        ((FloatVector) ByteVector.zero(B).convertShape(VectorOperators.B2F, F, 0)).intoArray(probe, 0);
        ShortVector.zero(SH).convertShape(VectorOperators.S2I, I, 0);
        ByteVector.zero(BW)
                .reinterpretAsShorts()
                .lanewise(VectorOperators.REVERSE_BYTES)
                .convert(VectorOperators.S2I, 1);
    }

    @Override
    public String name() {
        return "vector(" + F + ")";
    }

    private static ShortVector loadShorts(MemorySegment src, long off, ByteOrder order) {
        ShortVector v = ByteVector.fromMemorySegment(BW, src, off, ByteOrder.LITTLE_ENDIAN)
                .reinterpretAsShorts();
        return order == ByteOrder.nativeOrder() ? v : v.lanewise(VectorOperators.REVERSE_BYTES);
    }

    private static IntVector widen(ShortVector v, int part) {
        return (IntVector) v.convert(VectorOperators.S2I, part);
    }

    private static FloatVector bytesToFloats(ByteVector v) {
        return (FloatVector) v.convertShape(VectorOperators.B2F, F, 0);
    }

    private static IntVector f16Bits(IntVector h) {
        IntVector sign = h.and(0x8000).lanewise(VectorOperators.LSHL, 16);
        IntVector em = h.and(0x7FFF);
        IntVector shifted = em.lanewise(VectorOperators.LSHL, 13);
        // Finite values (normal and subnormal): exact rescale of the shifted bits.
        IntVector finite = shifted.reinterpretAsFloats().mul(TWO_112).reinterpretAsInts();
        // Infinity keeps exponent 255; NaN keeps its payload and is made quiet, as Float.float16ToFloat does.
        IntVector infNan = shifted.or(0x7F800000).blend(shifted.or(0x7FC00000), em.compare(VectorOperators.GT, 0x7C00));
        return finite.blend(infNan, em.compare(VectorOperators.GE, 0x7C00)).or(sign);
    }

    @Override
    public void bf16(MemorySegment src, long offset, ByteOrder order, float[] dst, int dstOff, int count) {
        int step = 2 * L;
        int upper = count - count % step;
        int i = 0;
        for (; i < upper; i += step) {
            ShortVector v = loadShorts(src, offset + 2L * i, order);
            widen(v, 0).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + i);
            widen(v, 1).lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(dst, dstOff + i + L);
        }
        if (i < count) {
            ScalarDecodeOps.INSTANCE.bf16(src, offset + 2L * i, order, dst, dstOff + i, count - i);
        }
    }

    @Override
    public void f16(MemorySegment src, long offset, ByteOrder order, float[] dst, int dstOff, int count) {
        int step = 2 * L;
        int upper = count - count % step;
        int i = 0;
        for (; i < upper; i += step) {
            ShortVector v = loadShorts(src, offset + 2L * i, order);
            f16Bits(widen(v, 0).and(0xFFFF)).reinterpretAsFloats().intoArray(dst, dstOff + i);
            f16Bits(widen(v, 1).and(0xFFFF)).reinterpretAsFloats().intoArray(dst, dstOff + i + L);
        }
        if (i < count) {
            ScalarDecodeOps.INSTANCE.f16(src, offset + 2L * i, order, dst, dstOff + i, count - i);
        }
    }

    @Override
    public void fp8(Fp8Format format, MemorySegment src, long offset, float[] dst, int dstOff, int count) {
        int shift = 23 - format.mantissaBits();
        float scale = Math.scalb(1f, 127 - format.bias());
        int infMag = (0x7F >> format.mantissaBits()) << format.mantissaBits(); // exponent all ones, mantissa 0
        Fp8Format.Specials specials = format.specials();
        int step = 4 * L;
        int upper = count - count % step;
        int i = 0;
        for (; i < upper; i += step) {
            ByteVector bv = ByteVector.fromMemorySegment(BW, src, offset + i, ByteOrder.LITTLE_ENDIAN);
            for (int part = 0; part < 4; part++) {
                IntVector x = ((IntVector) bv.convert(VectorOperators.B2I, part)).and(0xFF);
                IntVector mag = x.and(0x7F);
                IntVector sign = x.and(0x80).lanewise(VectorOperators.LSHL, 24);
                IntVector bits = mag.lanewise(VectorOperators.LSHL, shift)
                        .reinterpretAsFloats()
                        .mul(scale)
                        .reinterpretAsInts();
                switch (specials) {
                    case E4M3FN -> bits = bits.blend(0x7FC00000, mag.compare(VectorOperators.EQ, 0x7F));
                    case IEEE -> {
                        bits = bits.blend(0x7F800000, mag.compare(VectorOperators.EQ, infMag));
                        bits = bits.blend(0x7FC00000, mag.compare(VectorOperators.GT, infMag));
                    }
                    case FNUZ -> {
                        // 0x80 is the only NaN and has no sign: clear the sign there.
                        VectorMask<Integer> nan = x.compare(VectorOperators.EQ, 0x80);
                        sign = sign.blend(0, nan);
                        bits = bits.blend(0x7FC00000, nan);
                    }
                }
                bits.or(sign).reinterpretAsFloats().intoArray(dst, dstOff + i + part * L);
            }
        }
        if (i < count) {
            ScalarDecodeOps.INSTANCE.fp8(format, src, offset + i, dst, dstOff + i, count - i);
        }
    }

    @Override
    public void int8(
            MemorySegment src,
            long offset,
            boolean unsigned,
            float scale,
            int zeroPoint,
            float[] dst,
            int dstOff,
            int count) {
        int mask = unsigned ? 0xFF : -1;
        int step = 4 * L;
        int upper = count - count % step;
        int i = 0;
        for (; i < upper; i += step) {
            ByteVector bv = ByteVector.fromMemorySegment(BW, src, offset + i, ByteOrder.LITTLE_ENDIAN);
            for (int part = 0; part < 4; part++) {
                IntVector q = ((IntVector) bv.convert(VectorOperators.B2I, part))
                        .and(mask)
                        .sub(zeroPoint);
                ((FloatVector) q.convert(VectorOperators.I2F, 0)).mul(scale).intoArray(dst, dstOff + i + part * L);
            }
        }
        if (i < count) {
            ScalarDecodeOps.INSTANCE.int8(src, offset + i, unsigned, scale, zeroPoint, dst, dstOff + i, count - i);
        }
    }

    @Override
    public void q8_0(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * DecodeKernels.Q8_0_BLOCK_BYTES;
            int y = dstOff + i * DecodeKernels.Q8_0_BLOCK_VALUES;
            float d = DecodeOps.f16(src, b, be);
            for (int j = 0; j < 32; j += L) {
                bytesToFloats(ByteVector.fromArray(B, src, b + 2 + j)).mul(d).intoArray(dst, y + j);
            }
        }
    }

    @Override
    public void q4_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * DecodeKernels.Q4_K_BLOCK_BYTES;
            int y = dstOff + i * DecodeKernels.QK_K_BLOCK_VALUES;
            float d = DecodeOps.f16(src, b, be);
            float min = DecodeOps.f16(src, b + 2, be);
            int s = b + 4;
            int q = b + 16;
            for (int c = 0; c < 4; c++) {
                int t = 2 * c;
                float d1 = d * DecodeOps.scaleK4(src, s, t);
                float m1 = min * DecodeOps.minK4(src, s, t);
                float d2 = d * DecodeOps.scaleK4(src, s, t + 1);
                float m2 = min * DecodeOps.minK4(src, s, t + 1);
                for (int l = 0; l < 32; l += L) {
                    ByteVector qv = ByteVector.fromArray(B, src, q + l);
                    bytesToFloats(qv.and((byte) 0x0F)).mul(d1).sub(m1).intoArray(dst, y + l);
                    bytesToFloats(qv.lanewise(VectorOperators.LSHR, 4).and((byte) 0x0F))
                            .mul(d2)
                            .sub(m2)
                            .intoArray(dst, y + 32 + l);
                }
                q += 32;
                y += 64;
            }
        }
    }

    @Override
    public void q6_K(byte[] src, int srcOff, int blocks, float[] dst, int dstOff, boolean be) {
        for (int i = 0; i < blocks; i++) {
            int b = srcOff + i * DecodeKernels.Q6_K_BLOCK_BYTES;
            int yb = dstOff + i * DecodeKernels.QK_K_BLOCK_VALUES;
            float d = DecodeOps.f16(src, b + 208, be);
            for (int h = 0; h < 2; h++) {
                int ql = b + 64 * h;
                int qh = b + 128 + 32 * h;
                int sc = b + 192 + 8 * h;
                int y = yb + 128 * h;
                for (int l = 0; l < 32; l += L) {
                    int is = l / 16;
                    ByteVector lo = ByteVector.fromArray(B, src, ql + l);
                    ByteVector lo2 = ByteVector.fromArray(B, src, ql + l + 32);
                    ByteVector hi = ByteVector.fromArray(B, src, qh + l);
                    ByteVector q1 = lo.and((byte) 0x0F)
                            .or(hi.and((byte) 3).lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32);
                    ByteVector q2 = lo2.and((byte) 0x0F)
                            .or(hi.lanewise(VectorOperators.LSHR, 2)
                                    .and((byte) 3)
                                    .lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32);
                    ByteVector q3 = lo.lanewise(VectorOperators.LSHR, 4)
                            .and((byte) 0x0F)
                            .or(hi.lanewise(VectorOperators.LSHR, 4)
                                    .and((byte) 3)
                                    .lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32);
                    ByteVector q4 = lo2.lanewise(VectorOperators.LSHR, 4)
                            .and((byte) 0x0F)
                            .or(hi.lanewise(VectorOperators.LSHR, 6)
                                    .and((byte) 3)
                                    .lanewise(VectorOperators.LSHL, 4))
                            .sub((byte) 32);
                    bytesToFloats(q1).mul(d * src[sc + is]).intoArray(dst, y + l);
                    bytesToFloats(q2).mul(d * src[sc + is + 2]).intoArray(dst, y + l + 32);
                    bytesToFloats(q3).mul(d * src[sc + is + 4]).intoArray(dst, y + l + 64);
                    bytesToFloats(q4).mul(d * src[sc + is + 6]).intoArray(dst, y + l + 96);
                }
            }
        }
    }
}
