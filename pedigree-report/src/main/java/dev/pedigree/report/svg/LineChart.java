package dev.pedigree.report.svg;

import java.util.List;
import java.util.Objects;

/**
 * A line chart over categorical x positions with one or more series, an optional horizontal
 * reference line and a legend. NaN values leave gaps.
 */
public final class LineChart {
    private LineChart() {}

    /** One series: its name and one value per x position (NaN: no value). */
    public record Series(String name, double[] values) {
        public Series {
            Objects.requireNonNull(name, "name");
            values = values.clone();
        }

        @Override
        public double[] values() {
            return values.clone();
        }
    }

    /**
     * @param yMax top of the y axis (at least the largest finite value is advisable; values above
     *     are clamped and drawn at the top)
     * @param reference y of a dashed reference line, or NaN for none
     */
    public static String render(
            String id,
            String title,
            String description,
            List<String> xLabels,
            List<Series> series,
            String xAxis,
            String yAxis,
            double yMax,
            double reference,
            String referenceLabel) {
        int n = xLabels.size();
        if (!(yMax > 0)) {
            throw new IllegalArgumentException("yMax " + yMax);
        }
        double left = 64;
        double right = 20;
        double plotW = Math.max(240, Math.min(760, 24.0 * n));
        // Legend entries flow left to right and wrap at the plot's width.
        double[] lx = new double[series.size()];
        int[] lrow = new int[series.size()];
        double cursor = left;
        int row = 0;
        for (int s = 0; s < series.size(); s++) {
            double w = 34 + 6.5 * series.get(s).name().length();
            if (cursor > left && cursor + w > left + plotW) {
                cursor = left;
                row++;
            }
            lx[s] = cursor;
            lrow[s] = row;
            cursor += w + 12;
        }
        double top = 20 + 18 * (series.isEmpty() ? 0 : row + 1);
        double plotH = 200;
        double width = left + plotW + right;
        double height = top + plotH + 56;
        Svg svg = new Svg(id, width, height, title, description);
        svg.rect(0, 0, width, height, Palette.BACKGROUND, null, null);
        double step = n <= 1 ? 0 : plotW / (n - 1);
        double x0 = n <= 1 ? left + plotW / 2 : left;
        // Grid and y ticks.
        for (int k = 0; k <= 4; k++) {
            double v = yMax * k / 4;
            double y = top + plotH - plotH * k / 4;
            svg.line(left, y, left + plotW, y, Palette.GRID, 1, false);
            svg.text(left - 6, y + 4, tick(v), "end", 11, Palette.MUTED, 0);
        }
        svg.line(left, top + plotH, left + plotW, top + plotH, Palette.AXIS, 1, false);
        svg.line(left, top, left, top + plotH, Palette.AXIS, 1, false);
        int longest = xLabels.stream().mapToInt(String::length).max().orElse(1);
        double labelWidth = Math.max(24, 6.5 * longest + 10);
        int labelEvery = Math.max(1, (int) Math.ceil(n * labelWidth / (plotW + labelWidth)));
        for (int i = 0; i < n; i += labelEvery) {
            svg.text(x0 + i * step, top + plotH + 15, xLabels.get(i), "middle", 11, Palette.MUTED, 0);
        }
        svg.text(left + plotW / 2, top + plotH + 38, xAxis, "middle", 12, Palette.TEXT, 0);
        svg.text(14, top + plotH / 2, yAxis, "middle", 12, Palette.TEXT, -90);
        if (!Double.isNaN(reference) && reference >= 0 && reference <= yMax) {
            double y = top + plotH - plotH * reference / yMax;
            svg.line(left, y, left + plotW, y, Palette.TEXT, 1, true);
            svg.text(left + plotW - 2, y - 4, referenceLabel, "end", 11, Palette.TEXT, 0);
        }
        for (int s = 0; s < series.size(); s++) {
            Series ser = series.get(s);
            double[] v = ser.values();
            if (v.length != n) {
                throw new IllegalArgumentException(
                        "series " + ser.name() + " has " + v.length + " values for " + n + " x positions");
            }
            String colour = Palette.series(s);
            svg.group("series", ser.name());
            // Contiguous runs of finite values become one polyline each.
            int start = 0;
            while (start < n) {
                while (start < n && Double.isNaN(v[start])) {
                    start++;
                }
                int end = start;
                while (end < n && !Double.isNaN(v[end])) {
                    end++;
                }
                if (end > start) {
                    double[] xs = new double[end - start];
                    double[] ys = new double[end - start];
                    for (int i = start; i < end; i++) {
                        xs[i - start] = x0 + i * step;
                        ys[i - start] = top + plotH - plotH * Math.max(0, Math.min(yMax, v[i])) / yMax;
                    }
                    svg.polyline(xs, ys, colour, 2, s % 2 == 1);
                    for (int i = 0; i < xs.length; i++) {
                        svg.circle(
                                xs[i],
                                ys[i],
                                3,
                                colour,
                                null,
                                ser.name() + " at " + xLabels.get(start + i) + ": " + tick(v[start + i]));
                    }
                }
                start = end;
            }
            svg.end();
            double ly = 14 + 18 * lrow[s];
            svg.line(lx[s], ly - 4, lx[s] + 18, ly - 4, colour, 2.5, s % 2 == 1);
            svg.text(lx[s] + 24, ly, ser.name(), "start", 11, Palette.TEXT, 0);
        }
        return svg.render();
    }

    /** A tick or value label with three significant digits, no exponent, no trailing zeros. */
    static String tick(double v) {
        if (v == 0) {
            return "0";
        }
        return new java.math.BigDecimal(v)
                .round(new java.math.MathContext(3))
                .stripTrailingZeros()
                .toPlainString();
    }
}
