package dev.pedigree.census.hub;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The listing file of a simulated hub ({@value #FILE}): every repository with its revision,
 * creation time, declared base and files, in the shape {@link LoopbackHub} serves through the hub's
 * model API. Stateless.
 */
public final class HubListing {
    /** File name of the listing inside a simulated hub directory. */
    public static final String FILE = "hub.json";

    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The listing's JSON shape. */
    record Listing(List<HubModel> models) {}

    private HubListing() {}

    /** Writes the listing of {@code models} to {@code file}. */
    public static void write(Path file, List<HubModel> models) throws IOException {
        JSON.writeValue(file.toFile(), new Listing(models));
    }

    /** Reads a listing written by {@link #write}. */
    public static List<HubModel> read(Path file) throws IOException {
        return JSON.readValue(file.toFile(), Listing.class).models();
    }
}
