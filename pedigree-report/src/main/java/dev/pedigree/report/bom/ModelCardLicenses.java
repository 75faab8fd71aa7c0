package dev.pedigree.report.bom;

import dev.pedigree.model.CardFrontMatter;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The licences a model card declares: the {@code license} key of a Hugging Face {@code README.md}'s YAML
 * front matter (a scalar or a list), with {@code license_name} and {@code license_link} for
 * {@code license: other}. SPDX identifiers are recognised case-insensitively against the SPDX list
 * bundled with CycloneDX ({@code mit} becomes {@code MIT}); anything else is kept as a licence name.
 */
public final class ModelCardLicenses {
    private static final long MAX_CARD_BYTES = 4L << 20;
    private static final Pattern SPDX_ENTRY = Pattern.compile("\"([A-Za-z0-9.+\\-]+)\"");
    private static volatile Map<String, String> spdx;

    /**
     * One declared licence.
     *
     * @param id SPDX identifier, or null
     * @param name licence name when not an SPDX identifier, or null
     * @param url licence link, or null
     */
    public record License(String id, String name, String url) {}

    private ModelCardLicenses() {}

    /** The licences declared by the model card of the local directory {@code source}; empty when there is none. */
    public static List<License> of(String source) {
        try {
            Path dir = Path.of(source);
            Path card = dir.resolve("README.md");
            if (!Files.isDirectory(dir) || !Files.isRegularFile(card) || Files.size(card) > MAX_CARD_BYTES) {
                return List.of();
            }
            return fromFrontMatter(Files.readString(card, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return List.of(); // a source that is no local path (hf:, https:) or an unreadable card: nothing declared
        }
    }

    /** The licences of a model card's text. */
    public static List<License> fromFrontMatter(String text) {
        List<String> values = CardFrontMatter.values(text, "license");
        String name = CardFrontMatter.value(text, "license_name");
        String link = CardFrontMatter.value(text, "license_link");
        List<License> out = new ArrayList<>();
        for (String v : values) {
            String id = spdxId(v);
            if (id != null) {
                out.add(new License(id, null, null));
            } else if (v.equalsIgnoreCase("other") && name != null && !name.isEmpty()) {
                out.add(new License(null, name, link));
            } else {
                out.add(new License(null, v, v.equalsIgnoreCase("other") ? link : null));
            }
        }
        return List.copyOf(out);
    }

    /** The SPDX identifier spelled as the SPDX list spells it, or null when {@code v} is none. */
    static String spdxId(String v) {
        Map<String, String> m = spdx;
        if (m == null) {
            m = new HashMap<>();
            try (InputStream in = ModelCardLicenses.class.getResourceAsStream("/spdx.schema.json")) {
                if (in != null) {
                    String schema = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                    int from = schema.indexOf("\"enum\"");
                    int to = schema.indexOf(']', Math.max(from, 0));
                    Matcher x = SPDX_ENTRY.matcher(from < 0 || to < 0 ? "" : schema.substring(from + 6, to));
                    while (x.find()) {
                        m.put(x.group(1).toLowerCase(Locale.ROOT), x.group(1));
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            spdx = m;
        }
        return m.get(v.toLowerCase(Locale.ROOT));
    }
}
