package dev.pedigree.report.html;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.report.Cases;
import dev.pedigree.report.ReportContext;
import dev.pedigree.report.svg.Palette;
import dev.pedigree.report.svg.XmlCheck;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

class HtmlReportTest {
    static final String CLIP = "openai/clip-vit-large-patch14";

    static String transplantHtml() {
        ComparisonResult r = Cases.transplant();
        return HtmlReport.render(r, Cases.context(r, Cases.transplantClaims(), CLIP));
    }

    /** Every {@code <figure>} element of the page. */
    static List<String> figures(String html) {
        List<String> out = new ArrayList<>();
        Matcher m = Pattern.compile("<figure .*?</figure>", Pattern.DOTALL).matcher(html);
        while (m.find()) {
            out.add(m.group());
        }
        return out;
    }

    @Test
    void transplantStatesTheAnswerInPlainLanguage() {
        String html = transplantHtml();
        assertThat(html)
                .contains(
                        "<h1>Do the weights of vlm-7b and openai/clip-vit-large-patch14 share an origin (one derived from the other, or both from a common ancestor)?</h1>")
                .contains("Answer: <span class=\"verdict-label\">SHARED_LINEAGE</span>")
                .contains(
                        "The vision encoder (632 M parameters, 9% of the model) is related to openai/clip-vit-large-patch14: lightly changed (median relative change 5%); overwhelming evidence (p &lt; 10<sup>\u2212100</sup>).")
                .contains(
                        "The language model (6.1 B parameters, 90% of the model) shows no sign of it: none found with adequate power (p = 0.16).")
                .contains("9% of the suspect&#39;s 6.8 B parameters lie in components or blocks related to")
                .contains("looks like a merge that includes")
                .contains("(Hugging Face base_model_relation: merge): some of its components are related to")
                .contains("Suggested model-card metadata (verified from the weights)")
                .contains("<strong>Flag:</strong> the weights find a relative the suspect does not declare")
                .contains("Undeclared relative: the weights show a shared origin with openai/clip-vit-large-patch14")
                .contains("not tested here; this comparison was against openai/clip-vit-large-patch14");
    }

    @Test
    void everyFigureHasTextAlternativeCaptionAndTable() throws Exception {
        String html = transplantHtml();
        List<String> figs = figures(html);
        // attribution, 2 heat maps, 2 depth profiles, tokenizer overlap, customisation.
        assertThat(figs).hasSize(7);
        for (String f : figs) {
            String svg = f.substring(f.indexOf("<svg"), f.indexOf("</svg>") + 6);
            Document d = XmlCheck.parse(svg);
            assertThat(d.getDocumentElement().getAttribute("role")).isEqualTo("img");
            assertThat(d.getDocumentElement().getAttribute("aria-label")).isNotBlank();
            assertThat(d.getDocumentElement()
                            .getElementsByTagName("title")
                            .item(0)
                            .getTextContent())
                    .isNotBlank();
            assertThat(d.getDocumentElement()
                            .getElementsByTagName("desc")
                            .item(0)
                            .getTextContent())
                    .hasSizeGreaterThan(40);
            assertThat(f)
                    .contains("<figcaption")
                    .contains("<details class=\"data\"><summary>Table of the plotted numbers")
                    .contains("<table>")
                    .contains("<th scope=\"col\">");
        }
        assertThat(html)
                .contains("id=\"fig-attribution\"")
                .contains("id=\"fig-heat-0-vision\"")
                .contains("id=\"fig-heat-1-text\"")
                .contains("id=\"fig-depth-0-vision\"")
                .contains("id=\"fig-tokenizer\"")
                .contains("id=\"fig-custom\"");
        // The heat map's table holds every cell: 24 rows of 24 values, one "no test".
        String heat = figs.stream()
                .filter(f -> f.contains("id=\"fig-heat-0-vision\""))
                .findFirst()
                .orElseThrow();
        String table = heat.substring(heat.indexOf("<details"));
        assertThat(Pattern.compile("<tr>").matcher(table).results().count()).isEqualTo(25);
        assertThat(table).contains("<td>no test</td>").contains("<td>160.0</td>");
        // The matched path: 24 markers.
        assertThat(Pattern.compile("<circle ")
                        .matcher(heat.substring(0, heat.indexOf("</svg>")))
                        .results()
                        .count())
                .isEqualTo(24);
    }

    @Test
    void int8CaseIsAllShared() {
        ComparisonResult r = Cases.int8();
        String html = HtmlReport.render(r, Cases.context(r, List.of(), null));
        assertThat(html)
                .contains(
                        "Yes: all-minilm-l6-v2-q shares an origin with all-minilm-l6-v2; every component related and nearly unchanged. "
                                + "Overwhelming evidence (p below 10<sup>\u2212100</sup>: chance is not a credible explanation)")
                .contains(
                        "The text encoder (10.6 M parameters, 47% of the model) is related to all-minilm-l6-v2: nearly unchanged (median relative change 0.4%); overwhelming evidence (p &lt; 10<sup>\u2212100</sup>).")
                .contains(
                        "The token embeddings (12.1 M parameters, 53% of the model) are related to all-minilm-l6-v2: token rows correlate r = 1.00 with the reference&#39;s (median); overwhelming evidence (p &lt; 10<sup>\u2212100</sup>).")
                .contains("id=\"how-to-read\"")
                .contains("id=\"glossary\"")
                .contains("The two tokenizers have the same vocabulary.")
                .contains("The suspect declares no base model.")
                .contains("consistent with int8 quantisation noise");
        assertThat(figures(html)).hasSize(5);
    }

    @Test
    void unrelatedCaseIsIndependent() {
        ComparisonResult r = Cases.unrelated();
        String html = HtmlReport.render(r, ReportContext.EMPTY);
        assertThat(html)
                .contains("Answer: <span class=\"verdict-label\">INDEPENDENT</span>")
                .contains(
                        "No: tests with the power to detect a shared origin with e5-small-v2 found none. None found with adequate power (p = 0.38).")
                .contains(
                        "The text encoder (21.3 M parameters, 64% of the model) shows no sign of a shared origin with e5-small-v2: none found with adequate power (p = 0.38).")
                .doesNotContain("looks like")
                .contains("No block pair passed the layer-map threshold.")
                .contains("declared lineage (model card, GGUF metadata) was not read")
                .doesNotContain("Flag:")
                .doesNotContain("id=\"fig-custom\"");
    }

    /**
     * Phi-3's vocabulary against Llama 2's: every regular token kept, 64 special tokens added, Jaccard 0.998 over all
     * entries. The shared count comes from the Jaccard with the special tokens in the union, not "≈ 0".
     */
    @Test
    void tokenizerOverlapCountsSharedTokensWhenOnlySpecialTokensWereAdded() {
        ComparisonResult base = Cases.tokenizerOnly();
        TokenizerLineage t = base.tokenizer();
        TokenizerLineage onlySpecials = new TokenizerLineage(
                t.relation(),
                t.direction(),
                0.998,
                1.0,
                0,
                0,
                List.of(),
                t.note(),
                t.order(),
                new TokenizerLineage.SpecialTokens(true, 64, 0, List.of("<|user|>"), List.of(), 0));
        ComparisonResult r = new ComparisonResult(
                base.schema(),
                base.suspect(),
                base.reference(),
                base.verdict(),
                base.log10p(),
                base.components(),
                base.layerMap(),
                onlySpecials,
                base.sharedParameterFraction(),
                base.warnings(),
                base.layerEvidence(),
                base.customisation(),
                base.sampling(),
                base.thresholds());
        String html = HtmlReport.render(r, ReportContext.EMPTY);
        assertThat(html)
                .contains("shared tokens \u2248 31,936 (from the Jaccard overlap)")
                .doesNotContain("shared tokens \u2248 0");
    }

    @Test
    void tokenizerOnlyCaseIsAnsweredByTheDerivedTokenizer() {
        ComparisonResult r = Cases.tokenizerOnly();
        String html = HtmlReport.render(
                r,
                ReportContext.builder().referenceName("meta-llama/Llama-2-7b").build());
        assertThat(html)
                .contains("Answer: <span class=\"verdict-label\">TOKENIZER DERIVED</span>")
                .contains("No weights were given; the answer comes from the tokenizers alone.")
                .doesNotContain("id=\"inherited\"")
                .contains(
                        "The suspect&#39;s tokenizer is derived from that of meta-llama/Llama-2-7b: 99.9% of the smaller vocabulary is inherited in creation order, 2,400 tokens added, 12 removed (special tokens: 3 added, 1 removed).")
                .contains("No weight component was compared.")
                // No weights: no "0% of 0 parameters" figure.
                .doesNotContain("id=\"fig-attribution\"")
                .doesNotContain("Parameters in related components")
                .contains("No weight test ran.")
                .contains("id=\"fig-tokenizer\"")
                .contains("id=\"fig-scripts\"")
                .contains("Script of the first letter of each of the 8 example added tokens listed in the result")
                .contains("<code class=\"token\">Привет</code>");
        // Tokenizer overlap and scripts; the parameter attribution is hidden without weights.
        assertThat(figures(html)).hasSize(2);
    }

    @Test
    void contradictedClaimIsFlagged() {
        ComparisonResult r = Cases.unrelated();
        String html = HtmlReport.render(
                r,
                Cases.context(
                        r,
                        List.of(new dev.pedigree.model.LineageClaim("base_model", "intfloat/e5-small-v2", "README.md")),
                        "intfloat/e5-small-v2"));
        assertThat(html)
                .contains(
                        "<strong>Flag:</strong> the weights contradict the suspect's declared base_model \u201cintfloat/e5-small-v2\u201d")
                .contains("<tr class=\"flag\"><td><strong>Flag:</strong> contradicted</td>");
    }

    @Test
    void scriptBreakdownFromContextWins() {
        ComparisonResult r = Cases.tokenizerOnly();
        String html = HtmlReport.render(
                r,
                ReportContext.builder()
                        .addedTokenScripts(java.util.Map.of("Cyrillic", 2000L))
                        .build());
        assertThat(html).contains("Script of the 2,000 added tokens: Cyrillic 2000.");
    }

    @Test
    void escapesHostileInput() throws Exception {
        ComparisonResult r = Cases.hostile();
        ReportContext ctx = ReportContext.builder()
                .commandLine(Cases.HOSTILE)
                .pedigreeVersion(Cases.HOSTILE)
                .referenceName(Cases.HOSTILE)
                .generatedAt(Cases.HOSTILE)
                .declaredClaims(
                        List.of(new dev.pedigree.model.LineageClaim(Cases.HOSTILE, Cases.HOSTILE, Cases.HOSTILE)))
                .languageFitness(
                        List.of(new dev.pedigree.report.LanguageFitnessRow(Cases.HOSTILE, 1, 1, Cases.HOSTILE)))
                .inputHashes(List.of(new dev.pedigree.report.FileHash(Cases.HOSTILE, Cases.HOSTILE, "c".repeat(64))))
                .build();
        String html = HtmlReport.render(r, ctx);
        assertThat(html)
                .doesNotContainIgnoringCase("<script")
                .doesNotContain("\u0000")
                .contains("&lt;script&gt;alert(1)&lt;/script&gt;");
        assertThat(html).doesNotContain("<b>").doesNotContain("a<b>c");
        for (String f : figures(html)) {
            XmlCheck.parse(f.substring(f.indexOf("<svg"), f.indexOf("</svg>") + 6));
        }
    }

    @Test
    void selfContainedAndDeterministic() {
        String a = transplantHtml();
        String b = transplantHtml();
        assertThat(a).isEqualTo(b);
        assertThat(a)
                .doesNotContainIgnoringCase("<script")
                .doesNotContain("<link")
                .doesNotContain("@import")
                .doesNotContain("url(")
                .doesNotContain("<img")
                .doesNotContain("https://")
                .doesNotContain("src=");
        // The only http URL is the SVG namespace name, which is never fetched.
        assertThat(a.replace("xmlns=\"http://www.w3.org/2000/svg\"", "")).doesNotContain("http://");
        assertThat(a).contains("@media print").contains("system-ui");
        ComparisonResult r = Cases.transplant();
        String stamped = HtmlReport.render(
                r, ReportContext.builder().generatedAt("2026-11-28T04:00Z").build());
        assertThat(stamped).contains("Generated 2026-11-28T04:00Z.");
        assertThat(HtmlReport.render(
                        r,
                        ReportContext.builder()
                                .generatedAt("2026-11-28T04:00Z")
                                .build()
                                .withoutGeneratedAt()))
                .doesNotContain("Generated");
    }

    @Test
    void methodSectionListsWhatRan() {
        String html = transplantHtml();
        String method = html.substring(html.indexOf("<section id=\"method\">"));
        assertThat(method)
                .contains("Hidden-unit matching (Zhu et al. style)")
                .contains("Fixed-index correlation")
                .contains("Centred norm-gain / bias correlation (weak; not combined)")
                .contains("Fisher combination over blocks")
                .contains("Cauchy combination")
                .doesNotContain("Aligned Gram CKA")
                .contains("The tests read 512 seeded rows of each tensor (seed 42)")
                .contains("<td>42</td>")
                .contains("Raw cosine similarity of weights is not shown as evidence")
                .contains("Limits");
    }

    @Test
    void layerByLayerFigureShowsClosenessOnABoundedScaleWithPValuesInTheTooltips() throws Exception {
        ComparisonResult r = Cases.int8WithCloseness();
        String heat = figures(HtmlReport.render(r, ReportContext.EMPTY)).stream()
                .filter(f -> f.contains("id=\"fig-heat-0-text\""))
                .findFirst()
                .orElseThrow();
        assertThat(heat)
                .contains("Layer-by-layer closeness, text")
                .contains("from 0 (unrelated weights) to 1 (the same weights)")
                .contains("6 pairs measured, median r 0.75")
                .contains("1 identical")
                .contains("0 unrelated")
                .contains("not measured")
                .doesNotContain("capped at 30");
        Document d = XmlCheck.parse(heat.substring(heat.indexOf("<svg"), heat.indexOf("</svg>") + 6));
        org.w3c.dom.Element cells =
                (org.w3c.dom.Element) d.getElementsByTagName("g").item(0);
        org.w3c.dom.NodeList rects = cells.getElementsByTagName("rect");
        assertThat(rects.getLength()).isEqualTo(36);
        // Cell (3, 3): r = 0.7 on the 0-to-1 scale, whatever its p-value (10^-206, beyond any cap).
        assertThat(((org.w3c.dom.Element) rects.item(3 * 6 + 3)).getAttribute("fill"))
                .isEqualTo(Palette.sequential(0.7));
        assertThat(cells.getElementsByTagName("title").item(3 * 6 + 3).getTextContent())
                .isEqualTo("suspect block 3, reference block 3: matched weights r = 0.70, 85% of units matched,"
                        + " relative change 30%; p < 10^-100 (uncorrected)");
        // Cell (3, 4) was not measured: grey, its p-value in the tooltip.
        assertThat(((org.w3c.dom.Element) rects.item(3 * 6 + 4)).getAttribute("fill"))
                .isEqualTo(Palette.NO_TEST);
        assertThat(cells.getElementsByTagName("title").item(3 * 6 + 4).getTextContent())
                .startsWith("suspect block 3, reference block 4: not measured; p = ");
        String table = heat.substring(heat.indexOf("<details"));
        assertThat(Pattern.compile("<tr>").matcher(table).results().count()).isEqualTo(7);
        assertThat(table).contains("<td>0.70</td><td>85%</td><td>30%</td>");
        // The layer map's table gives each pair's closeness beside its p-value.
        assertThat(HtmlReport.render(r, ReportContext.EMPTY)).contains("<td>r = 0.70, 85% of units, change 30%</td>");
    }

    @Test
    void aSavedResultDrawsTheSameLayerFigure(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        ComparisonResult r = Cases.int8WithCloseness();
        java.nio.file.Path f = dir.resolve("r.json");
        dev.pedigree.report.Json.write(dev.pedigree.report.compare.CompareJson.tree(r), f);
        ComparisonResult back = dev.pedigree.report.compare.CompareJsonReader.read(f);
        assertThat(ReportFigures.heatMaps(back, "ref")).isEqualTo(ReportFigures.heatMaps(r, "ref"));
        assertThat(ReportFigures.depthProfiles(back, "ref")).isEqualTo(ReportFigures.depthProfiles(r, "ref"));
    }

    @Test
    void withoutClosenessTheLayerFigureStaysTheEvidenceHeatMap() {
        String heat = figures(HtmlReport.render(Cases.int8(), ReportContext.EMPTY)).stream()
                .filter(f -> f.contains("id=\"fig-heat-0-text\""))
                .findFirst()
                .orElseThrow();
        assertThat(heat).contains("Layer-by-layer evidence, text").contains("capped at 30");
    }

    @Test
    void aTowerComparedWithAStackOfAnotherLabelKeepsItsPath() {
        // A suspect's vision blocks matched to the reference's text blocks (a relabelled tower).
        ComparisonResult r = Cases.int8();
        List<dev.pedigree.forensics.result.LayerMatch> map = r.layerMap().stream()
                .map(m -> new dev.pedigree.forensics.result.LayerMatch(
                        m.suspect(), new Block("other-label", m.reference().layer()), m.log10p()))
                .toList();
        ComparisonResult relabelled = Cases.withMapAndCustomisation(r, map, null);
        assertThat(ReportFigures.path(relabelled, r.layerEvidence().getFirst())).hasSize(6);
        assertThat(ReportFigures.heatMaps(relabelled, "ref").getFirst().description())
                .contains("6 matched block pairs are outlined and joined: 0\u21920, 1\u21921");
    }
}
