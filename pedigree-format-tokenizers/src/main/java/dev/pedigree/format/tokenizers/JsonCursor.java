package dev.pedigree.format.tokenizers;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.UnsupportedModelException;
import java.io.IOException;

/**
 * A streaming JSON cursor over a whole tokenizer JSON file that reports every problem as a {@link
 * CorruptModelException} naming the file and the byte offset of the offending token. Tokenizer JSON
 * files can hold hundreds of thousands of vocabulary entries, so the large arrays and objects are
 * streamed; only small subtrees (added tokens, pre-tokenizer) become trees.
 *
 * <p>Not thread-safe; one cursor per file. {@link #close()} releases the parser.
 */
final class JsonCursor implements AutoCloseable {
    /** Larger than any real tokenizer JSON (the largest public ones are ~35 MB). */
    static final long MAX_JSON_BYTES = 256L << 20;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(256)
                    .maxStringLength(16 << 20)
                    .maxNumberLength(64)
                    .build())
            .build();
    private static final ObjectMapper MAPPER = new ObjectMapper(FACTORY);

    private final String source;
    private final JsonParser parser;

    private JsonCursor(String source, JsonParser parser) {
        this.source = source;
        this.parser = parser;
    }

    /** Copies the whole source onto the heap (after a size check) and opens a parser over it. */
    static JsonCursor open(ByteSource in, String what)
            throws IOException, CorruptModelException, UnsupportedModelException {
        return over(in.description(), heapCopy(in, what, MAX_JSON_BYTES));
    }

    static JsonCursor over(String source, byte[] json) throws CorruptModelException {
        try {
            return new JsonCursor(source, MAPPER.createParser(json));
        } catch (IOException e) {
            throw new CorruptModelException(source, 0, "cannot parse JSON: " + e.getMessage(), e);
        }
    }

    /** Copies a source that must not exceed {@code limit} bytes onto the heap. */
    static byte[] heapCopy(ByteSource in, String what, long limit)
            throws IOException, CorruptModelException, UnsupportedModelException {
        if (in.size() > limit) {
            throw new UnsupportedModelException(
                    in.description(),
                    0,
                    what + " of " + in.size() + " bytes exceeds the " + limit + "-byte limit for this format");
        }
        return in.readBytes(0, (int) in.size());
    }

    String source() {
        return source;
    }

    /** Advances; end of input before the document is complete is corruption. */
    JsonToken next(String what) throws CorruptModelException {
        try {
            JsonToken t = parser.nextToken();
            if (t == null) {
                throw new CorruptModelException(source, offset(), "JSON ends inside " + what);
            }
            return t;
        } catch (JacksonException e) {
            throw wrap(e, what);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** The token the cursor is on. */
    JsonToken current() {
        return parser.currentToken();
    }

    /** Byte offset of the current token's first byte. */
    long offset() {
        JsonLocation l = parser.currentTokenLocation();
        long o = l == null ? -1 : l.getByteOffset();
        return o < 0 ? 0 : o;
    }

    /** Field name when on a {@link JsonToken#FIELD_NAME}. */
    String fieldName() throws CorruptModelException {
        try {
            return parser.currentName();
        } catch (JacksonException e) {
            throw wrap(e, "field name");
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot read field name: " + e.getMessage(), e);
        }
    }

    void expect(JsonToken expected, String what) throws CorruptModelException {
        if (parser.currentToken() != expected) {
            throw corrupt(what + ": expected " + describe(expected) + ", found " + describe(parser.currentToken()));
        }
    }

    /** The current string value; corrupt unless the token is a string. */
    String string(String what) throws CorruptModelException {
        expect(JsonToken.VALUE_STRING, what);
        try {
            return parser.getText();
        } catch (JacksonException e) {
            throw wrap(e, what);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** The current string value, or null for JSON {@code null}. */
    String stringOrNull(String what) throws CorruptModelException {
        return parser.currentToken() == JsonToken.VALUE_NULL ? null : string(what);
    }

    /** The current value as a non-negative {@code int}. */
    int nonNegativeInt(String what) throws CorruptModelException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw corrupt(what + ": expected an integer, found " + describe(parser.currentToken()));
        }
        try {
            if (parser.getNumberType() != JsonParser.NumberType.INT || parser.getIntValue() < 0) {
                throw corrupt(what + " " + parser.getText() + " is not an id in 0.." + Integer.MAX_VALUE);
            }
            return parser.getIntValue();
        } catch (JacksonException e) {
            throw wrap(e, what);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** The current value as a finite number. */
    double number(String what) throws CorruptModelException {
        JsonToken t = parser.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw corrupt(what + ": expected a number, found " + describe(t));
        }
        try {
            double d = parser.getDoubleValue();
            if (!Double.isFinite(d)) {
                throw corrupt(what + " " + parser.getText() + " is not finite");
            }
            return d;
        } catch (JacksonException e) {
            throw wrap(e, what);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** The current value as a boolean; JSON {@code null} gives {@code otherwise}. */
    boolean bool(String what, boolean otherwise) throws CorruptModelException {
        return switch (parser.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            case VALUE_NULL -> otherwise;
            default -> throw corrupt(what + ": expected a boolean, found " + describe(parser.currentToken()));
        };
    }

    /** Reads the current value (scalar, object or array) as a tree. */
    JsonNode tree(String what) throws CorruptModelException {
        try {
            JsonNode n = MAPPER.readTree(parser);
            if (n == null) {
                throw corrupt("missing " + what);
            }
            return n;
        } catch (JacksonException e) {
            throw wrap(e, what);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** Skips the current value, including any children. */
    void skipValue(String what) throws CorruptModelException {
        try {
            parser.skipChildren();
        } catch (JacksonException e) {
            throw wrap(e, what);
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot read " + what + ": " + e.getMessage(), e);
        }
    }

    /** Checks that nothing but whitespace follows the top-level value. */
    void expectEnd() throws CorruptModelException {
        try {
            JsonToken t = parser.nextToken();
            if (t != null) {
                throw corrupt("found " + describe(t) + " after the end of the JSON document");
            }
        } catch (JacksonException e) {
            throw wrap(e, "end of document");
        } catch (IOException e) {
            throw new CorruptModelException(source, offset(), "cannot read end of document: " + e.getMessage(), e);
        }
    }

    CorruptModelException corrupt(String detail) {
        return new CorruptModelException(source, offset(), detail);
    }

    CorruptModelException corruptAt(long offset, String detail) {
        return new CorruptModelException(source, offset, detail);
    }

    private CorruptModelException wrap(JacksonException e, String what) {
        JsonLocation l = e.getLocation();
        long at = l != null && l.getByteOffset() >= 0 ? l.getByteOffset() : offset();
        String msg = e.getOriginalMessage();
        if (msg != null) {
            int nl = msg.indexOf('\n');
            msg = nl >= 0 ? msg.substring(0, nl) : msg;
        }
        return new CorruptModelException(source, at, "malformed JSON in " + what + ": " + msg, e);
    }

    static String describe(JsonToken t) {
        if (t == null) {
            return "end of input";
        }
        return switch (t) {
            case START_OBJECT -> "an object";
            case END_OBJECT -> "end of object";
            case START_ARRAY -> "an array";
            case END_ARRAY -> "end of array";
            case FIELD_NAME -> "a field name";
            case VALUE_STRING -> "a string";
            case VALUE_NUMBER_INT -> "an integer";
            case VALUE_NUMBER_FLOAT -> "a number";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case VALUE_EMBEDDED_OBJECT -> "an embedded object";
            case NOT_AVAILABLE -> "no token";
        };
    }

    @Override
    public void close() {
        try {
            parser.close();
        } catch (IOException e) {
            // a parser over a heap array holds nothing that can fail to close
            throw new IllegalStateException("closing JSON parser for " + source, e);
        }
    }
}
