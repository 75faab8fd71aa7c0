package dev.pedigree.report.html;

import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.LayerEvidenceMatrix;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.report.ClosenessText;
import dev.pedigree.report.Findings;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.TokenScripts;
import dev.pedigree.report.svg.DataTable;
import dev.pedigree.report.svg.Figure;
import dev.pedigree.report.svg.HeatMap;
import dev.pedigree.report.svg.LineChart;
import dev.pedigree.report.svg.Palette;
import dev.pedigree.report.svg.StackedBars;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of the HTML report, each with its text alternative and table. Figures whose data is
 * absent from the result are left out (e.g. no heat map without layer evidence). Stateless.
 */
public final class ReportFigures {
    /** Evidence at or beyond 10^-30 gets the darkest heat-map colour. */
    public static final double HEAT_CAP = 30;

    private ReportFigures() {}

    /**
     * Layer × layer heat maps, one per stacked component with an evidence matrix: how close the
     * measured block pairs are (issue 14 §4: bounded, unlike log10 p, which saturates) when the result
     * carries the component's closeness, else the evidence of every pair (older results).
     */
    public static List<Figure> heatMaps(ComparisonResult r, String referenceName) {
        List<Figure> out = new ArrayList<>();
        for (int k = 0; k < r.layerEvidence().size(); k++) {
            LayerEvidenceMatrix m = r.layerEvidence().get(k);
            String id = "fig-heat-" + k + "-" + slug(m.component());
            Closeness c = measured(r, m);
            out.add(c == null ? evidenceMap(id, r, m, referenceName) : closenessMap(id, r, m, c, referenceName));
        }
        return out;
    }

    /** The heat map of every block pair's evidence (minus log10 p, capped). */
    static Figure evidenceMap(String id, ComparisonResult r, LayerEvidenceMatrix m, String referenceName) {
        double[][] v = minusLog(m);
        List<int[]> path = path(r, m);
        List<String> rows = labels(m.suspectLayers());
        List<String> cols = labels(m.referenceLayers());
        String title = "Layer-by-layer evidence, " + m.component();
        String desc = "Heat map of the evidence (minus log10 p, uncorrected, capped at " + (int) HEAT_CAP
                + ") that each of the suspect's " + rows.size() + " " + m.component()
                + " blocks (rows) shares lineage with each of the " + cols.size() + " blocks of "
                + referenceName + " (columns). " + pathSentence(r, m, path);
        String svg = HeatMap.render(
                id + "-svg",
                title,
                desc,
                rows,
                cols,
                v,
                null,
                HEAT_CAP,
                path,
                "suspect block",
                "reference block",
                HeatMap.Legend.capped("\u2212log10 p", HEAT_CAP));
        List<String> headers = new ArrayList<>();
        headers.add("suspect block \\ reference block");
        headers.addAll(cols);
        List<List<String>> trows = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            List<String> tr = new ArrayList<>();
            tr.add(rows.get(i));
            for (int j = 0; j < cols.size(); j++) {
                tr.add(Double.isNaN(v[i][j]) ? "no test" : f1(v[i][j]));
            }
            trows.add(tr);
        }
        return new Figure(id, title, desc, svg, new DataTable(headers, trows));
    }

    /**
     * The heat map of how close the measured block pairs are: the colour of a pair is its matched
     * weights' correlation r on a fixed 0 (unrelated) to 1 (identical) scale; the share of units
     * matched, the relative change and every pair's p-value are in the tooltips and the table.
     */
    static Figure closenessMap(
            String id, ComparisonResult r, LayerEvidenceMatrix m, Closeness c, String referenceName) {
        double[][] evidence = minusLog(m);
        int n = m.suspectLayers().size();
        int q = m.referenceLayers().size();
        double[][] v = new double[n][];
        String[][] tips = new String[n][q];
        for (int i = 0; i < n; i++) {
            v[i] = gaps(q);
            for (int j = 0; j < q; j++) {
                tips[i][j] = "not measured; " + evidenceWords(evidence[i][j]);
            }
        }
        List<List<String>> trows = new ArrayList<>();
        for (Closeness.BlockCloseness b : c.blocks()) {
            int i = m.suspectLayers().indexOf(b.suspect().layer());
            int j = m.referenceLayers().indexOf(b.reference().layer());
            if (i < 0 || j < 0 || !Double.isNaN(v[i][j])) {
                continue;
            }
            v[i][j] = Double.isNaN(b.correlation()) ? Double.NaN : Math.clamp(b.correlation(), 0, 1);
            tips[i][j] = blockWords(b) + "; " + evidenceWords(evidence[i][j]);
            trows.add(List.of(
                    String.valueOf(b.suspect().layer()),
                    String.valueOf(b.reference().layer()),
                    r2(b.correlation()),
                    ClosenessText.percent(b.unitsMatched()),
                    ClosenessText.percent(b.relativeChange()),
                    evidenceWords(evidence[i][j])));
        }
        List<int[]> path = path(r, m);
        String title = "Layer-by-layer closeness, " + m.component();
        String desc = "How close each of the suspect's " + n + " " + m.component() + " blocks (rows) is to its"
                + " partner among the " + q + " blocks of " + referenceName + " (columns): the colour of a"
                + " measured block pair is the correlation r of its matched weights, from 0 (unrelated weights)"
                + " to 1 (the same weights); " + trows.size() + " pairs measured"
                + (Double.isFinite(c.correlation()) ? ", median r " + r2(c.correlation()) : "")
                + (c.permutationUndone()
                        ? ", after undoing the " + undoneWhat(c) + " the permutation-robust tests found"
                        : "")
                + ". Grey cells were not measured; each cell's tooltip gives its p-value (uncorrected). "
                + pathSentence(r, m, path);
        String svg = HeatMap.render(
                id + "-svg",
                title,
                desc,
                labels(m.suspectLayers()),
                labels(m.referenceLayers()),
                v,
                tips,
                1,
                path,
                "suspect block",
                "reference block",
                new HeatMap.Legend("closeness r", "1 identical", "0 unrelated", "not measured"));
        return figure(
                id,
                title,
                desc,
                svg,
                trows,
                "suspect block",
                "reference block",
                "matched weights r",
                "units matched",
                "relative change",
                "evidence (uncorrected)");
    }

    /** Evidence along depth: per suspect block, the strongest partner and the matched pair. */
    public static List<Figure> depthProfiles(ComparisonResult r, String referenceName) {
        List<Figure> out = new ArrayList<>();
        double threshold = -r.thresholds().layerLog10p();
        for (int k = 0; k < r.layerEvidence().size(); k++) {
            LayerEvidenceMatrix m = r.layerEvidence().get(k);
            String id = "fig-depth-" + k + "-" + slug(m.component());
            Closeness measured = measured(r, m);
            if (measured != null) {
                // Issue 14 §4: how close each block is (bounded), not how sure (log10 p saturates).
                out.add(closenessProfile(id, m, measured, referenceName));
                continue;
            }
            double[][] v = minusLog(m);
            int n = m.suspectLayers().size();
            double[] best = gaps(n);
            int[] partner = new int[n];
            double[] matched = gaps(n);
            double max = threshold;
            for (int i = 0; i < n; i++) {
                partner[i] = -1;
                for (int j = 0; j < v[i].length; j++) {
                    if (!Double.isNaN(v[i][j]) && (Double.isNaN(best[i]) || v[i][j] > best[i])) {
                        best[i] = v[i][j];
                        partner[i] = m.referenceLayers().get(j);
                    }
                }
                if (!Double.isNaN(best[i])) {
                    max = Math.max(max, best[i]);
                }
            }
            for (LayerMatch x : r.layerMap()) {
                if (x.suspect().component().equals(m.component())) {
                    int i = m.suspectLayers().indexOf(x.suspect().layer());
                    if (i >= 0) {
                        double val = -x.log10p();
                        matched[i] = Double.isNaN(matched[i]) ? val : Math.max(matched[i], val);
                        max = Math.max(max, val);
                    }
                }
            }
            List<String> xs = labels(m.suspectLayers());
            String title = "Evidence along depth, " + m.component();
            long matchedCount = java.util.Arrays.stream(matched)
                    .filter(d -> !Double.isNaN(d))
                    .count();
            String desc = "For each of the suspect's " + n + " " + m.component()
                    + " blocks: the strongest uncorrected evidence (minus log10 p) against any block of "
                    + referenceName
                    + ", and the corrected evidence of the block pairs in the layer map (" + matchedCount + " of " + n
                    + " blocks matched). The dashed line is the layer-map threshold of "
                    + f1(threshold) + ".";
            String svg = LineChart.render(
                    id + "-svg",
                    title,
                    desc,
                    xs,
                    List.of(
                            new LineChart.Series("strongest pair (uncorrected)", best),
                            new LineChart.Series("matched pair (corrected)", matched)),
                    "suspect block",
                    "\u2212log10 p",
                    niceCeil(max),
                    threshold,
                    "layer-map threshold");
            List<List<String>> rows = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                rows.add(List.of(
                        xs.get(i),
                        Double.isNaN(best[i]) ? "no test" : f1(best[i]),
                        partner[i] < 0 ? "" : String.valueOf(partner[i]),
                        Double.isNaN(matched[i]) ? "" : f1(matched[i])));
            }
            out.add(figure(
                    id,
                    title,
                    desc,
                    svg,
                    rows,
                    "suspect block",
                    "strongest \u2212log10 p (uncorrected)",
                    "its reference block",
                    "matched \u2212log10 p (corrected)"));
        }
        return out;
    }

    /**
     * Closeness along depth: per suspect block of the stack, the matched weights' correlation r and
     * the share of units matched with its partner block (the layer map's, or the same-index block),
     * both in [0, 1]-bounded units a reader can compare across results.
     */
    static Figure closenessProfile(String id, LayerEvidenceMatrix m, Closeness c, String referenceName) {
        int n = m.suspectLayers().size();
        double[] corr = gaps(n);
        double[] units = gaps(n);
        String[] partner = new String[n];
        for (Closeness.BlockCloseness b : c.blocks()) {
            int i = m.suspectLayers().indexOf(b.suspect().layer());
            if (i >= 0 && Double.isNaN(corr[i])) {
                corr[i] = Math.max(0, b.correlation());
                units[i] = b.unitsMatched();
                partner[i] = String.valueOf(b.reference().layer())
                        + String.format(Locale.ROOT, " (relative change %.0f%%)", 100 * b.relativeChange());
            }
        }
        List<String> xs = labels(m.suspectLayers());
        String title = "Closeness along depth, " + m.component();
        String desc = "For each of the suspect's " + n + " " + m.component() + " blocks: how closely its weights"
                + " follow its partner block of " + referenceName
                + " (the layer map's, or the block at the same depth when there is no map): the correlation r of"
                + " the matched weights and the share of units whose weights correlate with their partner beyond"
                + " chance, both between 0 and 1"
                + (c.blocks().stream().anyMatch(Closeness.BlockCloseness::permutationUndone)
                        ? ", measured after undoing the " + undoneWhat(c) + " the permutation-robust tests found"
                        : "")
                + ". Gaps are blocks without a partner.";
        String svg = LineChart.render(
                id + "-svg",
                title,
                desc,
                xs,
                List.of(
                        new LineChart.Series("matched weights r", corr),
                        new LineChart.Series("share of units matched", units)),
                "suspect block",
                "closeness (0 to 1)",
                1,
                Double.NaN,
                "");
        List<List<String>> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(List.of(
                    xs.get(i),
                    partner[i] == null ? "" : partner[i],
                    Double.isNaN(corr[i]) ? "" : r2(corr[i]),
                    Double.isNaN(units[i]) ? "" : String.format(Locale.ROOT, "%.0f%%", 100 * units[i])));
        }
        return figure(
                id,
                title,
                desc,
                svg,
                rows,
                "suspect block",
                "its reference block",
                "matched weights r",
                "units matched");
    }

    /** The closeness of {@code m}'s component when it was measured per block; null otherwise. */
    static Closeness measured(ComparisonResult r, LayerEvidenceMatrix m) {
        return r.component(m.component())
                .map(ComponentResult::closeness)
                .filter(c -> !c.blocks().isEmpty())
                .orElse(null);
    }

    /** One block pair's closeness in words: "r = 0.96, 100% of units matched, relative change 30%". */
    static String blockWords(Closeness.BlockCloseness b) {
        return "matched weights r = " + r2(b.correlation()) + ", " + ClosenessText.percent(b.unitsMatched())
                + " of units matched, relative change " + ClosenessText.percent(b.relativeChange())
                + (!b.permutationUndone()
                        ? ""
                        : b.rotationUndone()
                                ? " (after undoing a rotation of the residual basis)"
                                : " (after undoing a permutation)");
    }

    /** What was undone before {@code c} was measured: "permutation", or "rotation of the residual basis". */
    private static String undoneWhat(Closeness c) {
        return c.rotationUndone() ? "rotation of the residual basis" : "permutation";
    }

    /** A cell's evidence (minus log10 p, NaN where no test ran) as a p-value in words. */
    static String evidenceWords(double minusLog10p) {
        return Double.isNaN(minusLog10p) ? "no test" : Findings.pValue(-minusLog10p) + " (uncorrected)";
    }

    /** The sentence on the outlined layer map. */
    static String pathSentence(ComparisonResult r, LayerEvidenceMatrix m, List<int[]> path) {
        return path.isEmpty()
                ? "No block pair passed the layer-map threshold."
                : path.size() + " matched block pairs are outlined and joined: " + pathText(r, m) + ".";
    }

    /** A figure whose table has {@code headers} over {@code rows}. */
    static Figure figure(String id, String title, String desc, String svg, List<List<String>> rows, String... headers) {
        return new Figure(id, title, desc, svg, new DataTable(List.of(headers), rows));
    }

    /** A NaN-filled series (gaps until filled). */
    static double[] gaps(int n) {
        double[] v = new double[n];
        java.util.Arrays.fill(v, Double.NaN);
        return v;
    }

    static List<String> labels(List<Integer> layers) {
        return layers.stream().map(String::valueOf).toList();
    }

    static String r2(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2f", v);
    }

    /** Parameter attribution: the whole model (share in related components) and each component by verdict. */
    public static Figure attribution(ComparisonResult r, String referenceName) {
        long total = r.suspect().parameters();
        List<StackedBars.Bar> bars = new ArrayList<>();
        double inherited = r.sharedParameterFraction() * total;
        bars.add(new StackedBars.Bar(
                "whole model",
                List.of(
                        new StackedBars.Segment("related", inherited, Palette.SHARED),
                        new StackedBars.Segment(
                                "not shown to be related", Math.max(0, total - inherited), Palette.REMAINDER)),
                Findings.parameters(total) + ", " + Findings.percent(r.sharedParameterFraction())
                        + " in related components"));
        List<List<String>> rows = new ArrayList<>();
        rows.add(List.of(
                "whole model",
                Long.toString(total),
                "",
                Findings.percent(r.sharedParameterFraction()) + " in related components (reported)"));
        for (ComponentResult c : r.components()) {
            String colour = switch (c.verdict()) {
                case SHARED_LINEAGE -> Palette.SHARED;
                case INDEPENDENT -> Palette.INDEPENDENT;
                case INCONCLUSIVE -> Palette.INCONCLUSIVE;
            };
            String label = switch (c.verdict()) {
                case SHARED_LINEAGE -> "related";
                case INDEPENDENT -> "independent";
                case INCONCLUSIVE -> "inconclusive";
            };
            bars.add(new StackedBars.Bar(
                    c.name(),
                    List.of(new StackedBars.Segment(label, c.parameters(), colour)),
                    Findings.parameters(c.parameters()) + ", " + label));
            rows.add(List.of(c.name(), Long.toString(c.parameters()), Findings.share(c.parameters(), total), label));
        }
        String title = "Parameter attribution";
        StringBuilder desc = new StringBuilder("Bars proportional to parameter counts. Whole model: "
                + Findings.percent(r.sharedParameterFraction()) + " of " + Findings.parameters(total)
                + " parameters lie in components related to " + referenceName + ".");
        for (ComponentResult c : r.components()) {
            desc.append(' ')
                    .append(c.name())
                    .append(": ")
                    .append(Findings.parameters(c.parameters()))
                    .append(", ")
                    .append(Findings.label(c.verdict()))
                    .append('.');
        }
        String svg = StackedBars.render("fig-attribution-svg", title, desc.toString(), bars, true);
        return new Figure(
                "fig-attribution",
                title,
                desc.toString(),
                svg,
                new DataTable(List.of("part", "parameters", "share of model", "attribution"), rows));
    }

    /** Tokenizer overlap (shared, added, removed); null when the relation is ABSENT. */
    public static Figure tokenizerOverlap(ComparisonResult r, String referenceName) {
        TokenizerLineage t = r.tokenizer();
        if (t.relation() == TokenizerLineage.Relation.ABSENT) {
            return null;
        }
        double shared;
        String sharedNote;
        double j = t.jaccard();
        if (t.relation() == TokenizerLineage.Relation.IDENTICAL || j >= 1) {
            shared = Math.max(1, t.addedTokens() + t.removedTokens());
            sharedNote = "all regular tokens";
        } else if (j > 0) {
            // |∩| = J·|∪| and |∪| = |∩| + the tokens on one side only: regular ones, plus the special ones when the
            // Jaccard counted them (a vocabulary that only gained special tokens otherwise read "≈ 0 shared").
            TokenizerLineage.SpecialTokens sp = t.specials();
            long oneSide = t.addedTokens() + t.removedTokens() + (sp.compared() ? sp.added() + sp.removed() : 0);
            shared = Math.round(j * oneSide / (1 - j));
            sharedNote = "\u2248 " + Findings.count((long) shared) + " (from the Jaccard overlap)";
        } else {
            shared = 0;
            sharedNote = "0";
        }
        List<StackedBars.Segment> segs = t.relation() == TokenizerLineage.Relation.INDEPENDENT
                ? List.of(
                        new StackedBars.Segment("shared (share of the union)", j, Palette.INDEPENDENT),
                        new StackedBars.Segment("not shared", Math.max(0, 1 - j), Palette.REMAINDER))
                : List.of(
                        new StackedBars.Segment("shared", shared, Palette.INDEPENDENT),
                        new StackedBars.Segment("added", t.addedTokens(), Palette.ADDED),
                        new StackedBars.Segment("removed", t.removedTokens(), Palette.REMOVED));
        if (t.relation() == TokenizerLineage.Relation.INDEPENDENT) {
            sharedNote = String.format(Locale.ROOT, "%.1f%% of the union (Jaccard)", 100 * j);
        }
        String title = "Tokenizer overlap";
        String desc = String.format(
                Locale.ROOT,
                "Regular vocabularies compared: relation %s; Jaccard overlap %.3f; %s of the smaller vocabulary inherited in order; shared tokens %s; %s added; %s removed.",
                t.relation(),
                j,
                Findings.percent(t.inheritedFraction()),
                sharedNote,
                Findings.count(t.addedTokens()),
                Findings.count(t.removedTokens()));
        String svg = StackedBars.render(
                "fig-tokenizer-svg",
                title,
                desc,
                List.of(new StackedBars.Bar(
                        "vocabulary", segs, t.relation().name().toLowerCase(Locale.ROOT))),
                false);
        List<List<String>> rows = List.of(
                List.of("relation", t.relation().name()),
                List.of("direction", t.direction().name()),
                List.of("Jaccard overlap", String.format(Locale.ROOT, "%.4f", j)),
                List.of("inherited fraction", String.format(Locale.ROOT, "%.4f", t.inheritedFraction())),
                List.of("shared tokens", sharedNote),
                List.of("added tokens", Findings.count(t.addedTokens())),
                List.of("removed tokens", Findings.count(t.removedTokens())));
        return new Figure("fig-tokenizer", title, desc, svg, new DataTable(List.of("measure", "value"), rows));
    }

    /**
     * Scripts of the added tokens: from the context when given, else counted over the result's added
     * examples (and said to be a sample). Null when neither has any token.
     */
    public static Figure addedScripts(ComparisonResult r, ReportContext ctx) {
        Map<String, Long> counts = ctx.addedTokenScripts();
        boolean sample = counts == null;
        if (counts == null) {
            counts = TokenScripts.count(r.tokenizer().addedExamples());
        }
        if (counts.isEmpty()) {
            return null;
        }
        long n = counts.values().stream().mapToLong(Long::longValue).sum();
        List<StackedBars.Bar> bars = new ArrayList<>();
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, Long> e : counts.entrySet()) {
            bars.add(new StackedBars.Bar(
                    e.getKey(),
                    List.of(new StackedBars.Segment("added tokens", e.getValue(), Palette.ADDED)),
                    Findings.count(e.getValue()) + " (" + Findings.share(e.getValue(), n) + ")"));
            rows.add(List.of(e.getKey(), Findings.count(e.getValue()), Findings.share(e.getValue(), n)));
        }
        String title = "Scripts of the added tokens";
        StringBuilder desc = new StringBuilder(
                sample
                        ? "Script of the first letter of each of the " + n
                                + " example added tokens listed in the result (a sample, not every added token):"
                        : "Script of the " + Findings.count(n) + " added tokens:");
        counts.forEach(
                (k, v) -> desc.append(' ').append(k).append(' ').append(v).append(';'));
        desc.setLength(desc.length() - 1);
        desc.append('.');
        String svg = StackedBars.render("fig-scripts-svg", title, desc.toString(), bars, true);
        return new Figure(
                "fig-scripts", title, desc.toString(), svg, new DataTable(List.of("script", "tokens", "share"), rows));
    }

    /** Relative change per matched block and tensor role; null without customisation layers. */
    public static Figure customisation(ComparisonResult r, String referenceName) {
        CustomisationSummary c = r.customisation();
        if (c == null || c.layers().isEmpty()) {
            return null;
        }
        Map<String, Integer> xIndex = new LinkedHashMap<>();
        Map<String, double[]> dummy = new LinkedHashMap<>();
        for (CustomisationSummary.LayerChange l : c.layers()) {
            xIndex.putIfAbsent(l.suspect().component() + "." + l.suspect().layer(), xIndex.size());
        }
        List<String> roles = new ArrayList<>();
        for (CustomisationSummary.LayerChange l : c.layers()) {
            if (!roles.contains(l.role())) {
                roles.add(l.role());
            }
        }
        double max = 0;
        for (String role : roles) {
            double[] v = new double[xIndex.size()];
            java.util.Arrays.fill(v, Double.NaN);
            dummy.put(role, v);
        }
        List<List<String>> rows = new ArrayList<>();
        for (CustomisationSummary.LayerChange l : c.layers()) {
            String key = l.suspect().component() + "." + l.suspect().layer();
            dummy.get(l.role())[xIndex.get(key)] = l.relativeChange();
            max = Math.max(max, l.relativeChange());
            rows.add(List.of(
                    key,
                    l.reference().component() + "." + l.reference().layer(),
                    l.role(),
                    String.format(Locale.ROOT, "%.4g", l.relativeChange()),
                    l.bitIdentical() ? "yes" : "no",
                    Integer.toString(l.rank()),
                    String.format(Locale.ROOT, "%.3f", l.topRankEnergy())));
        }
        List<LineChart.Series> series = new ArrayList<>();
        dummy.forEach((role, v) -> series.add(new LineChart.Series(role, v)));
        String title = "Customisation profile";
        long identical = c.layers().stream()
                .filter(CustomisationSummary.LayerChange::bitIdentical)
                .count();
        String desc = String.format(
                Locale.ROOT,
                "Relative change of each tensor role (Frobenius norm of the difference over the norm of the reference tensor) along the %d matched suspect blocks; largest %.3g; %d of %d tensors bit-identical. %s",
                xIndex.size(),
                max,
                identical,
                c.layers().size(),
                c.note());
        String svg = LineChart.render(
                "fig-custom-svg",
                title,
                desc.strip(),
                List.copyOf(xIndex.keySet()),
                series,
                "suspect block",
                "relative change",
                niceCeil(max),
                Double.NaN,
                "");
        return new Figure(
                "fig-custom",
                title,
                desc.strip(),
                svg,
                new DataTable(
                        List.of(
                                "suspect block",
                                "reference block",
                                "role",
                                "relative change",
                                "bit-identical",
                                "probe rank",
                                "top-rank energy"),
                        rows));
    }

    static double[][] minusLog(LayerEvidenceMatrix m) {
        double[][] v = new double[m.suspectLayers().size()][m.referenceLayers().size()];
        for (int i = 0; i < v.length; i++) {
            for (int j = 0; j < v[i].length; j++) {
                Double d = m.log10p().get(i).get(j);
                v[i][j] = d == null ? Double.NaN : -d + 0.0;
            }
        }
        return v;
    }

    /**
     * The layer map's cells in {@code m}: the pairs of its suspect stack (one reference stack per
     * suspect stack, which may carry another label: a tower filed under another component).
     */
    static List<int[]> path(ComparisonResult r, LayerEvidenceMatrix m) {
        List<int[]> p = new ArrayList<>();
        for (LayerMatch x : r.layerMap()) {
            if (x.suspect().component().equals(m.component())) {
                int i = m.suspectLayers().indexOf(x.suspect().layer());
                int j = m.referenceLayers().indexOf(x.reference().layer());
                if (i >= 0 && j >= 0) {
                    p.add(new int[] {i, j});
                }
            }
        }
        return p;
    }

    static String pathText(ComparisonResult r, LayerEvidenceMatrix m) {
        StringBuilder sb = new StringBuilder();
        int k = 0;
        for (LayerMatch x : r.layerMap()) {
            if (x.suspect().component().equals(m.component())) {
                if (k > 0) {
                    sb.append(", ");
                }
                if (k == 24) {
                    sb.append("and more (see table)");
                    break;
                }
                sb.append(x.suspect().layer())
                        .append("\u2192")
                        .append(x.reference().layer());
                k++;
            }
        }
        return sb.toString();
    }

    static double niceCeil(double v) {
        if (!(v > 0)) {
            return 1;
        }
        double p = Math.pow(10, Math.floor(Math.log10(v)));
        // Multiples whose quarter is a round tick step (the charts draw four intervals).
        for (double m : new double[] {1, 2, 4, 8, 10}) {
            if (m * p >= v) {
                return m * p;
            }
        }
        return 10 * p;
    }

    static String f1(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    /** A component name as an id fragment. */
    static String slug(String s) {
        String t = s.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "-").replaceAll("^-|-$", "");
        return t.isEmpty() ? "x" + Integer.toHexString(s.hashCode()) : t;
    }
}
