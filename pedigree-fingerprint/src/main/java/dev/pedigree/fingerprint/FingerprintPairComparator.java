package dev.pedigree.fingerprint;

import dev.pedigree.fingerprint.FingerprintTensor.RowSource;
import dev.pedigree.fingerprint.FingerprintTensor.Sample;
import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.io.ModelFormatException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Compares two fingerprints with the unchanged {@link LineageComparator}: both sides are samples.
 * Two fingerprints made with the same seed keep the same indices of every same-shape dimension
 * (nested when their unit counts differ), so each side is restricted to the indices both hold and
 * the engine runs on {@link Fingerprint#toModelView()} of each; anchor-token rows are matched by
 * token inside the engine, as for a suspect against a registry fingerprint.
 *
 * <p>What is weaker than comparing the full models is what {@link
 * FingerprintComparator} lists, on both sides: tests run on the common sampled
 * units, embeddings on the common anchor tokens. Stateless and thread-safe.
 */
public final class FingerprintPairComparator {
    private FingerprintPairComparator() {}

    /**
     * Compares {@code suspect} with {@code reference}.
     *
     * @throws IllegalArgumentException if the fingerprints were sampled with different seeds (their
     *     indices do not line up)
     */
    public static ComparisonResult compare(Fingerprint suspect, Fingerprint reference, CompareOptions options)
            throws IOException, ModelFormatException {
        if (suspect.seed() != reference.seed()) {
            throw new IllegalArgumentException("fingerprints sampled with different seeds (" + suspect.seed() + ", "
                    + reference.seed() + ") do not line up");
        }
        Fingerprint s = restrictToCommon(suspect, reference);
        Fingerprint r = restrictToCommon(reference, suspect);
        return LineageComparator.compare(s.toModelView(), r.toModelView(), options);
    }

    /** {@code f} with every sampled tensor that {@code other} also samples (same name and shape) restricted to the indices both keep. */
    static Fingerprint restrictToCommon(Fingerprint f, Fingerprint other) {
        Map<String, FingerprintTensor> theirs = new HashMap<>();
        for (FingerprintTensor t : other.tensors()) {
            theirs.put(t.name(), t);
        }
        boolean changed = false;
        List<FingerprintTensor> out = new ArrayList<>();
        for (FingerprintTensor t : f.tensors()) {
            FingerprintTensor o = theirs.get(t.name());
            Sample s = t.sample();
            if (s == null || o == null || o.sample() == null || !o.shape().equals(t.shape())) {
                out.add(t);
                continue;
            }
            int[] rows = s.rowSource() == RowSource.DIMENSION && o.sample().rowSource() == RowSource.DIMENSION
                    ? intersect(s.rows(), o.sample().rows())
                    : s.rows();
            int[] cols = intersect(s.cols(), o.sample().cols());
            if (rows.length == s.rows().length && cols.length == s.cols().length) {
                out.add(t);
                continue;
            }
            changed = true;
            out.add(new FingerprintTensor(
                    t.name(),
                    t.address(),
                    t.dtype(),
                    t.shape(),
                    t.rawSha256(),
                    t.canonicalSha256(),
                    t.stats(),
                    new Sample(s.rowSource(), rows, cols, subSample(s, rows, cols))));
        }
        if (!changed) {
            return f;
        }
        return new Fingerprint(
                f.source(),
                f.format(),
                f.architecture(),
                f.hints(),
                f.parameters(),
                f.modelBytes(),
                Math.min(f.units(), other.units()),
                f.seed(),
                f.tokenizerType(),
                f.vocabularySize(),
                f.regularKeys(),
                f.anchors(),
                out,
                f.warnings());
    }

    private static float[] subSample(Sample s, int[] rows, int[] cols) {
        int[] sr = s.rows();
        int[] sc = s.cols();
        float[] v = s.values();
        int[] ri = positions(sr, rows, s.rowSource() == RowSource.ANCHORS);
        int[] ci = positions(sc, cols, false);
        float[] out = new float[rows.length * cols.length];
        for (int i = 0; i < ri.length; i++) {
            for (int j = 0; j < ci.length; j++) {
                out[i * cols.length + j] = v[ri[i] * sc.length + ci[j]];
            }
        }
        return out;
    }

    /** Positions in {@code have} of each of {@code want} (a subsequence of it). */
    private static int[] positions(int[] have, int[] want, boolean identity) {
        if (identity) {
            int[] p = new int[want.length];
            for (int i = 0; i < p.length; i++) {
                p[i] = i;
            }
            return p;
        }
        int[] p = new int[want.length];
        int j = 0;
        for (int i = 0; i < want.length; i++) {
            while (have[j] != want[i]) {
                j++;
            }
            p[i] = j;
        }
        return p;
    }

    /** Sorted intersection of two ascending index arrays. */
    static int[] intersect(int[] a, int[] b) {
        int[] out = new int[Math.min(a.length, b.length)];
        int i = 0;
        int j = 0;
        int n = 0;
        while (i < a.length && j < b.length) {
            if (a[i] < b[j]) {
                i++;
            } else if (a[i] > b[j]) {
                j++;
            } else {
                out[n++] = a[i];
                i++;
                j++;
            }
        }
        return java.util.Arrays.copyOf(out, n);
    }
}
