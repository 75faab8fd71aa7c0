package dev.pedigree.report;

import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.ComponentResult;
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
                : tokenRows ? " (after aligning the residual basis)" : " (after undoing a permutation)";
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

    /** A share as a whole percentage ("3%", "100%"; "<1%" above zero). */
    static String percent(double share) {
        if (!Double.isFinite(share)) {
            return "?";
        }
        double p = 100 * share;
        return p > 0 && p < 0.5 ? "<1%" : String.format(Locale.ROOT, "%.0f%%", p);
    }
}
