package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.format.onnx.OnnxReader;
import dev.pedigree.model.ModelView;
import dev.pedigree.testkit.RealModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Real ONNX models: a model against its own int8 quantisation, and against a different-width model. */
class RealModelLineageTest {
    static ComparisonResult compare(String suspect, String reference) throws Exception {
        try (ModelView s = new OnnxReader().open(RealModels.onnx(suspect));
                ModelView r = new OnnxReader().open(RealModels.onnx(reference))) {
            ComparisonResult res = LineageComparator.compare(s, r, CompareOptions.DEFAULT.withSampleRows(256));
            System.out.printf(
                    "%s vs %s: %s log10p=%s map=%s%n",
                    suspect,
                    reference,
                    res.verdict(),
                    res.log10p(),
                    res.layerMap().stream()
                            .map(m -> m.suspect().layer() + ">" + m.reference().layer())
                            .toList());
            for (ComponentResult c : res.components()) {
                System.out.printf("  %-12s %-15s %s (%s)%n", c.name(), c.verdict(), c.log10p(), c.reason());
            }
            return res;
        }
    }

    @Test
    void miniLmAgainstItsInt8QuantisationIsSharedEverywhere() throws Exception {
        ComparisonResult r = compare(RealModels.ALL_MINILM_L6_V2_Q, RealModels.ALL_MINILM_L6_V2);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        for (ComponentResult c : r.components()) {
            assertThat(c.verdict()).as(c.name()).isEqualTo(Verdict.SHARED_LINEAGE);
            assertThat(c.log10p()).as(c.name()).isLessThan(-12);
        }
        assertThat(r.layerMap())
                .extracting(m -> m.suspect().layer() + ">" + m.reference().layer())
                .containsExactlyInAnyOrderElementsOf(List.of("0>0", "1>1", "2>2", "3>3", "4>4", "5>5"));
        assertThat(r.sharedParameterFraction()).isGreaterThan(0.99);
        assertThat(r.customisation().untouchedLayers()).isEmpty(); // int8 changes every weight
        assertThat(r.customisation().layers()).allMatch(ch -> ch.relativeChange() < 0.05);
    }

    @Test
    void differentWidthsAreInconclusive() throws Exception {
        ComparisonResult r = compare(RealModels.BGE_SMALL_ZH_V15, RealModels.BGE_SMALL_EN_V15);
        assertThat(r.verdict()).isEqualTo(Verdict.INCONCLUSIVE);
        assertThat(r.log10p()).isNull();
        assertThat(r.components())
                .allMatch(
                        c -> c.verdict() == Verdict.INCONCLUSIVE && !c.reason().isBlank());
    }
}
