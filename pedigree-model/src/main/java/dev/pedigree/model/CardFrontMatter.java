package dev.pedigree.model;

import java.util.ArrayList;
import java.util.List;

/**
 * The YAML front matter of a Hugging Face model card ({@code README.md} between two {@code ---} lines), read
 * for its top-level keys only: a key's value is a scalar, an inline list {@code [a, b]} or a block list of
 * {@code - item} lines. Quotes and trailing {@code # comments} are removed; every other YAML construct is
 * ignored. Stateless.
 */
public final class CardFrontMatter {
    private CardFrontMatter() {}

    /** The values of top-level {@code key} in the front matter of {@code card}, in order; empty when absent. */
    public static List<String> values(String card, String key) {
        List<String> out = new ArrayList<>();
        String[] lines = card.replace("\r\n", "\n").split("\n", -1);
        if (lines.length == 0 || !lines[0].strip().equals("---")) {
            return out;
        }
        String prefix = key + ":";
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i];
            if (line.strip().equals("---")) {
                break;
            }
            if (!line.startsWith(prefix)) {
                continue;
            }
            String v = line.substring(prefix.length()).strip();
            if (v.startsWith("[")) {
                for (String s : v.replace("[", "").replace("]", "").split(",")) {
                    add(out, s);
                }
            } else if (!v.isEmpty()) {
                add(out, v);
            } else {
                while (i + 1 < lines.length && lines[i + 1].stripLeading().startsWith("- ")) {
                    add(out, lines[++i].stripLeading().substring(2));
                }
            }
        }
        return out;
    }

    /** The first value of {@code key}, or null. */
    public static String value(String card, String key) {
        List<String> v = values(card, key);
        return v.isEmpty() ? null : v.getFirst();
    }

    private static void add(List<String> out, String raw) {
        String v = unquote(raw.strip());
        if (!v.isEmpty()) {
            out.add(v);
        }
    }

    private static String unquote(String raw) {
        String v = raw;
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
