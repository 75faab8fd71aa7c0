package dev.pedigree.report.svg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

class SvgTest {
    static final String HOSTILE = "<script>alert(1)</script> & \"q\" 'a'";

    @Test
    void escapesTextAndAttributes() throws Exception {
        assertThat(Svg.escape(HOSTILE))
                .isEqualTo("&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot; &#39;a&#39;");
        assertThat(Svg.escape("a\u0000b\u0007c")).isEqualTo("a\uFFFDb\uFFFDc");
        assertThat(Svg.escape("日本 ✓ 😀")).isEqualTo("日本 ✓ 😀");
        Svg s = new Svg("t1", 100, 50, HOSTILE, HOSTILE);
        s.text(10, 10, HOSTILE, "start", 11, "#000000", 0).rect(0, 0, 10, 10, "#ffffff", null, HOSTILE);
        String out = s.render();
        assertThat(out).doesNotContain("<script").contains("&lt;script&gt;");
        Document d = XmlCheck.parse(out);
        Element root = d.getDocumentElement();
        assertThat(root.getAttribute("aria-label")).isEqualTo(HOSTILE);
        assertThat(d.getElementsByTagName("title").item(0).getTextContent()).isEqualTo(HOSTILE);
        assertThat(d.getElementsByTagName("desc").item(0).getTextContent()).isEqualTo(HOSTILE);
        assertThat(d.getElementsByTagName("text").item(0).getTextContent()).isEqualTo(HOSTILE);
    }

    @Test
    void rootCarriesAccessibleNameAndDescription() throws Exception {
        String out = new Svg("fig-a", 10, 10, "Title", "Description").render();
        Element root = XmlCheck.parse(out).getDocumentElement();
        assertThat(root.getAttribute("role")).isEqualTo("img");
        assertThat(root.getAttribute("aria-labelledby")).isEqualTo("fig-a-title fig-a-desc");
        assertThat(root.getNamespaceURI()).isEqualTo("http://www.w3.org/2000/svg");
        assertThat(out).doesNotContain("<script").doesNotContain("href");
    }

    @Test
    void numbersAreLocaleFreeAndShort() {
        assertThat(Svg.num(1)).isEqualTo("1");
        assertThat(Svg.num(1.5)).isEqualTo("1.5");
        assertThat(Svg.num(1.234567)).isEqualTo("1.23");
        assertThat(Svg.num(-0.001)).isEqualTo("0");
        assertThat(Svg.num(1200.0)).isEqualTo("1200");
        assertThatThrownBy(() -> Svg.num(Double.NaN)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void rejectsBadIdsAndUnbalancedGroups() {
        assertThatThrownBy(() -> new Svg("1bad", 1, 1, "", "")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new Svg("a\"b", 1, 1, "", "")).isInstanceOf(IllegalArgumentException.class);
        Svg s = new Svg("ok", 1, 1, "", "");
        s.group("g");
        assertThatThrownBy(s::render).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> new Svg("ok", 1, 1, "", "").end()).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void heatMapDrawsOneCellPerValueAndThePath() throws Exception {
        double[][] v = {{50, 1, Double.NaN}, {0, 40, 2}};
        String out = HeatMap.render(
                "h",
                "Heat",
                "desc",
                List.of("0", "1"),
                List.of("0", "1", "2"),
                v,
                null,
                30,
                List.of(new int[] {0, 0}, new int[] {1, 1}),
                "suspect",
                "reference",
                HeatMap.Legend.capped("-log10 p", 30));
        Document d = XmlCheck.parse(out);
        Element cells = (Element) d.getElementsByTagName("g").item(0);
        assertThat(cells.getAttribute("class")).isEqualTo("cells");
        assertThat(cells.getElementsByTagName("rect").getLength()).isEqualTo(6);
        // Capped value (50 ≥ 30) gets the darkest colour; NaN gets the no-test grey.
        assertThat(((Element) cells.getElementsByTagName("rect").item(0)).getAttribute("fill"))
                .isEqualTo(Palette.sequential(1));
        assertThat(((Element) cells.getElementsByTagName("rect").item(2)).getAttribute("fill"))
                .isEqualTo(Palette.NO_TEST);
        assertThat(cells.getElementsByTagName("title").item(2).getTextContent()).contains("no test");
        assertThat(d.getElementsByTagName("polyline").getLength()).isEqualTo(1);
        assertThat(((Element) d.getElementsByTagName("polyline").item(0)).getAttribute("stroke"))
                .isEqualTo(Palette.PATH);
        assertThat(out).contains("≥ 30").contains("matched");
    }

    @Test
    void heatMapRejectsRaggedInput() {
        assertThatThrownBy(() -> HeatMap.render(
                        "h",
                        "t",
                        "d",
                        List.of("0"),
                        List.of("0", "1"),
                        new double[][] {{1}},
                        null,
                        30,
                        List.of(),
                        "r",
                        "c",
                        HeatMap.Legend.capped("l", 30)))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void lineChartBreaksAtGapsAndLabelsSeries() throws Exception {
        String out = LineChart.render(
                "l",
                "Line",
                "desc",
                List.of("0", "1", "2", "3", "4"),
                List.of(
                        new LineChart.Series("a", new double[] {1, 2, Double.NaN, 4, 5}),
                        new LineChart.Series("b", new double[] {Double.NaN, Double.NaN, 3, Double.NaN, Double.NaN})),
                "x",
                "y",
                10,
                6,
                "threshold");
        Document d = XmlCheck.parse(out);
        // Series a: two runs; series b: one run of one point.
        assertThat(d.getElementsByTagName("polyline").getLength()).isEqualTo(3);
        assertThat(d.getElementsByTagName("circle").getLength()).isEqualTo(5);
        assertThat(out).contains("threshold").contains(">a<").contains(">b<");
    }

    @Test
    void stackedBarsScaleAndLabel() throws Exception {
        String out = StackedBars.render(
                "b",
                "Bars",
                "desc",
                List.of(
                        new StackedBars.Bar(
                                "one",
                                List.of(
                                        new StackedBars.Segment("x", 3, "#1f5f99"),
                                        new StackedBars.Segment("y", 1, "#b34700")),
                                "note 1"),
                        new StackedBars.Bar("two", List.of(new StackedBars.Segment("x", 2, "#1f5f99")), "note 2")),
                true);
        Document d = XmlCheck.parse(out);
        assertThat(out)
                .contains("one: x 3 (75.0%)")
                .contains("one: y 1 (25.0%)")
                .contains("note 2");
        assertThat(d.getElementsByTagName("rect").getLength()).isGreaterThanOrEqualTo(5);
        assertThatThrownBy(() -> new StackedBars.Segment("neg", -1, "#000000"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void stackedBarsLeaveRoomForLongNotesAndLabels() throws Exception {
        String note = "213.6 K, 100% in related components (and a note as long as a real one)";
        String out = StackedBars.render(
                "b",
                "Bars",
                "desc",
                List.of(new StackedBars.Bar(
                        "a component with a long name", List.of(new StackedBars.Segment("x", 3, "#1f5f99")), note)),
                true);
        Document d = XmlCheck.parse(out);
        String[] viewBox = d.getDocumentElement().getAttribute("viewBox").split(" ");
        double width = Double.parseDouble(viewBox[2]);
        org.w3c.dom.NodeList texts = d.getElementsByTagName("text");
        boolean seen = false;
        for (int i = 0; i < texts.getLength(); i++) {
            org.w3c.dom.Element t = (org.w3c.dom.Element) texts.item(i);
            double x = Double.parseDouble(t.getAttribute("x"));
            int chars = t.getTextContent().length();
            if (t.getTextContent().equals(note)) {
                seen = true;
                // about 6 px per character at 11 px: the note must end inside the picture
                assertThat(x + 6.0 * chars).isLessThanOrEqualTo(width);
            }
            if ("end".equals(t.getAttribute("text-anchor"))) {
                assertThat(x - 6.5 * chars).isGreaterThanOrEqualTo(0);
            }
        }
        assertThat(seen).isTrue();
    }
}
