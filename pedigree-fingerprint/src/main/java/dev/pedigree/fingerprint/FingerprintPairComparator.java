package dev.pedigree.fingerprint;

import dev.pedigree.fingerprint.FingerprintTensor.RowSource;
import dev.pedigree.fingerprint.FingerprintTensor.Sample;
import dev.pedigree.forensics.CompareOptions;
import dev.pedigree.forensics.LineageComparator;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.Thresholds;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.ModelFormatException;
import dev.pedigree.stats.LogP;
import dev.pedigree.stats.TestResult;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
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
        ComparisonResult engine = LineageComparator.compare(s.toModelView(), r.toModelView(), options);
        Map<String, UnitNormTest.Result> norms = UnitNormTest.compare(s, r);
        return norms.isEmpty() ? engine : withUnitNorms(engine, norms);
    }

    /**
     * The engine's result with the {@link UnitNormTest} of each component that has one folded in.
     * The unit-norm values are Bonferroni-corrected for the {@code m} components tested; a
     * component's value becomes {@code 2·min(p_engine, m·p_norms)} (Bonferroni for taking the
     * better of the two), so that the family-wise error of the pair's verdict stays at most the
     * threshold's. A component's verdict is judged again from that value with the engine's
     * thresholds: SHARED_LINEAGE at or below the shared threshold; INDEPENDENT only where the engine
     * judged it so and the value stays above the independent threshold; otherwise INCONCLUSIVE. The
     * pair's verdict and value follow the engine's rules.
     */
    static ComparisonResult withUnitNorms(ComparisonResult c, Map<String, UnitNormTest.Result> norms) {
        Thresholds th = c.thresholds();
        double bonferroniComponents = Math.log10(norms.size());
        List<ComponentResult> out = new ArrayList<>();
        boolean newlyShared = false;
        long newlySharedParams = 0;
        for (ComponentResult cr : c.components()) {
            UnitNormTest.Result u = norms.get(cr.name());
            if (u == null) {
                out.add(cr);
                continue;
            }
            double un = Math.min(0, u.log10p() + bonferroniComponents);
            double v = cr.log10p() == null ? un : Math.min(0, Math.min(cr.log10p(), un) + Math.log10(2));
            v = LogP.clamp(v);
            Verdict verdict;
            if (v <= th.sharedLog10p()) {
                verdict = Verdict.SHARED_LINEAGE;
            } else if (cr.verdict() == Verdict.INDEPENDENT && v > th.independentLog10p()) {
                verdict = Verdict.INDEPENDENT;
            } else {
                verdict = Verdict.INCONCLUSIVE;
            }
            if (verdict == Verdict.SHARED_LINEAGE && cr.verdict() != Verdict.SHARED_LINEAGE) {
                newlyShared = true;
                newlySharedParams += cr.parameters();
            }
            List<Evidence> ev = new ArrayList<>(cr.evidence());
            TestResult t = u.testResult();
            ev.add(new Evidence(
                    t.testId(),
                    t.statistic(),
                    Math.min(0, t.log10p()),
                    t.note()
                            + String.format(
                                    Locale.ROOT,
                                    " (n=%d, median r %.4g; fingerprint pairs only)",
                                    t.n(),
                                    u.medianR())));
            String reason = String.format(
                    Locale.ROOT,
                    "2·min(engine %s, unit norms %.2f over %d component%s): log10 p %.2f; %s",
                    cr.log10p() == null ? "none" : String.format(Locale.ROOT, "%.2f", cr.log10p()),
                    un,
                    norms.size(),
                    norms.size() == 1 ? "" : "s",
                    v,
                    verdict == cr.verdict() ? cr.reason() : "judged again with the thresholds");
            out.add(new ComponentResult(cr.name(), cr.kind(), cr.parameters(), verdict, v, ev, reason));
        }
        Verdict overall = overall(out);
        Double best = null;
        for (ComponentResult cr : out) {
            if (cr.log10p() != null) {
                best = best == null ? cr.log10p() : Math.min(best, cr.log10p());
            }
        }
        double frac = c.sharedParameterFraction();
        if (newlyShared && c.suspect().parameters() > 0) {
            frac = Math.min(1, frac + newlySharedParams / (double) c.suspect().parameters());
        }
        return new ComparisonResult(
                c.schema(),
                c.suspect(),
                c.reference(),
                overall,
                best,
                out,
                c.layerMap(),
                c.tokenizer(),
                frac,
                c.warnings(),
                c.layerEvidence(),
                c.customisation(),
                c.sampling(),
                th);
    }

    /** The engine's pair rule: shared if any component is; independent when those judged so hold half the compared parameters. */
    private static Verdict overall(List<ComponentResult> components) {
        long compared = 0;
        long independent = 0;
        for (ComponentResult cr : components) {
            if (cr.verdict() == Verdict.SHARED_LINEAGE) {
                return Verdict.SHARED_LINEAGE;
            }
            if (cr.log10p() != null) {
                compared += cr.parameters();
                if (cr.verdict() == Verdict.INDEPENDENT) {
                    independent += cr.parameters();
                }
            }
        }
        return compared > 0 && independent * 2 >= compared ? Verdict.INDEPENDENT : Verdict.INCONCLUSIVE;
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
                    new Sample(s.rowSource(), rows, cols, subSample(s, rows, cols), subNorms(s, rows))));
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

    private static float[] subNorms(Sample s, int[] rows) {
        float[] norms = s.rowNormsNoCopy();
        if (norms == null) {
            return null;
        }
        int[] ri = positions(s.rows(), rows, s.rowSource() == RowSource.ANCHORS);
        float[] out = new float[ri.length];
        for (int i = 0; i < ri.length; i++) {
            out[i] = norms[ri[i]];
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
