package dev.pedigree.stats;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class SparseAssignmentTest {

    /** Full candidate lists: the auction's total is the dense solver's optimum, to within rows · ε. */
    @Test
    void withEveryEdgeAsCandidateItMatchesTheDenseOptimum() {
        SplittableRandom rng = new SplittableRandom(7);
        for (int trial = 0; trial < 2000; trial++) {
            int n = 1 + rng.nextInt(12);
            int m = n + rng.nextInt(4);
            float[] dense = new float[n * m];
            int[] start = new int[n + 1];
            int[] column = new int[n * m];
            for (int i = 0; i < n; i++) {
                start[i + 1] = (i + 1) * m;
                for (int j = 0; j < m; j++) {
                    // ties are common in real |cosines| of quantised weights: draw from a few levels sometimes
                    dense[i * m + j] = trial % 3 == 0 ? rng.nextInt(4) / 4f : (float) rng.nextDouble();
                    column[i * m + j] = j;
                }
            }
            int[] exact = LinearAssignment.maximise(dense, n, m);
            int[] auction = SparseAssignment.maximise(n, m, start, column, dense.clone());
            assertInjective(auction, m);
            assertThat(total(dense, m, auction))
                    .as("trial %d", trial)
                    .isCloseTo(total(dense, m, exact), org.assertj.core.data.Offset.offset(n * 1e-4));
        }
    }

    /** A planted permutation among sparse candidates (the true partner plus random others) is found exactly. */
    @Test
    void findsAPlantedMatchingAmongSparseCandidates() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 3000;
        int m = 3200;
        int k = 8;
        int[] truth = Arrays.copyOf(SeededSample.permutation(rng, m), n);
        int[] start = new int[n + 1];
        int[] column = new int[n * k];
        float[] score = new float[n * k];
        for (int i = 0; i < n; i++) {
            start[i + 1] = (i + 1) * k;
            column[i * k] = truth[i];
            score[i * k] = 0.5f + 0.2f * (float) rng.nextDouble();
            for (int e = 1; e < k; e++) {
                int j;
                do {
                    j = rng.nextInt(m);
                } while (j == truth[i]);
                column[i * k + e] = j;
                score[i * k + e] = 0.45f * (float) rng.nextDouble();
            }
        }
        assertThat(SparseAssignment.maximise(n, m, start, column, score)).containsExactly(truth);
    }

    @Test
    void rowsWhoseCandidatesAreTakenAreLeftUnassigned() {
        // Three rows all want column 0 only; one gets it, the others keep their fallback.
        int[] asg = SparseAssignment.maximise(
                3, 4, new int[] {0, 1, 2, 3}, new int[] {0, 0, 0}, new float[] {0.2f, 0.9f, 0.5f});
        assertThat(asg).containsExactly(-1, 0, -1);
        assertThat(SparseAssignment.maximise(2, 2, new int[] {0, 0, 0}, new int[0], new float[0]))
                .containsExactly(-1, -1);
    }

    /** Rows whose candidates are all worth 0 (dead residual dimensions) take their fallback at once. */
    @Test
    void rowsWithNothingButZeroScoresDoNotBidEachOtherUp() {
        int n = 2000;
        int k = 8;
        int[] start = new int[n + 1];
        int[] column = new int[n * k];
        float[] score = new float[n * k];
        for (int i = 0; i < n; i++) {
            start[i + 1] = (i + 1) * k;
            for (int e = 0; e < k; e++) {
                column[i * k + e] = i < 1000 ? e : (i + e) % n; // the first 1,000 rows share 8 columns at score 0
                score[i * k + e] = i < 1000 ? 0f : (e == 0 ? 0.9f : 0.1f);
            }
        }
        int[] asg = SparseAssignment.maximise(n, n, start, column, score);
        for (int i = 0; i < n; i++) {
            assertThat(asg[i]).as("row %d", i).isEqualTo(i < 1000 ? -1 : i);
        }
    }

    @Test
    void rejectsInconsistentOrInvalidInput() {
        assertThatThrownBy(() -> SparseAssignment.maximise(2, 2, new int[] {0, 1}, new int[] {0}, new float[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(
                        () -> SparseAssignment.maximise(1, 2, new int[] {0, 1}, new int[] {0}, new float[] {Float.NaN}))
                .hasMessageContaining("edge 0");
        assertThatThrownBy(() -> SparseAssignment.maximise(1, 2, new int[] {0, 1}, new int[] {2}, new float[] {1}))
                .hasMessageContaining("out of range");
    }

    private static void assertInjective(int[] asg, int cols) {
        boolean[] seen = new boolean[cols];
        for (int j : asg) {
            if (j < 0) {
                continue; // kept its fallback: no candidate was worth more than nothing to it
            }
            assertThat(j).isBetween(0, cols - 1);
            assertThat(seen[j]).isFalse();
            seen[j] = true;
        }
    }

    private static double total(float[] score, int cols, int[] asg) {
        double s = 0;
        for (int i = 0; i < asg.length; i++) {
            s += asg[i] < 0 ? 0 : score[i * cols + asg[i]];
        }
        return s;
    }
}
