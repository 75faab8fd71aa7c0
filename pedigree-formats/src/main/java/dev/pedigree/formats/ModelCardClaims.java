package dev.pedigree.formats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pedigree.io.CorruptModelException;
import dev.pedigree.model.CardFrontMatter;
import dev.pedigree.model.LineageClaim;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads declared lineage from a model directory: the {@code base_model} and
 * {@code base_model_relation} keys of the model card's YAML front matter ({@code README.md}), and
 * {@code base_model_name_or_path} of a PEFT {@code adapter_config.json}. Only the small YAML subset
 * those keys use is understood (scalars, inline lists and block lists); everything else is ignored.
 */
final class ModelCardClaims {
    private static final long MAX_CARD_BYTES = 4L << 20;

    private ModelCardClaims() {}

    static List<LineageClaim> read(Path dir) throws IOException, CorruptModelException {
        List<LineageClaim> out = new ArrayList<>();
        Path card = dir.resolve("README.md");
        if (Files.isRegularFile(card) && Files.size(card) <= MAX_CARD_BYTES) {
            out.addAll(fromFrontMatter(
                    // A stray non-UTF-8 byte in a model card is replaced, not fatal: the card is prose.
                    new String(Files.readAllBytes(card), StandardCharsets.UTF_8), "README.md front matter"));
        }
        JsonNode adapter = HfDirectoryReader.readJson(dir.resolve("adapter_config.json"));
        if (adapter != null && adapter.hasNonNull("base_model_name_or_path")) {
            out.add(new LineageClaim(
                    "base_model",
                    adapter.get("base_model_name_or_path").asText(),
                    "adapter_config.json base_model_name_or_path"));
        }
        return out;
    }

    /** Parses {@code base_model} / {@code base_model_relation} from YAML front matter. */
    static List<LineageClaim> fromFrontMatter(String text, String origin) {
        List<LineageClaim> out = new ArrayList<>();
        String relation = CardFrontMatter.value(text, "base_model_relation");
        for (String base : CardFrontMatter.values(text, "base_model")) {
            out.add(new LineageClaim(relation == null ? "base_model" : "base_model:" + relation, base, origin));
        }
        return out;
    }
}
