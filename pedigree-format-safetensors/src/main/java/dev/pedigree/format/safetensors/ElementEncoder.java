package dev.pedigree.format.safetensors;

import dev.pedigree.model.DType;
import dev.pedigree.model.ElementDecoder;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes float32 values into the little-endian storage of a safetensors dtype, the inverse of
 * {@link ElementDecoder}, so that tests and simulators can write any dtype from known values.
 *
 * <p>Rounding: F16 and BF16 round to nearest, ties to even. The 8-bit float types round to the
 * nearest representable value, ties to the even code (the code whose mantissa's last bit is 0);
 * a magnitude at or beyond half an ulp above the largest finite value overflows to infinity where
 * the type has one (F8_E5M2) and to NaN otherwise (F8_E4M3 "FN", the FNUZ types), as PyTorch's
 * non-saturating casts do. FNUZ types have no negative zero; F8_E8M0 holds only positive powers
 * of two (negative inputs give its NaN, 0xFF). Integer types take values rounded half-to-even
 * and refuse values out of range; BOOL stores 1 for any non-zero value.
 *
 * <p>Stateless and thread-safe.
 */
public final class ElementEncoder {
    private static final Fp8Codes E4M3 = new Fp8Codes(DType.F8_E4M3, 0x7E, 0x7F, true, false);
    private static final Fp8Codes E5M2 = new Fp8Codes(DType.F8_E5M2, 0x7B, 0x7E, true, true);
    private static final Fp8Codes E4M3FNUZ = new Fp8Codes(DType.F8_E4M3FNUZ, 0x7F, 0x80, true, false);
    private static final Fp8Codes E5M2FNUZ = new Fp8Codes(DType.F8_E5M2FNUZ, 0x7F, 0x80, true, false);
    private static final Fp8Codes E8M0 = new Fp8Codes(DType.F8_E8M0, 0xFE, 0xFF, false, false);

    private ElementEncoder() {}

    /** Whether {@link #encode} can produce {@code type} from float values. */
    public static boolean encodes(DType type) {
        return switch (type) {
            case F64,
                    F32,
                    F16,
                    BF16,
                    F8_E4M3,
                    F8_E5M2,
                    F8_E4M3FNUZ,
                    F8_E5M2FNUZ,
                    F8_E8M0,
                    BOOL,
                    U8,
                    I8,
                    U16,
                    I16,
                    U32,
                    I32,
                    U64,
                    I64 -> true;
            default -> false;
        };
    }

    /**
     * Encodes {@code values} as little-endian {@code type} elements.
     *
     * @throws IllegalArgumentException if the type has no float encoding here (C64, sub-byte and
     *     block types: pass raw bytes instead) or an integer value is out of range or NaN
     */
    public static byte[] encode(DType type, float[] values) {
        if (!encodes(type)) {
            throw new IllegalArgumentException("no float encoding for " + type + "; write raw bytes");
        }
        int width = type.blockBytes();
        ByteBuffer out =
                ByteBuffer.allocate(Math.multiplyExact(values.length, width)).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            switch (type) {
                case F64 -> out.putDouble(v);
                case F32 -> out.putFloat(v);
                case F16 -> out.putShort(toF16(v));
                case BF16 -> out.putShort(toBF16(v));
                case F8_E4M3, F8_E5M2, F8_E4M3FNUZ, F8_E5M2FNUZ, F8_E8M0 -> out.put((byte) toFp8(type, v));
                case BOOL -> out.put((byte) (v != 0f ? 1 : 0));
                case U8 -> out.put((byte) integral(v, 0, 255, type));
                case I8 -> out.put((byte) integral(v, -128, 127, type));
                case U16 -> out.putShort((short) integral(v, 0, 65535, type));
                case I16 -> out.putShort((short) integral(v, Short.MIN_VALUE, Short.MAX_VALUE, type));
                case U32 -> out.putInt((int) integral(v, 0, 0xFFFFFFFFL, type));
                case I32 -> out.putInt((int) integral(v, Integer.MIN_VALUE, Integer.MAX_VALUE, type));
                case I64 -> out.putLong(toI64(v));
                case U64 -> out.putLong(toU64(v));
                default -> throw new IllegalStateException("unreachable: " + type);
            }
        }
        return out.array();
    }

    /** IEEE binary16 bits of {@code v}, rounded to nearest even. */
    public static short toF16(float v) {
        return Float.floatToFloat16(v);
    }

    /** bfloat16 bits of {@code v}, rounded to nearest even; NaN becomes the quiet NaN 0x7FC0. */
    public static short toBF16(float v) {
        if (Float.isNaN(v)) {
            return (short) 0x7FC0;
        }
        int bits = Float.floatToRawIntBits(v);
        int rounded = bits + 0x7FFF + ((bits >>> 16) & 1);
        return (short) (rounded >>> 16);
    }

    /**
     * The byte (0..255) that stores {@code v} in an 8-bit float type.
     *
     * @throws IllegalArgumentException if {@code type} is not an 8-bit float type
     */
    public static int toFp8(DType type, float v) {
        Fp8Codes codes = switch (type) {
            case F8_E4M3 -> E4M3;
            case F8_E5M2 -> E5M2;
            case F8_E4M3FNUZ -> E4M3FNUZ;
            case F8_E5M2FNUZ -> E5M2FNUZ;
            case F8_E8M0 -> E8M0;
            default -> throw new IllegalArgumentException(type + " is not an 8-bit float type");
        };
        return codes.encode(v);
    }

    private static long integral(float v, long min, long max, DType type) {
        double r = Math.rint(v);
        if (Float.isNaN(v) || r < min || r > max) {
            throw new IllegalArgumentException(v + " does not fit in " + type);
        }
        return (long) r;
    }

    private static long toI64(float v) {
        double r = Math.rint(v);
        // 2^63 is the first float out of range; -2^63 is exactly representable.
        if (Float.isNaN(v) || r < -0x1p63 || r >= 0x1p63) {
            throw new IllegalArgumentException(v + " does not fit in I64");
        }
        return (long) r;
    }

    private static long toU64(float v) {
        double r = Math.rint(v);
        if (Float.isNaN(v) || r < 0 || r >= 0x1p64) {
            throw new IllegalArgumentException(v + " does not fit in U64");
        }
        if (r < 0x1p63) {
            return (long) r;
        }
        // Floats at or above 2^63 are even, so halving is exact.
        return ((long) (r / 2)) << 1;
    }

    /**
     * Encoding table of one 8-bit float type, derived from the decoder so the two cannot disagree.
     * Codes {@code 0..maxFinite} (sign bit clear) increase monotonically in value.
     */
    private static final class Fp8Codes {
        private final float[] values = new float[256];
        private final int maxFinite;
        private final int nanCode;
        private final boolean signed;
        private final boolean hasInfinity;
        private final boolean negativeZero;

        Fp8Codes(DType type, int maxFinite, int nanCode, boolean signed, boolean hasInfinity) {
            byte[] all = new byte[256];
            for (int i = 0; i < 256; i++) {
                all[i] = (byte) i;
            }
            ElementDecoder.decode(type, MemorySegment.ofArray(all), 0, values, 0, 256);
            this.maxFinite = maxFinite;
            this.nanCode = nanCode;
            this.signed = signed;
            this.hasInfinity = hasInfinity;
            this.negativeZero = signed && type != DType.F8_E4M3FNUZ && type != DType.F8_E5M2FNUZ;
            for (int c = 1; c <= maxFinite; c++) {
                if (!(values[c] > values[c - 1])) {
                    throw new IllegalStateException(type + " decode table is not monotonic at code " + c);
                }
            }
        }

        int encode(float v) {
            if (Float.isNaN(v)) {
                return nanCode;
            }
            boolean negative = (Float.floatToRawIntBits(v) & 0x80000000) != 0;
            if (negative && !signed) {
                return v == 0f ? 0 : nanCode;
            }
            double a = Math.abs((double) v);
            int code = nearest(a);
            if (code < 0) {
                return hasInfinity ? 0x7C | (negative ? 0x80 : 0) : nanCode;
            }
            if (!negative) {
                return code;
            }
            if (code == 0 && !negativeZero) {
                return 0;
            }
            return code | 0x80;
        }

        /** Nearest code for a non-negative magnitude, ties to even; -1 on overflow. */
        private int nearest(double a) {
            double max = values[maxFinite];
            if (a >= max) {
                double halfUlp = (max - values[maxFinite - 1]) / 2;
                // At exactly max + half ulp the even neighbour is the overflow code (maxFinite is odd or its successor
                // is special).
                return a < max + halfUlp ? maxFinite : (a == max + halfUlp && (maxFinite & 1) == 0 ? maxFinite : -1);
            }
            // Largest code whose value is <= a.
            int lo = 0;
            int hi = maxFinite;
            if (a < values[0]) {
                return 0;
            }
            while (lo < hi) {
                int mid = (lo + hi + 1) >>> 1;
                if (values[mid] <= a) {
                    lo = mid;
                } else {
                    hi = mid - 1;
                }
            }
            if (values[lo] == a) {
                return lo;
            }
            double below = a - values[lo];
            double above = values[lo + 1] - a;
            if (below < above) {
                return lo;
            }
            if (above < below) {
                return lo + 1;
            }
            return (lo & 1) == 0 ? lo : lo + 1;
        }
    }
}
