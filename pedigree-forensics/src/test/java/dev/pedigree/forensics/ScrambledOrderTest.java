package dev.pedigree.forensics;

import static dev.pedigree.forensics.LabelIndependenceTest.diagonal;
import static dev.pedigree.forensics.LabelIndependenceTest.textMap;
import static org.assertj.core.api.Assertions.assertThat;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.forensics.simulate.DerivationSimulator;
import dev.pedigree.forensics.simulate.SimModel;
import dev.pedigree.forensics.simulate.SyntheticTransformer;
import dev.pedigree.forensics.simulate.SyntheticTransformer.Config;
import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Issue 14 §1: a renamed copy whose file stores its tensors sorted by their new names (what a
 * safetensors writer does), so that file order says nothing of blocks or roles; and a copy that swapped
 * tensors of one shape inside its blocks. Blocks and roles come from the residual-side Gram matrices
 * ({@link GuidedBlocks}), with the verdict corrected for the number of assignments possible. The same
 * renaming of independent models stays not shared.
 */
class ScrambledOrderTest {
    private static final Config DEC = Config.smallDecoder();
    private static final Component TEXT = Component.TEXT_DECODER;
    private static final SimModel BASE = SyntheticTransformer.random("base", DEC, 1);

    private static final UnaryOperator<SimModel> ROTATED = RenamedAndChangedTest.ROTATED;

    private static UnaryOperator<SimModel> obfuscatedNoised(double rel) {
        return RenamedAndChangedTest.obfuscatedNoised(rel);
    }

    /** {@code m} renamed with random names and stored sorted by them, with each tensor's original address. */
    private static Map.Entry<SimModel, Map<String, TensorAddress>> renamedSorted(SimModel m, long seed) {
        SimModel renamed = DerivationSimulator.renameTensors(m, seed);
        Map<String, TensorAddress> original = new HashMap<>();
        for (int k = 0; k < m.tensors().size(); k++) {
            original.put(renamed.tensors().get(k).name(), m.tensors().get(k).address());
        }
        List<ArrayTensor> ts = new ArrayList<>(renamed.tensors());
        ts.sort(Comparator.comparing(ArrayTensor::name));
        return Map.entry(renamed.withTensors(ts), original);
    }

    /** {@code m} with q and o, and gate and up, swapped in file order inside every block. */
    private static SimModel swappedInBlocks(SimModel m) {
        List<ArrayTensor> ts = new ArrayList<>(m.tensors());
        for (int i = 0; i < ts.size(); i++) {
            TensorAddress a = ts.get(i).address();
            Role partner = a.role() == Role.ATTN_Q ? Role.ATTN_O : a.role() == Role.MLP_GATE ? Role.MLP_UP : null;
            if (a.layer() == null || partner == null) {
                continue;
            }
            for (int j = 0; j < ts.size(); j++) {
                TensorAddress b = ts.get(j).address();
                if (a.layer().equals(b.layer()) && b.role() == partner && a.part() == b.part()) {
                    ArrayTensor x = ts.get(i);
                    ts.set(i, ts.get(j));
                    ts.set(j, x);
                }
            }
        }
        return m.withTensors(ts);
    }

    private static ComparisonResult compare(SimModel s) throws Exception {
        ComparisonResult r = LineageComparator.compare(s.toView(), BASE.toView(), CompareOptions.DEFAULT);
        System.out.println(s.name() + ": " + r.verdict() + " " + r.log10p() + " map " + textMap(r) + " "
                + r.components().stream().map(c -> c.name() + " " + c.verdict()).toList());
        return r;
    }

    private static void sharedByGram(ComparisonResult r, double below) {
        RenamedAndChangedTest.sharedWithNote(r, below, "residual-side Gram matrix is closest", "log10 p <= -21.80");
    }

    @Test
    void sortedRenamedObfuscatedCopyNoisedAtSigma1IsShared() throws Exception {
        sharedByGram(compare(renamedSorted(obfuscatedNoised(1).apply(BASE), 4).getKey()), -100);
    }

    @Test
    void sortedRenamedObfuscatedCopyNoisedAtSigma2IsShared() throws Exception {
        sharedByGram(compare(renamedSorted(obfuscatedNoised(2).apply(BASE), 5).getKey()), -50);
    }

    @Test
    void sortedRenamedRotatedCopyIsShared() throws Exception {
        sharedByGram(compare(renamedSorted(ROTATED.apply(BASE), 4).getKey()), -40);
    }

    @Test
    void swappedTensorsInsideBlocksAreShared() throws Exception {
        // File order kept, but q/o and gate/up swapped in every block: roles by file order are wrong.
        // The file-order look pairs the blocks anyway (its roles are wrong, its verdict right); the Gram
        // look's roles are checked below.
        SimModel s = DerivationSimulator.renameTensors(
                swappedInBlocks(obfuscatedNoised(1).apply(BASE)), 4);
        ComparisonResult r = compare(s);
        assertThat(r.verdict()).isEqualTo(Verdict.SHARED_LINEAGE);
        assertThat(r.log10p()).isLessThan(-100);
        assertThat(textMap(r)).containsExactlyElementsOf(diagonal(DEC.layers()));
    }

    @Test
    void gramGivesEveryBlockMatrixItsAddressWhateverTheFileOrder() throws Exception {
        // Sorted file, swapped roles, permuted units, heads and residual, noise sigma x1.
        var sorted = renamedSorted(swappedInBlocks(obfuscatedNoised(1).apply(BASE)), 7);
        GuidedBlocks.Guided g = GuidedBlocks.of(sorted.getKey().toView(), BASE.toView());
        assertThat(g).isNotNull();
        assertThat(g.inferred().blocks()).isEqualTo(DEC.layers());
        int matrices = 0;
        for (TensorRef t : g.inferred().tensors()) {
            TensorAddress want = sorted.getValue().get(t.name());
            if (want.layer() != null && t.shape().rank() == 2) {
                assertThat(t.address()).as(t.name()).isEqualTo(want);
                matrices++;
            }
        }
        assertThat(matrices).isEqualTo(7 * DEC.layers());
        // Per shape, the injective maps: 8! for q/o, k/v, gate/up, 4! for down.
        assertThat(g.log10Assignments())
                .isCloseTo(3 * Math.log10(40320) + Math.log10(24), org.assertj.core.data.Offset.offset(1e-9));
    }

    @Test
    void theSameSortedRenamingOfIndependentModelsIsNotShared() throws Exception {
        ModelView ref = BASE.toView();
        List<UnaryOperator<SimModel>> changes =
                List.of(obfuscatedNoised(1), ROTATED, m -> m, m -> DerivationSimulator.noise(m, 2, 9));
        double min = 0;
        for (long seed = 60; seed < 64; seed++) {
            SimModel other = SyntheticTransformer.random("o", DEC, seed);
            SimModel s = renamedSorted(changes.get((int) (seed % 4)).apply(other), seed)
                    .getKey();
            assertThat(compare(s).verdict()).as("seed " + seed).isNotEqualTo(Verdict.SHARED_LINEAGE);
            // The Gram look run directly at the plain threshold (no correction): still far from shared.
            GuidedBlocks.Guided g = GuidedBlocks.of(s.toView(), ref);
            assertThat(g).isNotNull();
            ComparisonResult third = LineageComparator.compare(
                    Readdressing.withTensors(s.toView(), g.inferred().tensors()), ref, CompareOptions.DEFAULT);
            System.out.println("independent, seed " + seed + ": Gram look " + third.verdict() + " " + third.log10p());
            assertThat(third.verdict()).as("seed " + seed).isNotEqualTo(Verdict.SHARED_LINEAGE);
            if (third.log10p() != null) {
                min = Math.min(min, third.log10p());
            }
        }
        assertThat(min).isGreaterThan(-6);
    }
}
