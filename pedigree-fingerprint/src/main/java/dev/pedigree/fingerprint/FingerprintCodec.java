package dev.pedigree.fingerprint;

import dev.pedigree.fingerprint.FingerprintTensor.RowSource;
import dev.pedigree.fingerprint.FingerprintTensor.Sample;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.SegmentReader;
import dev.pedigree.io.Sha256;
import dev.pedigree.io.UnsupportedModelException;
import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.Component;
import dev.pedigree.model.ComponentKind;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TokenizerType;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Deflater;
import java.util.zip.Inflater;

/**
 * The fingerprint file, version {@value Fingerprint#FORMAT_VERSION} or {@value
 * Fingerprint#FORMAT_VERSION_ROW_NORMS}. Little-endian throughout. A fingerprint none of whose
 * samples keeps row norms is written as version 1, byte for byte as before version 2 existed; one
 * that keeps some is written as version 2, which adds one flag (and the norms) after each sample's
 * values. Both are read.
 *
 * <pre>
 * offset size
 *      0    8  magic "PDGFPRNT"
 *      8    4  u32 format version (1 or 2)
 *     12    4  u32 reserved, 0
 *     16    8  u64 body length = file size − 56
 *     24   32  SHA-256 of the body (integrity)
 *     56    …  body
 *
 * body:
 *   str source, str format, ostr architecture
 *   hints: ostr architecture, 6 × oi32 (hidden, heads, kv heads, head dim, intermediate, layers), u8 tied (0 unknown, 1 no, 2 yes)
 *   u64 parameters, u64 model bytes, u32 units, u64 seed
 *   u8 has tokenizer; if 1: str type, u32 vocabulary size, u32 regular keys, u32 inflated length,
 *       u32 deflated length, deflated (raw DEFLATE) keys as (varint length, bytes)…,
 *       u32 anchors, varint index into the keys…
 *   u32 tensors; each:
 *     str name, str component, str component kind, i32 layer (−1 none), str role, i32 expert (MIN none), str part, str dtype,
 *     u8 rank, rank × u64 dims,
 *     u8 hash flags (1 raw, 2 canonical), 32 raw, 32 canonical (present ones only),
 *     u8 has stats; if 1: f64 mean, std, rms, min, max, u64 non-finite, u8 constant
 *     u8 has sample; if 1: u8 row source (0 dimension, 1 anchors), u32 rows, varint rows (delta from previous+1 for
 *       dimension rows, absolute ids for anchor rows), u32 cols, varint cols (delta),
 *       u8 encoding (0 f32, 1 f16 of value/scale), [f32 scale], values,
 *       [version 2 only: u8 has row norms; if 1: rows × f32 whole-row norms ({@link Sample#rowNorms()})]
 *   u32 warnings, str…
 * str: u32 length + UTF-8; ostr: i32 length (−1 null) + UTF-8; oi32: u8 present + i32.
 * </pre>
 *
 * Matrices are stored as float16 of value/scale with scale = the largest finite |value| of the
 * sample (relative error ≤ 2⁻¹¹ of the largest value), vectors as float32. Writing is
 * deterministic: the same fingerprint gives the same bytes. Reading checks the hash first and then
 * every count and length against the bytes present before allocating; errors name the file and the
 * offset. Stateless and thread-safe.
 */
public final class FingerprintCodec {
    /** File magic. */
    public static final byte[] MAGIC = "PDGFPRNT".getBytes(StandardCharsets.US_ASCII);
    /** Bytes before the body. */
    public static final int HEADER_BYTES = 56;
    /**
     * Largest inflated tokenizer section accepted: the keys of a 256k-token vocabulary take a few MB, and the output
     * buffer grows only as far as the DEFLATE data really inflates (never to the claimed size up front).
     */
    static final long MAX_INFLATED = 64L << 20;
    /** First size of the inflation buffer; it doubles as the data fills it, up to the claimed size. */
    private static final int INFLATE_START = 1 << 16;

    private FingerprintCodec() {}

    // ------------------------------------------------------------------ writing

    /** Writes the file atomically (temp file, then move). */
    public static void write(Fingerprint f, Path file) throws IOException {
        byte[] b = encode(f);
        Path abs = file.toAbsolutePath();
        Path dir = abs.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, abs.getFileName().toString(), ".part");
        try {
            Files.write(tmp, b);
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** The file's bytes. */
    public static byte[] encode(Fingerprint f) {
        int version = Fingerprint.FORMAT_VERSION;
        for (FingerprintTensor t : f.tensors()) {
            if (t.sample() != null && t.sample().rowNormsNoCopy() != null) {
                version = Fingerprint.FORMAT_VERSION_ROW_NORMS;
            }
        }
        Out o = new Out();
        o.str(f.source());
        o.str(f.format());
        o.ostr(f.architecture());
        ArchitectureHints h = f.hints();
        o.ostr(h.architecture());
        o.oi32(h.hiddenSize());
        o.oi32(h.numHeads());
        o.oi32(h.numKvHeads());
        o.oi32(h.headDim());
        o.oi32(h.intermediateSize());
        o.oi32(h.numLayers());
        o.u8(h.tiedEmbeddings() == null ? 0 : h.tiedEmbeddings() ? 2 : 1);
        o.u64(f.parameters());
        o.u64(f.modelBytes());
        o.u32(f.units());
        o.u64(f.seed());
        if (f.tokenizerType() == null) {
            o.u8(0);
        } else {
            o.u8(1);
            o.str(f.tokenizerType().name());
            o.u32(f.vocabularySize());
            o.u32(f.regularKeys().size());
            Out keys = new Out();
            for (String k : f.regularKeys()) {
                byte[] b = k.getBytes(StandardCharsets.ISO_8859_1);
                keys.varint(b.length);
                keys.bytes(b);
            }
            byte[] raw = keys.toByteArray();
            byte[] def = deflate(raw);
            o.u32(raw.length);
            o.u32(def.length);
            o.bytes(def);
            int[] anchors = f.anchorsNoCopy();
            o.u32(anchors.length);
            for (int a : anchors) {
                o.varint(a);
            }
        }
        o.u32(f.tensors().size());
        for (FingerprintTensor t : f.tensors()) {
            o.str(t.name());
            TensorAddress a = t.address();
            o.str(a.component().name());
            o.str(a.component().kind().name());
            o.i32(a.layer() == null ? -1 : a.layer());
            o.str(a.role().name());
            o.i32(a.expert() == null ? Integer.MIN_VALUE : a.expert());
            o.str(a.part().name());
            o.str(t.dtype());
            long[] dims = t.shape().dims();
            o.u8(dims.length);
            for (long d : dims) {
                o.u64(d);
            }
            int flags = (t.rawSha256() != null ? 1 : 0) | (t.canonicalSha256() != null ? 2 : 0);
            o.u8(flags);
            if (t.rawSha256() != null) {
                o.bytes(HexFormat.of().parseHex(t.rawSha256()));
            }
            if (t.canonicalSha256() != null) {
                o.bytes(HexFormat.of().parseHex(t.canonicalSha256()));
            }
            TensorStats s = t.stats();
            if (s == null) {
                o.u8(0);
            } else {
                o.u8(1);
                o.f64(s.mean());
                o.f64(s.std());
                o.f64(s.rms());
                o.f64(s.min());
                o.f64(s.max());
                o.u64(s.nonFinite());
                o.u8(s.constant() ? 1 : 0);
            }
            Sample sm = t.sample();
            if (sm == null) {
                o.u8(0);
                continue;
            }
            o.u8(1);
            o.u8(sm.rowSource() == RowSource.ANCHORS ? 1 : 0);
            int[] rows = sm.rowsNoCopy();
            o.u32(rows.length);
            writeIndices(o, rows, sm.rowSource() == RowSource.DIMENSION);
            int[] cols = sm.colsNoCopy();
            o.u32(cols.length);
            writeIndices(o, cols, true);
            float[] v = sm.valuesNoCopy();
            boolean half = t.shape().rank() >= 2;
            o.u8(half ? 1 : 0);
            if (half) {
                float scale = 0;
                for (float x : v) {
                    if (Float.isFinite(x)) {
                        scale = Math.max(scale, Math.abs(x));
                    }
                }
                if (scale == 0) {
                    scale = 1;
                }
                o.f32(scale);
                for (float x : v) {
                    o.u16(Float.floatToFloat16(x / scale) & 0xFFFF);
                }
            } else {
                for (float x : v) {
                    o.f32(x);
                }
            }
            if (version >= Fingerprint.FORMAT_VERSION_ROW_NORMS) {
                float[] norms = sm.rowNormsNoCopy();
                o.u8(norms == null ? 0 : 1);
                if (norms != null) {
                    for (float x : norms) {
                        o.f32(x);
                    }
                }
            }
        }
        o.u32(f.warnings().size());
        for (String w : f.warnings()) {
            o.str(w);
        }
        byte[] body = o.toByteArray();
        ByteBuffer file = ByteBuffer.allocate(HEADER_BYTES + body.length).order(ByteOrder.LITTLE_ENDIAN);
        file.put(MAGIC);
        file.putInt(version);
        file.putInt(0);
        file.putLong(body.length);
        file.put(sha256(body, 0, body.length));
        file.put(body);
        return file.array();
    }

    private static void writeIndices(Out o, int[] idx, boolean delta) {
        int prev = -1;
        for (int i : idx) {
            o.varint(delta ? i - prev - 1 : i);
            prev = i;
        }
    }

    private static byte[] deflate(byte[] raw) {
        Deflater d = new Deflater(9, true);
        try {
            d.setInput(raw);
            d.finish();
            ByteArrayOutputStream bo = new ByteArrayOutputStream(Math.max(64, raw.length / 2));
            byte[] buf = new byte[65536];
            while (!d.finished()) {
                int n = d.deflate(buf);
                bo.write(buf, 0, n);
            }
            return bo.toByteArray();
        } finally {
            d.end();
        }
    }

    // ------------------------------------------------------------------ reading

    /** Reads and checks a fingerprint file. */
    public static Fingerprint read(Path file) throws IOException, ModelFormatException {
        long size = Files.size(file);
        if (size > Integer.MAX_VALUE - 16) {
            throw new CorruptModelException(file.toString(), 0, "fingerprint file of " + size + " bytes is too large");
        }
        return decode(Files.readAllBytes(file), file.toString());
    }

    /**
     * Decodes a fingerprint from bytes.
     *
     * @param source names the input in errors
     * @throws CorruptModelException if the bytes are not a valid fingerprint (named offset)
     * @throws UnsupportedModelException if the format version is newer than this reader
     */
    public static Fingerprint decode(byte[] bytes, String source) throws ModelFormatException {
        MemorySegment seg = MemorySegment.ofArray(bytes);
        SegmentReader r = new SegmentReader(source, seg);
        byte[] magic = r.bytes(8, "fingerprint magic");
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new CorruptModelException(source, 0, "not a Pedigree fingerprint: bad magic");
        }
        long version = r.u32("format version");
        if (version != Fingerprint.FORMAT_VERSION && version != Fingerprint.FORMAT_VERSION_ROW_NORMS) {
            throw new UnsupportedModelException(
                    source,
                    8,
                    "fingerprint format version " + version + " (this reader knows " + Fingerprint.FORMAT_VERSION
                            + " and " + Fingerprint.FORMAT_VERSION_ROW_NORMS + ")");
        }
        long reserved = r.u32("reserved");
        if (reserved != 0) {
            throw r.corruptAt(12, "reserved field is " + reserved + ", expected 0");
        }
        long bodyLen = r.u64("body length");
        if (bodyLen != bytes.length - (long) HEADER_BYTES) {
            throw r.corruptAt(
                    16,
                    "body length " + bodyLen + " but " + Math.max(0, bytes.length - HEADER_BYTES)
                            + " bytes follow the header");
        }
        byte[] expected = r.bytes(32, "body sha256");
        byte[] actual = sha256(bytes, HEADER_BYTES, (int) bodyLen);
        if (!MessageDigest.isEqual(expected, actual)) {
            throw r.corruptAt(
                    24,
                    "content sha256 mismatch: header says " + HexFormat.of().formatHex(expected) + ", body hashes to "
                            + HexFormat.of().formatHex(actual));
        }
        return parseBody(r, source, (int) version);
    }

    private static Fingerprint parseBody(SegmentReader r, String source, int version) throws ModelFormatException {
        String src = str(r, "source");
        String format = str(r, "format");
        String arch = ostr(r, "architecture");
        String hArch = ostr(r, "hints architecture");
        Integer hidden = oi32(r, "hidden size");
        Integer heads = oi32(r, "heads");
        Integer kv = oi32(r, "kv heads");
        Integer headDim = oi32(r, "head dim");
        Integer inter = oi32(r, "intermediate size");
        Integer layers = oi32(r, "layers");
        long tiedPos = r.position();
        int tiedCode = r.u8("tied embeddings");
        if (tiedCode > 2) {
            throw r.corruptAt(tiedPos, "tied-embeddings code " + tiedCode + " (expected 0, 1 or 2)");
        }
        Boolean tied = tiedCode == 0 ? null : tiedCode == 2;
        long params = nonNegative(r, r.u64("parameters"), "parameters");
        long modelBytes = nonNegative(r, r.u64("model bytes"), "model bytes");
        long unitsPos = r.position();
        long units = r.u32("units");
        if (units < 1 || units > 1 << 20) {
            throw r.corruptAt(unitsPos, "units per dimension " + units + " out of range");
        }
        long seed = r.u64("seed");
        long hasTokPos = r.position();
        int hasTok = r.u8("tokenizer flag");
        TokenizerType type = null;
        int vocabSize = 0;
        List<String> keys = new ArrayList<>();
        int[] anchors = new int[0];
        if (hasTok > 1) {
            throw r.corruptAt(hasTokPos, "tokenizer flag " + hasTok);
        }
        if (hasTok == 1) {
            long typePos = r.position();
            String tn = str(r, "tokenizer type");
            try {
                type = TokenizerType.valueOf(tn);
            } catch (IllegalArgumentException e) {
                throw r.corruptAt(typePos, "unknown tokenizer type " + tn);
            }
            vocabSize = (int) boundedCount(r, r.u32("vocabulary size"), Integer.MAX_VALUE, "vocabulary size");
            long nKeysPos = r.position();
            long nKeys = r.u32("regular key count");
            long inflatedPos = r.position();
            long inflated = r.u32("inflated key bytes");
            long deflated = r.u32("deflated key bytes");
            if (inflated > MAX_INFLATED) {
                throw r.corruptAt(
                        inflatedPos,
                        "inflated key section of " + inflated + " bytes exceeds the limit of " + MAX_INFLATED
                                + " bytes");
            }
            if (inflated < nKeys) {
                throw r.corruptAt(inflatedPos, "inflated key section of " + inflated + " bytes for " + nKeys + " keys");
            }
            long defPos = r.absolutePosition();
            byte[] def = r.bytes(deflated, "deflated token keys");
            if (inflated > Math.max(1024, deflated * 1100L)) {
                throw r.corruptAt(
                        inflatedPos,
                        "inflated key section of " + inflated + " bytes cannot come from " + deflated
                                + " deflated bytes");
            }
            byte[] raw = inflate(def, (int) inflated, source, defPos);
            SegmentReader kr = new SegmentReader(
                    source + " (token keys inflated from offset " + defPos + ")", MemorySegment.ofArray(raw));
            if (nKeys > raw.length) {
                throw r.corruptAt(nKeysPos, nKeys + " keys cannot fit in " + raw.length + " bytes");
            }
            java.util.HashSet<String> seen = new java.util.HashSet<>();
            for (long i = 0; i < nKeys; i++) {
                long len = kr.varint("token key length");
                String k = new String(kr.bytes(len, "token key"), StandardCharsets.ISO_8859_1);
                if (!seen.add(k)) {
                    throw kr.corrupt("duplicate token key #" + i);
                }
                keys.add(k);
            }
            if (kr.hasRemaining()) {
                throw kr.corrupt(kr.remaining() + " bytes after the last token key");
            }
            long nAnchorsPos = r.position();
            long nAnchors = r.u32("anchor count");
            if (nAnchors > r.remaining() || nAnchors > nKeys) {
                throw r.corruptAt(nAnchorsPos, nAnchors + " anchors for " + nKeys + " keys");
            }
            anchors = new int[(int) nAnchors];
            for (int i = 0; i < nAnchors; i++) {
                long p = r.position();
                long a = r.varint("anchor index");
                if (a >= nKeys) {
                    throw r.corruptAt(p, "anchor index " + a + " out of range (" + nKeys + " keys)");
                }
                anchors[i] = (int) a;
            }
        }
        long nTensorsPos = r.position();
        long nTensors = r.u32("tensor count");
        if (nTensors > r.remaining() / 40) {
            throw r.corruptAt(nTensorsPos, nTensors + " tensors cannot fit in the " + r.remaining() + " bytes left");
        }
        List<FingerprintTensor> tensors = new ArrayList<>((int) nTensors);
        for (long i = 0; i < nTensors; i++) {
            tensors.add(tensor(r, anchors.length, version));
        }
        long nWarnPos = r.position();
        long nWarn = r.u32("warning count");
        if (nWarn > r.remaining() / 4) {
            throw r.corruptAt(nWarnPos, nWarn + " warnings cannot fit in the " + r.remaining() + " bytes left");
        }
        List<String> warnings = new ArrayList<>();
        for (long i = 0; i < nWarn; i++) {
            warnings.add(str(r, "warning"));
        }
        if (r.hasRemaining()) {
            throw r.corrupt(r.remaining() + " unexpected bytes after the last section");
        }
        try {
            return new Fingerprint(
                    src,
                    format,
                    arch,
                    new ArchitectureHints(hArch, hidden, heads, kv, headDim, inter, layers, tied),
                    params,
                    modelBytes,
                    (int) units,
                    seed,
                    type,
                    vocabSize,
                    keys,
                    anchors,
                    tensors,
                    warnings);
        } catch (IllegalArgumentException e) {
            throw new CorruptModelException(source, HEADER_BYTES, "inconsistent fingerprint: " + e.getMessage());
        }
    }

    private static FingerprintTensor tensor(SegmentReader r, int anchorCount, int version) throws ModelFormatException {
        long start = r.position();
        String name = str(r, "tensor name");
        String comp = str(r, "component name");
        long kindPos = r.position();
        String kind = str(r, "component kind");
        int layer = r.i32("layer");
        long rolePos = r.position();
        String role = str(r, "role");
        int expert = r.i32("expert");
        long partPos = r.position();
        String part = str(r, "part");
        String dtype = str(r, "dtype");
        TensorAddress address;
        try {
            ComponentKind k = enumValue(ComponentKind.class, kind, r, kindPos);
            Role ro = enumValue(Role.class, role, r, rolePos);
            Part pa = enumValue(Part.class, part, r, partPos);
            if (layer < -1) {
                throw r.corruptAt(kindPos, "negative layer " + layer);
            }
            address = new TensorAddress(
                    new Component(comp, k),
                    layer == -1 ? null : layer,
                    ro,
                    expert == Integer.MIN_VALUE ? null : expert,
                    pa);
        } catch (IllegalArgumentException e) {
            throw r.corruptAt(start, "invalid tensor address: " + e.getMessage());
        }
        long rankPos = r.position();
        int rank = r.u8("rank");
        if (rank > Shape.MAX_RANK) {
            throw r.corruptAt(rankPos, "rank " + rank + " exceeds " + Shape.MAX_RANK);
        }
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) {
            long p = r.position();
            dims[i] = r.u64("dimension");
            if (dims[i] < 0 || dims[i] > Integer.MAX_VALUE) {
                throw r.corruptAt(p, "dimension " + Long.toUnsignedString(dims[i]) + " out of range");
            }
        }
        Shape shape;
        try {
            shape = Shape.of(dims);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw r.corruptAt(rankPos, "shape overflows: " + e.getMessage());
        }
        long flagsPos = r.position();
        int flags = r.u8("hash flags");
        if ((flags & ~3) != 0) {
            throw r.corruptAt(flagsPos, "hash flags " + flags);
        }
        String raw = (flags & 1) != 0 ? HexFormat.of().formatHex(r.bytes(32, "raw sha256")) : null;
        String canonical = (flags & 2) != 0 ? HexFormat.of().formatHex(r.bytes(32, "canonical sha256")) : null;
        long statsPos = r.position();
        int hasStats = r.u8("stats flag");
        TensorStats stats = null;
        if (hasStats > 1) {
            throw r.corruptAt(statsPos, "stats flag " + hasStats);
        }
        if (hasStats == 1) {
            double mean = r.f64("mean");
            double std = r.f64("std");
            double rms = r.f64("rms");
            double min = r.f64("min");
            double max = r.f64("max");
            long nonFinite = nonNegative(r, r.u64("non-finite count"), "non-finite count");
            long cPos = r.position();
            int constant = r.u8("constant flag");
            if (constant > 1) {
                throw r.corruptAt(cPos, "constant flag " + constant);
            }
            stats = new TensorStats(mean, std, rms, min, max, nonFinite, constant == 1);
        }
        long samplePos = r.position();
        int hasSample = r.u8("sample flag");
        if (hasSample > 1) {
            throw r.corruptAt(samplePos, "sample flag " + hasSample);
        }
        Sample sample = null;
        if (hasSample == 1) {
            long srcPos = r.position();
            int src = r.u8("row source");
            if (src > 1) {
                throw r.corruptAt(srcPos, "row source " + src);
            }
            RowSource rs = src == 1 ? RowSource.ANCHORS : RowSource.DIMENSION;
            long[] rc = RestrictedTensor.matrixShape(shape);
            long nRowsPos = r.position();
            long nRows = r.u32("sampled rows");
            if (nRows > r.remaining()
                    || (rs == RowSource.ANCHORS && nRows != anchorCount)
                    || (rs == RowSource.DIMENSION && nRows > rc[0])) {
                throw r.corruptAt(nRowsPos, nRows + " sampled rows of a " + shape + " tensor");
            }
            if (rs == RowSource.ANCHORS && (shape.rank() != 2)) {
                throw r.corruptAt(srcPos, "anchor rows for a tensor of rank " + shape.rank());
            }
            int[] rows = indices(
                    r,
                    (int) nRows,
                    rs == RowSource.DIMENSION,
                    rs == RowSource.ANCHORS ? Integer.MAX_VALUE : rc[0],
                    "sampled row");
            long nColsPos = r.position();
            long nCols = r.u32("sampled columns");
            if (nCols > r.remaining() || nCols > rc[1]) {
                throw r.corruptAt(nColsPos, nCols + " sampled columns of a " + shape + " tensor");
            }
            int[] cols = indices(r, (int) nCols, true, rc[1], "sampled column");
            long encPos = r.position();
            int enc = r.u8("encoding");
            boolean half = shape.rank() >= 2;
            if (enc != (half ? 1 : 0)) {
                throw r.corruptAt(encPos, "encoding " + enc + " for a tensor of rank " + shape.rank());
            }
            long n = Math.multiplyExact(nRows, nCols);
            float[] v;
            if (half) {
                long scalePos = r.position();
                float scale = r.f32("scale");
                if (!(scale > 0) || !Float.isFinite(scale)) {
                    throw r.corruptAt(scalePos, "scale " + scale);
                }
                r.require(n * 2, "float16 values");
                v = new float[(int) n];
                for (int i = 0; i < n; i++) {
                    v[i] = Float.float16ToFloat((short) r.u16("value")) * scale;
                }
            } else {
                r.require(n * 4, "float32 values");
                v = new float[(int) n];
                for (int i = 0; i < n; i++) {
                    v[i] = r.f32("value");
                }
            }
            float[] norms = null;
            if (version >= Fingerprint.FORMAT_VERSION_ROW_NORMS) {
                long normsPos = r.position();
                int hasNorms = r.u8("row norms flag");
                if (hasNorms > 1) {
                    throw r.corruptAt(normsPos, "row norms flag " + hasNorms);
                }
                if (hasNorms == 1) {
                    r.require(nRows * 4, "float32 row norms");
                    norms = new float[(int) nRows];
                    for (int i = 0; i < nRows; i++) {
                        long p = r.position();
                        norms[i] = r.f32("row norm");
                        if (!(norms[i] >= 0) || Float.isInfinite(norms[i])) {
                            throw r.corruptAt(p, "row norm " + norms[i]);
                        }
                    }
                }
            }
            sample = new Sample(rs, rows, cols, v, norms);
        }
        return new FingerprintTensor(name, address, dtype, shape, raw, canonical, stats, sample);
    }

    private static int[] indices(SegmentReader r, int n, boolean delta, long bound, String what)
            throws CorruptModelException {
        int[] out = new int[n];
        long prev = -1;
        for (int i = 0; i < n; i++) {
            long p = r.position();
            long x = r.varint(what);
            long v = delta ? prev + 1 + x : x;
            if (x < 0 || v < 0 || v >= bound || v > Integer.MAX_VALUE) {
                throw r.corruptAt(p, what + " index " + v + " out of range [0, " + bound + ")");
            }
            out[i] = (int) v;
            prev = v;
        }
        return out;
    }

    private static <E extends Enum<E>> E enumValue(Class<E> type, String name, SegmentReader r, long pos)
            throws CorruptModelException {
        try {
            return Enum.valueOf(type, name);
        } catch (IllegalArgumentException e) {
            throw r.corruptAt(pos, "unknown " + type.getSimpleName() + " " + name);
        }
    }

    private static long nonNegative(SegmentReader r, long v, String what) throws CorruptModelException {
        if (v < 0) {
            throw r.corruptAt(r.position() - 8, what + " " + Long.toUnsignedString(v) + " out of range");
        }
        return v;
    }

    private static long boundedCount(SegmentReader r, long v, long max, String what) throws CorruptModelException {
        if (v > max) {
            throw r.corruptAt(r.position() - 4, what + " " + v + " out of range");
        }
        return v;
    }

    private static String str(SegmentReader r, String what) throws CorruptModelException {
        long n = r.u32(what + " length");
        return r.utf8(n, what);
    }

    private static String ostr(SegmentReader r, String what) throws CorruptModelException {
        long p = r.position();
        int n = r.i32(what + " length");
        if (n == -1) {
            return null;
        }
        if (n < 0) {
            throw r.corruptAt(p, what + " length " + n);
        }
        return r.utf8(n, what);
    }

    private static Integer oi32(SegmentReader r, String what) throws CorruptModelException {
        long p = r.position();
        int present = r.u8(what + " flag");
        if (present > 1) {
            throw r.corruptAt(p, what + " flag " + present);
        }
        int v = r.i32(what);
        return present == 1 ? v : null;
    }

    private static byte[] inflate(byte[] def, int inflated, String source, long offset) throws CorruptModelException {
        Inflater inf = new Inflater(true);
        try {
            inf.setInput(def);
            // The claimed size is only a bound: a 1 KB pack may claim far more than it holds, so the buffer grows with
            // what actually inflates.
            byte[] out = new byte[Math.min(inflated, INFLATE_START)];
            int n = 0;
            while (n < inflated) {
                if (n == out.length) {
                    out = java.util.Arrays.copyOf(out, (int) Math.min(inflated, 2L * out.length));
                }
                int k = inf.inflate(out, n, out.length - n);
                if (k == 0) {
                    if (inf.finished() || inf.needsInput() || inf.needsDictionary()) {
                        break;
                    }
                }
                n += k;
            }
            if (n != inflated) {
                throw new CorruptModelException(
                        source, offset, "token keys inflate to " + n + " bytes, header says " + inflated);
            }
            if (!inf.finished()) {
                // Must end exactly here: one more byte would mean the header undercounts.
                byte[] one = new byte[1];
                if (inf.inflate(one) > 0 || !inf.finished()) {
                    throw new CorruptModelException(
                            source,
                            offset,
                            "token keys inflate to more than the " + inflated + " bytes the header says");
                }
            }
            return out;
        } catch (DataFormatException e) {
            throw new CorruptModelException(
                    source, offset, "token keys are not valid DEFLATE data: " + e.getMessage(), e);
        } finally {
            inf.end();
        }
    }

    // ------------------------------------------------------------------ helpers

    static byte[] sha256(byte[] b, int off, int len) {
        MessageDigest md = Sha256.digest();
        md.update(b, off, len);
        return md.digest();
    }

    /** Hex SHA-256 of bytes. */
    public static String sha256Hex(byte[] b) {
        return HexFormat.of().formatHex(sha256(b, 0, b.length));
    }

    /** Growable little-endian output. */
    private static final class Out {
        private byte[] buf = new byte[4096];
        private int n;

        private void ensure(int k) {
            if (n + k > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + k));
            }
        }

        void u8(int v) {
            ensure(1);
            buf[n++] = (byte) v;
        }

        void u16(int v) {
            ensure(2);
            buf[n++] = (byte) v;
            buf[n++] = (byte) (v >>> 8);
        }

        void i32(int v) {
            ensure(4);
            for (int i = 0; i < 4; i++) {
                buf[n++] = (byte) (v >>> (8 * i));
            }
        }

        void u32(long v) {
            if (v < 0 || v > 0xFFFFFFFFL) {
                throw new IllegalArgumentException("u32 out of range: " + v);
            }
            i32((int) v);
        }

        void u64(long v) {
            ensure(8);
            for (int i = 0; i < 8; i++) {
                buf[n++] = (byte) (v >>> (8 * i));
            }
        }

        void f32(float v) {
            i32(Float.floatToRawIntBits(v));
        }

        void f64(double v) {
            u64(Double.doubleToRawLongBits(v));
        }

        void varint(long v) {
            if (v < 0) {
                throw new IllegalArgumentException("negative varint " + v);
            }
            while (true) {
                if ((v & ~0x7FL) == 0) {
                    u8((int) v);
                    return;
                }
                u8((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
        }

        void bytes(byte[] b) {
            ensure(b.length);
            System.arraycopy(b, 0, buf, n, b.length);
            n += b.length;
        }

        void str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            u32(b.length);
            bytes(b);
        }

        void ostr(String s) {
            if (s == null) {
                i32(-1);
            } else {
                byte[] b = s.getBytes(StandardCharsets.UTF_8);
                i32(b.length);
                bytes(b);
            }
        }

        void oi32(Integer v) {
            u8(v == null ? 0 : 1);
            i32(v == null ? 0 : v);
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf, n);
        }
    }
}
