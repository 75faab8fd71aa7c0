package dev.pedigree.io;

import com.fasterxml.jackson.core.JsonToken;
import dev.pedigree.io.json.JsonCursor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * A Hugging Face sharded checkpoint's index ({@code model.safetensors.index.json}, {@code
 * pytorch_model.bin.index.json}), the one parser of it for local safetensors, local PyTorch and remote repositories:
 *
 * <pre>
 * {"metadata": {"total_size": &lt;sum of tensor bytes&gt;, ...},
 *  "weight_map": {"&lt;tensor&gt;": "model-00001-of-00004.safetensors", ...}}
 * </pre>
 *
 * <p>Shards live beside their index, so every shard name must be a plain file name: one answer, {@link
 * UnsafeModelException} naming the index and the shard, for a name that could reach outside the index's folder (a
 * separator, {@code ..}, an absolute or drive-relative path, a control character), and, for local files, for a shard
 * that is a link to somewhere else ({@link #resolve}). A malformed index or a missing or empty {@code weight_map} is a
 * {@link CorruptModelException}. The JSON is read under {@link dev.pedigree.io.json.JsonLimits}.
 *
 * <p>Immutable and thread-safe.
 *
 * @param source description of the index file
 * @param weightMap tensor name to shard file name, in file order (never empty)
 * @param entryOffsets tensor name to the absolute offset of its weight_map entry (for errors)
 * @param metadata scalar values of the {@code metadata} object (numbers as {@code Long}, {@code Double} or their text
 *     when too large, strings, booleans); nested values are left out
 * @param totalSize {@code metadata.total_size} when it is a non-negative integer, else null
 */
public record ShardIndex(
        String source,
        Map<String, String> weightMap,
        Map<String, Long> entryOffsets,
        Map<String, Object> metadata,
        Long totalSize) {

    public ShardIndex {
        weightMap = Collections.unmodifiableMap(new LinkedHashMap<>(weightMap));
        entryOffsets = Collections.unmodifiableMap(new LinkedHashMap<>(entryOffsets));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
        if (weightMap.isEmpty()) {
            throw new IllegalArgumentException("empty weight map of " + source);
        }
        if (!entryOffsets.keySet().equals(weightMap.keySet())) {
            throw new IllegalArgumentException("entry offsets do not match the weight map of " + source);
        }
    }

    /**
     * Reads and checks a whole index file.
     *
     * @throws CorruptModelException if it is not a JSON object with a non-empty {@code weight_map} of strings
     * @throws UnsafeModelException if a shard name is not a plain file name
     * @throws UnsupportedModelException if the file exceeds the JSON size limit
     */
    public static ShardIndex read(ByteSource src) throws IOException, ModelFormatException {
        try (JsonCursor c = JsonCursor.open(src, "index")) {
            return parse(c);
        }
    }

    /** Parses the bytes of an index file; errors name {@code source}. */
    public static ShardIndex parse(String source, byte[] json) throws ModelFormatException {
        try (JsonCursor c = JsonCursor.over(source, json, 0)) {
            return parse(c);
        }
    }

    private static ShardIndex parse(JsonCursor c) throws ModelFormatException {
        Map<String, String> weightMap = null;
        Map<String, Long> offsets = new LinkedHashMap<>();
        Map<String, Object> metadata = new LinkedHashMap<>();
        Long totalSize = null;
        c.expectNext(JsonToken.START_OBJECT, "index");
        for (JsonToken t = c.next("index"); t != JsonToken.END_OBJECT; t = c.next("index")) {
            String key = c.name();
            JsonToken value = c.next(key);
            switch (key) {
                case "weight_map" -> {
                    c.expect(JsonToken.START_OBJECT, "weight_map");
                    weightMap = new LinkedHashMap<>();
                    for (t = c.next("weight_map"); t != JsonToken.END_OBJECT; t = c.next("weight_map")) {
                        String tensor = c.name();
                        long at = c.offset();
                        c.next(tensor);
                        if (c.current() != JsonToken.VALUE_STRING) {
                            throw c.corrupt("weight_map entry '" + tensor + "' is not a file name");
                        }
                        String shard = c.text();
                        checkPlainName(c.source(), at, tensor, shard);
                        // every shard may be under the limit while all of them together are not
                        TensorCountLimit.check(c.source(), at, weightMap.size() + 1L);
                        weightMap.put(tensor, shard);
                        offsets.put(tensor, at);
                    }
                }
                case "metadata" -> {
                    if (value != JsonToken.START_OBJECT) {
                        c.skipValue(key);
                        continue;
                    }
                    for (t = c.next(key); t != JsonToken.END_OBJECT; t = c.next(key)) {
                        String k = c.name();
                        JsonToken v = c.next(k);
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
                }
                default -> c.skipValue(key);
            }
        }
        c.expectEnd();
        if (weightMap == null) {
            throw c.corruptAt(0, "index has no weight_map object");
        }
        if (weightMap.isEmpty()) {
            throw c.corruptAt(0, "index weight_map is empty");
        }
        return new ShardIndex(c.source(), weightMap, offsets, metadata, totalSize);
    }

    /**
     * The shards in name order ({@code 00001}, {@code 00002}, ...), each with the offset of the first {@code
     * weight_map} entry that names it.
     */
    public SortedMap<String, Long> shards() {
        SortedMap<String, Long> first = new TreeMap<>();
        weightMap.forEach((tensor, shard) -> first.putIfAbsent(shard, entryOffsets.get(tensor)));
        return Collections.unmodifiableSortedMap(first);
    }

    /**
     * The file of a shard beside the local index file {@code index}, checked to exist and to stay where its index is:
     * a shard that is a link may lead into the index's folder, or into the folder the index file itself resolves to
     * (a Hugging Face cache links both the index and its shards from {@code snapshots/<rev>/} into {@code blobs/}),
     * and nowhere else.
     *
     * @param shard a shard name of this index
     * @throws CorruptModelException if the shard does not exist
     * @throws UnsafeModelException if it resolves, through a link, outside those folders
     */
    public Path resolve(Path index, String shard) throws IOException, ModelFormatException {
        long at = shards().getOrDefault(shard, 0L);
        Path dir = index.toAbsolutePath().getParent();
        Path path;
        try {
            path = dir.resolve(shard);
        } catch (InvalidPathException e) {
            throw new CorruptModelException(source, at, "shard name '" + shard + "' is not a valid file name", e);
        }
        if (!Files.isRegularFile(path)) {
            throw new CorruptModelException(
                    source, at, "shard " + shard + " named in weight_map does not exist in " + dir);
        }
        Path real = path.toRealPath();
        if (!real.startsWith(dir.toRealPath())
                && !real.startsWith(index.toRealPath().getParent())) {
            throw new UnsafeModelException(
                    source,
                    at,
                    "shard '" + shard + "' named in weight_map is a link to " + real
                            + ", outside the index's folder; only files beside the index are read");
        }
        return path;
    }

    /**
     * Refuses any shard name but a plain file name: a separator, {@code .} or {@code ..}, a drive prefix or a control
     * character could make the name reach outside the index's folder (or, remotely, outside the repository).
     */
    private static void checkPlainName(String source, long at, String tensor, String shard)
            throws ModelFormatException {
        if (shard.isEmpty()) {
            throw new CorruptModelException(source, at, "weight_map entry '" + tensor + "' names an empty shard");
        }
        boolean plain = !shard.equals(".") && !shard.equals("..");
        for (int i = 0; i < shard.length() && plain; i++) {
            char ch = shard.charAt(i);
            plain = ch != '/' && ch != '\\' && ch != ':' && ch >= 0x20 && ch != 0x7f;
        }
        if (!plain) {
            throw new UnsafeModelException(
                    source,
                    at,
                    "weight_map entry '" + tensor + "' names shard '" + printable(shard)
                            + "', which is not a plain file name in the index's folder");
        }
    }

    private static String printable(String s) {
        String t = s.length() > 120 ? s.substring(0, 120) + "..." : s;
        return t.replaceAll("[\\p{Cntrl}]", "?");
    }
}
