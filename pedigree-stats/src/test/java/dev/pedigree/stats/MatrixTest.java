package dev.pedigree.stats;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.kernels.numeric.Kernels;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** {@link Matrix}'s products and transposes against per-element definitions. */
class MatrixTest {

    @Test
    void multiplyTransposedMatchesNaiveProduct() {
        SplittableRandom rng = new SplittableRandom(3);
        Matrix a = Synth.gaussian(rng, 37, 300, 0, 1);
        Matrix b = Synth.gaussian(rng, 301, 300, 0, 1);
        Matrix c = a.multiplyTransposed(b);
        assertThat(c.rows()).isEqualTo(37);
        assertThat(c.cols()).isEqualTo(301);
        for (int i = 0; i < 37; i++) {
            for (int j = 0; j < 301; j++) {
                double s = 0;
                for (int k = 0; k < 300; k++) {
                    s += (double) a.get(i, k) * b.get(j, k);
                }
                assertThat((double) c.get(i, j)).isCloseTo(s, org.assertj.core.data.Offset.offset(1e-3));
            }
        }
        assertThat(a.transpose().transpose()).isEqualTo(a);
        assertThat(a.transpose().get(5, 7)).isEqualTo(a.get(7, 5));
        assertThat(a.rowsSubset(new int[] {4, 1}).get(1, 9)).isEqualTo(a.get(1, 9));
        assertThat(a.colsSubset(new int[] {4, 1}).get(3, 1)).isEqualTo(a.get(3, 1));
    }

    @Test
    void transposeMovesEveryEntryWhateverTheTiling() {
        SplittableRandom rng = new SplittableRandom(10);
        for (int[] shape : new int[][] {{1, 1}, {1, 40}, {40, 1}, {17, 33}, {16, 16}, {64, 2048}, {129, 31}}) {
            Matrix a = Synth.gaussian(rng, shape[0], shape[1], 0, 1);
            Matrix t = a.transpose();
            assertThat(t.rows()).isEqualTo(shape[1]);
            assertThat(t.cols()).isEqualTo(shape[0]);
            for (int r = 0; r < shape[0]; r++) {
                for (int c = 0; c < shape[1]; c++) {
                    assertThat(t.get(c, r)).isEqualTo(a.get(r, c));
                }
            }
        }
    }

    @Test
    void blockedMultiplyTransposedEqualsPerElementDots() {
        SplittableRandom rng = new SplittableRandom(9);
        for (int[] shape : new int[][] {{37, 301, 300}, {4, 3, 5}, {258, 130, 1024}, {3, 9, 17}}) {
            Matrix a = Synth.gaussian(rng, shape[0], shape[2], 0, 1);
            Matrix b = Synth.gaussian(rng, shape[1], shape[2], 0, 1);
            Matrix c = a.multiplyTransposed(b);
            for (int i = 0; i < a.rows(); i++) {
                for (int j = 0; j < b.rows(); j++) {
                    double old = Kernels.dot(a.data(), i * a.cols(), b.data(), j * b.cols(), a.cols());
                    // Relative to Σ|a_k b_k| (the kernels' documented scale); the product sums in
                    // chunks of GEMM_CHUNK and rounds to float, so bit identity is not asserted here.
                    double scale = 0;
                    for (int k = 0; k < a.cols(); k++) {
                        scale += Math.abs((double) a.get(i, k) * b.get(j, k));
                    }
                    assertThat(Math.abs(c.get(i, j) - old) / Math.max(1e-30, scale))
                            .isLessThanOrEqualTo(1e-5);
                }
            }
        }
    }
}
