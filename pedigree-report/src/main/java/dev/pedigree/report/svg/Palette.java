package dev.pedigree.report.svg;

import java.util.List;
import java.util.Locale;

/**
 * The colours of every report figure, chosen for WCAG 2.1 AA on a white background: text colours
 * reach 4.5:1, graphical marks (bars, lines, markers, the heat-map path) reach 3:1 (success
 * criterion 1.4.11), and the series colours stay distinguishable for the common forms of colour
 * blindness (they differ in lightness as well as hue). Verdicts are never shown by colour alone:
 * every bar carries a label and every figure has a table view.
 */
public final class Palette {
    private Palette() {}

    public static final String BACKGROUND = "#ffffff";
    /** Body text, axis labels. */
    public static final String TEXT = "#1a1a1a";
    /** Secondary text (ticks, notes). */
    public static final String MUTED = "#595959";
    /** Axis lines and grid. */
    public static final String AXIS = "#6b6b6b";

    public static final String GRID = "#d0d0d0";
    /** Verdict colours. */
    public static final String SHARED = "#b34700";

    public static final String INDEPENDENT = "#1f5f99";
    public static final String INCONCLUSIVE = "#6e6e6e";
    /** Tokenizer segments. */
    public static final String ADDED = "#2e7d32";

    public static final String REMOVED = "#a4262c";
    /** The part of a whole that is not attributed (e.g. parameters not shown to be inherited). */
    public static final String REMAINDER = "#8a8a8a";
    /** Heat-map cells where no test applied. */
    public static final String NO_TEST = "#e6e6e6";
    /** The matched path drawn over the heat map. */
    public static final String PATH = "#e8590c";
    /** Line and bar series, in order. */
    public static final List<String> SERIES =
            List.of("#1f5f99", "#b34700", "#2e7d32", "#7b3294", "#8c6d00", "#a4262c", "#00727a", "#4d4d4d");
    /** Sequential scale for evidence, light (no evidence) to dark (overwhelming). */
    public static final List<String> SEQUENTIAL =
            List.of("#f4f8fb", "#cfe1f2", "#93c4de", "#4a98c9", "#1764ab", "#08306b");

    /** A series colour by index, cycling. */
    public static String series(int i) {
        return SERIES.get(Math.floorMod(i, SERIES.size()));
    }

    /** Colour of {@code t} in [0, 1] on {@link #SEQUENTIAL}, linearly interpolated in sRGB. */
    public static String sequential(double t) {
        double c = Double.isNaN(t) ? 0 : Math.max(0, Math.min(1, t));
        double pos = c * (SEQUENTIAL.size() - 1);
        int i = Math.min(SEQUENTIAL.size() - 2, (int) Math.floor(pos));
        double f = pos - i;
        int[] a = rgb(SEQUENTIAL.get(i));
        int[] b = rgb(SEQUENTIAL.get(i + 1));
        return String.format(Locale.ROOT, "#%02x%02x%02x", mix(a[0], b[0], f), mix(a[1], b[1], f), mix(a[2], b[2], f));
    }

    private static int mix(int a, int b, double f) {
        return (int) Math.round(a + (b - a) * f);
    }

    /** Red, green, blue of {@code #rrggbb}. */
    public static int[] rgb(String hex) {
        if (hex == null || !hex.matches("#[0-9a-fA-F]{6}")) {
            throw new IllegalArgumentException("not a #rrggbb colour: " + hex);
        }
        int v = Integer.parseInt(hex.substring(1), 16);
        return new int[] {(v >> 16) & 0xff, (v >> 8) & 0xff, v & 0xff};
    }

    /** WCAG 2.1 relative luminance of {@code #rrggbb}. */
    public static double luminance(String hex) {
        int[] c = rgb(hex);
        double[] l = new double[3];
        for (int k = 0; k < 3; k++) {
            double s = c[k] / 255.0;
            l[k] = s <= 0.04045 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
        }
        return 0.2126 * l[0] + 0.7152 * l[1] + 0.0722 * l[2];
    }

    /** WCAG 2.1 contrast ratio of two colours, from 1 to 21. */
    public static double contrast(String a, String b) {
        double la = luminance(a);
        double lb = luminance(b);
        return (Math.max(la, lb) + 0.05) / (Math.min(la, lb) + 0.05);
    }

    /** {@link #TEXT} or white, whichever contrasts more with {@code background}. */
    public static String textOn(String background) {
        return contrast(TEXT, background) >= contrast(BACKGROUND, background) ? TEXT : BACKGROUND;
    }
}
