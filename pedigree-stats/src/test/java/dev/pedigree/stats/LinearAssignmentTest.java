package dev.pedigree.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.data.Offset.offset;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class LinearAssignmentTest {

    /** Best total over all injections rows → cols by exhaustive search. */
    private static double bruteForce(double[] s, int rows, int cols, int row, boolean[] used) {
        if (row == rows) {
            return 0;
        }
        double best = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < cols; j++) {
            if (!used[j]) {
                used[j] = true;
                best = Math.max(best, s[row * cols + j] + bruteForce(s, rows, cols, row + 1, used));
                used[j] = false;
            }
        }
        return best;
    }

    private static void assertInjective(int[] asg, int cols) {
        boolean[] seen = new boolean[cols];
        for (int j : asg) {
            assertThat(j).isBetween(0, cols - 1);
            assertThat(seen[j]).isFalse();
            seen[j] = true;
        }
    }

    @Test
    void aNonFiniteScoreIsACallerBugNamingItsCell() {
        double[] d = {1, 2, 3, 4, 5, Double.NaN};
        assertThatThrownBy(() -> LinearAssignment.maximise(d, 2, 3))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-finite score NaN at row 1, column 2");
        float[] f = {1, Float.POSITIVE_INFINITY, 3, 4};
        assertThatThrownBy(() -> LinearAssignment.maximise(f, 2, 2))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("non-finite score Infinity at row 0, column 1");
    }

    @Test
    void matchesBruteForceOnAllSmallShapes() {
        SplittableRandom rng = new SplittableRandom(11);
        int instances = 0;
        for (int rows = 1; rows <= 7; rows++) {
            for (int cols = rows; cols <= 7; cols++) {
                for (int seed = 0; seed < 60; seed++) {
                    double[] s = new double[rows * cols];
                    boolean integer = seed % 3 == 0; // many ties
                    for (int i = 0; i < s.length; i++) {
                        s[i] = integer ? rng.nextInt(4) - 2 : Synth.gauss(rng) * 10;
                    }
                    int[] asg = LinearAssignment.maximise(s, rows, cols);
                    assertInjective(asg, cols);
                    double got = LinearAssignment.total(s, cols, asg);
                    double best = bruteForce(s, rows, cols, 0, new boolean[cols]);
                    assertThat(got)
                            .as("rows=%d cols=%d seed=%d", rows, cols, seed)
                            .isCloseTo(best, offset(1e-9));
                    float[] f = new float[s.length];
                    for (int i = 0; i < s.length; i++) {
                        f[i] = (float) s[i];
                    }
                    int[] fa = LinearAssignment.maximise(f, rows, cols);
                    assertThat(LinearAssignment.total(s, cols, fa)).isCloseTo(best, offset(1e-4));
                    instances++;
                }
            }
        }
        System.out.println("LAP brute-force comparisons: " + instances + " instances, all optimal");
    }

    @Test
    void largeRandomInstanceSurvivesPerturbations() {
        int n = 500;
        SplittableRandom rng = new SplittableRandom(5);
        double[] s = new double[n * n];
        for (int i = 0; i < s.length; i++) {
            s[i] = rng.nextDouble();
        }
        long t0 = System.nanoTime();
        int[] asg = LinearAssignment.maximise(s, n, n);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertInjective(asg, n);
        double best = LinearAssignment.total(s, n, asg);
        // no 2-swap or 3-cycle improves the optimum
        for (int t = 0; t < 200_000; t++) {
            int i = rng.nextInt(n);
            int j = rng.nextInt(n);
            int k = rng.nextInt(n);
            if (i == j || j == k || i == k) {
                continue;
            }
            double swap = s[i * n + asg[j]] + s[j * n + asg[i]] - s[i * n + asg[i]] - s[j * n + asg[j]];
            assertThat(swap).isLessThanOrEqualTo(1e-12);
            double cyc = s[i * n + asg[j]]
                    + s[j * n + asg[k]]
                    + s[k * n + asg[i]]
                    - s[i * n + asg[i]]
                    - s[j * n + asg[j]]
                    - s[k * n + asg[k]];
            assertThat(cyc).isLessThanOrEqualTo(1e-12);
        }
        // the optimum of uniform scores is close to n (each row gets a near-maximal entry)
        assertThat(best).isGreaterThan(0.99 * n);
        // planted identity is recovered
        double[] planted = s.clone();
        for (int i = 0; i < n; i++) {
            planted[i * n + i] += 1.5;
        }
        int[] p = LinearAssignment.maximise(planted, n, n);
        for (int i = 0; i < n; i++) {
            assertThat(p[i]).isEqualTo(i);
        }
        System.out.println("LAP 500x500 uniform: " + ms + " ms, total " + best);
    }

    @Test
    void rectangularAndValidation() {
        double[] s = {1, 5, 2, 7, 0, 3};
        assertThat(LinearAssignment.maximise(s, 2, 3)).containsExactly(1, 0);
        assertThat(LinearAssignment.maximise(new double[0], 0, 0)).isEmpty();
        assertThatThrownBy(() -> LinearAssignment.maximise(s, 3, 2)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LinearAssignment.maximise(new double[] {Double.NaN}, 1, 1))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> LinearAssignment.maximise(s, 2, 2)).isInstanceOf(IllegalArgumentException.class);
    }
}
