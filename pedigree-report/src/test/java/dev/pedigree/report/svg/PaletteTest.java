package dev.pedigree.report.svg;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class PaletteTest {
    /** WCAG 2.1 AA: 4.5:1 for normal text. */
    static final double TEXT_AA = 4.5;
    /** WCAG 2.1 SC 1.4.11: 3:1 for graphical objects. */
    static final double GRAPHICS_AA = 3.0;

    @Test
    void contrastMatchesWcagReferenceValues() {
        assertThat(Palette.contrast("#000000", "#ffffff")).isCloseTo(21.0, within(1e-9));
        assertThat(Palette.contrast("#ffffff", "#ffffff")).isCloseTo(1.0, within(1e-9));
        // #767676 on white is the classic "just passes AA" grey: 4.54:1.
        assertThat(Palette.contrast("#767676", "#ffffff")).isCloseTo(4.54, within(0.01));
        // #777777 just fails: 4.48:1.
        assertThat(Palette.contrast("#777777", "#ffffff")).isCloseTo(4.48, within(0.01));
        assertThat(Palette.luminance("#ffffff")).isCloseTo(1.0, within(1e-12));
        assertThat(Palette.contrast("#1f5f99", "#b34700")).isEqualTo(Palette.contrast("#b34700", "#1f5f99"));
    }

    @Test
    void textColoursReachAaOnTheBackground() {
        for (String c : List.of(Palette.TEXT, Palette.MUTED)) {
            assertThat(Palette.contrast(c, Palette.BACKGROUND)).as(c).isGreaterThanOrEqualTo(TEXT_AA);
        }
        // The report's CSS uses the same text colours on the answer box (#f7f7f7) and table heads (#eeeeee).
        assertThat(Palette.contrast(Palette.MUTED, "#eeeeee")).isGreaterThanOrEqualTo(TEXT_AA);
        assertThat(Palette.contrast(Palette.TEXT, "#f7f7f7")).isGreaterThanOrEqualTo(TEXT_AA);
        // Flag text (#a4262c) and link/summary colour (#1f5f99) are text too.
        assertThat(Palette.contrast(Palette.REMOVED, Palette.BACKGROUND)).isGreaterThanOrEqualTo(TEXT_AA);
        assertThat(Palette.contrast(Palette.INDEPENDENT, Palette.BACKGROUND)).isGreaterThanOrEqualTo(TEXT_AA);
    }

    @Test
    void graphicalMarksReachThreeToOne() {
        for (String c : List.of(
                Palette.SHARED,
                Palette.INDEPENDENT,
                Palette.INCONCLUSIVE,
                Palette.REMAINDER,
                Palette.ADDED,
                Palette.REMOVED,
                Palette.AXIS,
                Palette.PATH)) {
            assertThat(Palette.contrast(c, Palette.BACKGROUND)).as(c).isGreaterThanOrEqualTo(GRAPHICS_AA);
        }
        for (String c : Palette.SERIES) {
            assertThat(Palette.contrast(c, Palette.BACKGROUND)).as(c).isGreaterThanOrEqualTo(GRAPHICS_AA);
        }
    }

    @Test
    void matchedPathStandsOutOnBothEndsOfTheHeatScale() {
        assertThat(Palette.contrast(Palette.PATH, Palette.sequential(0))).isGreaterThanOrEqualTo(GRAPHICS_AA);
        assertThat(Palette.contrast(Palette.PATH, Palette.sequential(1))).isGreaterThanOrEqualTo(GRAPHICS_AA);
        // White marker outlines separate the path markers from mid-scale cells.
        assertThat(Palette.contrast(Palette.BACKGROUND, Palette.sequential(1))).isGreaterThanOrEqualTo(GRAPHICS_AA);
    }

    @Test
    void sequentialScaleIsMonotoneInLuminance() {
        double last = 2;
        for (int k = 0; k <= 100; k++) {
            double l = Palette.luminance(Palette.sequential(k / 100.0));
            assertThat(l).isLessThanOrEqualTo(last);
            last = l;
        }
        assertThat(Palette.sequential(0)).isEqualTo(Palette.SEQUENTIAL.get(0));
        assertThat(Palette.sequential(1)).isEqualTo(Palette.SEQUENTIAL.get(Palette.SEQUENTIAL.size() - 1));
        assertThat(Palette.sequential(-5)).isEqualTo(Palette.sequential(0));
        assertThat(Palette.sequential(Double.NaN)).isEqualTo(Palette.sequential(0));
        // The extremes of the evidence scale are clearly different.
        assertThat(Palette.contrast(Palette.sequential(0), Palette.sequential(1)))
                .isGreaterThan(10);
    }

    @Test
    void textOnPicksTheReadableColour() {
        assertThat(Palette.textOn("#08306b")).isEqualTo(Palette.BACKGROUND);
        assertThat(Palette.textOn("#f4f8fb")).isEqualTo(Palette.TEXT);
    }

    @Test
    void rejectsMalformedColours() {
        assertThatThrownBy(() -> Palette.rgb("red")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Palette.rgb("#12345")).isInstanceOf(IllegalArgumentException.class);
    }
}
