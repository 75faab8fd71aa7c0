package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.stats.LogP;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.TestResult;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 §6: the held-out matchings' diagonal-wins test allows a budget of convergent units (units that two
 * models trained on the same data made alike): up to c = ⌊3%·h⌋ rows of the reference may depend on the suspect
 * in any way, and the bound is P(M ≥ m) ≤ 1/(m − c)!.
 */
class HeldOutWinsTest {
    private static Matrix gaussian(int rows, int cols, Random rng) {
        float[] x = new float[rows * cols];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) rng.nextGaussian();
        }
        return Matrix.of(rows, cols, x);
    }

    /** {@code b} with its first {@code k} rows replaced by {@code a}'s plus noise of scale {@code noise}. */
    private static Matrix planted(Matrix a, Matrix b, int k, double noise, Random rng) {
        float[] x = b.data().clone();
        for (int i = 0; i < k * a.cols(); i++) {
            x[i] = (float) (a.data()[i] + noise * rng.nextGaussian());
        }
        return Matrix.of(b.rows(), b.cols(), x);
    }

    @Test
    void budgetIsThreePercentOfTheUnitsRoundedDown() {
        assertThat(HeldOutMatching.convergentBudget(3)).isZero();
        assertThat(HeldOutMatching.convergentBudget(32)).isZero();
        assertThat(HeldOutMatching.convergentBudget(64)).isEqualTo(1);
        assertThat(HeldOutMatching.convergentBudget(100)).isEqualTo(3);
        assertThat(HeldOutMatching.convergentBudget(512)).isEqualTo(15);
    }

    /**
     * Independent rows: the share of p-values below 0.05 stays under 5% (the bound is conservative); with the
     * budget's c rows made identical (convergent units) it still does, where the bound without a budget,
     * 1/M!, would read each planted row as evidence.
     */
    @Test
    void convergentUnitsWithinTheBudgetAreNoEvidence() {
        Random rng = new Random(14);
        int h = 128;
        int c = HeldOutMatching.convergentBudget(h);
        int trials = 400;
        int below = 0;
        int belowPlanted = 0;
        int belowPlantedWithoutBudget = 0;
        for (int t = 0; t < trials; t++) {
            Matrix a = gaussian(h, 128, rng);
            Matrix b = gaussian(h, 128, rng);
            below += HeldOutMatching.wins("x", a, b).log10p() < Math.log10(0.05) ? 1 : 0;
            TestResult p = HeldOutMatching.wins("x", a, planted(a, b, c, 0.1, rng));
            assertThat(p.statistic()).isGreaterThanOrEqualTo(c);
            belowPlanted += p.log10p() < Math.log10(0.05) ? 1 : 0;
            belowPlantedWithoutBudget += -LogP.log10Factorial((int) p.statistic()) < Math.log10(0.05) ? 1 : 0;
        }
        assertThat(below).isLessThanOrEqualTo(trials / 20);
        assertThat(belowPlanted).isLessThanOrEqualTo(trials / 20);
        assertThat(belowPlantedWithoutBudget).isGreaterThan(trials / 10);
    }

    /** A copy with noise (every unit correlated at r ≈ 0.45) is found far past the verdict threshold. */
    @Test
    void aNoisyCopyStillWinsFarPastTheBudget() {
        Random rng = new Random(15);
        int h = 64;
        Matrix a = gaussian(h, 64, rng);
        TestResult p = HeldOutMatching.wins("x", a, planted(a, gaussian(h, 64, rng), h, 2, rng));
        assertThat(p.statistic()).isGreaterThan(50);
        assertThat(p.log10p()).isLessThan(-50);
        assertThat(p.note()).contains("up to 1 convergent units");
    }
}
