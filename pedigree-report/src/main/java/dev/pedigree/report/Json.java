package dev.pedigree.report;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Map;

/**
 * Deterministic JSON output: maps are written in insertion order, two-space indentation, a final
 * newline, so that the same result always serialises to the same bytes.
 *
 * <p>Trees of maps with string keys, collections, arrays, strings, numbers, booleans and nulls (what
 * the result trees hold) are written with jackson-core's streaming generator; anything else goes
 * through jackson-databind. Both give the same bytes (tested); the streaming path spares a one-shot
 * command loading databind (about 0.3 s).
 */
public final class Json {
    private static final JsonFactory FACTORY = new JsonFactory();

    private Json() {}

    /** Where array elements go; objects always have one member a line, indented by two spaces. */
    public enum Layout {
        /** Every array element on its own line (the result contracts: compare, identify, inspect). */
        ONE_PER_LINE,
        /**
         * Jackson's default pretty printer: an array's elements follow its bracket on the same line
         * ({@code [ {}, {} ]}, {@code [ ]} when empty), line ends the system's. The attestation
         * report keeps this layout, which it had when databind wrote it.
         */
        INLINE_ARRAYS
    }

    /** Serialises a tree of maps, lists and scalars. */
    public static String write(Map<String, ?> tree) {
        return write(tree, Layout.ONE_PER_LINE);
    }

    /** Serialises a tree of maps, lists and scalars in the given layout. */
    public static String write(Map<String, ?> tree, Layout layout) {
        String streamed = stream(tree, layout);
        return streamed != null ? streamed : bind(tree, layout);
    }

    private static DefaultPrettyPrinter printer(Layout layout) {
        return switch (layout) {
            case ONE_PER_LINE ->
                new DefaultPrettyPrinter()
                        .withObjectIndenter(new DefaultIndenter("  ", "\n"))
                        .withArrayIndenter(new DefaultIndenter("  ", "\n"));
            case INLINE_ARRAYS -> new DefaultPrettyPrinter();
        };
    }

    /** The databind form (also the reference the streaming form is tested against). */
    static String bind(Map<String, ?> tree) {
        return bind(tree, Layout.ONE_PER_LINE);
    }

    static String bind(Map<String, ?> tree, Layout layout) {
        try {
            return Mapper.MAPPER.writer(printer(layout)).writeValueAsString(tree) + "\n";
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("result tree is not serialisable", e);
        }
    }

    /** The streaming form, or null when the tree holds a node {@link #value} does not write exactly as databind would. */
    static String stream(Map<String, ?> tree) {
        return stream(tree, Layout.ONE_PER_LINE);
    }

    private static String stream(Map<String, ?> tree, Layout layout) {
        StringWriter out = new StringWriter();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.setPrettyPrinter(printer(layout).createInstance());
            value(g, tree, 0);
        } catch (NotStreamable e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("writing JSON to memory failed", e);
        }
        return out + "\n";
    }

    /** Whether {@link #stream} writes the tree (every node of a type it writes exactly as databind would). */
    static boolean streamable(Map<String, ?> tree) {
        return stream(tree) != null;
    }

    /** Deepest nesting the streaming form follows (deeper trees, or cycles, go to databind, which reports them). */
    private static final int MAX_DEPTH = 200;

    /** Thrown at a node the streaming form leaves to databind. */
    private static final class NotStreamable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        NotStreamable() {
            super(null, null, false, false);
        }
    }

    private static void value(JsonGenerator g, Object v, int depth) throws IOException {
        if (depth > MAX_DEPTH) {
            throw new NotStreamable();
        }
        switch (v) {
            case null -> g.writeNull();
            case String s -> g.writeString(s);
            case Boolean b -> g.writeBoolean(b);
            case Integer i -> g.writeNumber(i.intValue());
            case Long l -> g.writeNumber(l.longValue());
            case Short s -> g.writeNumber(s.shortValue());
            case Double d -> g.writeNumber(d.doubleValue());
            case Float f -> g.writeNumber(f.floatValue());
            case BigDecimal d -> g.writeNumber(d);
            case BigInteger i -> g.writeNumber(i);
            case double[] a -> {
                g.writeStartArray(a, a.length);
                for (double x : a) {
                    g.writeNumber(x);
                }
                g.writeEndArray();
            }
            case int[] a -> {
                g.writeStartArray(a, a.length);
                for (int x : a) {
                    g.writeNumber(x);
                }
                g.writeEndArray();
            }
            case long[] a -> {
                g.writeStartArray(a, a.length);
                for (long x : a) {
                    g.writeNumber(x);
                }
                g.writeEndArray();
            }
            case Map<?, ?> m -> {
                g.writeStartObject(m);
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (!(e.getKey() instanceof String key)) {
                        throw new NotStreamable();
                    }
                    g.writeFieldName(key);
                    value(g, e.getValue(), depth + 1);
                }
                g.writeEndObject();
            }
            case Collection<?> c -> {
                g.writeStartArray(c, c.size());
                for (Object x : c) {
                    value(g, x, depth + 1);
                }
                g.writeEndArray();
            }
            case Object[] a -> {
                g.writeStartArray(a, a.length);
                for (Object x : a) {
                    value(g, x, depth + 1);
                }
                g.writeEndArray();
            }
            default -> throw new NotStreamable();
        }
    }

    /** Writes the tree to {@code file}, creating parent directories. */
    public static void write(Map<String, ?> tree, Path file) throws IOException {
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Files.writeString(file, write(tree), StandardCharsets.UTF_8);
    }

    /** The shared mapper (for reading results back); databind is loaded on first use. */
    public static ObjectMapper mapper() {
        return Mapper.MAPPER;
    }

    /** Holder: jackson-databind is loaded only when a tree needs it or a caller asks for the mapper. */
    private static final class Mapper {
        static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);
    }
}
