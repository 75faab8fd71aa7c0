package dev.pedigree.forensics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.NonFiniteTensor;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Role;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 18: a single +Inf in one embedding row (and NaNs, -Inf elsewhere) is a property of the input: compare never
 * fails on it ("non-finite score NaN" from the assignment before), every statistic stays finite, and the result counts
 * the non-finite values per tensor.
 */
class NonFiniteWeightsTest {
    private static SimModel poisoned(SimModel m, Role role, int row, float... values) throws Exception {
        List<ArrayTensor> ts = new ArrayList<>();
        for (ArrayTensor t : m.tensors()) {
            if (t.address().role() == role
                    && (role != Role.EMBEDDING || t.address().layer() == null)) {
                float[] v = t.readAll();
                int cols = (int) t.shape().columns();
                for (int i = 0; i < values.length; i++) {
                    v[row * cols + i] = values[i];
                }
                t = SimModel.replace(t, v);
                role = null; // only the first tensor of the role
            }
            ts.add(t);
        }
        return m.withTensors(ts);
    }

    @Test
    void anInfinityInAnEmbeddingRowIsCountedAndBreaksNoStatistic() throws Exception {
        SimModel base =
                SyntheticTransformer.random("base", Config.smallDecoder().withLayers(2), 5);
        SimModel derived = DerivationSimulator.noise(base, 0.05, 6).named("derived");
        SimModel bad = poisoned(derived, Role.EMBEDDING, 3, Float.POSITIVE_INFINITY);
        bad = poisoned(bad, Role.MLP_UP, 1, Float.NaN, Float.NaN, Float.NEGATIVE_INFINITY);
        for (CompareOptions o : List.of(CompareOptions.DEFAULT, CompareOptions.DEFAULT.withSampleRows(64))) {
            ComparisonResult r = LineageComparator.compare(bad.toView(), base.toView(), o);
            assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
            if (r.log10p() != null) {
                assertThat(r.log10p()).isNotNaN();
            }
            r.components().forEach(c -> {
                if (c.log10p() != null) {
                    assertThat(c.log10p()).as(c.name()).isNotNaN();
                }
            });
            List<NonFiniteTensor> nf = r.sampling().nonFinite();
            assertThat(nf).allMatch(t -> t.model().equals("suspect"));
            // Counts are over the rows read: every row without --sample; with it, row 3 may not be among them.
            assertThat(nf.stream().filter(t -> t.nan() > 0)).hasSize(1);
            if (o.sampleRows() == null) {
                NonFiniteTensor emb = nf.stream()
                        .filter(t -> t.positiveInfinity() > 0)
                        .findFirst()
                        .orElseThrow();
                assertThat(emb.tensor()).contains("embed");
                assertThat(emb.rows()).isEqualTo(1);
                assertThat(emb.total()).isEqualTo(1);
                NonFiniteTensor up =
                        nf.stream().filter(t -> t.nan() > 0).findFirst().orElseThrow();
                assertThat(up.nan()).isEqualTo(2);
                assertThat(up.negativeInfinity()).isEqualTo(1);
                assertThat(up.rows()).isEqualTo(1);
            }
        }
        ComparisonResult clean = LineageComparator.compare(derived.toView(), base.toView(), CompareOptions.DEFAULT);
        assertThat(clean.sampling().nonFinite()).isEmpty();
    }
}
