package dev.pedigree.io.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;

/**
 * The one set of limits on JSON read from model files: safetensors headers and shard indexes, tokenizer files, remote
 * shard indexes. Each limit is the strictest of those the three former parsers kept (safetensors' cursor, the
 * tokenizers' cursor and the hand-written parser of remote indexes); real files stay far inside all of them.
 *
 * <ul>
 *   <li>nesting depth {@value #MAX_DEPTH} (was 16 for safetensors, 256 for tokenizers, 64 for remote indexes; real
 *       tokenizer files nest 5 deep);
 *   <li>string values of at most {@value #MAX_STRING_LENGTH} characters (was 100,000,000 for safetensors, 16 MiB for
 *       tokenizers, none for remote indexes);
 *   <li>keys of at most {@value #MAX_NAME_LENGTH} characters (was 1 MiB for safetensors, Jackson's default 50,000
 *       for tokenizers);
 *   <li>number literals of at most {@value #MAX_NUMBER_LENGTH} characters (was 64, 64 and 400);
 *   <li>documents of at most {@value #MAX_DOCUMENT_BYTES} bytes (was 256 MiB for tokenizer files, 100,000,000 for
 *       local and 64 MiB for remote shard indexes; the largest public tokenizer files are about 35 MB). A safetensors
 *       header keeps its format's own 100,000,000-byte rule on the length field as well;
 *   <li>the number of members of objects and arrays has no limit of its own, as before: each takes at least one byte,
 *       so the document size bounds it, and nothing is allocated per member beyond what the bytes already hold;
 *   <li>duplicate keys are rejected everywhere (safetensors and remote indexes did; tokenizer files now do too).
 * </ul>
 *
 * <p>Constants only; thread-safe.
 */
public final class JsonLimits {
    /** Deepest nesting of objects and arrays accepted. */
    public static final int MAX_DEPTH = 16;
    /** Longest string value accepted, in characters. */
    public static final int MAX_STRING_LENGTH = 16 << 20;
    /** Longest key accepted, in characters. */
    public static final int MAX_NAME_LENGTH = 50_000;
    /** Longest number literal accepted, in characters. */
    public static final int MAX_NUMBER_LENGTH = 64;
    /** Largest JSON document read, in bytes. */
    public static final long MAX_DOCUMENT_BYTES = 64L << 20;

    /** The one parser factory; immutable and thread-safe once built, as Jackson documents. */
    static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxStringLength(MAX_STRING_LENGTH)
                    .maxNameLength(MAX_NAME_LENGTH)
                    .maxNumberLength(MAX_NUMBER_LENGTH)
                    .maxDocumentLength(MAX_DOCUMENT_BYTES)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Tensor names and vocabulary entries are unique per file; interning them would only grow a shared table.
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private JsonLimits() {}
}
