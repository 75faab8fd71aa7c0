package dev.pedigree.report.svg;

import java.util.List;
import java.util.Objects;

/**
 * The table view of a figure: every number that is plotted, as text. Immutable.
 *
 * @param headers column headers
 * @param rows cells as display strings, each row as long as {@code headers}
 */
public record DataTable(List<String> headers, List<List<String>> rows) {
    public DataTable {
        headers = List.copyOf(headers);
        int width = headers.size();
        rows = rows.stream()
                .map(r -> {
                    if (r.size() != width) {
                        throw new IllegalArgumentException("row of " + r.size() + " cells for " + width + " headers");
                    }
                    return List.copyOf(r.stream()
                            .map(c -> Objects.requireNonNullElse(c, ""))
                            .toList());
                })
                .toList();
    }
}
