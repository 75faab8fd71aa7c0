package dev.pedigree.report.bom;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.Error;
import com.networknt.schema.Schema;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaRegistry;
import com.networknt.schema.SpecificationVersion;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * The official CycloneDX 1.6 JSON schema ({@code bom-1.6.schema.json} with its {@code spdx.schema.json} and
 * {@code jsf-0.82.schema.json} references, as bundled in the cyclonedx-core-java jar) checked by the networknt
 * validator: independent of the CycloneDX library's own {@code JsonParser.validate}.
 */
final class CycloneDxSchema {
    private static final String BASE = "http://cyclonedx.org/schema/";
    private static final ObjectMapper M = new ObjectMapper();
    private static Schema schema;

    private CycloneDxSchema() {}

    /** The validation errors of {@code json}; empty when valid. */
    static synchronized List<String> validate(String json) {
        try {
            if (schema == null) {
                Map<String, String> schemas = Map.of(
                        BASE + "bom-1.6.schema.json", resource("bom-1.6.schema.json"),
                        BASE + "spdx.schema.json", resource("spdx.schema.json"),
                        BASE + "jsf-0.82.schema.json", resource("jsf-0.82.schema.json"));
                SchemaRegistry registry =
                        SchemaRegistry.withDefaultDialect(SpecificationVersion.DRAFT_7, b -> b.schemas(schemas));
                schema = registry.getSchema(SchemaLocation.of(BASE + "bom-1.6.schema.json"));
            }
            List<Error> errors = schema.validate(M.readTree(json));
            return errors.stream().map(Error::toString).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = org.cyclonedx.Version.class.getResourceAsStream("/" + name)) {
            if (in == null) {
                throw new IllegalStateException(name + " is not on the class path (cyclonedx-core-java)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
