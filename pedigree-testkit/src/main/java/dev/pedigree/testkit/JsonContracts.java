package dev.pedigree.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;

/**
 * Validates JSON output against the contracts in {@code ../shared/contracts}. Copies of the schemas
 * ship in this module's resources so validation also runs on a fresh clone; a test in the CLI
 * module checks that the copies still equal the shared originals when those are present.
 */
public final class JsonContracts {
    public static final String INSPECT = "inspect-result.schema.json";
    public static final String COMPARE = "compare-result.schema.json";
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonContracts() {}

    /** The schema text bundled with the testkit. */
    public static String schemaText(String name) {
        try (InputStream in = JsonContracts.class.getResourceAsStream("/contracts/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no bundled schema " + name);
            }
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Validation messages for {@code json} against the named schema; empty when valid. */
    public static List<String> validate(String schemaName, String json) {
        try {
            // The contracts use relative $ids ("pedigree/inspect/v1"); give them an absolute base so the
            // validator can resolve them.
            Schema schema = SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_2020_12)
                    .getSchema(
                            SchemaLocation.of("https://pedigree.invalid/contracts/" + schemaName),
                            MAPPER.readTree(schemaText(schemaName)));
            JsonNode node = MAPPER.readTree(json);
            List<Error> errors = schema.validate(node);
            return errors.stream().map(Error::toString).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
