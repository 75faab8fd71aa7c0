package dev.pedigree.report.svg;

import java.util.List;
import java.util.Locale;

/**
 * A matrix heat map with an optional path of highlighted cells (drawn as outlined cells joined by a
 * line) and a colour bar. Values are plotted as given; NaN cells are drawn as "no value".
 */
public final class HeatMap {
    private HeatMap() {}

    /**
     * The colour bar's words: its title, the labels at its top (value {@code cap}) and bottom (0), and
     * the label of the cells without a value.
     */
    public record Legend(String title, String high, String low, String missing) {
        /** The evidence bar: "≥ cap" at the top, "0" at the bottom, "no test" for missing cells. */
        public static Legend capped(String title, double cap) {
            return new Legend(title, "\u2265 " + fmt(cap), "0", "no test");
        }
    }

    /**
     * @param values {@code values[i][j]} for row i and column j, NaN where absent; clamped to
     *     {@code [0, cap]} for colour
     * @param tips {@code tips[i][j]}: the tooltip of cell (i, j) after its row and column, or null (as
     *     the whole array) for the value with one decimal (the legend's missing label where NaN)
     * @param cap the value shown with the darkest colour
     * @param path cells {row, column} to outline, in drawing order
     * @param legend the colour bar's words
     */
    public static String render(
            String id,
            String title,
            String description,
            List<String> rowLabels,
            List<String> columnLabels,
            double[][] values,
            String[][] tips,
            double cap,
            List<int[]> path,
            String rowAxis,
            String columnAxis,
            Legend legend) {
        int rows = rowLabels.size();
        int cols = columnLabels.size();
        if (values.length != rows) {
            throw new IllegalArgumentException(values.length + " value rows for " + rows + " labels");
        }
        if (!(cap > 0)) {
            throw new IllegalArgumentException("cap " + cap);
        }
        double cell = Math.max(4, Math.min(28, 560.0 / Math.max(1, Math.max(rows, cols))));
        double left = 78;
        double top = 34;
        double gridW = cell * Math.max(1, cols);
        double gridH = cell * Math.max(1, rows);
        double legendX = left + gridW + 24;
        int longest = Math.max(
                legend.title().length() - 4,
                Math.max(
                        legend.high().length(),
                        Math.max(legend.low().length(), legend.missing().length())));
        double width = legendX + Math.max(110, 30 + 6.5 * longest);
        double height = top + gridH + 58;
        Svg svg = new Svg(id, width, height, title, description);
        svg.rect(0, 0, width, height, Palette.BACKGROUND, null, null);
        int labelEvery = Math.max(1, (int) Math.ceil(11.0 / cell));
        svg.group("cells");
        for (int i = 0; i < rows; i++) {
            if (values[i].length != cols) {
                throw new IllegalArgumentException(
                        "row " + i + " has " + values[i].length + " values for " + cols + " columns");
            }
            for (int j = 0; j < cols; j++) {
                double v = values[i][j];
                String fill = Double.isNaN(v) ? Palette.NO_TEST : Palette.sequential(v / cap);
                String what = tips != null && tips[i][j] != null
                        ? tips[i][j]
                        : Double.isNaN(v) ? legend.missing() : String.format(Locale.ROOT, "%.1f", v);
                String tip =
                        rowAxis + " " + rowLabels.get(i) + ", " + columnAxis + " " + columnLabels.get(j) + ": " + what;
                svg.rect(left + j * cell, top + i * cell, cell, cell, fill, null, tip);
            }
        }
        svg.end();
        svg.rect(left, top, gridW, gridH, null, Palette.AXIS, null);
        for (int i = 0; i < rows; i += labelEvery) {
            svg.text(left - 6, top + i * cell + cell / 2 + 4, rowLabels.get(i), "end", 11, Palette.MUTED, 0);
        }
        for (int j = 0; j < cols; j += labelEvery) {
            svg.text(left + j * cell + cell / 2, top + gridH + 14, columnLabels.get(j), "middle", 11, Palette.MUTED, 0);
        }
        svg.text(left + gridW / 2, top + gridH + 34, columnAxis, "middle", 12, Palette.TEXT, 0);
        svg.text(16, top + gridH / 2, rowAxis, "middle", 12, Palette.TEXT, -90);
        if (!path.isEmpty()) {
            svg.group("path");
            double[] xs = new double[path.size()];
            double[] ys = new double[path.size()];
            for (int k = 0; k < path.size(); k++) {
                int[] p = path.get(k);
                xs[k] = left + p[1] * cell + cell / 2;
                ys[k] = top + p[0] * cell + cell / 2;
            }
            svg.polyline(xs, ys, Palette.PATH, Math.max(1.5, cell / 8), false);
            for (int k = 0; k < path.size(); k++) {
                svg.circle(xs[k], ys[k], Math.max(2, cell / 4), Palette.PATH, Palette.BACKGROUND, null);
            }
            svg.end();
        }
        // Colour bar.
        svg.text(legendX, top - 12, legend.title(), "start", 11, Palette.TEXT, 0);
        int steps = 20;
        double barH = Math.min(gridH, 200);
        for (int k = 0; k < steps; k++) {
            double t = 1 - (k + 0.5) / steps;
            svg.rect(legendX, top + k * barH / steps, 16, barH / steps + 0.5, Palette.sequential(t), null, null);
        }
        svg.rect(legendX, top, 16, barH, null, Palette.AXIS, null);
        svg.text(legendX + 22, top + 10, legend.high(), "start", 11, Palette.MUTED, 0);
        svg.text(legendX + 22, top + barH, legend.low(), "start", 11, Palette.MUTED, 0);
        double ny = top + barH + 14;
        svg.rect(legendX, ny, 16, 12, Palette.NO_TEST, Palette.AXIS, null);
        svg.text(legendX + 22, ny + 10, legend.missing(), "start", 11, Palette.MUTED, 0);
        if (!path.isEmpty()) {
            svg.line(legendX, ny + 28, legendX + 16, ny + 28, Palette.PATH, 2.5, false);
            svg.text(legendX + 22, ny + 32, "matched", "start", 11, Palette.MUTED, 0);
        }
        return svg.render();
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.1f", v);
    }
}
