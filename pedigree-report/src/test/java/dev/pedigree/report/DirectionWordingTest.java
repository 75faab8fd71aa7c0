package dev.pedigree.report;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.Direction;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Issue 14 §4: "undeclared ancestor" only when the weights show that the reference came first. */
class DirectionWordingTest {
    private static ComparisonResult with(Direction d) {
        ComparisonResult r = Cases.transplant();
        CustomisationSummary c = r.customisation();
        CustomisationSummary withDirection =
                new CustomisationSummary(c.layers(), c.untouchedLayers(), c.embeddings(), c.note(), c.experts(), d);
        return Cases.withMapAndCustomisation(r, r.layerMap(), withDirection);
    }

    @Test
    void shownDirectionNamesTheEarlierModelAndItsReason() {
        ComparisonResult r = with(new Direction(
                Direction.REFERENCE,
                List.of("the suspect's weights are dequantised values on a grid (56 of 56 matrices) and the"
                        + " reference's are not: the suspect is a quantised copy")));
        assertThat(Findings.answer(r, "clip"))
                .endsWith(
                        "The weights show that clip came first: the suspect's weights are dequantised values on a grid"
                                + " (56 of 56 matrices) and the reference's are not: the suspect is a quantised copy.");
        assertThat(ClaimCheck.check(r, List.of(), "clip").getLast().message())
                .startsWith("Undeclared ancestor: the weights show a shared origin with clip")
                .endsWith("The weights show that clip came first: the suspect's weights are dequantised values on a"
                        + " grid (56 of 56 matrices) and the reference's are not: the suspect is a quantised copy.");
    }

    @Test
    void withoutADirectionTheyAreRelatives() {
        ComparisonResult r = with(new Direction(null, List.of("no quantised side")));
        assertThat(Findings.answer(r, "clip"))
                .endsWith("The weights do not show which came first: they are relatives.");
        assertThat(ClaimCheck.check(r, List.of(), "clip").getLast().message()).startsWith("Undeclared relative: ");
        // The suspect came first: the reference is not its ancestor.
        ComparisonResult later = with(new Direction(Direction.SUSPECT, List.of("the reference extended it")));
        assertThat(ClaimCheck.check(later, List.of(), "clip").getLast().message())
                .startsWith("Undeclared relative: ")
                .endsWith("The weights show that the suspect came first: the reference extended it.");
    }
}
