package dev.pedigree.report.svg;

import java.util.Objects;

/**
 * One rendered figure with its accessible parts: the inline SVG (which carries its own
 * {@code <title>} and {@code <desc>}), a caption and the table of every plotted number. Immutable.
 *
 * @param id HTML id of the figure
 * @param title short name
 * @param description text alternative (what the figure shows and what it says)
 * @param svg inline SVG markup, already escaped
 * @param table the plotted numbers
 */
public record Figure(String id, String title, String description, String svg, DataTable table) {
    public Figure {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(title, "title");
        Objects.requireNonNull(description, "description");
        Objects.requireNonNull(svg, "svg");
        Objects.requireNonNull(table, "table");
    }
}
