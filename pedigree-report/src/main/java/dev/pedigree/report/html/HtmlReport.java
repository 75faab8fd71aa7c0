package dev.pedigree.report.html;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.SamplingInfo;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.report.ChangeSummary;
import dev.pedigree.report.ClaimCheck;
import dev.pedigree.report.ClosenessText;
import dev.pedigree.report.FileHash;
import dev.pedigree.report.Findings;
import dev.pedigree.report.LanguageFitnessRow;
import dev.pedigree.report.MethodCatalogue;
import dev.pedigree.report.Relation;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.Summaries;
import dev.pedigree.report.svg.DataTable;
import dev.pedigree.report.svg.Figure;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Renders a comparison as one self-contained HTML file: no scripts, no network, no external fonts
 * (system font stack), inline SVG figures each with a title, description, caption and a table of
 * its numbers, and print styles. Every string from the inputs is HTML-escaped. The output depends
 * only on the arguments (no clock), so equal inputs give byte-identical files. Stateless and
 * thread-safe.
 */
public final class HtmlReport {
    private HtmlReport() {}

    /** The report as an HTML document. */
    public static String render(ComparisonResult r, ReportContext ctx) {
        ReportContext c = ctx == null ? ReportContext.EMPTY : ctx;
        String ref = c.referenceName() == null || c.referenceName().isBlank()
                ? Findings.modelName(r.reference())
                : c.referenceName();
        String sus = c.suspectName() == null || c.suspectName().isBlank()
                ? Findings.modelName(r.suspect())
                : c.suspectName();
        StringBuilder sb = new StringBuilder(64 * 1024);
        sb.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n")
                .append(
                        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">\n")
                .append("<meta name=\"generator\" content=\"Pedigree")
                .append(c.pedigreeVersion() == null ? "" : " " + Html.escape(c.pedigreeVersion()))
                .append("\">\n")
                .append("<title>Pedigree report: ")
                .append(Html.escape(sus))
                .append(" vs ")
                .append(Html.escape(ref))
                .append("</title>\n")
                .append("<style>\n")
                .append(CSS)
                .append("</style>\n</head>\n<body>\n");
        sb.append("<header>\n<p class=\"kicker\">Pedigree lineage report</p>\n<h1>")
                .append(Html.escape(Findings.question(r, ref, sus)))
                .append("</h1>\n</header>\n<main>\n");
        answer(sb, r, ref, sus, c);
        howToRead(sb);
        List<Figure> figures = new ArrayList<>();
        int[] n = {0};
        inherited(sb, r, ref, n, figures);
        claims(sb, r, ref, c);
        models(sb, r, c, sus, ref);
        components(sb, r);
        layers(sb, r, ref, n, figures);
        tokenizer(sb, r, ref, c, n, figures);
        customisation(sb, r, ref, n, figures);
        method(sb, r);
        glossary(sb);
        if (!r.warnings().isEmpty()) {
            sb.append("<section id=\"caveats\">\n<h2>Caveats</h2>\n<ul>\n");
            r.warnings().forEach(w -> sb.append("<li>").append(Html.escape(w)).append("</li>\n"));
            sb.append("</ul>\n</section>\n");
        }
        sb.append("</main>\n<footer>\n<p>Produced by Pedigree");
        if (c.pedigreeVersion() != null) {
            sb.append(' ').append(Html.escape(c.pedigreeVersion()));
        }
        sb.append(" from result schema <code>").append(Html.escape(r.schema())).append("</code>.");
        if (c.generatedAt() != null) {
            sb.append(" Generated ").append(Html.escape(c.generatedAt())).append('.');
        }
        sb.append("</p>\n");
        if (c.commandLine() != null) {
            sb.append("<p>Command: <code>")
                    .append(Html.escape(Findings.relativeCommand(c.commandLine())))
                    .append("</code></p>\n");
        }
        sb.append(
                "<p>This file is self-contained: it loads nothing from the network and runs no scripts.</p>\n</footer>\n</body>\n</html>\n");
        return sb.toString();
    }

    private static void answer(StringBuilder sb, ComparisonResult r, String ref, String sus, ReportContext c) {
        sb.append("<section id=\"answer\" class=\"answer ")
                .append(verdictClass(r.verdict()))
                .append("\" aria-labelledby=\"answer-h\">\n")
                .append("<h2 id=\"answer-h\">Answer: <span class=\"verdict-label\">")
                .append(Html.escape(Findings.answerWord(r)))
                .append("</span> <span class=\"scale\">(")
                .append(Html.escape(Findings.answerScale(r)))
                .append(")</span></h2>\n")
                .append("<p class=\"headline\">")
                .append(Html.withExponents(Findings.answer(r, ref, sus)))
                .append("</p>\n");
        List<String> sentences = Findings.componentSentences(r, ref);
        if (!sentences.isEmpty()) {
            sb.append("<ul class=\"findings\">\n");
            for (int i = 0; i < sentences.size(); i++) {
                sb.append("<li class=\"")
                        .append(verdictClass(r.components().get(i).verdict()))
                        .append("\">")
                        .append(Html.withExponents(sentences.get(i)))
                        .append("</li>\n");
            }
            sb.append("</ul>\n");
        }
        Relation.looksLike(r).ifPresent(l -> {
            sb.append("<p class=\"looks-like\">")
                    .append(Html.escape(Summaries.looksLike(l, sus, ref)))
                    .append("</p>\n");
            Relation.modelCardSnippet(r, ref)
                    .ifPresent(snippet -> sb.append(
                                    "<details><summary>Suggested model-card metadata (verified from the weights)</summary>\n<pre><code>")
                            .append(Html.escape(snippet))
                            .append("</code></pre>\n</details>\n"));
        });
        if (r.verdict() != Verdict.INCONCLUSIVE || r.log10p() != null) {
            sb.append("<p>")
                    .append(Html.escape(Findings.tokenizerSentence(r.tokenizer(), ref)))
                    .append("</p>\n");
        }
        List<ClaimCheck> checks = ClaimCheck.check(r, c.declaredClaims(), c.referenceName());
        for (ClaimCheck k : checks) {
            if (k.status().flagged()) {
                sb.append("<p class=\"flag\"><strong>Flag:</strong> ")
                        .append(
                                k.status() == ClaimCheck.Status.CONTRADICTED
                                        ? "the weights contradict the suspect's declared "
                                                + Html.escape(k.claim().relation()) + " \u201c"
                                                + Html.escape(k.claim().value()) + "\u201d"
                                        : "the weights find a relative the suspect does not declare")
                        .append("; see <a href=\"#claims\">Declared lineage</a>.</p>\n");
            }
        }
        sb.append("</section>\n");
    }

    private static void inherited(StringBuilder sb, ComparisonResult r, String ref, int[] n, List<Figure> figures) {
        if (r.components().isEmpty() || r.suspect().parameters() == 0) {
            return; // no weights compared: a figure of 0% of 0 parameters says nothing
        }
        sb.append("<section id=\"inherited\">\n<h2>Parameters in related components</h2>\n<p>")
                .append(Html.escape(Summaries.relatedParameters(r, ref)))
                .append("</p>\n");
        figure(sb, ReportFigures.attribution(r, ref), n, figures);
        sb.append("</section>\n");
    }

    private static void claims(StringBuilder sb, ComparisonResult r, String ref, ReportContext c) {
        sb.append("<section id=\"claims\">\n<h2>Declared lineage versus the weights</h2>\n");
        if (c.declaredClaims() == null) {
            sb.append(
                    "<p>The suspect's declared lineage (model card, GGUF metadata) was not read for this report.</p>\n</section>\n");
            return;
        }
        List<ClaimCheck> checks = ClaimCheck.check(r, c.declaredClaims(), c.referenceName());
        if (c.declaredClaims().isEmpty()) {
            sb.append("<p>The suspect declares no base model.</p>\n");
        }
        if (checks.isEmpty()) {
            sb.append("</section>\n");
            return;
        }
        sb.append(
                "<div class=\"table-wrap\"><table>\n<thead><tr><th scope=\"col\">status</th><th scope=\"col\">declared</th><th scope=\"col\">where</th><th scope=\"col\">what the weights say</th></tr></thead>\n<tbody>\n");
        for (ClaimCheck k : checks) {
            sb.append("<tr")
                    .append(k.status().flagged() ? " class=\"flag\"" : "")
                    .append("><td>")
                    .append(k.status().flagged() ? "<strong>Flag:</strong> " : "")
                    .append(Html.escape(k.status().name().replace('_', ' ').toLowerCase(Locale.ROOT)))
                    .append("</td><td>")
                    .append(
                            k.claim() == null
                                    ? "(nothing)"
                                    : Html.escape(k.claim().relation() + " = "
                                            + k.claim().value()))
                    .append("</td><td>")
                    .append(k.claim() == null ? "" : Html.escape(k.claim().origin()))
                    .append("</td><td>")
                    .append(Html.withExponents(k.message()))
                    .append("</td></tr>\n");
        }
        sb.append("</tbody>\n</table></div>\n</section>\n");
    }

    private static void models(StringBuilder sb, ComparisonResult r, ReportContext c, String sus, String ref) {
        sb.append("<section id=\"models\">\n<h2>What was compared</h2>\n");
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<String, ModelSummary> e :
                Map.of("suspect", r.suspect(), "reference", r.reference()).entrySet().stream()
                        .sorted(Map.Entry.<String, ModelSummary>comparingByKey().reversed())
                        .toList()) {
            ModelSummary m = e.getValue();
            rows.add(List.of(
                    e.getKey(),
                    e.getKey().equals("suspect") ? sus : ref,
                    Findings.relativeSource(m.source()),
                    m.format(),
                    m.architecture() == null ? "unknown" : m.architecture(),
                    Findings.count(m.parameters())));
        }
        Html.table(
                sb,
                new DataTable(List.of("role", "name", "source", "format", "architecture", "parameters"), rows),
                null,
                true);
        if (!c.inputHashes().isEmpty()) {
            List<List<String>> hr = new ArrayList<>();
            for (FileHash h : c.inputHashes()) {
                hr.add(List.of(h.role(), Findings.relativeSource(h.file()), h.shown()));
            }
            sb.append("<details><summary>SHA-256 of the input files</summary>\n");
            Html.table(sb, new DataTable(List.of("role", "file", "SHA-256"), hr), null, false);
            sb.append("</details>\n");
        }
        sb.append("</section>\n");
    }

    private static void components(StringBuilder sb, ComparisonResult r) {
        sb.append("<section id=\"components\">\n<h2>Components</h2>\n");
        if (r.components().isEmpty()) {
            sb.append("<p>No weight component was compared.</p>\n</section>\n");
            return;
        }
        List<List<String>> rows = new ArrayList<>();
        for (ComponentResult c : r.components()) {
            rows.add(List.of(
                    c.name(),
                    c.kind().jsonName(),
                    Findings.count(c.parameters()),
                    Findings.share(c.parameters(), r.suspect().parameters()),
                    Findings.label(c.verdict()),
                    Findings.pValue(c.log10p()),
                    Relation.strongestCounted(c)
                            .map(b -> b.test() + ": " + Findings.pValue(b.log10p()))
                            .orElse(""),
                    Findings.sentences(Findings.plainReason(c.reason()), ClosenessText.sentence(c))));
        }
        Html.table(
                sb,
                new DataTable(
                        List.of(
                                "component",
                                "kind",
                                "parameters",
                                "share",
                                "verdict",
                                "evidence (Holm-adjusted)",
                                "strongest counted test",
                                "why"),
                        rows),
                null,
                true);
        for (ComponentResult c : r.components()) {
            sb.append("<details><summary>Every test of ")
                    .append(Html.escape(c.name()))
                    .append(" (")
                    .append(c.evidence().size())
                    .append(")</summary>\n");
            List<List<String>> er = new ArrayList<>();
            for (Evidence e : c.evidence()) {
                er.add(List.of(
                        e.test(),
                        e.statistic() == null ? "" : String.format(Locale.ROOT, "%.4g", e.statistic()),
                        e.log10p() == null ? "not applicable" : String.format(Locale.ROOT, "%.2f", e.log10p()),
                        Findings.pValue(e.log10p()),
                        e.log10p() == null
                                ? "did not run"
                                : Relation.counted(e) ? "yes" : "context, not counted: " + Relation.whyNotCounted(e),
                        e.note()));
            }
            Html.table(
                    sb,
                    new DataTable(
                            List.of("test", "statistic", "log10 p (exact)", "p", "counts toward the verdict", "note"),
                            er),
                    null,
                    true);
            sb.append("</details>\n");
        }
        sb.append("</section>\n");
    }

    private static void layers(StringBuilder sb, ComparisonResult r, String ref, int[] n, List<Figure> figures) {
        if (r.layerEvidence().isEmpty() && r.layerMap().isEmpty()) {
            return;
        }
        List<Figure> heat = ReportFigures.heatMaps(r, ref);
        boolean closeness = heat.stream().anyMatch(f -> f.title().startsWith("Layer-by-layer closeness"));
        sb.append(
                "<section id=\"layers\">\n<h2>Layer by layer</h2>\n<p>Each block (layer) of the suspect was tested against each block of the reference. "
                        + (closeness
                                ? "Darker cells are closer weights: the correlation of the matched weights, from 0 (unrelated) to 1 (identical); "
                                : "Darker cells are stronger evidence of shared lineage; ")
                        + "the outlined path is the layer map (block pairs that stay significant after correction for the number of pairs).</p>\n");
        List<Figure> depth = ReportFigures.depthProfiles(r, ref);
        for (int i = 0; i < heat.size(); i++) {
            figure(sb, heat.get(i), n, figures);
            figure(sb, depth.get(i), n, figures);
        }
        if (!r.layerMap().isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            for (LayerMatch m : r.layerMap()) {
                rows.add(List.of(
                        m.suspect().component() + "." + m.suspect().layer(),
                        m.reference().component() + "." + m.reference().layer(),
                        ClosenessText.block(r, m),
                        String.format(Locale.ROOT, "%.2f", m.log10p()),
                        Findings.pValue(m.log10p())));
            }
            sb.append("<details><summary>Layer map (")
                    .append(r.layerMap().size())
                    .append(" matched block pairs)</summary>\n");
            Html.table(
                    sb,
                    new DataTable(
                            List.of("suspect block", "reference block", "closeness", "log10 p (corrected)", "p"), rows),
                    null,
                    true);
            sb.append("</details>\n");
        }
        sb.append("</section>\n");
    }

    private static void tokenizer(
            StringBuilder sb, ComparisonResult r, String ref, ReportContext c, int[] n, List<Figure> figures) {
        sb.append("<section id=\"tokenizer\">\n<h2>Tokenizer</h2>\n<p>")
                .append(Html.escape(Findings.tokenizerSentence(r.tokenizer(), ref)))
                .append("</p>\n");
        if (!r.tokenizer().note().isEmpty()) {
            sb.append("<p class=\"note\">")
                    .append(Html.escape(r.tokenizer().note()))
                    .append("</p>\n");
        }
        Figure overlap = ReportFigures.tokenizerOverlap(r, ref);
        if (overlap != null) {
            figure(sb, overlap, n, figures);
        }
        if (c.addedTokenExamples() != null && !c.addedTokenExamples().isEmpty()) {
            sb.append("<p>Examples of added tokens, by script:</p>\n<ul class=\"added-examples\">\n");
            c.addedTokenExamples().forEach((script, ex) -> {
                sb.append("<li>").append(Html.escape(script)).append(": ");
                for (int i = 0; i < ex.size(); i++) {
                    sb.append(i == 0 ? "" : ", ")
                            .append("<code class=\"token\">")
                            .append(Html.escape(ex.get(i)))
                            .append("</code>");
                }
                sb.append("</li>\n");
            });
            sb.append("</ul>\n");
        } else if (!r.tokenizer().addedExamples().isEmpty()) {
            sb.append("<p>Examples of added tokens: ");
            List<String> ex = r.tokenizer().addedExamples();
            for (int i = 0; i < ex.size(); i++) {
                sb.append(i == 0 ? "" : ", ")
                        .append("<code class=\"token\">")
                        .append(Html.escape(ex.get(i)))
                        .append("</code>");
            }
            sb.append("</p>\n");
        }
        Figure scripts = ReportFigures.addedScripts(r, c);
        if (scripts != null) {
            figure(sb, scripts, n, figures);
        }
        if (!c.languageFitness().isEmpty()) {
            List<List<String>> rows = new ArrayList<>();
            for (LanguageFitnessRow f : c.languageFitness()) {
                rows.add(List.of(
                        f.tokenizer(),
                        String.format(Locale.ROOT, "%.3f", f.tokensPerChar()),
                        String.format(Locale.ROOT, "%.3f", f.tokensPerWord()),
                        f.notes()));
            }
            sb.append("<h3>Language fitness</h3>\n");
            Html.table(
                    sb,
                    new DataTable(List.of("tokenizer", "tokens per character", "tokens per word", "notes"), rows),
                    "Fewer tokens per character or word: the tokenizer fits the sample text better.",
                    true);
        }
        sb.append("</section>\n");
    }

    private static void customisation(StringBuilder sb, ComparisonResult r, String ref, int[] n, List<Figure> figures) {
        CustomisationSummary c = r.customisation();
        if (c == null) {
            return;
        }
        sb.append("<section id=\"customisation\">\n<h2>How the suspect was changed</h2>\n");
        if (!c.note().isEmpty()) {
            sb.append("<p>").append(Html.escape(c.note())).append("</p>\n");
        }
        Figure f = ReportFigures.customisation(r, ref);
        if (f != null) {
            figure(sb, f, n, figures);
        }
        if (!c.untouchedLayers().isEmpty()) {
            sb.append("<p>")
                    .append(c.untouchedLayers().size())
                    .append(" suspect blocks are bit-identical to their reference partners: ");
            for (int i = 0; i < c.untouchedLayers().size(); i++) {
                sb.append(i == 0 ? "" : ", ")
                        .append(Html.escape(c.untouchedLayers().get(i).component() + "."
                                + c.untouchedLayers().get(i).layer()));
            }
            sb.append(".</p>\n");
        }
        if (!c.experts().isEmpty()) {
            sb.append("<ul>\n");
            for (String line : ChangeSummary.experts(c.experts())) {
                sb.append("<li>").append(Html.escape(line)).append("</li>\n");
            }
            sb.append("</ul>\n");
        }
        for (String line : ChangeSummary.lines(c)) {
            sb.append("<p>").append(Html.escape(line)).append("</p>\n");
        }
        if (c.embeddings() != null) {
            CustomisationSummary.EmbeddingChange e = c.embeddings();
            List<List<String>> rows = List.of(
                    List.of("shared tokens", Findings.count(e.sharedTokens())),
                    List.of("new tokens", Findings.count(e.newTokens())),
                    List.of("re-initialised rows", Findings.count(e.reinitialisedRows())),
                    List.of("median row correlation", String.format(Locale.ROOT, "%.3f", e.medianRowCorrelation())),
                    List.of("new token examples", String.join(", ", e.newTokenExamples())));
            Html.table(sb, new DataTable(List.of("token embeddings", "value"), rows), null, true);
        }
        sb.append("</section>\n");
    }

    private static void method(StringBuilder sb, ComparisonResult r) {
        sb.append(
                "<section id=\"method\">\n<h2>Method</h2>\n<p>Null hypothesis of every test: the two models' weights were initialised independently. "
                        + "Each p-value is computed in log space, so values far below 10<sup>\u2212300</sup> are exact rather than rounded to zero; "
                        + "sentences cap them at 10<sup>\u2212100</sup> (the exact log10 p is in each component's table of tests). Tests that ran:</p>\n");
        Map<MethodCatalogue.Family, List<Evidence>> byFamily = new LinkedHashMap<>();
        for (MethodCatalogue.Family f : MethodCatalogue.FAMILIES) {
            byFamily.put(f, new ArrayList<>());
        }
        for (ComponentResult c : r.components()) {
            for (Evidence e : c.evidence()) {
                byFamily.get(MethodCatalogue.family(e.test())).add(e);
            }
        }
        List<List<String>> rows = new ArrayList<>();
        for (Map.Entry<MethodCatalogue.Family, List<Evidence>> e : byFamily.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            MethodCatalogue.Family f = e.getKey();
            long applied = e.getValue().stream().filter(x -> x.log10p() != null).count();
            Evidence best = e.getValue().stream()
                    .filter(x -> x.log10p() != null)
                    .min(java.util.Comparator.comparingDouble(Evidence::log10p))
                    .orElse(null);
            rows.add(List.of(
                    f.name() + (f.weak() ? " (weak; not combined)" : ""),
                    f.nullHypothesis(),
                    e.getValue().size() + " (" + applied + " applicable)",
                    best == null ? "" : best.test() + ": " + Findings.pValue(best.log10p())));
        }
        if (rows.isEmpty()) {
            sb.append("<p>No weight test ran.</p>\n");
        } else {
            Html.table(
                    sb, new DataTable(List.of("test", "null hypothesis", "tests run", "strongest"), rows), null, true);
        }
        SamplingInfo s = r.sampling();
        sb.append("<h3>Sampling</h3>\n");
        sb.append("<p>").append(Html.escape(Summaries.sampling(s))).append("</p>\n");
        Html.table(
                sb,
                new DataTable(
                        List.of("setting", "value"),
                        List.of(
                                List.of(
                                        "rows per tensor",
                                        s.sampleRows() == null ? "all" : Findings.count(s.sampleRows())),
                                List.of("seed", Long.toString(s.seed())),
                                List.of("largest assignment problem (units)", Findings.count(s.maxMatchedUnits())),
                                List.of("probe tokens", Findings.count(s.probeTokens())))),
                null,
                true);
        sb.append("<h3>Thresholds</h3>\n<p>")
                .append(Html.withExponents(Findings.thresholdsInWords(r.thresholds())))
                .append("</p>\n");
        sb.append("<h3>Traps avoided</h3>\n<ul>\n");
        MethodCatalogue.TRAPS.forEach(
                t -> sb.append("<li>").append(Html.escape(t)).append("</li>\n"));
        sb.append("</ul>\n<h3>Limits</h3>\n<ul>\n");
        MethodCatalogue.LIMITS.forEach(
                t -> sb.append("<li>").append(Html.escape(t)).append("</li>\n"));
        sb.append("</ul>\n</section>\n");
    }

    private static void howToRead(StringBuilder sb) {
        sb.append("<aside id=\"how-to-read\" class=\"how-to-read\" aria-labelledby=\"how-to-read-h\">\n")
                .append("<h2 id=\"how-to-read-h\">How to read this report</h2>\n<ul>\n");
        for (String line : Findings.HOW_TO_READ) {
            sb.append("<li>").append(Html.withExponents(line)).append("</li>\n");
        }
        sb.append("</ul>\n<p><a href=\"#glossary\">Glossary</a></p>\n</aside>\n");
    }

    private static void glossary(StringBuilder sb) {
        sb.append("<section id=\"glossary\">\n<h2>Glossary</h2>\n<dl>\n");
        for (Map.Entry<String, String> e : Findings.GLOSSARY.entrySet()) {
            sb.append("<dt>")
                    .append(Html.escape(e.getKey()))
                    .append("</dt><dd>")
                    .append(Html.escape(e.getValue()))
                    .append("</dd>\n");
        }
        sb.append("</dl>\n</section>\n");
    }

    private static void figure(StringBuilder sb, Figure f, int[] n, List<Figure> figures) {
        n[0]++;
        figures.add(f);
        String cap = f.id() + "-caption";
        sb.append("<figure id=\"")
                .append(f.id())
                .append("\" aria-labelledby=\"")
                .append(cap)
                .append("\">\n<div class=\"plot\">\n")
                .append(f.svg())
                .append("</div>\n")
                .append("<figcaption id=\"")
                .append(cap)
                .append("\"><strong>Figure ")
                .append(n[0])
                .append(". ")
                .append(Html.escape(f.title()))
                .append(".</strong> ")
                .append(Html.escape(f.description()))
                .append("</figcaption>\n")
                .append("<details class=\"data\"><summary>Table of the plotted numbers (figure ")
                .append(n[0])
                .append(")</summary>\n");
        Html.table(sb, f.table(), f.title(), true);
        sb.append("</details>\n</figure>\n");
    }

    private static String verdictClass(Verdict v) {
        return switch (v) {
            case SHARED_LINEAGE -> "v-shared";
            case INDEPENDENT -> "v-independent";
            case INCONCLUSIVE -> "v-inconclusive";
        };
    }

    static final String CSS = """
      :root { color-scheme: light; --text: #1a1a1a; --muted: #595959; --rule: #c8c8c8; --shared: #b34700; --independent: #1f5f99; --inconclusive: #6e6e6e; --flag: #a4262c; }
      * { box-sizing: border-box; }
      body { margin: 0 auto; max-width: 72rem; padding: 1.5rem; color: var(--text); background: #ffffff;
        font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", "Liberation Sans", sans-serif; font-size: 16px; line-height: 1.5; }
      code, .token { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, "DejaVu Sans Mono", "Liberation Mono", monospace; font-size: 0.9em; }
      .token { background: #f0f0f0; padding: 0 0.2em; border-radius: 3px; white-space: pre; }
      h1 { font-size: 1.6rem; line-height: 1.25; margin: 0.2rem 0 1rem; }
      h2 { font-size: 1.3rem; border-bottom: 1px solid var(--rule); padding-bottom: 0.2rem; margin-top: 2rem; }
      h3 { font-size: 1.1rem; }
      .kicker { color: var(--muted); text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.8rem; margin: 0; }
      .answer { border-left: 0.5rem solid var(--inconclusive); padding: 0.5rem 1rem; background: #f7f7f7; }
      .answer.v-shared { border-left-color: var(--shared); }
      .answer.v-independent { border-left-color: var(--independent); }
      .answer h2 { border: none; margin-top: 0.3rem; }
      .headline { font-size: 1.15rem; font-weight: 600; }
      .scale { font-weight: 400; color: var(--muted); }
      .how-to-read { border: 1px solid var(--rule); padding: 0.3rem 1rem; margin: 1rem 0; }
      .how-to-read h2 { border: none; font-size: 1.1rem; margin-top: 0.3rem; }
      dt { font-weight: 600; margin-top: 0.5rem; }
      dd { margin-left: 1.5rem; }
      pre { background: #f0f0f0; padding: 0.5rem; overflow-x: auto; }
      .findings li { margin: 0.3rem 0; }
      .findings li.v-shared::marker { color: var(--shared); }
      .flag { color: var(--flag); }
      tr.flag td { color: var(--flag); }
      .note { color: var(--muted); }
      figure { margin: 1.5rem 0; }
      .plot { overflow-x: auto; }
      .plot svg { max-width: 100%; height: auto; }
      figcaption { color: var(--text); font-size: 0.95rem; margin-top: 0.3rem; }
      details { margin: 0.5rem 0; }
      summary { cursor: pointer; color: var(--independent); }
      .table-wrap { overflow-x: auto; }
      table { border-collapse: collapse; margin: 0.5rem 0; font-size: 0.9rem; }
      caption { text-align: left; font-weight: 600; padding: 0.2rem 0; }
      th, td { border: 1px solid var(--rule); padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
      thead th { background: #eeeeee; }
      footer { margin-top: 3rem; color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--rule); }
      @media print {
        body { max-width: none; padding: 0; font-size: 10.5pt; }
        h2 { break-after: avoid; }
        figure, table, .answer { break-inside: avoid; }
        .answer { background: none; }
        details > summary { list-style: none; color: var(--text); }
        details::details-content { content-visibility: visible; display: block; }
        a { color: inherit; text-decoration: none; }
      }
      """;
}
