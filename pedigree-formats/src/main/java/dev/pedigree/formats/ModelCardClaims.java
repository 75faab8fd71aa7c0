package dev.pedigree.formats;

import com.fasterxml.jackson.databind.JsonNode;
import dev.pedigree.io.CorruptModelException;
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
        String[] lines = text.replace("\r\n", "\n").split("\n", -1);
        if (lines.length == 0 || !lines[0].strip().equals("---")) {
            return out;
        }
        String relation = null;
        List<String> bases = new ArrayList<>();
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.strip().equals("---")) {
                break;
            }
            if (line.startsWith("base_model:")) {
                String v = line.substring("base_model:".length()).strip();
                if (v.startsWith("[")) {
                    for (String s : v.replace("[", "").replace("]", "").split(",")) {
                        addScalar(bases, s);
                    }
                } else if (!v.isEmpty()) {
                    addScalar(bases, v);
                } else {
                    while (i + 1 < lines.length && lines[i + 1].stripLeading().startsWith("- ")) {
                        addScalar(bases, lines[++i].stripLeading().substring(2));
                    }
                }
            } else if (line.startsWith("base_model_relation:")) {
                relation =
                        unquote(line.substring("base_model_relation:".length()).strip());
            }
        }
        for (String base : bases) {
            out.add(new LineageClaim(relation == null ? "base_model" : "base_model:" + relation, base, origin));
        }
        return out;
    }

    private static void addScalar(List<String> out, String raw) {
        String v = unquote(raw.strip());
        if (!v.isEmpty()) {
            out.add(v);
        }
    }

    private static String unquote(String v) {
        int hash = v.indexOf(" #");
        if (hash >= 0) {
            v = v.substring(0, hash).strip();
        }
        if (v.length() >= 2 && ((v.startsWith("\"") && v.endsWith("\"")) || (v.startsWith("'") && v.endsWith("'")))) {
            return v.substring(1, v.length() - 1);
        }
        return v;
    }
}
