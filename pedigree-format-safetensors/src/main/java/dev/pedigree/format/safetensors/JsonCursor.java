package dev.pedigree.format.safetensors;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import dev.pedigree.io.CorruptModelException;
import java.io.IOException;

/**
 * A streaming JSON cursor over bytes taken from a file, which turns every syntax error and every
 * unexpected token into a {@link CorruptModelException} naming the file and the absolute byte
 * offset of the offending token. Safetensors headers and index files are read through it.
 *
 * <p>Not thread-safe; one cursor per parse. Closing releases the parser's buffers.
 */
final class JsonCursor implements AutoCloseable {
    /** Safetensors headers nest at most three deep ({@code {name: {shape: [..]}}}); allow some slack. */
    private static final int MAX_DEPTH = 16;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_DEPTH)
                    .maxNumberLength(64)
                    .maxNameLength(1 << 20)
                    .maxStringLength(100_000_000)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // Tensor names are unique per file; interning them would only grow a shared table.
            .disable(JsonFactory.Feature.CANONICALIZE_FIELD_NAMES)
            .disable(JsonFactory.Feature.INTERN_FIELD_NAMES)
            .build();

    private final String source;
    private final long base;
    private final JsonParser parser;

    /**
     * @param source file description for errors
     * @param bytes the JSON text
     * @param base absolute file offset of {@code bytes[0]}
     */
    JsonCursor(String source, byte[] bytes, long base) throws CorruptModelException {
        this.source = source;
        this.base = base;
        try {
            this.parser = FACTORY.createParser(bytes);
        } catch (IOException e) {
            throw new CorruptModelException(source, base, "cannot parse JSON: " + e.getMessage(), e);
        }
    }

    /** Description of the file, for errors. */
    String source() {
        return source;
    }

    /** Advances to the next token; null at the end of the input. */
    JsonToken next() throws CorruptModelException {
        try {
            return parser.nextToken();
        } catch (JacksonException e) {
            throw syntax(e);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot parse JSON: " + e.getMessage(), e);
        }
    }

    /** Advances and requires {@code expected}. */
    void expect(JsonToken expected, String what) throws CorruptModelException {
        JsonToken t = next();
        if (t != expected) {
            throw corrupt(what + ": expected " + describe(expected) + " but found " + describe(t));
        }
    }

    /** The current token. */
    JsonToken current() {
        return parser.currentToken();
    }

    /** Name of the current field (valid on FIELD_NAME). */
    String name() throws CorruptModelException {
        try {
            return parser.currentName();
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot parse JSON: " + e.getMessage(), e);
        }
    }

    /** Text of the current string value. */
    String text() throws CorruptModelException {
        try {
            return parser.getText();
        } catch (JacksonException e) {
            throw syntax(e);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot parse JSON: " + e.getMessage(), e);
        }
    }

    /** The current token as a non-negative integer that fits in a {@code long}. */
    long nonNegativeLong(String what) throws CorruptModelException {
        JsonToken t = current();
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw corrupt(what + " must be a non-negative integer, found " + describe(t));
        }
        try {
            JsonParser.NumberType nt = parser.getNumberType();
            if (nt != JsonParser.NumberType.INT && nt != JsonParser.NumberType.LONG) {
                throw corrupt(what + " " + parser.getText() + " is too large");
            }
            long v = parser.getLongValue();
            if (v < 0) {
                throw corrupt(what + " " + v + " is negative");
            }
            return v;
        } catch (JacksonException e) {
            throw syntax(e);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot parse JSON: " + e.getMessage(), e);
        }
    }

    /** The current integer token as a {@code long}, or null if it does not fit in one. */
    Long longValueOrNull() throws CorruptModelException {
        try {
            JsonParser.NumberType nt = parser.getNumberType();
            return nt == JsonParser.NumberType.INT || nt == JsonParser.NumberType.LONG ? parser.getLongValue() : null;
        } catch (JacksonException e) {
            throw syntax(e);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot parse JSON: " + e.getMessage(), e);
        }
    }

    /** Skips the current value (and its children, for objects and arrays). */
    void skipValue() throws CorruptModelException {
        try {
            parser.skipChildren();
        } catch (JacksonException e) {
            throw syntax(e);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot parse JSON: " + e.getMessage(), e);
        }
    }

    /** Absolute file offset of the current token (or of the start when none has been read). */
    long offset() {
        return absolute(parser.currentTokenLocation());
    }

    /** A corruption error at the current token. */
    CorruptModelException corrupt(String detail) {
        return new CorruptModelException(source, offset(), detail);
    }

    private CorruptModelException syntax(JacksonException e) {
        JsonLocation loc = e.getLocation();
        long at = loc == null ? offset() : absolute(loc);
        return new CorruptModelException(source, at, "invalid JSON: " + e.getOriginalMessage(), e);
    }

    private long absolute(JsonLocation loc) {
        long rel = loc.getByteOffset();
        if (rel < 0) {
            rel = Math.max(0, loc.getCharOffset());
        }
        return base + rel;
    }

    private static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_OBJECT -> "'{'";
            case END_OBJECT -> "'}'";
            case START_ARRAY -> "'['";
            case END_ARRAY -> "']'";
            case FIELD_NAME -> "a key";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a fractional number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case VALUE_EMBEDDED_OBJECT, NOT_AVAILABLE -> t.name();
        };
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            // Closing a parser over a byte array releases buffers only; nothing can fail meaningfully.
            throw new IllegalStateException("closing JSON parser for " + source, e);
        }
    }
}
