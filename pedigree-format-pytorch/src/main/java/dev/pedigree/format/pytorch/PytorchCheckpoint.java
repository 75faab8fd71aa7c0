package dev.pedigree.format.pytorch;

import dev.pedigree.format.pytorch.PickleValue.PyDict;
import dev.pedigree.format.pytorch.PickleValue.StorageRef;
import dev.pedigree.format.pytorch.PickleValue.TensorSpec;
import dev.pedigree.format.pytorch.RestrictedUnpickler.PersistentIds;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.SegmentReader;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.DType;
import dev.pedigree.model.naming.TensorNaming;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tensors of one PyTorch checkpoint file (zip archive or legacy stream), located in the
 * mapped bytes. Storage records are never copied: each tensor slices the storage it views.
 *
 * @param format {@code zip} or {@code legacy}
 */
record PytorchCheckpoint(
        String format,
        ByteOrder order,
        List<PytorchTensor> tensors,
        Map<String, Object> metadata,
        List<String> warnings) {

    /** Largest deflated {@code data.pkl} that is inflated (and the cap on inflation output). */
    static final int MAX_INFLATED_PICKLE = 64 << 20;

    /** Legacy magic number, pickled as LONG1 first in the stream. */
    static final BigInteger LEGACY_MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    static final long LEGACY_PROTOCOL = 1001;

    PytorchCheckpoint {
        tensors = List.copyOf(tensors);
        metadata = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        warnings = List.copyOf(warnings);
    }

    // ------------------------------------------------------------------------------------ zip

    static PytorchCheckpoint readZip(ByteSource src, ArchitectureHints hints, UnpicklerLimits limits)
            throws IOException, ModelFormatException {
        String where = src.description();
        ZipDirectory zip = ZipDirectory.read(src);
        String dir = null;
        for (ZipDirectory.Entry e : zip.entries()) {
            String n = e.name();
            int slash = n.indexOf('/');
            if (slash > 0) {
                String rest = n.substring(slash + 1);
                if (rest.equals("constants.pkl") || rest.startsWith("code/")) {
                    throw new UnsupportedModelException(
                            where,
                            e.localHeaderOffset(),
                            "TorchScript archive (" + n
                                    + "): only torch.save checkpoints are read, never scripted code");
                }
                if (rest.equals("data.pkl")) {
                    if (dir != null) {
                        throw new CorruptModelException(
                                where,
                                e.localHeaderOffset(),
                                "zip archive holds more than one data.pkl (" + dir + "/ and " + n + ")");
                    }
                    dir = n.substring(0, slash);
                }
            }
        }
        if (dir == null) {
            throw new CorruptModelException(
                    where, 0, "zip archive has no <dir>/data.pkl record: not a torch.save checkpoint");
        }
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        var byteorder = zip.entry(dir + "/byteorder");
        if (byteorder.isPresent()) {
            ZipDirectory.Entry e = byteorder.get();
            MemorySegment b = zip.data(e, 16);
            String text =
                    new String(b.toArray(java.lang.foreign.ValueLayout.JAVA_BYTE), StandardCharsets.US_ASCII).strip();
            order = switch (text) {
                case "little" -> ByteOrder.LITTLE_ENDIAN;
                case "big" -> ByteOrder.BIG_ENDIAN;
                default ->
                    throw new CorruptModelException(
                            where,
                            e.dataOffset(),
                            "byteorder record says '" + printable(text) + "', expected little or big");
            };
        }
        ZipDirectory.Entry pkl = zip.entry(dir + "/data.pkl").orElseThrow();
        MemorySegment pickle = zip.data(pkl, MAX_INFLATED_PICKLE);
        PickleValue root = new RestrictedUnpickler(where, pickle, pkl.dataOffset(), limits, PersistentIds.ZIP).load();
        StateDictWalker.Found found = StateDictWalker.walk(root, where, pkl.dataOffset());
        List<PytorchTensor> tensors = new ArrayList<>();
        Map<String, MemorySegment> records = new HashMap<>();
        for (var t : found.tensors().entrySet()) {
            TensorSpec spec = t.getValue();
            StorageRef s = spec.storage();
            String recordName = dir + "/data/" + s.key();
            ZipDirectory.Entry rec = zip.entry(recordName)
                    .orElseThrow(() -> new CorruptModelException(
                            where,
                            pkl.dataOffset(),
                            "tensor " + t.getKey() + " refers to storage " + s.key() + ", but the archive has no "
                                    + recordName));
            MemorySegment whole = records.get(recordName);
            if (whole == null) {
                whole = zip.storedData(rec);
                records.put(recordName, whole);
            }
            MemorySegment storage = storageSlice(where, rec.dataOffset(), whole, s, t.getKey());
            tensors.add(PytorchTensor.of(
                    t.getKey(),
                    spec.dtype(),
                    spec.size(),
                    spec.stride(),
                    spec.storageOffset(),
                    storage,
                    order,
                    TensorNaming.classify(t.getKey(), hints),
                    where,
                    rec.dataOffset()));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("pytorch.format", "zip");
        meta.put("pytorch.archive", dir);
        meta.put("pytorch.byteorder", order == ByteOrder.BIG_ENDIAN ? "big" : "little");
        if (!found.prefix().isEmpty()) {
            meta.put("pytorch.state_dict_key", found.prefix());
        }
        List<String> warnings = new ArrayList<>(found.warnings());
        if (!pkl.stored()) {
            warnings.add("data.pkl is deflated (torch.save stores it); inflated " + pkl.uncompressedSize() + " bytes");
        }
        return new PytorchCheckpoint("zip", order, tensors, meta, warnings);
    }

    /** The part of a storage record the storage type and numel describe, checked against the record. */
    private static MemorySegment storageSlice(String where, long at, MemorySegment record, StorageRef s, String tensor)
            throws CorruptModelException {
        long es = s.dtype() == null ? 1 : s.dtype().blockBytes();
        if (es <= 0) {
            throw new CorruptModelException(where, at, "storage " + s.key() + " has no fixed element size");
        }
        try {
            long start = Math.multiplyExact(s.viewOffset(), es);
            long bytes = Math.multiplyExact(s.numel(), es);
            if (start > record.byteSize() || bytes > record.byteSize() - start) {
                throw new CorruptModelException(
                        where,
                        at,
                        "storage " + s.key() + " of tensor " + tensor + " claims " + bytes + " bytes at " + start
                                + " but its record holds " + record.byteSize());
            }
            return record.asSlice(start, bytes);
        } catch (ArithmeticException e) {
            throw new CorruptModelException(
                    where, at, "storage " + s.key() + " claims an implausible size " + s.numel());
        }
    }

    // ------------------------------------------------------------------------------------ legacy

    static PytorchCheckpoint readLegacy(ByteSource src, ArchitectureHints hints, UnpicklerLimits limits)
            throws IOException, ModelFormatException {
        String where = src.description();
        MemorySegment all = src.slice(0, src.size());
        long pos = 0;
        // the five pickles of the stream share one heap budget
        PickleBudget budget = limits.newBudget();
        RestrictedUnpickler u = new RestrictedUnpickler(where, all, 0, limits, PersistentIds.LEGACY, budget);
        PickleValue magic = u.load();
        if (!(magic instanceof PickleValue.BigInt b) || !b.value().equals(LEGACY_MAGIC)) {
            throw new CorruptModelException(
                    where, 0, "not a legacy torch.save stream: magic number is " + magic.describe());
        }
        pos += u.position();
        long at = pos;
        u = new RestrictedUnpickler(where, all.asSlice(pos), pos, limits, PersistentIds.LEGACY, budget);
        PickleValue protocol = u.load();
        if (!(protocol instanceof PickleValue.Int p) || p.value() != LEGACY_PROTOCOL) {
            throw new UnsupportedModelException(
                    where, at, "legacy torch.save protocol " + protocol.describe() + ", expected " + LEGACY_PROTOCOL);
        }
        pos += u.position();
        at = pos;
        u = new RestrictedUnpickler(where, all.asSlice(pos), pos, limits, PersistentIds.LEGACY, budget);
        PickleValue sysInfo = u.load();
        if (!(sysInfo instanceof PyDict info)) {
            throw new CorruptModelException(
                    where, at, "legacy sys_info is " + sysInfo.describe() + ", expected a dict");
        }
        ByteOrder order = ByteOrder.LITTLE_ENDIAN;
        if (info.entries().get(new PickleValue.Str("little_endian")) instanceof PickleValue.Bool le && !le.value()) {
            order = ByteOrder.BIG_ENDIAN;
        }
        pos += u.position();
        long mainAt = pos;
        u = new RestrictedUnpickler(where, all.asSlice(pos), pos, limits, PersistentIds.LEGACY, budget);
        PickleValue root = u.load();
        pos += u.position();
        at = pos;
        u = new RestrictedUnpickler(where, all.asSlice(pos), pos, limits, PersistentIds.LEGACY, budget);
        PickleValue keyList = u.load();
        pos += u.position();
        List<PickleValue> keyValues = switch (keyList) {
            case PickleValue.PyList l -> l.items();
            case PickleValue.Tuple t -> t.items();
            default -> throw new CorruptModelException(where, at, "legacy storage key list is " + keyList.describe());
        };
        StateDictWalker.Found found = StateDictWalker.walk(root, where, mainAt);
        Map<String, DType> storageTypes = new HashMap<>();
        for (TensorSpec spec : found.tensors().values()) {
            StorageRef s = spec.storage();
            DType t = s.dtype() == null ? DType.U8 : s.dtype();
            DType prev = storageTypes.putIfAbsent(s.key(), t);
            if (prev != null && prev != t) {
                throw new CorruptModelException(
                        where, mainAt, "storage " + s.key() + " is used with types " + prev + " and " + t);
            }
        }
        // Storage records follow the key list: u64 element count, then the raw elements.
        Map<String, MemorySegment> records = new HashMap<>();
        Map<String, Long> recordOffsets = new HashMap<>();
        SegmentReader r = new SegmentReader(where, all.asSlice(pos), pos).order(order);
        for (PickleValue kv : keyValues) {
            if (!(kv instanceof PickleValue.Str k)) {
                throw new CorruptModelException(where, at, "legacy storage key " + kv.describe() + " is not a string");
            }
            long countAt = r.absolutePosition();
            long count = r.u64("legacy storage element count");
            DType t = storageTypes.get(k.value());
            if (t == null) {
                throw new CorruptModelException(
                        where,
                        countAt,
                        "legacy storage " + k.value()
                                + " is not referenced by any tensor, so its element size is unknown");
            }
            long bytes;
            try {
                bytes = Math.multiplyExact(count, (long) t.blockBytes());
            } catch (ArithmeticException e) {
                throw new CorruptModelException(
                        where, countAt, "legacy storage " + k.value() + " claims " + count + " elements");
            }
            if (bytes > r.remaining()) {
                throw new CorruptModelException(
                        where,
                        countAt,
                        "legacy storage " + k.value() + " claims " + bytes + " bytes, " + r.remaining() + " remain");
            }
            long dataAt = r.absolutePosition();
            MemorySegment data = r.slice(bytes, "legacy storage data");
            if (records.putIfAbsent(k.value(), data) != null) {
                throw new CorruptModelException(where, countAt, "legacy storage key " + k.value() + " appears twice");
            }
            recordOffsets.put(k.value(), dataAt);
        }
        List<String> warnings = new ArrayList<>(found.warnings());
        if (r.hasRemaining()) {
            warnings.add(r.remaining() + " trailing bytes after the last legacy storage record");
        }
        List<PytorchTensor> tensors = new ArrayList<>();
        for (var t : found.tensors().entrySet()) {
            StorageRef s = t.getValue().storage();
            MemorySegment record = records.get(s.key());
            if (record == null) {
                throw new CorruptModelException(
                        where,
                        mainAt,
                        "tensor " + t.getKey() + " refers to storage " + s.key() + ", which the stream does not hold");
            }
            long recAt = recordOffsets.get(s.key());
            MemorySegment storage = storageSlice(where, recAt, record, s, t.getKey());
            TensorSpec spec = t.getValue();
            tensors.add(PytorchTensor.of(
                    t.getKey(),
                    spec.dtype(),
                    spec.size(),
                    spec.stride(),
                    spec.storageOffset(),
                    storage,
                    order,
                    TensorNaming.classify(t.getKey(), hints),
                    where,
                    recAt));
        }
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("pytorch.format", "legacy");
        meta.put("pytorch.byteorder", order == ByteOrder.BIG_ENDIAN ? "big" : "little");
        if (!found.prefix().isEmpty()) {
            meta.put("pytorch.state_dict_key", found.prefix());
        }
        return new PytorchCheckpoint("legacy", order, tensors, meta, warnings);
    }

    private static String printable(String s) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < s.length() && i < 32; i++) {
            char c = s.charAt(i);
            b.append(c >= 0x20 && c < 0x7F ? c : '?');
        }
        return b.toString();
    }
}
