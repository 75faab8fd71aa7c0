package dev.pedigree.report.svg;

import java.util.List;
import java.util.Objects;

/** Horizontal stacked bars, one per row, each segment labelled in a legend and a tooltip. */
public final class StackedBars {
    private StackedBars() {}

    /** One segment of a bar. */
    public record Segment(String label, double value, String colour) {
        public Segment {
            Objects.requireNonNull(label, "label");
            Objects.requireNonNull(colour, "colour");
            if (!(value >= 0) || Double.isInfinite(value)) {
                throw new IllegalArgumentException("segment value " + value);
            }
        }
    }

    /** One bar: its label, segments and the text written after it. */
    public record Bar(String label, List<Segment> segments, String note) {
        public Bar {
            Objects.requireNonNull(label, "label");
            segments = List.copyOf(segments);
            note = note == null ? "" : note;
        }

        double total() {
            return segments.stream().mapToDouble(Segment::value).sum();
        }
    }

    /**
     * @param scaleToLongest true: bar lengths proportional to totals (the longest fills the width);
     *     false: every bar fills the width (shares)
     */
    public static String render(String id, String title, String description, List<Bar> bars, boolean scaleToLongest) {
        // Room for the longest row label on the left and the longest note after its bar (about 7 px per
        // character at these font sizes), so no label or note is cut off at the picture's edge.
        double left = Math.max(
                150,
                16 + 7.2 * bars.stream().mapToInt(b -> b.label().length()).max().orElse(0));
        double barW = 460;
        double rowH = 30;
        List<String> legend = new java.util.ArrayList<>();
        List<String> legendColours = new java.util.ArrayList<>();
        for (Bar b : bars) {
            for (Segment s : b.segments()) {
                if (!legend.contains(s.label())) {
                    legend.add(s.label());
                    legendColours.add(s.colour());
                }
            }
        }
        double top = 14 + 18 * Math.ceil(legend.size() / 3.0) + 8;
        double longestBar = bars.stream().mapToDouble(Bar::total).max().orElse(0);
        double rightEdge = 0;
        for (Bar b : bars) {
            double total = b.total();
            double length = total <= 0 ? barW : (scaleToLongest ? barW * total / longestBar : barW);
            rightEdge = Math.max(rightEdge, length + 6 + 6.6 * b.note().length() + 10);
        }
        double width = left + Math.max(barW + 190, rightEdge);
        double height = top + rowH * Math.max(1, bars.size()) + 10;
        Svg svg = new Svg(id, width, height, title, description);
        svg.rect(0, 0, width, height, Palette.BACKGROUND, null, null);
        for (int k = 0; k < legend.size(); k++) {
            double lx = 10 + (k % 3) * 200;
            double ly = 14 + 18 * (k / 3);
            svg.rect(lx, ly - 10, 12, 12, legendColours.get(k), null, null);
            svg.text(lx + 18, ly, legend.get(k), "start", 11, Palette.TEXT, 0);
        }
        double longest = bars.stream().mapToDouble(Bar::total).max().orElse(0);
        for (int i = 0; i < bars.size(); i++) {
            Bar b = bars.get(i);
            double y = top + i * rowH;
            svg.text(left - 8, y + rowH / 2 + 4, b.label(), "end", 12, Palette.TEXT, 0);
            double total = b.total();
            double scale = total <= 0 ? 0 : (scaleToLongest ? barW / longest : barW / total);
            double x = left;
            svg.group("bar", b.label());
            for (Segment s : b.segments()) {
                double w = s.value() * scale;
                if (w > 0) {
                    String share =
                            total > 0 ? String.format(java.util.Locale.ROOT, " (%.1f%%)", 100 * s.value() / total) : "";
                    svg.rect(
                            x,
                            y + 4,
                            w,
                            rowH - 8,
                            s.colour(),
                            Palette.BACKGROUND,
                            b.label() + ": " + s.label() + " " + HeatMap.fmt(s.value()) + share);
                    x += w;
                }
            }
            svg.end();
            if (total <= 0) {
                svg.rect(left, y + 4, barW, rowH - 8, null, Palette.GRID, null);
            }
            svg.text(x + 6, y + rowH / 2 + 4, b.note(), "start", 11, Palette.MUTED, 0);
        }
        return svg.render();
    }
}
