package dev.pedigree.model;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Decodes runs of plain (non-block) element types from a memory segment into float32. The 8-bit
 * float types go through 256-entry tables built once. Block-quantised ggml types are decoded by
 * the GGUF module.
 *
 * <p>Stateless and thread-safe.
 */
public final class ElementDecoder {
  private static final ValueLayout.OfShort S_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfInt I_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfLong L_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfFloat F_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfDouble D_LE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
  private static final ValueLayout.OfShort S_BE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfInt I_BE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfLong L_BE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfFloat F_BE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);
  private static final ValueLayout.OfDouble D_BE = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

  private static final float[] E4M3 = table(4, 3, 7, false);
  private static final float[] E5M2 = table(5, 2, 15, true);
  private static final float[] E4M3FNUZ = fnuz(4, 3, 8);
  private static final float[] E5M2FNUZ = fnuz(5, 2, 16);
  private static final float[] E8M0 = e8m0();

  private ElementDecoder() {}

  /**
   * Decodes {@code count} elements of {@code type} starting at byte {@code offset} of {@code src}
   * into {@code dst[dstOffset..]}.
   *
   * @throws IllegalArgumentException if {@code type} is not a plain decodable type
   */
  public static void decode(DType type, MemorySegment src, long offset, float[] dst, int dstOffset, int count, ByteOrder order) {
    boolean be = order == ByteOrder.BIG_ENDIAN;
    switch (type) {
      case F32 -> {
        if (!be) {
          MemorySegment.copy(src, F_LE, offset, dst, dstOffset, count);
        } else {
          MemorySegment.copy(src, F_BE, offset, dst, dstOffset, count);
        }
      }
      case F64 -> {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = (float) src.get(be ? D_BE : D_LE, offset + 8L * i);
      }
      case F16 -> {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = Float.float16ToFloat(src.get(be ? S_BE : S_LE, offset + 2L * i));
      }
      case BF16 -> {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = Float.intBitsToFloat((src.get(be ? S_BE : S_LE, offset + 2L * i) & 0xFFFF) << 16);
      }
      case F8_E4M3 -> lookup(E4M3, src, offset, dst, dstOffset, count);
      case F8_E5M2 -> lookup(E5M2, src, offset, dst, dstOffset, count);
      case F8_E4M3FNUZ -> lookup(E4M3FNUZ, src, offset, dst, dstOffset, count);
      case F8_E5M2FNUZ -> lookup(E5M2FNUZ, src, offset, dst, dstOffset, count);
      case F8_E8M0 -> lookup(E8M0, src, offset, dst, dstOffset, count);
      case BOOL, U8 -> {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF;
      }
      case I8 -> {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(ValueLayout.JAVA_BYTE, offset + i);
      }
      case U16 -> {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(be ? S_BE : S_LE, offset + 2L * i) & 0xFFFF;
      }
      case I16 -> {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(be ? S_BE : S_LE, offset + 2L * i);
      }
      case U32 -> {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(be ? I_BE : I_LE, offset + 4L * i) & 0xFFFFFFFFL;
      }
      case I32 -> {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(be ? I_BE : I_LE, offset + 4L * i);
      }
      case U64 -> {
        for (int i = 0; i < count; i++) {
          long v = src.get(be ? L_BE : L_LE, offset + 8L * i);
          dst[dstOffset + i] = v >= 0 ? v : (float) (v >>> 1) * 2f;
        }
      }
      case I64 -> {
        for (int i = 0; i < count; i++) dst[dstOffset + i] = src.get(be ? L_BE : L_LE, offset + 8L * i);
      }
      default -> throw new IllegalArgumentException("not a plain decodable dtype: " + type);
    }
  }

  /** Little-endian convenience overload. */
  public static void decode(DType type, MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
    decode(type, src, offset, dst, dstOffset, count, ByteOrder.LITTLE_ENDIAN);
  }

  /** Whether {@link #decode} handles {@code type}. */
  public static boolean handles(DType type) {
    return type.decodable() && !type.blockQuantised();
  }

  /** Decodes one FP8 E4M3 (OCP "FN") byte. */
  public static float e4m3(int b) {
    return E4M3[b & 0xFF];
  }

  /** Decodes one FP8 E5M2 byte. */
  public static float e5m2(int b) {
    return E5M2[b & 0xFF];
  }

  private static void lookup(float[] table, MemorySegment src, long offset, float[] dst, int dstOffset, int count) {
    for (int i = 0; i < count; i++) {
      dst[dstOffset + i] = table[src.get(ValueLayout.JAVA_BYTE, offset + i) & 0xFF];
    }
  }

  /** IEEE-style minifloat table; {@code ieeeSpecials} selects E5M2 (inf/NaN at max exponent) vs E4M3FN (only S.1111.111 is NaN). */
  private static float[] table(int eBits, int mBits, int bias, boolean ieeeSpecials) {
    float[] t = new float[256];
    int maxE = (1 << eBits) - 1;
    for (int b = 0; b < 256; b++) {
      int sign = (b >> 7) & 1;
      int e = (b >> mBits) & maxE;
      int m = b & ((1 << mBits) - 1);
      float v;
      if (ieeeSpecials && e == maxE) {
        v = m == 0 ? Float.POSITIVE_INFINITY : Float.NaN;
      } else if (!ieeeSpecials && e == maxE && m == (1 << mBits) - 1) {
        v = Float.NaN;
      } else if (e == 0) {
        v = (float) (m / (double) (1 << mBits) * Math.pow(2, 1 - bias));
      } else {
        v = (float) ((1 + m / (double) (1 << mBits)) * Math.pow(2, e - bias));
      }
      t[b] = sign == 1 ? -v : v;
    }
    return t;
  }

  /** FNUZ variants: no infinities, no negative zero; 0x80 is the only NaN. */
  private static float[] fnuz(int eBits, int mBits, int bias) {
    float[] t = new float[256];
    int maxE = (1 << eBits) - 1;
    for (int b = 0; b < 256; b++) {
      if (b == 0x80) {
        t[b] = Float.NaN;
        continue;
      }
      int sign = (b >> 7) & 1;
      int e = (b >> mBits) & maxE;
      int m = b & ((1 << mBits) - 1);
      double v = e == 0 ? m / (double) (1 << mBits) * Math.pow(2, 1 - bias) : (1 + m / (double) (1 << mBits)) * Math.pow(2, e - bias);
      t[b] = (float) (sign == 1 ? -v : v);
    }
    return t;
  }

  private static float[] e8m0() {
    float[] t = new float[256];
    for (int b = 0; b < 256; b++) {
      t[b] = b == 0xFF ? Float.NaN : (float) Math.pow(2, b - 127);
    }
    return t;
  }
}
