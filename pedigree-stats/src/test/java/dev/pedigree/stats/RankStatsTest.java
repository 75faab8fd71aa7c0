package dev.pedigree.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.hipparchus.stat.correlation.SpearmansCorrelation;
import org.junit.jupiter.api.Test;

class RankStatsTest {

    @Test
    void spearmanWithIdentityKnownValues() {
        assertThat(RankStats.spearmanWithIdentity(new int[] {0, 1, 2, 3, 4})).isEqualTo(1.0);
        assertThat(RankStats.spearmanWithIdentity(new int[] {4, 3, 2, 1, 0})).isCloseTo(-1.0, offset(1e-15));
        // one adjacent swap: 1 - 12/(n(n²-1))
        assertThat(RankStats.spearmanWithIdentity(new int[] {1, 0, 2, 3, 4})).isCloseTo(1 - 12.0 / 120, offset(1e-15));
    }

    @Test
    void spearmanTestIdentityIsExactOneOverNFactorial() {
        TestResult t = RankStats.spearmanTest("id", 1.0, 10);
        assertThat(t.log10p()).isCloseTo(-Math.log10(3628800), offset(1e-9));
        assertThat(t.statistic()).isFinite();
        TestResult big = RankStats.spearmanTest("id", 1.0, 20000);
        assertThat(big.log10p()).isFinite().isLessThan(-77000);
        // r = 0.3 with n = 100 → t = 3.1139, df = 98: p ≈ 0.00121
        TestResult m = RankStats.spearmanTest("m", 0.3, 100);
        assertThat(m.statistic()).isCloseTo(0.3 * Math.sqrt(98 / 0.91), offset(1e-12));
        assertThat(m.log10p()).isCloseTo(Math.log10(0.0012127), offset(0.01));
        assertThat(RankStats.spearmanTest("m", 0.3, 2).applicable()).isFalse();
    }

    @Test
    void spearmanMatchesHipparchusWithTies() {
        double[] x = {1, 2, 2, 5, 3, 9, 9, 9, 0, 4};
        double[] y = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3};
        assertThat(RankStats.spearman(x, y)).isCloseTo(new SpearmansCorrelation().correlation(x, y), offset(1e-12));
    }

    @Test
    void nanIsRefusedOrRankedHighestAsAsked() {
        double[] x = {3, Double.NaN, 1, 3, Double.NaN, -0.0, 0.0};
        assertThatThrownBy(() -> RankStats.ranks(x)).isInstanceOf(IllegalArgumentException.class);
        // -0.0 and 0.0 tie (ranks 1 and 2 -> 1.5), 1 is 3rd, the 3s tie (4.5), the NaNs follow in index order.
        assertThat(RankStats.ranks(x, RankStats.NaNs.RANK_HIGHEST)).containsExactly(4.5, 6, 3, 4.5, 7, 1.5, 1.5);
        assertThat(RankStats.pearson(new double[] {2, 2, 2}, new double[] {1, 2, 3}))
                .isNaN();
    }
}
