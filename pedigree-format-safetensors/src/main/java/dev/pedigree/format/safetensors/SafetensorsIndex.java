package dev.pedigree.format.safetensors;

import com.fasterxml.jackson.core.JsonToken;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.io.json.JsonCursor;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A sharded checkpoint's index ({@code model.safetensors.index.json}):
 *
 * <pre>
 * {"metadata": {"total_size": &lt;sum of tensor bytes&gt;, ...},
 *  "weight_map": {"&lt;tensor&gt;": "model-00001-of-00004.safetensors", ...}}
 * </pre>
 *
 * Immutable.
 *
 * @param source description of the index file
 * @param weightMap tensor name to shard file name, in file order
 * @param entryOffsets tensor name to the absolute offset of its weight_map entry (for errors)
 * @param metadata scalar values of the {@code metadata} object (numbers as {@code Long} or
 *     {@code Double}, strings, booleans); nested values are left out
 * @param totalSize {@code metadata.total_size} when it is a non-negative integer, else null
 */
public record SafetensorsIndex(
        String source,
        Map<String, String> weightMap,
        Map<String, Long> entryOffsets,
        Map<String, Object> metadata,
        Long totalSize) {

    /** Largest index file accepted; real ones are a few megabytes even for 600B-parameter models. */
    public static final long MAX_INDEX_LENGTH = 100_000_000L;

    public SafetensorsIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
        entryOffsets = Collections.unmodifiableMap(new LinkedHashMap<>(entryOffsets));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /**
     * Parses an index file.
     *
     * @throws CorruptModelException if it is not a JSON object with a {@code weight_map} of
     *     strings, has duplicate keys or exceeds {@link #MAX_INDEX_LENGTH}
     */
    public static SafetensorsIndex read(ByteSource src) throws IOException, ModelFormatException {
        String source = src.description();
        long size = src.size();
        if (size > MAX_INDEX_LENGTH) {
            throw new CorruptModelException(
                    source, 0, "index of " + size + " bytes exceeds the limit of " + MAX_INDEX_LENGTH);
        }
        byte[] json = src.readBytes(0, (int) size);
        Map<String, String> weightMap = null;
        Map<String, Long> offsets = new LinkedHashMap<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        Long totalSize = null;
        try (JsonCursor c = JsonCursor.over(source, json, 0)) {
            c.expectNext(JsonToken.START_OBJECT, "index");
            for (JsonToken t = c.next(); t != JsonToken.END_OBJECT; t = c.next()) {
                String key = c.name();
                switch (key) {
                    case "weight_map" -> {
                        c.expectNext(JsonToken.START_OBJECT, "weight_map");
                        weightMap = new LinkedHashMap<>();
                        for (t = c.next(); t != JsonToken.END_OBJECT; t = c.next()) {
                            String tensor = c.name();
                            long at = c.offset();
                            c.expectNext(JsonToken.VALUE_STRING, "shard of '" + tensor + "'");
                            weightMap.put(tensor, c.text());
                            offsets.put(tensor, at);
                        }
                    }
                    case "metadata" -> {
                        t = c.next();
                        if (t == JsonToken.START_OBJECT) {
                            for (t = c.next(); t != JsonToken.END_OBJECT; t = c.next()) {
                                String k = c.name();
                                JsonToken v = c.next();
                                switch (v) {
                                    case VALUE_STRING -> metadata.put(k, c.text());
                                    case VALUE_TRUE, VALUE_FALSE -> metadata.put(k, v == JsonToken.VALUE_TRUE);
                                    case VALUE_NUMBER_INT -> {
                                        Long n = c.longValueOrNull();
                                        metadata.put(k, n != null ? n : c.text());
                                        if (k.equals("total_size") && n != null && n >= 0) {
                                            totalSize = n;
                                        }
                                    }
                                    case VALUE_NUMBER_FLOAT -> metadata.put(k, Double.valueOf(c.text()));
                                    default -> c.skipValue("metadata value '" + k + "'");
                                }
                            }
                        } else {
                            c.skipValue("'" + key + "'");
                        }
                    }
                    default -> {
                        c.next();
                        c.skipValue("'" + key + "'");
                    }
                }
            }
            if (c.next() != null) {
                throw c.corrupt("unexpected content after the index object");
            }
        }
        if (weightMap == null) {
            throw new CorruptModelException(source, 0, "index has no weight_map");
        }
        return new SafetensorsIndex(source, weightMap, offsets, metadata, totalSize);
    }
}
