package dev.pedigree.format.onnx;

import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.SegmentReader;
import dev.pedigree.model.DType;
import dev.pedigree.model.ElementDecoder;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The stored values of one tensor, in stored (row-major, file) order, validated against the
 * element count when created. Either a contiguous little-endian run of fixed-width elements
 * ({@code raw_data}, external data, a packed {@code float_data}/{@code double_data}), read at any
 * index without copying, or protobuf-encoded typed values (varint {@code int32_data},
 * {@code int64_data}, {@code uint64_data}, or several runs), decoded by a sequential scan.
 *
 * <p>Immutable and thread-safe; borrows the mapping of the file it came from.
 */
sealed interface OnnxTensorData permits OnnxTensorData.Contiguous, OnnxTensorData.Encoded {

    /** Receives decoded values during a sequential scan. */
    @FunctionalInterface
    interface Sink {
        void accept(long index, float value);
    }

    long elementCount();

    /** The stored bytes (zero-copy for contiguous data). */
    MemorySegment storedBytes();

    /** Whether {@link #read} costs time proportional to {@code n} only. */
    boolean randomAccess();

    /** Decodes stored elements {@code [start, start + n)} into {@code dst[off..]}. */
    void read(long start, int n, float[] dst, int off) throws CorruptModelException;

    /**
     * Decodes the {@code n} stored elements {@code start, start + stride, ...} into {@code dst[off..]}: a column of
     * a row-major matrix (one canonical row of a weight stored {@code [in, out]}).
     */
    default void readStrided(long start, long stride, int n, float[] dst, int off) throws CorruptModelException {
        for (int k = 0; k < n; k++) {
            read(start + k * stride, 1, dst, off + k);
        }
    }

    /** Decodes every element in order. */
    void scan(Sink sink) throws CorruptModelException;

    /** Fixed-width little-endian values; {@code type} must be decodable by {@link ElementDecoder}. */
    record Contiguous(DType type, MemorySegment bytes, long elementCount) implements OnnxTensorData {
        private static final ValueLayout.OfFloat F32_LE =
                ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        @Override
        public MemorySegment storedBytes() {
            return bytes;
        }

        @Override
        public boolean randomAccess() {
            return true;
        }

        @Override
        public void read(long start, int n, float[] dst, int off) {
            ElementDecoder.decode(type, bytes, start * type.blockBytes(), dst, off, n, ByteOrder.LITTLE_ENDIAN);
        }

        /** float32 is read in place, element by element; other types decode one element per call. */
        @Override
        public void readStrided(long start, long stride, int n, float[] dst, int off) throws CorruptModelException {
            if (type != DType.F32) {
                OnnxTensorData.super.readStrided(start, stride, n, dst, off);
                return;
            }
            long at = start * Float.BYTES;
            long step = stride * Float.BYTES;
            for (int k = 0; k < n; k++, at += step) {
                dst[off + k] = bytes.get(F32_LE, at);
            }
        }

        @Override
        public void scan(Sink sink) {
            float[] buf = new float[(int) Math.min(4096, Math.max(1, elementCount))];
            for (long s = 0; s < elementCount; s += buf.length) {
                int k = (int) Math.min(buf.length, elementCount - s);
                read(s, k, buf, 0);
                for (int i = 0; i < k; i++) {
                    sink.accept(s + i, buf[i]);
                }
            }
        }
    }

    /**
     * Protobuf-encoded typed values.
     *
     * @param field the TensorProto field (4, 5, 7, 10 or 11)
     * @param type the tensor's data type, which says how an int32_data value is interpreted
     */
    record Encoded(String source, int field, OnnxDataType type, List<OnnxTensorProto.ValueRun> runs, long elementCount)
            implements OnnxTensorData {
        public Encoded {
            runs = List.copyOf(runs);
        }

        @Override
        public MemorySegment storedBytes() {
            if (runs.size() == 1) {
                return runs.getFirst().bytes();
            }
            long total = 0;
            for (OnnxTensorProto.ValueRun r : runs) {
                total += r.bytes().byteSize();
            }
            MemorySegment out = Arena.ofAuto().allocate(Math.max(1, total)).asSlice(0, total);
            long at = 0;
            for (OnnxTensorProto.ValueRun r : runs) {
                MemorySegment.copy(r.bytes(), 0, out, at, r.bytes().byteSize());
                at += r.bytes().byteSize();
            }
            return out;
        }

        @Override
        public boolean randomAccess() {
            return false;
        }

        @Override
        public void read(long start, int n, float[] dst, int off) throws CorruptModelException {
            long end = start + n;
            scanUntil(end, (i, v) -> {
                if (i >= start) {
                    dst[off + (int) (i - start)] = v;
                }
            });
        }

        @Override
        public void scan(Sink sink) throws CorruptModelException {
            scanUntil(elementCount, sink);
        }

        private void scanUntil(long end, Sink sink) throws CorruptModelException {
            long index = 0;
            for (OnnxTensorProto.ValueRun run : runs) {
                SegmentReader in = new SegmentReader(source, run.bytes(), run.offset());
                while (in.hasRemaining() && index < end) {
                    sink.accept(index++, next(in));
                }
                if (index >= end) {
                    return;
                }
            }
        }

        private float next(SegmentReader in) throws CorruptModelException {
            return switch (field) {
                case OnnxDataType.FLOAT_DATA -> in.f32("float_data");
                case OnnxDataType.DOUBLE_DATA -> (float) in.f64("double_data");
                case OnnxDataType.INT64_DATA -> (float) in.varint("int64_data");
                case OnnxDataType.UINT64_DATA -> unsigned(in.varint("uint64_data"));
                default -> int32(type, (int) in.varint("int32_data"));
            };
        }

        private static float unsigned(long v) {
            return v >= 0 ? v : (float) (v >>> 1) * 2f;
        }

        /** Interprets one int32_data value: a bit pattern for the 16- and 8-bit float types, else the integer. */
        static float int32(OnnxDataType type, int v) {
            return switch (type) {
                case FLOAT16 -> Float.float16ToFloat((short) v);
                case BFLOAT16 -> Float.intBitsToFloat((v & 0xFFFF) << 16);
                case FLOAT8E4M3FN -> Fp8.E4M3FN[v & 0xFF];
                case FLOAT8E4M3FNUZ -> Fp8.E4M3FNUZ[v & 0xFF];
                case FLOAT8E5M2 -> Fp8.E5M2[v & 0xFF];
                case FLOAT8E5M2FNUZ -> Fp8.E5M2FNUZ[v & 0xFF];
                case FLOAT8E8M0 -> Fp8.E8M0[v & 0xFF];
                default -> v;
            };
        }
    }

    /** Tables of the 8-bit float types, taken from {@link ElementDecoder} so both paths agree. */
    final class Fp8 {
        static final float[] E4M3FN = table(DType.F8_E4M3);
        static final float[] E4M3FNUZ = table(DType.F8_E4M3FNUZ);
        static final float[] E5M2 = table(DType.F8_E5M2);
        static final float[] E5M2FNUZ = table(DType.F8_E5M2FNUZ);
        static final float[] E8M0 = table(DType.F8_E8M0);

        private Fp8() {}

        private static float[] table(DType t) {
            byte[] all = new byte[256];
            for (int b = 0; b < 256; b++) {
                all[b] = (byte) b;
            }
            float[] out = new float[256];
            ElementDecoder.decode(t, MemorySegment.ofArray(all), 0, out, 0, 256);
            return out;
        }
    }

    /** Counts the values encoded in {@code runs} of typed field {@code field}, validating their encoding. */
    static long countValues(String source, int field, List<OnnxTensorProto.ValueRun> runs)
            throws CorruptModelException {
        long count = 0;
        for (OnnxTensorProto.ValueRun run : runs) {
            long size = run.bytes().byteSize();
            switch (field) {
                case OnnxDataType.FLOAT_DATA, OnnxDataType.DOUBLE_DATA -> {
                    int width = field == OnnxDataType.FLOAT_DATA ? 4 : 8;
                    if (size % width != 0) {
                        throw new CorruptModelException(
                                source,
                                run.offset(),
                                "packed typed field " + field + " of " + size + " bytes is not a whole number of "
                                        + width + "-byte values");
                    }
                    count += size / width;
                }
                default -> {
                    SegmentReader in = new SegmentReader(source, run.bytes(), run.offset());
                    while (in.hasRemaining()) {
                        in.varint("varint field " + field);
                        count++;
                    }
                }
            }
        }
        return count;
    }
}
