package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.testkit.RealModels;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Three BERT-small (384 wide) sentence encoders. They are separately published models, but their
 * weights say that all-MiniLM-L6-v2 (6 layers) keeps every second layer of the 12-layer model that
 * bge-small-en-v1.5 and e5-small-v2 also descend from: suspect block i matches reference block 2i
 * with thousands of exactly matched MLP units. This is what the tool observes and asserts; it is
 * consistent with all three starting from Microsoft's MiniLM-L12-H384 checkpoint.
 */
class RealModelFamilyTest {
    @Test
    void miniLmL6KeepsEverySecondLayerOfBgeSmall() throws Exception {
        ComparisonResult r = RealModelLineageTest.compare(RealModels.ALL_MINILM_L6_V2, RealModels.BGE_SMALL_EN_V15);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.layerMap())
                .extracting(m -> m.suspect().layer() + ">" + m.reference().layer())
                .containsExactlyInAnyOrderElementsOf(List.of("0>0", "1>2", "2>4", "3>6", "4>8", "5>10"));
    }

    @Test
    void bgeSmallAndE5SmallShareTheirBlocks() throws Exception {
        ComparisonResult r = RealModelLineageTest.compare(RealModels.E5_SMALL_V2, RealModels.BGE_SMALL_EN_V15);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.component("text").orElseThrow().log10p()).isLessThan(-12);
        assertThat(r.layerMap())
                .extracting(m -> m.suspect().layer() + ">" + m.reference().layer())
                .contains("0>0", "5>5", "11>11");
    }
}
