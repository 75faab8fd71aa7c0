package dev.pedigree.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.pedigree.fingerprint.Fingerprint;
import dev.pedigree.fingerprint.FingerprintCodec;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.UnsupportedModelException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;

/**
 * Portable fingerprint packs: a zip holding {@code manifest.json} and one
 * {@code fingerprints/NNNN.pfp} file per model. The manifest
 * ({@code "schema": "pedigree/registry-pack/v1"}) lists each entry's metadata, file, size and
 * SHA-256. Writing is deterministic (fixed entry times, manifest in registry order). Reading checks
 * every size against fixed caps, every hash against the manifest and every fingerprint's own
 * integrity hash before returning anything; a mismatch refuses the pack and names the entry.
 *
 * <p>The whole pack is held on the heap while it is checked, so reading bounds what a small hostile
 * zip can make it hold: {@link #MAX_ENTRIES} entries (directories included), {@link
 * #MAX_ENTRY_BYTES} per entry, half the heap ({@link #maxTotalBytes()}) in all, and no entry may
 * inflate more than {@link #MAX_INFLATION} times the compressed bytes it was read from (a zip bomb
 * of 600 KB held all it inflated to before). A truncated or damaged zip is one error naming the
 * pack, the entry and how far it got. Stateless.
 */
public final class RegistryPack {
    /** Manifest schema identifier. */
    public static final String SCHEMA = "pedigree/registry-pack/v1";
    /** Largest entry accepted. */
    static final long MAX_ENTRY_BYTES = 256L << 20;
    /** Most entries accepted, directories included. */
    static final int MAX_ENTRIES = 200_000;
    /**
     * Most an entry may inflate per compressed byte read: deflate cannot exceed about 1,032, and
     * fingerprints (sampled floats and hashes) compress less than 2:1.
     */
    static final int MAX_INFLATION = 100;
    /** Inflation below this many bytes is not checked (the zip stream reads ahead in small buffers). */
    private static final long INFLATION_GRACE = 1L << 20;

    /** Uncompressed bytes a pack may hold in all: half the heap, since all of it is held while checked. */
    static long maxTotalBytes() {
        return Runtime.getRuntime().maxMemory() / 2;
    }

    private static final FileTime EPOCH = FileTime.fromMillis(315_532_800_000L); // 1980-01-01, the zip epoch
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private RegistryPack() {}

    /** A checked pack entry. */
    record Item(ModelMetadata metadata, Fingerprint fingerprint, byte[] bytes, String sha256) {}

    static void write(Registry registry, List<RegistryEntry> entries, Path file) throws IOException {
        Path abs = file.toAbsolutePath();
        if (abs.getParent() != null) {
            Files.createDirectories(abs.getParent());
        }
        Path tmp = Files.createTempFile(abs.getParent(), abs.getFileName().toString(), ".part");
        try {
            try (OutputStream os = Files.newOutputStream(tmp);
                    ZipOutputStream zip = new ZipOutputStream(os)) {
                List<Object> list = new ArrayList<>();
                List<byte[]> datas = new ArrayList<>();
                for (int i = 0; i < entries.size(); i++) {
                    RegistryEntry e = entries.get(i);
                    byte[] data = registry.fingerprintBytes(e.name());
                    datas.add(data);
                    Map<String, Object> m = new LinkedHashMap<>();
                    m.put("name", e.name());
                    m.put("organisation", e.metadata().organisation());
                    m.put("license", e.metadata().license());
                    m.put("revision", e.metadata().revision());
                    m.put("parents", e.metadata().parents());
                    m.put("file", fileName(i));
                    m.put("bytes", data.length);
                    m.put("sha256", FingerprintCodec.sha256Hex(data));
                    list.add(m);
                }
                Map<String, Object> manifest = new LinkedHashMap<>();
                manifest.put("schema", SCHEMA);
                manifest.put("fingerprint_format_version", Fingerprint.FORMAT_VERSION);
                manifest.put("entries", list);
                put(zip, "manifest.json", JSON.writeValueAsBytes(manifest));
                for (int i = 0; i < datas.size(); i++) {
                    put(zip, fileName(i), datas.get(i));
                }
            }
            Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static String fileName(int i) {
        return String.format(java.util.Locale.ROOT, "fingerprints/%05d.pfp", i);
    }

    private static void put(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry e = new ZipEntry(name);
        e.setLastModifiedTime(EPOCH);
        e.setCreationTime(EPOCH);
        e.setLastAccessTime(EPOCH);
        e.setTime(EPOCH.toMillis());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /**
     * Reads and checks a pack.
     *
     * @throws CorruptModelException naming the pack and the entry on any mismatch
     */
    static List<Item> read(Path file) throws IOException, ModelFormatException {
        return read(file, maxTotalBytes());
    }

    /** As {@link #read(Path)} with another cap on the pack's uncompressed bytes (tests use small ones). */
    static List<Item> read(Path file, long maxTotal) throws IOException, ModelFormatException {
        String src = file.toString();
        Map<String, byte[]> files = new HashMap<>();
        long total = 0;
        int count = 0;
        try (CountingInputStream raw = new CountingInputStream(Files.newInputStream(file));
                ZipInputStream zip = new ZipInputStream(raw)) {
            String entryName = null;
            try {
                ZipEntry e;
                while ((e = zip.getNextEntry()) != null) {
                    entryName = e.getName();
                    if (++count > MAX_ENTRIES) {
                        throw new CorruptModelException(
                                src, ModelFormatException.NO_OFFSET, "more than " + MAX_ENTRIES + " entries");
                    }
                    if (e.isDirectory()) {
                        continue;
                    }
                    byte[] data = readCapped(zip, raw, src, entryName, maxTotal - total, maxTotal);
                    total += data.length;
                    if (files.put(entryName, data) != null) {
                        throw new CorruptModelException(
                                src, ModelFormatException.NO_OFFSET, "entry " + entryName + " appears twice");
                    }
                    entryName = null;
                }
            } catch (java.io.EOFException eof) {
                throw new CorruptModelException(
                        where(src, entryName),
                        raw.count(),
                        "the pack is truncated: it ends inside "
                                + (entryName == null ? "a zip header" : "entry " + entryName) + " after " + count
                                + " entries; nothing imported",
                        eof);
            } catch (ZipException ze) {
                throw new CorruptModelException(
                        where(src, entryName),
                        ModelFormatException.NO_OFFSET,
                        "not a valid zip pack: " + ze.getMessage() + "; nothing imported",
                        ze);
            }
        }
        requireEndRecord(file, src, count);
        byte[] manifestBytes = files.get("manifest.json");
        if (manifestBytes == null) {
            throw new CorruptModelException(
                    src,
                    ModelFormatException.NO_OFFSET,
                    "no manifest.json in the pack (" + files.size() + " entries, " + total + " bytes)");
        }
        JsonNode manifest;
        try {
            manifest = JSON.readTree(manifestBytes);
        } catch (IOException je) {
            throw new CorruptModelException(
                    src + "!/manifest.json", ModelFormatException.NO_OFFSET, "invalid JSON: " + je.getMessage(), je);
        }
        if (manifest == null || !SCHEMA.equals(manifest.path("schema").asText(null))) {
            throw new UnsupportedModelException(
                    src + "!/manifest.json",
                    ModelFormatException.NO_OFFSET,
                    "manifest schema "
                            + (manifest == null ? null : manifest.path("schema").asText(null)) + " (expected " + SCHEMA
                            + ")");
        }
        JsonNode entries = manifest.path("entries");
        if (!entries.isArray()) {
            throw new CorruptModelException(
                    src + "!/manifest.json", ModelFormatException.NO_OFFSET, "manifest has no entries array");
        }
        List<Item> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < entries.size(); i++) {
            JsonNode n = entries.get(i);
            String where = src + "!/manifest.json entry " + i;
            String name = text(n, "name", where, true);
            String fileName = text(n, "file", where, true);
            String sha = text(n, "sha256", where, true);
            byte[] data = files.get(fileName);
            if (data == null) {
                throw new CorruptModelException(
                        where,
                        ModelFormatException.NO_OFFSET,
                        "file " + fileName + " of model '" + name + "' is missing from the pack");
            }
            String actual = FingerprintCodec.sha256Hex(data);
            if (!actual.equalsIgnoreCase(sha)) {
                throw new CorruptModelException(
                        src + "!/" + fileName,
                        ModelFormatException.NO_OFFSET,
                        "sha256 mismatch for model '" + name + "': manifest says " + sha + ", entry hashes to " + actual
                                + "; pack refused, nothing imported");
            }
            if (!names.add(name)) {
                throw new CorruptModelException(
                        where, ModelFormatException.NO_OFFSET, "model name '" + name + "' appears twice");
            }
            List<String> parents = new ArrayList<>();
            for (JsonNode p : n.path("parents")) {
                parents.add(p.asText());
            }
            ModelMetadata meta;
            try {
                meta = new ModelMetadata(
                        name,
                        text(n, "organisation", where, false),
                        text(n, "license", where, false),
                        text(n, "revision", where, false),
                        parents);
            } catch (IllegalArgumentException iae) {
                throw new CorruptModelException(where, ModelFormatException.NO_OFFSET, iae.getMessage());
            }
            Fingerprint fp = FingerprintCodec.decode(data, src + "!/" + fileName);
            out.add(new Item(meta, fp, data, actual.toLowerCase(java.util.Locale.ROOT)));
        }
        return out;
    }

    private static String text(JsonNode n, String field, String where, boolean required) throws CorruptModelException {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            if (required) {
                throw new CorruptModelException(where, ModelFormatException.NO_OFFSET, "missing field " + field);
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new CorruptModelException(
                    where, ModelFormatException.NO_OFFSET, "field " + field + " is not a string");
        }
        return v.asText();
    }

    /**
     * The zip's end-of-central-directory record must close the file: the entries are read as a
     * stream, which stops at the first central-directory header, so a pack cut inside its
     * directory would otherwise pass unnoticed.
     */
    private static void requireEndRecord(Path file, String src, int entries) throws IOException, CorruptModelException {
        long size = Files.size(file);
        int tail = (int) Math.min(size, 22 + 0xFFFF);
        byte[] b = new byte[tail];
        try (java.nio.channels.SeekableByteChannel ch = Files.newByteChannel(file)) {
            ch.position(size - tail);
            java.nio.ByteBuffer buf = java.nio.ByteBuffer.wrap(b);
            while (buf.hasRemaining() && ch.read(buf) > 0) {
                // fill
            }
        }
        for (int i = tail - 22; i >= 0; i--) {
            if (b[i] == 'P' && b[i + 1] == 'K' && b[i + 2] == 5 && b[i + 3] == 6) {
                int comment = (b[i + 20] & 0xFF) | (b[i + 21] & 0xFF) << 8;
                if (i + 22 + comment == tail) {
                    return;
                }
            }
        }
        throw new CorruptModelException(
                src,
                size,
                "the pack is truncated: it ends without the zip's end-of-central-directory record (after " + entries
                        + " entries); nothing imported");
    }

    private static String where(String src, String entry) {
        return entry == null ? src : src + "!/" + entry;
    }

    /**
     * The entry's bytes, refused past {@link #MAX_ENTRY_BYTES}, past what is {@code left} of the
     * pack's {@code maxTotal}, or when it inflates more than {@link #MAX_INFLATION} times what was
     * read of the file meanwhile.
     */
    private static byte[] readCapped(
            InputStream in, CountingInputStream raw, String src, String entry, long left, long maxTotal)
            throws IOException, CorruptModelException {
        ByteArrayOutputStream bo = new ByteArrayOutputStream();
        byte[] buf = new byte[65536];
        long start = raw.count();
        long n = 0;
        int k;
        while ((k = in.read(buf)) > 0) {
            n += k;
            if (n > MAX_ENTRY_BYTES) {
                throw new CorruptModelException(
                        src + "!/" + entry,
                        ModelFormatException.NO_OFFSET,
                        "entry larger than " + MAX_ENTRY_BYTES + " bytes");
            }
            if (n > left) {
                throw new CorruptModelException(
                        src + "!/" + entry,
                        ModelFormatException.NO_OFFSET,
                        "the pack inflates to more than " + (maxTotal >> 20)
                                + " MiB (half the heap: the whole pack is checked before anything is imported;"
                                + " a larger heap, PEDIGREE_JAVA_OPTS=-Xmx..., raises it)");
            }
            long compressed = raw.count() - start;
            if (n > INFLATION_GRACE && n > MAX_INFLATION * compressed) {
                throw new CorruptModelException(
                        src + "!/" + entry,
                        ModelFormatException.NO_OFFSET,
                        "entry inflates more than " + MAX_INFLATION + " times its compressed size (" + n
                                + " bytes from " + compressed + "): a zip bomb, not a fingerprint");
            }
            bo.write(buf, 0, k);
        }
        return bo.toByteArray();
    }

    /** Counts the bytes read from the pack file, to measure each entry's inflation. */
    private static final class CountingInputStream extends java.io.FilterInputStream {
        private long count;

        CountingInputStream(InputStream in) {
            super(in);
        }

        long count() {
            return count;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            if (n > 0) {
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long k = super.skip(n);
            count += Math.max(0, k);
            return k;
        }
    }
}
