package dev.pedigree.attest;

import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import java.io.IOException;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * The real {@link LineageOracle}: {@link LineageComparator#compare} with the given options and its
 * verdict. Stateless and thread-safe.
 */
public final class ForensicsLineageOracle implements LineageOracle {
    private final CompareOptions options;

    public ForensicsLineageOracle(CompareOptions options) {
        this.options = Objects.requireNonNull(options, "options");
    }

    /** With {@link CompareOptions#DEFAULT}. */
    public ForensicsLineageOracle() {
        this(CompareOptions.DEFAULT);
    }

    @Override
    public Judgement compare(ModelView suspect, ModelView reference) throws IOException, ModelFormatException {
        ComparisonResult r = LineageComparator.compare(suspect, reference, options);
        String comps =
                r.components().stream().map(ForensicsLineageOracle::describe).collect(Collectors.joining("; "));
        String detail = String.format(
                Locale.ROOT,
                "%s (log10 p %s) — %s",
                r.verdict(),
                r.log10p() == null ? "n/a" : String.format(Locale.ROOT, "%.1f", r.log10p()),
                comps);
        return new Judgement(r.verdict(), r.log10p(), detail);
    }

    private static String describe(ComponentResult c) {
        return c.name() + ": " + c.verdict()
                + (c.log10p() == null ? "" : String.format(Locale.ROOT, " %.1f", c.log10p()));
    }
}
