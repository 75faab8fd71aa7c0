package dev.pedigree.forensics;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * The residual alignment of a stack fitted on its attention weights, for when tokens cannot align
 * embedding rows (no shared vocabulary, a padded embedding, another tokenizer) and the residual
 * widths differ (a width-sliced copy, a merge with one): issue 14 §2, layer evidence must not depend
 * on the vocabulary.
 *
 * <p>The attention units (query, key and value rows, output-projection columns) of same-index blocks
 * play the part of the shared tokens: a row of {@code [units × residual]} for every unit whose count
 * agrees on both sides, stacked over blocks, so that each residual coordinate has a profile over
 * thousands of units; {@link dev.pedigree.stats.tests.ResidualAlignment#fit} matches the coordinates
 * (rectangular when the widths differ). The alignment is then used for the MLP tests only ({@link
 * BatteryContext#alignsFor}): a permutation of the suspect's MLP hidden units leaves the attention
 * weights, and so the alignment, unchanged, which keeps Zhu's matching exact under H0; the attention
 * tests, fitted on, never use it. Stateless.
 */
final class WeightAlignment {
    private WeightAlignment() {}

    /** Most unit rows entering the fit (a few blocks' attention of a large model). */
    static final int MAX_ROWS = 8192;

    private static final Role[] INPUT_SIDE = {Role.ATTN_Q, Role.ATTN_K, Role.ATTN_V};

    /**
     * Fits reference → suspect on the attention weights of stack {@code component}; null (with a
     * warning when it was tried) when the blocks share no unit count or the fit fails.
     */
    static SignedPermutation fit(ModelIndex s, ModelIndex r, String component, List<String> warnings)
            throws IOException, ModelFormatException {
        List<Matrix> as = new ArrayList<>();
        List<Matrix> bs = new ArrayList<>();
        int rows = 0;
        List<Integer> lr = r.layers(component);
        for (int layer : s.layers(component)) {
            if (!lr.contains(layer) || rows >= MAX_ROWS) {
                continue;
            }
            for (Role role : INPUT_SIDE) {
                TensorRef a = s.weight(component, layer, role);
                TensorRef b = r.weight(component, layer, role);
                if (a != null
                        && b != null
                        && a.shape().rank() == 2
                        && b.shape().rank() == 2
                        && a.shape().dim(0) == b.shape().dim(0)) {
                    as.add(s.rows(a, null));
                    bs.add(r.rows(b, null));
                    rows += (int) a.shape().dim(0);
                }
            }
            TensorRef a = s.weight(component, layer, Role.ATTN_O);
            TensorRef b = r.weight(component, layer, Role.ATTN_O);
            if (a != null
                    && b != null
                    && a.shape().rank() == 2
                    && b.shape().rank() == 2
                    && a.shape().dim(1) == b.shape().dim(1)) {
                as.add(s.unitsOfColumns(a, null));
                bs.add(r.unitsOfColumns(b, null));
                rows += (int) a.shape().dim(1);
            }
        }
        if (rows < Combination.MIN_POWER_N) {
            return null;
        }
        Matrix a = StackComparison.stackRows(as);
        Matrix b = StackComparison.stackRows(bs);
        if (a == null || b == null) {
            return null;
        }
        return TokenProbes.fitAlignment(b, a, component + " attention weights of " + as.size() + " tensors", warnings);
    }
}
