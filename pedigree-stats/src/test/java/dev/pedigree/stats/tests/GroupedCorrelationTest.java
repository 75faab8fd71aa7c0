package dev.pedigree.stats.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.Synth;
import dev.pedigree.stats.TestResult;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** The streamed grouped form equals the in-memory one, whichever way the data comes in. */
class GroupedCorrelationTest {

    /** Units as columns, fed in chunks of feature rows: same statistic as the units-as-rows form on the transpose. */
    @Test
    void featureRowChunksMatchUnitRows() {
        SplittableRandom rng = new SplittableRandom(11);
        for (int[] shape : new int[][] {{1030, 40}, {2077, 24}, {700, 33}, {20, 50}, {15, 9}}) {
            int units = shape[0];
            int feats = shape[1];
            Matrix a = Synth.gaussian(rng, units, feats, 0.5, 0.1); // positive mean: centring matters
            Matrix b = Synth.noisy(a, 2, rng);
            TestResult rows = unitRows(a, b);
            // The same data as [features × units], streamed in uneven chunks of feature rows.
            float[] ta = a.transpose().data();
            float[] tb = b.transpose().data();
            GroupedCorrelation g = new GroupedCorrelation(units);
            int r = 0;
            for (int chunk : new int[] {1, 7, 3, 100}) {
                int n = Math.min(chunk, feats - r);
                if (n <= 0) {
                    break;
                }
                g.addFeatureRows(
                        Arrays.copyOfRange(ta, r * units, (r + n) * units),
                        Arrays.copyOfRange(tb, r * units, (r + n) * units),
                        n);
                r += n;
            }
            if (r < feats) {
                g.addFeatureRows(
                        Arrays.copyOfRange(ta, r * units, feats * units),
                        Arrays.copyOfRange(tb, r * units, feats * units),
                        feats - r);
            }
            TestResult cols = g.result("x");
            assertThat(cols.statistic())
                    .as("z " + units)
                    .isCloseTo(rows.statistic(), within(1e-3 * Math.max(1, Math.abs(rows.statistic()))));
            assertThat(cols.log10p())
                    .as("log10p " + units)
                    .isCloseTo(rows.log10p(), within(1e-3 * Math.max(1, Math.abs(rows.log10p()))));
            assertThat(cols.effectSize()).isCloseTo(rows.effectSize(), within(1e-5));
            assertThat(cols.note()).isEqualTo(rows.note());
        }
    }

    @Test
    void partitionCoversEveryUnitInGroupsOfEightToFifteen() {
        for (int h : new int[] {2, 15, 16, 17, 1023, 1024, 1025, 1039, 1040, 3000, 28672}) {
            GroupedCorrelation g = new GroupedCorrelation(h);
            int covered = 0;
            for (int b = 0; b < g.blocks(); b++) {
                assertThat(g.blockStart(b)).isEqualTo(covered);
                covered += g.blockSize(b);
                assertThat(g.blockSize(b)).isLessThan(GroupedCorrelation.BLOCK + 2 * GroupedCorrelation.GROUP);
            }
            assertThat(covered).isEqualTo(h);
            String note = unitRows(Matrix.of(h, 3, new float[h * 3]), Matrix.of(h, 3, new float[h * 3]))
                    .note();
            if (h >= 2 * GroupedCorrelation.GROUP) {
                assertThat(note).as("h=" + h).containsPattern("groups of (8|9|1[0-5])-(8|9|1[0-5]) units");
            }
        }
    }

    @Test
    void unitRowsAndFeatureRowsCannotBeMixed() {
        GroupedCorrelation g = new GroupedCorrelation(40);
        g.addUnitRows(0, new float[40 * 3], new float[40 * 3], 3);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.addFeatureRows(new float[40], new float[40], 1))
                .isInstanceOf(IllegalStateException.class);
        GroupedCorrelation h = new GroupedCorrelation(40);
        h.addFeatureRows(new float[40], new float[40], 1);
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> h.addUnitRows(0, new float[40 * 3], new float[40 * 3], 3))
                .isInstanceOf(IllegalStateException.class);
    }

    /** Blocks read a few groups at a time (rows laid out by position) give the whole blocks' result bit for bit. */
    @Test
    void groupPiecesEqualWholeBlocksExactly() {
        SplittableRandom rng = new SplittableRandom(12);
        for (int[] shape : new int[][] {{1030, 40}, {2077, 24}, {700, 33}, {20, 50}, {15, 9}, {5632, 16}}) {
            int units = shape[0];
            int w = shape[1];
            Matrix a = Synth.gaussian(rng, units, w, 0.5, 0.1);
            Matrix b = Synth.noisy(a, 2, rng);
            TestResult whole = unitRows(a, b);
            for (int m : new int[] {1, 3, 32, 1000}) {
                GroupedCorrelation g = new GroupedCorrelation(units);
                for (int k = 0; k < g.blocks(); k++) {
                    int kb = g.groups(k);
                    int pb = g.positions(k);
                    int step = Math.min(m, kb);
                    for (int t0 = 0; t0 < kb; t0 += step) {
                        int mm = Math.min(step, kb - t0);
                        float[] xa = new float[pb * mm * w];
                        float[] xb = new float[xa.length];
                        Arrays.fill(xa, Float.NaN); // rows of missing units must never be read
                        Arrays.fill(xb, Float.NaN);
                        for (int u = 0; u < pb; u++) {
                            int first = u * kb + t0;
                            int count = Math.min(mm, g.blockSize(k) - first);
                            if (count > 0) {
                                int from = (g.blockStart(k) + first) * w;
                                System.arraycopy(a.data(), from, xa, u * mm * w, count * w);
                                System.arraycopy(b.data(), from, xb, u * mm * w, count * w);
                            }
                        }
                        g.addUnitGroups(k, t0, mm, xa, xb, w);
                    }
                }
                TestResult pieces = g.result("x");
                assertThat(pieces.statistic()).as(units + " in pieces of " + m).isEqualTo(whole.statistic());
                assertThat(pieces.log10p()).isEqualTo(whole.log10p());
                assertThat(pieces.effectSize()).isEqualTo(whole.effectSize());
                assertThat(pieces.note()).isEqualTo(whole.note());
            }
        }
    }

    @Test
    void groupPiecesMustComeInOrderOnce() {
        GroupedCorrelation g = new GroupedCorrelation(1024); // one block, 128 groups of 8
        float[] x = new float[8 * 4 * 3];
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.addUnitGroups(0, 4, 4, x, x, 3))
                .isInstanceOf(IllegalStateException.class);
        g.addUnitGroups(0, 0, 4, x, x, 3);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.addUnitGroups(0, 0, 4, x, x, 3))
                .isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.addUnitGroups(0, 4, 4, x, x, 2))
                .isInstanceOf(IllegalStateException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.addUnitGroups(0, 4, 4, new float[10], x, 3))
                .isInstanceOf(IllegalArgumentException.class);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.addUnitGroups(0, 126, 4, x, x, 3))
                .isInstanceOf(IllegalArgumentException.class);
        g.addUnitGroups(0, 4, 4, x, x, 3);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> g.result("x"))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("8 of its 128 groups");
    }

    /** Feature-row chunks that are whole float-summation tiles give the sums of one pass, bit for bit. */
    @Test
    void tileMultipleChunksEqualOnePassExactly() {
        SplittableRandom rng = new SplittableRandom(13);
        int units = 1030;
        int feats = 5 * GroupedCorrelation.FLUSH_ROWS + 17;
        float[] ta = Synth.gaussian(rng, feats, units, 0.5, 0.1).data();
        float[] tb = Synth.noisy(Matrix.of(feats, units, ta), 2, rng).data();
        GroupedCorrelation one = new GroupedCorrelation(units);
        one.addFeatureRows(ta.clone(), tb.clone(), feats);
        GroupedCorrelation chunked = new GroupedCorrelation(units);
        int chunk = 2 * GroupedCorrelation.FLUSH_ROWS;
        for (int r = 0; r < feats; r += chunk) {
            int n = Math.min(chunk, feats - r);
            chunked.addFeatureRows(
                    Arrays.copyOfRange(ta, r * units, (r + n) * units),
                    Arrays.copyOfRange(tb, r * units, (r + n) * units),
                    n);
        }
        assertThat(chunked.result("x")).isEqualTo(one.result("x"));
    }

    private static TestResult unitRows(Matrix a, Matrix b) {
        GroupedCorrelation g = new GroupedCorrelation(a.rows());
        int w = a.cols();
        for (int k = 0; k < g.blocks(); k++) {
            int from = g.blockStart(k) * w;
            int to = from + g.blockSize(k) * w;
            g.addUnitRows(k, Arrays.copyOfRange(a.data(), from, to), Arrays.copyOfRange(b.data(), from, to), w);
        }
        return g.result("x");
    }
}
