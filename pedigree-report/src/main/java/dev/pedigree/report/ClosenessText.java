package dev.pedigree.report;

import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.LayerMatch;
import java.util.Locale;

/**
 * One plain sentence on how close a component's weights are (issue 14 §4): bounded numbers a reader
 * can compare across results, unlike log10 p, which saturates. Stateless.
 */
public final class ClosenessText {
    private ClosenessText() {}

    /** The sentence for {@code c}'s closeness, ending with a full stop; empty when it was not measured. */
    public static String sentence(ComponentResult c) {
        Closeness x = c.closeness();
        if (x == null || !Double.isFinite(x.correlation())) {
            return "";
        }
        boolean tokenRows = x.blocks().isEmpty();
        String what = tokenRows ? "Probe token rows" : "Matched weights";
        String units = tokenRows ? "rows" : "units";
        String change = Double.isFinite(x.relativeChange())
                ? String.format(
                        Locale.ROOT, ", %srelative change %s", tokenRows ? "" : "median ", percent(x.relativeChange()))
                : "";
        String undone = !x.permutationUndone()
                ? ""
                : tokenRows
                        ? (x.rotationUndone()
                                ? " (after undoing a rotation of the residual basis)"
                                : " (after aligning the residual basis)")
                        : x.rotationUndone()
                                ? " (after undoing a rotation of the residual basis and a permutation of units)"
                                : " (after undoing a permutation)";
        return String.format(
                Locale.ROOT,
                "%s correlate r = %.2f, %s of %s matched%s%s.",
                what,
                x.correlation(),
                percent(x.unitsMatched()),
                units,
                change,
                undone);
    }

    /**
     * A layer-map pair's closeness in short words ("r = 0.96, 100% of units, change 30%"): the
     * measurement of the suspect block's component for that pair; empty when it was not measured.
     */
    public static String block(ComparisonResult r, LayerMatch m) {
        return r.component(m.suspect().component())
                .map(ComponentResult::closeness)
                .flatMap(c -> c.blocks().stream()
                        .filter(b ->
                                b.suspect().equals(m.suspect()) && b.reference().equals(m.reference()))
                        .findFirst())
                .map(b -> String.format(
                        Locale.ROOT,
                        "r = %.2f, %s of units, change %s",
                        b.correlation(),
                        percent(b.unitsMatched()),
                        percent(b.relativeChange())))
                .orElse("");
    }

    /** A share as a whole percentage ("3%", "100%"; "<1%" above zero). */
    public static String percent(double share) {
        if (!Double.isFinite(share)) {
            return "?";
        }
        double p = 100 * share;
        return p > 0 && p < 0.5 ? "<1%" : String.format(Locale.ROOT, "%.0f%%", p);
    }
}
