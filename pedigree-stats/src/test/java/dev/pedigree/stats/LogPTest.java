package dev.pedigree.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import org.hipparchus.distribution.continuous.ChiSquaredDistribution;
import org.hipparchus.distribution.continuous.TDistribution;
import org.junit.jupiter.api.Test;

class LogPTest {

    @Test
    void normalTailKnownValues() {
        assertThat(LogP.normalUpper(0)).isCloseTo(Math.log10(0.5), offset(1e-14));
        assertThat(LogP.normalUpper(1.959963984540054)).isCloseTo(Math.log10(0.025), offset(1e-9));
        // Q(6) = 9.865876450376946e-10, Q(10) = 7.619853024160527e-24, Q(37) = 5.725571e-300
        assertThat(LogP.normalUpper(6)).isCloseTo(Math.log10(9.865876450376946e-10), offset(1e-9));
        assertThat(LogP.normalUpper(10)).isCloseTo(Math.log10(7.619853024160527e-24), offset(1e-9));
        assertThat(LogP.normalUpper(37)).isCloseTo(Math.log10(5.725571e-300), offset(1e-6));
        // Asymptotic: ln Q(z) = -z²/2 - ln(z√(2π)) - 1/z² + ...
        double z = 1e4;
        double expect = (-z * z / 2 - Math.log(z * Math.sqrt(2 * Math.PI)) - 1 / (z * z)) / Math.log(10);
        assertThat(LogP.normalUpper(z)).isCloseTo(expect, offset(1e-6));
        assertThat(LogP.normalUpper(-3)).isCloseTo(Math.log10(1 - 0.0013498980316301), offset(1e-12));
        assertThat(LogP.normalTwoSided(-1.959963984540054)).isCloseTo(Math.log10(0.05), offset(1e-9));
        // continuity at the switch between erfc and the continued fraction
        assertThat(LogP.normalUpper(5.0000001) - LogP.normalUpper(5))
                .isLessThan(0)
                .isGreaterThan(-1e-5);
    }

    @Test
    void studentTMatchesHipparchusWhereItDoesNotUnderflowAndStaysFiniteBeyond() {
        for (double df : new double[] {1, 2, 3.5, 10, 62, 1000, 20000}) {
            TDistribution td = new TDistribution(df);
            for (double t : new double[] {-3, -0.5, 0, 0.3, 1, 2.5, 5, 8}) {
                double ref = Math.log10(1 - td.cumulativeProbability(t));
                if (t > 3) {
                    ref = Math.log10(td.cumulativeProbability(-t));
                }
                assertThat(LogP.studentTUpper(t, df)).as("t=%s df=%s", t, df).isCloseTo(ref, offset(1e-7));
            }
        }
        // huge t: P(T_df > t) ~ C t^-df; with df = 10: log-slope -10 per decade
        double a = LogP.studentTUpper(1e100, 10);
        double b = LogP.studentTUpper(1e101, 10);
        assertThat(b - a).isCloseTo(-10, offset(1e-6));
        assertThat(LogP.studentTUpper(1e300, 10)).isFinite().isLessThan(-2900);
        // large df approaches the normal
        assertThat(LogP.studentTUpper(30, 1e7)).isCloseTo(LogP.normalUpper(30), offset(0.05));
    }

    @Test
    void chiSquaredAndFisher() {
        for (double df : new double[] {1, 2, 7, 40, 400}) {
            ChiSquaredDistribution cd = new ChiSquaredDistribution(df);
            for (double x : new double[] {0.1, 1, 5, 20, 60}) {
                double ref = Math.log10(1 - cd.cumulativeProbability(x));
                if (ref > -8) { // 1 - cdf loses digits below that
                    assertThat(LogP.chiSquaredUpper(x, df))
                            .as("x=%s df=%s", x, df)
                            .isCloseTo(ref, offset(1e-7));
                }
            }
        }
        // P(χ²_2 > x) = exp(-x/2) exactly
        assertThat(LogP.chiSquaredUpper(5000, 2)).isCloseTo(-2500 / Math.log(10), offset(1e-8));
        // Fisher of one p returns p (χ²_2 tail of -2 ln p is p)
        assertThat(LogP.fisher(new double[] {-3.7})).isCloseTo(-3.7, offset(1e-9));
        assertThat(LogP.fisher(new double[] {-400, -500})).isFinite().isLessThan(-895);
        assertThat(LogP.fisher(new double[] {})).isEqualTo(0);
    }

    @Test
    void cauchyCombination() {
        // equal p-values combine to the same p
        for (double l : new double[] {-0.1, -1, -5, -14, -16, -300, -5000}) {
            assertThat(LogP.cauchy(new double[] {l, l, l}, null)).as("l=%s", l).isCloseTo(l, offset(1e-6));
        }
        // one tiny p dominates: p ≈ p_min / w_min
        assertThat(LogP.cauchy(new double[] {-1000, -0.01, -0.3}, null)).isCloseTo(-1000 + Math.log10(3), offset(1e-6));
        assertThat(LogP.cauchy(new double[] {0, 0}, null))
                .isLessThanOrEqualTo(0)
                .isGreaterThan(-1e-6);
        assertThat(LogP.cauchy(new double[] {-2, -1e6}, new double[] {1, 0})).isCloseTo(-2, offset(1e-9));
        assertThatThrownBy(() -> LogP.cauchy(new double[] {Double.NaN}, null))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void holmAdjustment() {
        // p = 0.01, 0.04, 0.03, 0.005 → sorted 0.005,0.01,0.03,0.04 → ×4,×3,×2,×1 → 0.02,0.03,0.06,0.06 (monotone)
        double[] in = {Math.log10(0.01), Math.log10(0.04), Math.log10(0.03), Math.log10(0.005)};
        double[] out = LogP.holm(in);
        assertThat(Math.pow(10, out[0])).isCloseTo(0.03, offset(1e-12));
        assertThat(Math.pow(10, out[1])).isCloseTo(0.06, offset(1e-12));
        assertThat(Math.pow(10, out[2])).isCloseTo(0.06, offset(1e-12));
        assertThat(Math.pow(10, out[3])).isCloseTo(0.02, offset(1e-12));
        assertThat(LogP.holm(new double[] {-1e5, -0.0})[1]).isEqualTo(0);
    }

    @Test
    void clampAndTestResult() {
        assertThat(LogP.clamp(Double.NEGATIVE_INFINITY)).isEqualTo(-1e6);
        assertThat(LogP.clamp(-2e7)).isEqualTo(-1e6);
        assertThat(LogP.clamp(3)).isEqualTo(0);
        assertThat(new TestResult("x", 1, -2e7, 0, 3, "").log10p()).isEqualTo(-1e6);
        assertThat(TestResult.notApplicable("x", "why").applicable()).isFalse();
        assertThatThrownBy(() -> new TestResult("x", 1, Double.NaN, 0, 3, ""))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TestResult("x", 1, Double.NEGATIVE_INFINITY, 0, 3, "n"))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
