package dev.pedigree.report.svg;

import java.util.Locale;

/**
 * A minimal SVG document builder that writes well-formed, deterministic markup: every attribute
 * value and text node is XML-escaped, numbers are written with {@link Locale#ROOT} and at most two
 * decimals, and the root carries {@code role="img"}, an {@code aria-label}, a {@code <title>} and a
 * {@code <desc>} so that screen readers announce the figure. Not thread-safe; one instance builds
 * one document.
 */
public final class Svg {
    private final StringBuilder body = new StringBuilder();
    private final double width;
    private final double height;
    private final String title;
    private final String description;
    private final String id;
    private int depth = 1;

    /**
     * @param id element id, also used for the title/desc ids (letters, digits and dashes only)
     * @param title short name of the figure
     * @param description the text alternative: what the figure shows and its main message
     */
    public Svg(String id, double width, double height, String title, String description) {
        if (!id.matches("[A-Za-z][A-Za-z0-9-]*")) {
            throw new IllegalArgumentException("svg id must be letters, digits and dashes: " + id);
        }
        if (!(width > 0) || !(height > 0)) {
            throw new IllegalArgumentException("svg size " + width + "x" + height);
        }
        this.id = id;
        this.width = width;
        this.height = height;
        this.title = title;
        this.description = description;
    }

    /** XML-escapes text for element content and double-quoted attribute values. */
    public static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 8);
        s.codePoints().forEach(cp -> {
            switch (cp) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    // Control characters are not allowed in XML 1.0; show them as U+FFFD.
                    if ((cp < 0x20 && cp != '\n' && cp != '\t' && cp != '\r')
                            || cp == 0xFFFE
                            || cp == 0xFFFF
                            || (cp >= 0xD800 && cp <= 0xDFFF)) {
                        sb.append('\uFFFD');
                    } else {
                        sb.appendCodePoint(cp);
                    }
                }
            }
        });
        return sb.toString();
    }

    /** A number as SVG writes it: at most two decimals, no exponent, no negative zero. */
    public static String num(double v) {
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("non-finite coordinate " + v);
        }
        String s = String.format(Locale.ROOT, "%.2f", v);
        if (s.contains(".")) {
            s = s.replaceAll("0+$", "").replaceAll("\\.$", "");
        }
        return s.equals("-0") ? "0" : s;
    }

    private void indent() {
        body.append("  ".repeat(depth));
    }

    /** Opens a group; close it with {@link #end()}. */
    public Svg group(String cssClass) {
        indent();
        body.append("<g");
        if (cssClass != null) {
            body.append(" class=\"").append(escape(cssClass)).append('"');
        }
        body.append(">\n");
        depth++;
        return this;
    }

    /** Opens a group with a tooltip title (hover text in browsers). */
    public Svg group(String cssClass, String tooltip) {
        group(cssClass);
        indent();
        body.append("<title>").append(escape(tooltip)).append("</title>\n");
        return this;
    }

    /** Closes the innermost group. */
    public Svg end() {
        if (depth <= 1) {
            throw new IllegalStateException("no open group");
        }
        depth--;
        indent();
        body.append("</g>\n");
        return this;
    }

    /** A filled rectangle; {@code tooltip} (may be null) becomes a child {@code <title>}. */
    public Svg rect(double x, double y, double w, double h, String fill, String stroke, String tooltip) {
        indent();
        body.append("<rect x=\"")
                .append(num(x))
                .append("\" y=\"")
                .append(num(y))
                .append("\" width=\"")
                .append(num(Math.max(0, w)))
                .append("\" height=\"")
                .append(num(Math.max(0, h)))
                .append('"');
        paint(fill, stroke);
        close(tooltip, "rect");
        return this;
    }

    /** A straight line. */
    public Svg line(double x1, double y1, double x2, double y2, String stroke, double strokeWidth, boolean dashed) {
        indent();
        body.append("<line x1=\"")
                .append(num(x1))
                .append("\" y1=\"")
                .append(num(y1))
                .append("\" x2=\"")
                .append(num(x2))
                .append("\" y2=\"")
                .append(num(y2))
                .append("\" stroke=\"")
                .append(escape(stroke))
                .append("\" stroke-width=\"")
                .append(num(strokeWidth))
                .append('"');
        if (dashed) {
            body.append(" stroke-dasharray=\"4 3\"");
        }
        body.append("/>\n");
        return this;
    }

    /** An open polyline through the points {@code xs[i], ys[i]}. */
    public Svg polyline(double[] xs, double[] ys, String stroke, double strokeWidth, boolean dashed) {
        if (xs.length != ys.length) {
            throw new IllegalArgumentException("polyline with " + xs.length + " x and " + ys.length + " y");
        }
        if (xs.length == 0) {
            return this;
        }
        indent();
        body.append("<polyline fill=\"none\" stroke=\"")
                .append(escape(stroke))
                .append("\" stroke-width=\"")
                .append(num(strokeWidth))
                .append('"');
        if (dashed) {
            body.append(" stroke-dasharray=\"4 3\"");
        }
        body.append(" points=\"");
        for (int i = 0; i < xs.length; i++) {
            if (i > 0) {
                body.append(' ');
            }
            body.append(num(xs[i])).append(',').append(num(ys[i]));
        }
        body.append("\"/>\n");
        return this;
    }

    /** A circle marker. */
    public Svg circle(double cx, double cy, double r, String fill, String stroke, String tooltip) {
        indent();
        body.append("<circle cx=\"")
                .append(num(cx))
                .append("\" cy=\"")
                .append(num(cy))
                .append("\" r=\"")
                .append(num(r))
                .append('"');
        paint(fill, stroke);
        close(tooltip, "circle");
        return this;
    }

    /**
     * A text label.
     *
     * @param anchor {@code start}, {@code middle} or {@code end}
     * @param rotate degrees around (x, y); 0 for none
     */
    public Svg text(double x, double y, String text, String anchor, double fontSize, String fill, double rotate) {
        if (!anchor.equals("start") && !anchor.equals("middle") && !anchor.equals("end")) {
            throw new IllegalArgumentException("text-anchor " + anchor);
        }
        indent();
        body.append("<text x=\"")
                .append(num(x))
                .append("\" y=\"")
                .append(num(y))
                .append("\" text-anchor=\"")
                .append(anchor)
                .append("\" font-size=\"")
                .append(num(fontSize))
                .append("\" fill=\"")
                .append(escape(fill))
                .append('"');
        if (rotate != 0) {
            body.append(" transform=\"rotate(")
                    .append(num(rotate))
                    .append(' ')
                    .append(num(x))
                    .append(' ')
                    .append(num(y))
                    .append(")\"");
        }
        body.append('>').append(escape(text)).append("</text>\n");
        return this;
    }

    private void paint(String fill, String stroke) {
        body.append(" fill=\"").append(escape(fill == null ? "none" : fill)).append('"');
        if (stroke != null) {
            body.append(" stroke=\"").append(escape(stroke)).append("\" stroke-width=\"1\"");
        }
    }

    private void close(String tooltip, String tag) {
        if (tooltip == null) {
            body.append("/>\n");
        } else {
            body.append("><title>")
                    .append(escape(tooltip))
                    .append("</title></")
                    .append(tag)
                    .append(">\n");
        }
    }

    /** The finished document (an inline {@code <svg>} element, no XML prolog). */
    public String render() {
        if (depth != 1) {
            throw new IllegalStateException((depth - 1) + " group(s) left open");
        }
        String t = id + "-title";
        String d = id + "-desc";
        return "<svg xmlns=\"http://www.w3.org/2000/svg\" id=\"" + id + "\" role=\"img\" viewBox=\"0 0 " + num(width)
                + " " + num(height) + "\" width=\""
                + num(width) + "\" height=\"" + num(height) + "\" aria-labelledby=\"" + t + " " + d + "\" aria-label=\""
                + escape(title) + "\""
                + " font-family=\"system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', 'DejaVu Sans', sans-serif\">\n"
                + "  <title id=\"" + t + "\">" + escape(title) + "</title>\n"
                + "  <desc id=\"" + d + "\">" + escape(description) + "</desc>\n"
                + body
                + "</svg>\n";
    }
}
