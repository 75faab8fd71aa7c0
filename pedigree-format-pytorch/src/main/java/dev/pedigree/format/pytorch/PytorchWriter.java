package dev.pedigree.format.pytorch;

import dev.pedigree.model.DType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * Writes PyTorch checkpoints the way {@code torch.save} does, for tests and cross-format checks:
 * the zip format (stored entries, data records aligned to 64 bytes, a protocol-2 {@code data.pkl}
 * holding an {@code OrderedDict} of {@code _rebuild_tensor_v2} calls with {@code BINPERSID}
 * storages) and the legacy stream. Storages may be shared and tensors may be arbitrary strided
 * views, so readers can be tested on non-contiguous layouts.
 *
 * <p>Builders are not thread-safe. Everything is assembled in memory: meant for small files.
 */
public final class PytorchWriter {
    private static final int ALIGNMENT = 64;
    private static final int PADDING_FIELD = 0x4246; // "FB", the id torch's writer uses

    private PytorchWriter() {}

    public static Builder builder() {
        return new Builder();
    }

    /**
     * One record of a hand-built zip archive.
     *
     * @param deflate store it deflated (method 8) instead of stored
     */
    public record ZipRecord(String name, byte[] data, boolean deflate) {
        public ZipRecord {
            Objects.requireNonNull(name);
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }
    }

    private record Storage(String key, DType dtype, byte[] raw, double[] values) {}

    private record TensorEntry(String name, String storageKey, long offset, long[] size, long[] stride) {}

    /** Collects storages and tensors, then writes either format. */
    public static final class Builder {
        private final Map<String, Storage> storages = new LinkedHashMap<>();
        private final List<TensorEntry> tensors = new ArrayList<>();
        private boolean parameters;
        private String nestUnder;
        private ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        private String archiveName = "archive";
        private boolean zip64;
        private boolean deflatePickle;
        private boolean deflateStorages;
        private int nextKey;

        private Builder() {}

        /** A storage of raw bytes (already in the chosen byte order). */
        public Builder storage(String key, DType dtype, byte[] bytes) {
            requireStorable(dtype);
            if (bytes.length % dtype.blockBytes() != 0) {
                throw new IllegalArgumentException(
                        "storage " + key + ": " + bytes.length + " bytes is not a whole number of " + dtype);
            }
            addStorage(new Storage(key, dtype, bytes.clone(), null));
            return this;
        }

        /** A storage of values, encoded in the builder's byte order when written. */
        public Builder storage(String key, DType dtype, double[] values) {
            requireStorable(dtype);
            addStorage(new Storage(key, dtype, null, values.clone()));
            return this;
        }

        private void addStorage(Storage s) {
            if (storages.putIfAbsent(s.key(), s) != null) {
                throw new IllegalArgumentException("duplicate storage key " + s.key());
            }
        }

        /** A strided view (offset, size and stride in elements) of an existing storage. */
        public Builder tensor(String name, String storageKey, long storageOffset, long[] size, long[] stride) {
            if (!storages.containsKey(storageKey)) {
                throw new IllegalArgumentException("unknown storage " + storageKey);
            }
            if (size.length != stride.length) {
                throw new IllegalArgumentException("size and stride ranks differ");
            }
            tensors.add(new TensorEntry(name, storageKey, storageOffset, size.clone(), stride.clone()));
            return this;
        }

        /** A contiguous tensor with its own storage. */
        public Builder tensor(String name, DType dtype, long[] shape, double[] values) {
            long n = 1;
            for (long d : shape) {
                n = Math.multiplyExact(n, d);
            }
            if (n != values.length) {
                throw new IllegalArgumentException(
                        name + ": " + values.length + " values for " + java.util.Arrays.toString(shape));
            }
            String key;
            do {
                key = Integer.toString(nextKey++);
            } while (storages.containsKey(key));
            storage(key, dtype, values);
            return tensor(name, key, 0, shape, contiguousStrides(shape));
        }

        /** Pickle tensors as {@code nn.Parameter}s ({@code _rebuild_parameter}). */
        public Builder parameters(boolean p) {
            this.parameters = p;
            return this;
        }

        /** Wrap the state dict as {@code {key: state_dict, "epoch": 3}}. */
        public Builder nestUnder(String key) {
            this.nestUnder = key;
            return this;
        }

        public Builder byteOrder(ByteOrder o) {
            this.order = Objects.requireNonNull(o);
            return this;
        }

        /** Top-level folder of the zip archive (torch uses the file stem or {@code archive}). */
        public Builder archiveName(String name) {
            this.archiveName = Objects.requireNonNull(name);
            return this;
        }

        /** Write ZIP64 structures even for small archives. */
        public Builder zip64(boolean z) {
            this.zip64 = z;
            return this;
        }

        /** Deflate data.pkl (torch never does; readers may accept it). */
        public Builder deflatePickle(boolean d) {
            this.deflatePickle = d;
            return this;
        }

        /** Deflate storage records (readers must refuse them). */
        public Builder deflateStorages(boolean d) {
            this.deflateStorages = d;
            return this;
        }

        /** The zip format's {@code data.pkl}. */
        public byte[] dataPkl() {
            PickleWriter w = new PickleWriter().proto();
            mainObject(w, false);
            return w.stop().toByteArray();
        }

        public byte[] zipBytes() {
            List<ZipRecord> records = new ArrayList<>();
            records.add(new ZipRecord(archiveName + "/data.pkl", dataPkl(), deflatePickle));
            records.add(new ZipRecord(
                    archiveName + "/byteorder",
                    (order == ByteOrder.BIG_ENDIAN ? "big" : "little").getBytes(StandardCharsets.US_ASCII),
                    false));
            for (Storage s : storages.values()) {
                records.add(new ZipRecord(archiveName + "/data/" + s.key(), bytesOf(s), deflateStorages));
            }
            records.add(new ZipRecord(archiveName + "/version", "3\n".getBytes(StandardCharsets.US_ASCII), false));
            return zip(records, zip64);
        }

        public void writeZip(Path file) throws IOException {
            Files.write(file, zipBytes());
        }

        /** The legacy stream ({@code _use_new_zipfile_serialization=False}). */
        public byte[] legacyBytes() {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes(new PickleWriter()
                    .proto()
                    .bigInteger(PytorchCheckpoint.LEGACY_MAGIC)
                    .stop()
                    .toByteArray());
            out.writeBytes(new PickleWriter()
                    .proto()
                    .integer(PytorchCheckpoint.LEGACY_PROTOCOL)
                    .stop()
                    .toByteArray());
            PickleWriter info = new PickleWriter().proto().op('}');
            info.put();
            info.mark()
                    .string("protocol_version")
                    .integer(PytorchCheckpoint.LEGACY_PROTOCOL)
                    .string("little_endian")
                    .bool(order == ByteOrder.LITTLE_ENDIAN);
            info.string("type_sizes")
                    .op('}')
                    .mark()
                    .string("short")
                    .integer(2)
                    .string("int")
                    .integer(4)
                    .string("long")
                    .integer(4)
                    .op('u');
            out.writeBytes(info.op('u').stop().toByteArray());
            PickleWriter main = new PickleWriter().proto();
            mainObject(main, true);
            out.writeBytes(main.stop().toByteArray());
            PickleWriter keys = new PickleWriter().proto().op(']').mark();
            for (Storage s : storages.values()) {
                keys.string(s.key());
            }
            out.writeBytes(keys.op('e').stop().toByteArray());
            for (Storage s : storages.values()) {
                byte[] b = bytesOf(s);
                ByteBuffer count = ByteBuffer.allocate(8)
                        .order(order)
                        .putLong(b.length / s.dtype().blockBytes());
                out.writeBytes(count.array());
                out.writeBytes(b);
            }
            return out.toByteArray();
        }

        public void writeLegacy(Path file) throws IOException {
            Files.write(file, legacyBytes());
        }

        private byte[] bytesOf(Storage s) {
            return s.raw() != null ? s.raw().clone() : encode(s.dtype(), s.values(), order);
        }

        private void mainObject(PickleWriter w, boolean legacy) {
            if (nestUnder != null) {
                w.op('}');
                w.put();
                w.mark().string(nestUnder);
            }
            w.emptyOrderedDict();
            w.put();
            for (int start = 0; start < tensors.size(); start += 1000) {
                w.mark();
                for (TensorEntry t : tensors.subList(start, Math.min(tensors.size(), start + 1000))) {
                    w.string(t.name());
                    tensorExpression(w, t, legacy);
                }
                w.op('u');
            }
            // state_dict._metadata, set through BUILD as torch does.
            w.op('}').mark().string("_metadata").emptyOrderedDict().op('u').op('b');
            if (nestUnder != null) {
                w.string("epoch").integer(3).op('u');
            }
        }

        private void tensorExpression(PickleWriter w, TensorEntry t, boolean legacy) {
            Storage s = storages.get(t.storageKey());
            String cls = storageClass(s.dtype());
            boolean v3 = cls == null;
            if (v3 && legacy) {
                throw new IllegalArgumentException("legacy checkpoints cannot hold " + s.dtype());
            }
            if (parameters) {
                w.global("torch._utils", "_rebuild_parameter").mark();
            }
            w.global("torch._utils", v3 ? "_rebuild_tensor_v3" : "_rebuild_tensor_v2")
                    .mark();
            long bytes = s.raw() != null
                    ? s.raw().length
                    : (long) s.values().length * s.dtype().blockBytes();
            w.mark()
                    .string("storage")
                    .global("torch", v3 ? "UntypedStorage" : cls)
                    .string(s.key())
                    .string("cpu");
            w.integer(v3 ? bytes : bytes / s.dtype().blockBytes());
            if (legacy) {
                w.op('N');
            }
            w.tuple().op('Q');
            w.integer(t.offset())
                    .intTuple(t.size())
                    .intTuple(t.stride())
                    .bool(false)
                    .emptyOrderedDict();
            if (v3) {
                w.global("torch", dtypeName(s.dtype()));
            }
            w.tuple().op('R');
            if (parameters) {
                w.bool(true).emptyOrderedDict().tuple().op('R');
            }
        }
    }

    /** Row-major strides for {@code shape}. */
    public static long[] contiguousStrides(long[] shape) {
        long[] stride = new long[shape.length];
        long s = 1;
        for (int i = shape.length - 1; i >= 0; i--) {
            stride[i] = s;
            s *= Math.max(1, shape[i]);
        }
        return stride;
    }

    private static void requireStorable(DType dtype) {
        if (storageClass(dtype) == null && dtypeName(dtype) == null) {
            throw new IllegalArgumentException("PyTorch has no storage for " + dtype);
        }
    }

    /** The legacy typed-storage class for {@code dtype}, or null where torch uses UntypedStorage + v3. */
    static String storageClass(DType dtype) {
        return switch (dtype) {
            case F32 -> "FloatStorage";
            case F64 -> "DoubleStorage";
            case F16 -> "HalfStorage";
            case BF16 -> "BFloat16Storage";
            case I64 -> "LongStorage";
            case I32 -> "IntStorage";
            case I16 -> "ShortStorage";
            case I8 -> "CharStorage";
            case U8 -> "ByteStorage";
            case BOOL -> "BoolStorage";
            default -> null;
        };
    }

    private static String dtypeName(DType dtype) {
        return switch (dtype) {
            case U16 -> "uint16";
            case U32 -> "uint32";
            case U64 -> "uint64";
            case F8_E4M3 -> "float8_e4m3fn";
            case F8_E5M2 -> "float8_e5m2";
            default -> null;
        };
    }

    /**
     * Encodes values as {@code dtype} elements: floats rounded to nearest even, integers truncated
     * toward zero, booleans as 0/1.
     */
    public static byte[] encode(DType dtype, double[] values, ByteOrder order) {
        ByteBuffer b = ByteBuffer.allocate(Math.multiplyExact(values.length, dtype.blockBytes()))
                .order(order);
        for (double v : values) {
            switch (dtype) {
                case F32 -> b.putFloat((float) v);
                case F64 -> b.putDouble(v);
                case F16 -> b.putShort(Float.floatToFloat16((float) v));
                case BF16 -> b.putShort(bf16((float) v));
                case I64, U64 -> b.putLong((long) v);
                case I32, U32 -> b.putInt((int) (long) v);
                case I16, U16 -> b.putShort((short) (long) v);
                case I8, U8 -> b.put((byte) (long) v);
                case BOOL -> b.put((byte) (v != 0 ? 1 : 0));
                default -> throw new IllegalArgumentException("cannot encode values as " + dtype);
            }
        }
        return b.array();
    }

    private static short bf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if (Float.isNaN(f)) {
            return (short) ((bits >>> 16) | 0x40);
        }
        int rounding = 0x7FFF + ((bits >>> 16) & 1);
        return (short) ((bits + rounding) >>> 16);
    }

    /**
     * Writes a ZIP archive the way torch's writer does: each record's data starts at a multiple of
     * 64 bytes (padding in the local extra field), CRC-32 filled in, optionally with ZIP64
     * structures.
     */
    public static byte[] zip(List<ZipRecord> records, boolean zip64) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream central = new ByteArrayOutputStream();
        for (ZipRecord r : records) {
            byte[] name = r.name().getBytes(StandardCharsets.UTF_8);
            byte[] data = r.data();
            CRC32 crc = new CRC32();
            crc.update(data);
            byte[] stored = r.deflate() ? deflate(data) : data;
            long lho = out.size();
            int z64Local = zip64 ? 20 : 0;
            long base = lho + 30 + name.length + z64Local + 4;
            int pad = (int) ((ALIGNMENT - base % ALIGNMENT) % ALIGNMENT);
            ByteBuffer local =
                    ByteBuffer.allocate(30 + name.length + z64Local + 4 + pad).order(ByteOrder.LITTLE_ENDIAN);
            local.putInt(0x04034b50)
                    .putShort((short) (zip64 ? 45 : 20))
                    .putShort((short) 0)
                    .putShort((short) (r.deflate() ? 8 : 0));
            local.putShort((short) 0).putShort((short) 0x21).putInt((int) crc.getValue());
            local.putInt(zip64 ? -1 : stored.length).putInt(zip64 ? -1 : data.length);
            local.putShort((short) name.length)
                    .putShort((short) (z64Local + 4 + pad))
                    .put(name);
            if (zip64) {
                local.putShort((short) 1)
                        .putShort((short) 16)
                        .putLong(data.length)
                        .putLong(stored.length);
            }
            local.putShort((short) PADDING_FIELD).putShort((short) pad).put(new byte[pad]);
            out.writeBytes(local.array());
            out.writeBytes(stored);
            int z64Central = zip64 ? 28 : 0;
            ByteBuffer c = ByteBuffer.allocate(46 + name.length + z64Central).order(ByteOrder.LITTLE_ENDIAN);
            c.putInt(0x02014b50)
                    .putShort((short) (zip64 ? 45 : 20))
                    .putShort((short) (zip64 ? 45 : 20))
                    .putShort((short) 0);
            c.putShort((short) (r.deflate() ? 8 : 0))
                    .putShort((short) 0)
                    .putShort((short) 0x21)
                    .putInt((int) crc.getValue());
            c.putInt(zip64 ? -1 : stored.length).putInt(zip64 ? -1 : data.length);
            c.putShort((short) name.length)
                    .putShort((short) z64Central)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putShort((short) 0)
                    .putInt(0);
            c.putInt(zip64 ? -1 : (int) lho).put(name);
            if (zip64) {
                c.putShort((short) 1)
                        .putShort((short) 24)
                        .putLong(data.length)
                        .putLong(stored.length)
                        .putLong(lho);
            }
            central.writeBytes(c.array());
        }
        long cdOffset = out.size();
        byte[] cd = central.toByteArray();
        out.writeBytes(cd);
        if (zip64) {
            long z64 = out.size();
            ByteBuffer e = ByteBuffer.allocate(56 + 20).order(ByteOrder.LITTLE_ENDIAN);
            e.putInt(0x06064b50)
                    .putLong(44)
                    .putShort((short) 45)
                    .putShort((short) 45)
                    .putInt(0)
                    .putInt(0);
            e.putLong(records.size()).putLong(records.size()).putLong(cd.length).putLong(cdOffset);
            e.putInt(0x07064b50).putInt(0).putLong(z64).putInt(1);
            out.writeBytes(e.array());
        }
        ByteBuffer eocd = ByteBuffer.allocate(22).order(ByteOrder.LITTLE_ENDIAN);
        eocd.putInt(0x06054b50).putShort((short) 0).putShort((short) 0);
        eocd.putShort((short) (zip64 ? 0xFFFF : records.size())).putShort((short) (zip64 ? 0xFFFF : records.size()));
        eocd.putInt(zip64 ? -1 : cd.length).putInt(zip64 ? -1 : (int) cdOffset).putShort((short) 0);
        out.writeBytes(eocd.array());
        return out.toByteArray();
    }

    private static byte[] deflate(byte[] data) {
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        try {
            d.setInput(data);
            d.finish();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[8192];
            while (!d.finished()) {
                int n = d.deflate(buf);
                out.write(buf, 0, n);
            }
            return out.toByteArray();
        } finally {
            d.end();
        }
    }
}
