package dev.pedigree.report;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Deterministic JSON output: maps are written in insertion order, two-space indentation, a final
 * newline, so that the same result always serialises to the same bytes.
 */
public final class Json {
  private static final ObjectMapper MAPPER = new ObjectMapper().disable(SerializationFeature.FAIL_ON_EMPTY_BEANS);

  private Json() {}

  /** Serialises a tree of maps, lists and scalars. */
  public static String write(Map<String, ?> tree) {
    DefaultPrettyPrinter pp = new DefaultPrettyPrinter().withObjectIndenter(new DefaultIndenter("  ", "\n")).withArrayIndenter(new DefaultIndenter("  ", "\n"));
    try {
      return MAPPER.writer(pp).writeValueAsString(tree) + "\n";
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("result tree is not serialisable", e);
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

  /** The shared mapper (for reading results back). */
  public static ObjectMapper mapper() {
    return MAPPER;
  }
}
