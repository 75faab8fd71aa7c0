package dev.pedigree.forensics.simulate;

import dev.pedigree.model.ArrayTensor;
import dev.pedigree.model.Component;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import java.util.List;

/**
 * Deterministic tables that real checkpoints store as parameters, computed by their formulas: every
 * model that stores one holds the same values, so they are no lineage evidence (see {@code
 * DeterministicTables}). Used to build independent models that share only such tables. Stateless.
 */
public final class FormulaTables {
    private FormulaTables() {}

    /**
     * A sinusoidal position table [positions × width]. {@code interleaved}: sin and cos of each
     * frequency side by side (the original Transformer); otherwise all sines then all cosines
     * (Whisper, Marian, fairseq). Frequencies base^(−i/(half − 1)) (Whisper, fairseq) or, with
     * {@code marian}, base^(−2i/width). {@code paddingRow} ≥ 0: that row is zero and positions start
     * after it (fairseq/FSMT), else −1.
     */
    public static float[] sinusoidal(
            int positions, int width, double base, boolean interleaved, boolean marian, int paddingRow) {
        int half = width / 2;
        float[] v = new float[positions * width];
        for (int p = 0; p < positions; p++) {
            if (p == paddingRow) {
                continue;
            }
            for (int i = 0; i < half; i++) {
                double w = marian ? Math.pow(base, -2.0 * i / width) : Math.exp(-Math.log(base) * i / (half - 1));
                double a = p * w;
                int si = interleaved ? 2 * i : i;
                int ci = interleaved ? 2 * i + 1 : half + i;
                v[p * width + si] = (float) Math.sin(a);
                v[p * width + ci] = (float) Math.cos(a);
            }
        }
        return v;
    }

    /** GPT-2's causal mask buffer [n × n]: 1 on and below the diagonal, 0 above. */
    public static float[] causalMask(int n) {
        float[] v = new float[n * n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                v[i * n + j] = 1;
            }
        }
        return v;
    }

    /** 0, 1, ..., n − 1 ({@code position_ids}). */
    public static float[] arange(int n) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = i;
        }
        return v;
    }

    /** A rotary cos cache [positions × headDim]: cos(p·θ_i) with the frequencies repeated (cat(freqs, freqs)). */
    public static float[] rotaryCos(int positions, int headDim, double base) {
        int half = headDim / 2;
        float[] v = new float[positions * headDim];
        for (int p = 0; p < positions; p++) {
            for (int i = 0; i < half; i++) {
                float c = (float) Math.cos(p * Math.pow(base, -2.0 * i / headDim));
                v[p * headDim + i] = c;
                v[p * headDim + half + i] = c;
            }
        }
        return v;
    }

    /** ALiBi slopes of {@code heads} heads (a power of two): 2^(−8(i+1)/heads). */
    public static float[] alibiSlopes(int heads) {
        float[] v = new float[heads];
        for (int i = 0; i < heads; i++) {
            v[i] = (float) Math.pow(2, -8.0 * (i + 1) / heads);
        }
        return v;
    }

    /**
     * {@code m} with the tables a real checkpoint of its stack might store, all as parameters whose
     * names say nothing (the worst case: no family naming marks them as buffers): a sinusoidal
     * position table [positions × width] in Whisper's layout, one causal mask [1, 1, n, n] per block
     * (n = {@code maskSize}, GPT-2's {@code h.N.attn.bias}), {@code position_ids} [1, positions], a
     * rotary cos cache and ALiBi slopes of 16 heads.
     */
    public static SimModel addTables(SimModel m, Component comp, int positions, int maskSize) {
        List<ArrayTensor> ts = m.mutableTensors();
        int d = m.hints().hiddenSize();
        int hd = m.hints().effectiveHeadDim();
        String p = comp.name();
        ts.add(new ArrayTensor(
                p + ".embed_positions.weight",
                Shape.of(positions, d),
                TensorAddress.of(comp, null, Role.POSITION_EMBEDDING, Part.WEIGHT),
                sinusoidal(positions, d, 10_000, false, false, -1)));
        for (int l : m.layers(p)) {
            ts.add(new ArrayTensor(
                    p + ".h." + l + ".attn.causal",
                    Shape.of(1, 1, maskSize, maskSize),
                    TensorAddress.of(comp, l, Role.OTHER, Part.WEIGHT),
                    causalMask(maskSize)));
        }
        ts.add(new ArrayTensor(
                p + ".pos_index",
                Shape.of(1, positions),
                TensorAddress.of(comp, null, Role.OTHER, Part.WEIGHT),
                arange(positions)));
        ts.add(new ArrayTensor(
                p + ".rotary.cos_table",
                Shape.of(positions, hd),
                TensorAddress.of(comp, null, Role.OTHER, Part.WEIGHT),
                rotaryCos(positions, hd, 10_000)));
        ts.add(new ArrayTensor(
                p + ".alibi.slope_table",
                Shape.of(16),
                TensorAddress.of(comp, null, Role.OTHER, Part.WEIGHT),
                alibiSlopes(16)));
        return m.withTensors(ts);
    }
}
