package dev.pedigree.format.safetensors;

import com.fasterxml.jackson.core.JsonEncoding;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.pedigree.model.DType;
import dev.pedigree.model.Shape;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * Writes safetensors files the way the reference writer does: the JSON header (with
 * {@code __metadata__} first) padded with spaces to a multiple of 8 bytes, then the tensors back
 * to back, sorted by dtype in the reference's descending order (wider types first) and then by
 * name, so every tensor is naturally aligned and the output is byte-for-byte what the reference
 * writer produces for the same tensors. Also writes sharded sets with their
 * {@code <stem>.safetensors.index.json}.
 *
 * <p>Used by tests and simulators to produce files with known contents. Mutable and not
 * thread-safe; the tensor bytes are copied in, so callers may reuse their arrays.
 */
public final class SafetensorsWriter {
    private static final JsonFactory JSON = new JsonFactory();

    private final Map<String, Entry> entries = new LinkedHashMap<>();
    private final Map<String, String> metadata = new LinkedHashMap<>();

    /**
     * One tensor to write.
     *
     * @param name tensor name (not {@code __metadata__})
     * @param dtype storage type; must be one safetensors stores
     * @param shape PyTorch-order shape
     * @param data little-endian stored bytes, exactly {@code prod(shape) * bits / 8} of them
     */
    public record Entry(String name, DType dtype, Shape shape, byte[] data) {
        public Entry {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(shape, "shape");
            if (name.equals(SafetensorsHeader.METADATA_KEY)) {
                throw new IllegalArgumentException("tensor name " + name + " is reserved");
            }
            long expected = SafetensorsDType.of(dtype).byteSizeFor(shape.elementCount());
            if (expected != data.length) {
                throw new IllegalArgumentException(name + ": " + data.length + " bytes for shape " + shape + " of "
                        + dtype + " (expected " + expected + ")");
            }
            data = data.clone();
        }

        @Override
        public byte[] data() {
            return data.clone();
        }

        int writeRank() {
            return SafetensorsDType.of(dtype).ordinal();
        }
    }

    /** An empty writer. */
    public SafetensorsWriter() {}

    /** Adds a {@code __metadata__} entry. */
    public SafetensorsWriter metadata(String key, String value) {
        metadata.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /**
     * Adds a tensor from its stored bytes.
     *
     * @throws IllegalArgumentException if the name is taken or the byte count does not match
     */
    public SafetensorsWriter add(String name, DType dtype, Shape shape, byte[] data) {
        return add(new Entry(name, dtype, shape, data));
    }

    /**
     * Adds a tensor from float values, encoded with {@link ElementEncoder} (round to nearest even).
     *
     * @throws IllegalArgumentException if the name is taken, the count does not match the shape or
     *     the dtype has no float encoding
     */
    public SafetensorsWriter add(String name, DType dtype, Shape shape, float[] values) {
        if (values.length != shape.elementCount()) {
            throw new IllegalArgumentException(name + ": " + values.length + " values for shape " + shape);
        }
        return add(new Entry(name, dtype, shape, ElementEncoder.encode(dtype, values)));
    }

    /** Adds a tensor. */
    public SafetensorsWriter add(Entry e) {
        if (entries.putIfAbsent(e.name(), e) != null) {
            throw new IllegalArgumentException("duplicate tensor " + e.name());
        }
        return this;
    }

    /** The tensors in the order they are written: the reference's descending dtype order, then name. */
    public List<Entry> entries() {
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort(Comparator.comparingInt(Entry::writeRank).reversed().thenComparing(Entry::name));
        return sorted;
    }

    /** The whole file in memory (for small files: tests, fuzzing). */
    public byte[] toBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            writeFile(out, entries(), metadata);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes one file, replacing any existing one. */
    public void write(Path file) throws IOException {
        try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(file), 1 << 16)) {
            writeFile(out, entries(), metadata);
        }
    }

    /**
     * Writes a sharded set into {@code dir}: {@code <stem>-00001-of-0000N.safetensors} files, each
     * taking tensors in write order until adding the next would exceed {@code maxShardBytes} (a
     * larger tensor gets a shard of its own), and {@code <stem>.safetensors.index.json} with
     * {@code metadata.total_size} and a {@code weight_map} sorted by name. Each shard carries the
     * {@code __metadata__}.
     *
     * @return the index file
     */
    public Path writeSharded(Path dir, String stem, long maxShardBytes) throws IOException {
        if (maxShardBytes <= 0) {
            throw new IllegalArgumentException("maxShardBytes " + maxShardBytes);
        }
        List<List<Entry>> shards = new ArrayList<>();
        List<Entry> current = new ArrayList<>();
        long currentBytes = 0;
        for (Entry e : entries()) {
            if (!current.isEmpty() && currentBytes + e.data.length > maxShardBytes) {
                shards.add(current);
                current = new ArrayList<>();
                currentBytes = 0;
            }
            current.add(e);
            currentBytes += e.data.length;
        }
        if (!current.isEmpty() || shards.isEmpty()) {
            shards.add(current);
        }
        Files.createDirectories(dir);
        Map<String, String> weightMap = new TreeMap<>();
        long total = 0;
        for (int i = 0; i < shards.size(); i++) {
            String shardName =
                    String.format(java.util.Locale.ROOT, "%s-%05d-of-%05d.safetensors", stem, i + 1, shards.size());
            try (OutputStream out =
                    new java.io.BufferedOutputStream(Files.newOutputStream(dir.resolve(shardName)), 1 << 16)) {
                writeFile(out, shards.get(i), metadata);
            }
            for (Entry e : shards.get(i)) {
                weightMap.put(e.name(), shardName);
                total += e.data.length;
            }
        }
        Path index = dir.resolve(stem + ".safetensors.index.json");
        try (OutputStream out = Files.newOutputStream(index);
                JsonGenerator g = JSON.createGenerator(out, JsonEncoding.UTF8)) {
            g.useDefaultPrettyPrinter();
            g.writeStartObject();
            g.writeObjectFieldStart("metadata");
            g.writeNumberField("total_size", total);
            g.writeEndObject();
            g.writeObjectFieldStart("weight_map");
            for (Map.Entry<String, String> e : weightMap.entrySet()) {
                g.writeStringField(e.getKey(), e.getValue());
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        return index;
    }

    private static void writeFile(OutputStream out, List<Entry> tensors, Map<String, String> metadata)
            throws IOException {
        ByteArrayOutputStream json = new ByteArrayOutputStream();
        try (JsonGenerator g = JSON.createGenerator(json, JsonEncoding.UTF8)) {
            g.writeStartObject();
            if (!metadata.isEmpty()) {
                g.writeObjectFieldStart(SafetensorsHeader.METADATA_KEY);
                for (Map.Entry<String, String> m : metadata.entrySet()) {
                    g.writeStringField(m.getKey(), m.getValue());
                }
                g.writeEndObject();
            }
            long offset = 0;
            for (Entry e : tensors) {
                g.writeObjectFieldStart(e.name());
                g.writeStringField("dtype", SafetensorsDType.of(e.dtype()).headerName());
                g.writeArrayFieldStart("shape");
                for (long d : e.shape().dims()) {
                    g.writeNumber(d);
                }
                g.writeEndArray();
                g.writeArrayFieldStart("data_offsets");
                g.writeNumber(offset);
                g.writeNumber(offset + e.data.length);
                g.writeEndArray();
                g.writeEndObject();
                offset += e.data.length;
            }
            g.writeEndObject();
        }
        int pad = (8 - json.size() % 8) % 8;
        for (int i = 0; i < pad; i++) {
            json.write(' ');
        }
        out.write(ByteBuffer.allocate(8)
                .order(ByteOrder.LITTLE_ENDIAN)
                .putLong(json.size())
                .array());
        json.writeTo(out);
        for (Entry e : tensors) {
            out.write(e.data);
        }
    }
}
