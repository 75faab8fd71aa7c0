package dev.pedigree.forensics;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.Matrix;
import dev.pedigree.stats.tests.ResidualAlignment.SignedPermutation;
import java.io.IOException;

/**
 * What the stages of one comparison share: both models' indexes, the residual alignment in force
 * for the stack being compared, the token probes, the unit cap, the sampling and the seed. One per
 * comparison for the text stack ({@link #forText}); a non-text tower gets its own alignment and no
 * token anchors ({@link #forTower}). Immutable; the indexes it refers to are thread-safe for reads.
 *
 * @param s the suspect's index
 * @param r the reference's index
 * @param align residual alignment mapping reference columns into the suspect's basis (fitted as
 *     {@code ResidualAlignment.fit(reference, suspect)}; null: none)
 * @param alignFrom residual width of the reference side the alignment was fitted on (its columns'
 *     range)
 * @param anchorsS probe rows (token embeddings) for attention invariants, null when unavailable
 * @param anchorsR the reference's rows of the same tokens
 * @param probes the shared-token probes of the comparison
 * @param maxUnits most rows of one tensor entering one assignment problem
 * @param sampleRows null to read whole tensors; otherwise at most this many seeded rows of each
 *     tensor are read, and only tensors whose rows are units (query/key/value, gate, up): the
 *     output-side tensors (o, down) have their units in columns, which cannot be sampled without
 *     reading every row
 * @param seed seed of every random choice
 * @param alignAttention whether the alignment may serve the attention tests too (true when it was
 *     fitted on token embeddings or a tower's patch and position embeddings); false when it was
 *     fitted on the attention weights themselves ({@link WeightAlignment}), which only the MLP tests
 *     may then use
 */
record BatteryContext(
        ModelIndex s,
        ModelIndex r,
        SignedPermutation align,
        int alignFrom,
        Matrix anchorsS,
        Matrix anchorsR,
        TokenProbes probes,
        int maxUnits,
        Integer sampleRows,
        long seed,
        boolean alignAttention) {
    /**
     * Fewest features (columns) per unit for a correlation or matching test: below it cosines tie
     * (one feature: every cosine is ±1) and a LAP's tie order would favour the identity.
     */
    static final int MIN_FEATURES = 8;

    /** The context of the text stack: the alignment and anchors of the token probes. */
    static BatteryContext forText(
            ModelIndex s, ModelIndex r, TokenProbes probes, int maxUnits, Integer sampleRows, long seed) {
        return new BatteryContext(
                s,
                r,
                probes.align(),
                probes.alignFrom(),
                probes.anchorsS(),
                probes.anchorsR(),
                probes,
                maxUnits,
                sampleRows,
                seed,
                true);
    }

    /** The same comparison for a non-text tower: its own alignment (null: none), no token anchors. */
    BatteryContext forTower(SignedPermutation towerAlign, int towerAlignFrom) {
        return new BatteryContext(
                s, r, towerAlign, towerAlignFrom, null, null, probes, maxUnits, sampleRows, seed, true);
    }

    /** The same context with a residual alignment fitted on attention weights, for the MLP tests only. */
    BatteryContext withWeightAlignment(SignedPermutation weightAlign, int from) {
        return new BatteryContext(
                s, r, weightAlign, from, anchorsS, anchorsR, probes, maxUnits, sampleRows, seed, false);
    }

    /** Whether the alignment (if any) may serve the tests of tensors of {@code role}. */
    boolean alignsFor(Role role) {
        return align != null
                && (alignAttention
                        || !(role == Role.ATTN_Q || role == Role.ATTN_K || role == Role.ATTN_V || role == Role.ATTN_O));
    }

    /** Whether tensors are read as seeded row samples (--sample). */
    boolean sampled() {
        return sampleRows != null;
    }

    /**
     * True when the residual alignment applies to a suspect residual width and a reference residual
     * width: they are the widths it was fitted on. Other widths (a tensor whose columns are not
     * residual coordinates, models of other widths) leave the aligned tests out rather than failing.
     */
    boolean aligns(int suspectWidth, int referenceWidth) {
        return align != null && suspectWidth == align.index().length && referenceWidth == alignFrom;
    }

    /** {@link #aligns} for [units × residual] matrices. */
    boolean canAlign(Matrix suspectUnits, Matrix referenceUnits) {
        return aligns(suspectUnits.cols(), referenceUnits.cols());
    }

    /** The reference matrix's residual columns mapped into the suspect's basis. */
    Matrix alignCols(Matrix referenceUnits) {
        return align.applyToColumns(referenceUnits);
    }

    /**
     * The tensor as [units × residual]: input-side tensors as stored, output-side tensors (down,
     * o_proj) transposed. When {@link #sampled}, keeps at most {@link #maxUnits} units, seeded by the
     * unit count so that both sides of a same-shape pair keep the same unit indices.
     */
    Matrix unitsByResidual(ModelIndex m, TensorRef t, boolean outputSide) throws IOException, ModelFormatException {
        int[] rc = ModelIndex.matrixShape(t);
        if (!outputSide) {
            return m.rows(t, unitRows(rc[0]));
        }
        if (sampled()) {
            throw new IllegalStateException("output-side tensor " + t.name() + " would be read whole under --sample");
        }
        // Units are the columns: the transpose has rc[1] rows, all of them kept.
        return m.unitsOfColumns(t, null);
    }

    /** The rows {@link #unitsByResidual} keeps of an input-side tensor of {@code rows} rows (null: all). */
    int[] unitRows(int rows) {
        return sampled() ? ModelIndex.sample(rows, maxUnits, seed + 31L * rows) : null;
    }
}
