package dev.pedigree.io.json;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.TreeNode;
import dev.pedigree.io.ByteSource;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.io.UnsupportedModelException;
import java.io.IOException;

/**
 * A streaming JSON cursor over bytes taken from a file, which turns every syntax error, every limit exceeded (see
 * {@link JsonLimits}) and every unexpected token into a {@link CorruptModelException} naming the file and the absolute
 * byte offset of the offending token. Safetensors headers, shard indexes (local and remote) and tokenizer files are
 * all read through it, with one set of limits. Large arrays and objects (vocabularies, weight maps) are streamed;
 * callers turn small subtrees into trees with {@link #tree}.
 *
 * <p>Not thread-safe; one cursor per parse. {@link #close()} releases the parser's buffers.
 */
public final class JsonCursor implements AutoCloseable {
    private final String source;
    private final long base;
    private final JsonParser parser;

    private JsonCursor(String source, long base, JsonParser parser) {
        this.source = source;
        this.base = base;
        this.parser = parser;
    }

    /**
     * A cursor over JSON text taken from a file.
     *
     * @param source description of the file, for errors
     * @param json the JSON text
     * @param base absolute file offset of {@code json[0]}, added to every offset reported
     */
    public static JsonCursor over(String source, byte[] json, long base) throws CorruptModelException {
        try {
            return new JsonCursor(source, base, JsonLimits.FACTORY.createParser(json));
        } catch (IOException e) {
            throw new CorruptModelException(source, base, "cannot parse JSON: " + e.getMessage(), e);
        }
    }

    /**
     * Copies a whole JSON file onto the heap, after checking its size against {@link JsonLimits#MAX_DOCUMENT_BYTES},
     * and opens a cursor over it.
     *
     * @param what what the file is, for the error message ({@code tokenizer.json}, {@code index})
     * @throws UnsupportedModelException if the file is larger than the limit
     */
    public static JsonCursor open(ByteSource in, String what)
            throws IOException, CorruptModelException, UnsupportedModelException {
        if (in.size() > JsonLimits.MAX_DOCUMENT_BYTES) {
            throw new UnsupportedModelException(
                    in.description(),
                    0,
                    what + " of " + in.size() + " bytes exceeds the " + JsonLimits.MAX_DOCUMENT_BYTES
                            + "-byte limit for JSON files");
        }
        return over(in.description(), in.readBytes(0, (int) in.size()), 0);
    }

    /** Description of the file, for errors. */
    public String source() {
        return source;
    }

    /** Advances to the next token; null at the end of the input. */
    public JsonToken next() throws CorruptModelException {
        return call(null, parser::nextToken);
    }

    /** Advances; the end of the input before the document is complete is corruption. */
    public JsonToken next(String what) throws CorruptModelException {
        JsonToken t = call(what, parser::nextToken);
        if (t == null) {
            throw corrupt("JSON ends inside " + what);
        }
        return t;
    }

    /** Advances and requires {@code expected}. */
    public void expectNext(JsonToken expected, String what) throws CorruptModelException {
        next();
        expect(expected, what);
    }

    /** Requires the current token to be {@code expected}. */
    public void expect(JsonToken expected, String what) throws CorruptModelException {
        if (parser.currentToken() != expected) {
            throw corrupt(what + ": expected " + describe(expected) + ", found " + describe(parser.currentToken()));
        }
    }

    /** The token the cursor is on (null before the first and after the last). */
    public JsonToken current() {
        return parser.currentToken();
    }

    /** Name of the current field (valid on {@link JsonToken#FIELD_NAME}). */
    public String name() throws CorruptModelException {
        return call("field name", parser::currentName);
    }

    /** Text of the current token, whatever its kind (a string's value, a number's literal). */
    public String text() throws CorruptModelException {
        return call(null, parser::getText);
    }

    /** The current string value; corrupt unless the token is a string. */
    public String string(String what) throws CorruptModelException {
        expect(JsonToken.VALUE_STRING, what);
        return call(what, parser::getText);
    }

    /** The current string value, or null for JSON {@code null}. */
    public String stringOrNull(String what) throws CorruptModelException {
        return parser.currentToken() == JsonToken.VALUE_NULL ? null : string(what);
    }

    /** The current token as a non-negative integer that fits in a {@code long}. */
    public long nonNegativeLong(String what) throws CorruptModelException {
        JsonToken t = parser.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT) {
            throw corrupt(what + " must be a non-negative integer, found " + describe(t));
        }
        Long v = longValueOrNull();
        if (v == null) {
            throw corrupt(what + " " + text() + " is too large");
        }
        if (v < 0) {
            throw corrupt(what + " " + v + " is negative");
        }
        return v;
    }

    /** The current integer token as a {@code long}, or null if it does not fit in one. */
    public Long longValueOrNull() throws CorruptModelException {
        return call(null, () -> {
            JsonParser.NumberType nt = parser.getNumberType();
            return nt == JsonParser.NumberType.INT || nt == JsonParser.NumberType.LONG ? parser.getLongValue() : null;
        });
    }

    /** The current value as a non-negative {@code int} (an id). */
    public int nonNegativeInt(String what) throws CorruptModelException {
        if (parser.currentToken() != JsonToken.VALUE_NUMBER_INT) {
            throw corrupt(what + ": expected an integer, found " + describe(parser.currentToken()));
        }
        Integer v = call(
                what,
                () -> parser.getNumberType() == JsonParser.NumberType.INT && parser.getIntValue() >= 0
                        ? parser.getIntValue()
                        : null);
        if (v == null) {
            throw corrupt(what + " " + text() + " is not an id in 0.." + Integer.MAX_VALUE);
        }
        return v;
    }

    /** The current value as a finite number. */
    public double number(String what) throws CorruptModelException {
        JsonToken t = parser.currentToken();
        if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
            throw corrupt(what + ": expected a number, found " + describe(t));
        }
        double d = call(what, parser::getDoubleValue);
        if (!Double.isFinite(d)) {
            throw corrupt(what + " " + text() + " is not finite");
        }
        return d;
    }

    /** The current value as a boolean; JSON {@code null} gives {@code otherwise}. */
    public boolean bool(String what, boolean otherwise) throws CorruptModelException {
        return switch (parser.currentToken()) {
            case VALUE_TRUE -> true;
            case VALUE_FALSE -> false;
            case VALUE_NULL -> otherwise;
            case null, default ->
                throw corrupt(what + ": expected a boolean, found " + describe(parser.currentToken()));
        };
    }

    /**
     * Reads the current value (scalar, object or array) as a tree, through {@code codec} (a Jackson
     * {@code ObjectMapper} where the caller has one); the limits still apply, since the tokens come from this cursor.
     */
    public <T extends TreeNode> T tree(String what, ObjectCodec codec) throws CorruptModelException {
        T n = call(what, () -> codec.<T>readTree(parser));
        if (n == null) {
            throw corrupt("missing " + what);
        }
        return n;
    }

    /** Skips the current value, including any children (nothing for a scalar). */
    public void skipValue(String what) throws CorruptModelException {
        call(what, parser::skipChildren);
    }

    /** Checks that nothing but whitespace follows the top-level value. */
    public void expectEnd() throws CorruptModelException {
        JsonToken t = call("end of document", parser::nextToken);
        if (t != null) {
            throw corrupt("found " + describe(t) + " after the end of the JSON document");
        }
    }

    /** Absolute file offset of the current token (of the start when none has been read). */
    public long offset() {
        return absolute(parser.currentTokenLocation());
    }

    /** A corruption error at the current token. */
    public CorruptModelException corrupt(String detail) {
        return new CorruptModelException(source, offset(), detail);
    }

    /** A corruption error at an absolute offset recorded earlier. */
    public CorruptModelException corruptAt(long offset, String detail) {
        return new CorruptModelException(source, offset, detail);
    }

    /** A token as an error message names it. */
    public static String describe(JsonToken t) {
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
            case VALUE_NUMBER_FLOAT -> "a fractional number";
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
            // A parser over a heap array holds nothing that can fail to close.
            throw new IllegalStateException("closing JSON parser for " + source, e);
        }
    }

    /** One parser step whose failures become corruption errors at the offending offset. */
    private interface Step<T> {
        T run() throws IOException;
    }

    private <T> T call(String what, Step<T> step) throws CorruptModelException {
        try {
            return step.run();
        } catch (JacksonException e) {
            JsonLocation loc = e.getLocation();
            long at = loc == null ? offset() : absolute(loc);
            String msg = e.getOriginalMessage();
            if (msg != null && msg.indexOf('\n') >= 0) {
                msg = msg.substring(0, msg.indexOf('\n'));
            }
            throw new CorruptModelException(
                    source, at, "malformed JSON" + (what == null ? "" : " in " + what) + ": " + msg, e);
        } catch (IOException e) {
            // A parser over a heap array does no I/O; whatever this is, the bytes could not be parsed.
            throw new CorruptModelException(
                    source, offset(), "cannot read " + (what == null ? "JSON" : what) + ": " + e.getMessage(), e);
        }
    }

    private long absolute(JsonLocation loc) {
        if (loc == null) {
            return base;
        }
        long rel = loc.getByteOffset();
        if (rel < 0) {
            rel = Math.max(0, loc.getCharOffset());
        }
        return base + rel;
    }
}
