package dev.pedigree.attest;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * The row-norm order test's Spearman ρ, now {@code RankStats}' ranks and Pearson, against the copy
 * this check carried before (kept here verbatim as the oracle): bit for bit on ties, NaNs, constant
 * samples and perfectly ordered ones, so verification findings do not change.
 */
class RankCorrelationTest {

    /** InitialisationCheck.ranks before (0-based average ranks; NaN ordered last by Double.compare). */
    private static double[] previousRanks(double[] x) {
        int n = x.length;
        Integer[] idx = new Integer[n];
        for (int i = 0; i < n; i++) {
            idx[i] = i;
        }
        Arrays.sort(idx, (p, q) -> Double.compare(x[p], x[q]));
        double[] r = new double[n];
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && x[idx[j + 1]] == x[idx[i]]) {
                j++;
            }
            double avg = (i + j) / 2.0;
            for (int k = i; k <= j; k++) {
                r[idx[k]] = avg;
            }
            i = j + 1;
        }
        return r;
    }

    /** InitialisationCheck.pearson before (0 on a constant sample). */
    private static double previousPearson(double[] a, double[] b) {
        int n = a.length;
        double ma = 0;
        double mb = 0;
        for (int i = 0; i < n; i++) {
            ma += a[i];
            mb += b[i];
        }
        ma /= n;
        mb /= n;
        double sab = 0;
        double saa = 0;
        double sbb = 0;
        for (int i = 0; i < n; i++) {
            sab += (a[i] - ma) * (b[i] - mb);
            saa += (a[i] - ma) * (a[i] - ma);
            sbb += (b[i] - mb) * (b[i] - mb);
        }
        return saa == 0 || sbb == 0 ? 0 : sab / Math.sqrt(saa * sbb);
    }

    private static void assertSame(double[] ids, double[] vals) {
        double before = previousPearson(previousRanks(ids), previousRanks(vals));
        assertThat(Double.doubleToRawLongBits(InitialisationCheck.rankCorrelation(ids, vals)))
                .as("ρ of %s", Arrays.toString(Arrays.copyOf(vals, Math.min(8, vals.length))))
                .isEqualTo(Double.doubleToRawLongBits(before));
    }

    @Test
    void rhoIsBitForBitThePreviousOne() {
        SplittableRandom rnd = new SplittableRandom(17);
        for (int trial = 0; trial < 400; trial++) {
            int m = 16 + rnd.nextInt(trial < 350 ? 300 : 5000);
            double[] ids = new double[m];
            double[] vals = new double[m];
            int id = 0;
            for (int i = 0; i < m; i++) {
                id += 1 + rnd.nextInt(3); // token ids with gaps (zero rows left out)
                ids[i] = id;
                double v = 1 + 0.1 * rnd.nextGaussian() + (trial % 3 == 0 ? 1e-4 * i : 0);
                // Coarse values give ties; some trials carry NaN norms.
                vals[i] = trial % 4 == 1 ? Math.round(v * 20) / 20.0 : (float) v;
                if (trial % 5 == 2 && rnd.nextInt(10) == 0) {
                    vals[i] = Double.NaN;
                }
            }
            assertSame(ids, vals);
        }
    }

    @Test
    void constantAndPerfectlyOrderedSamples() {
        for (int m : new int[] {16, 17, 26, 100, 4097}) {
            double[] ids = new double[m];
            double[] up = new double[m];
            double[] down = new double[m];
            double[] flat = new double[m];
            for (int i = 0; i < m; i++) {
                ids[i] = i;
                up[i] = 0.5 + i;
                down[i] = -i;
                flat[i] = 0.25;
            }
            assertSame(ids, up);
            assertSame(ids, down);
            assertSame(ids, flat);
            assertThat(InitialisationCheck.rankCorrelation(ids, flat)).isZero();
            assertThat(InitialisationCheck.rankCorrelation(ids, up)).isEqualTo(1.0);
            assertThat(InitialisationCheck.rankCorrelation(ids, down)).isEqualTo(-1.0);
        }
    }
}
