package dev.pedigree.attest;

import dev.pedigree.model.Part;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.stats.RankStats;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * Does a checkpoint look like a fresh initialisation? Works from its {@link CheckpointSample} alone
 * (statistics over all values, the seeded sample, embedding row norms). Hard tests, each with a
 * bound that an i.i.d. draw from a standard scheme passes with overwhelming probability:
 *
 * <ul>
 *   <li><b>norm gains</b> exactly 1 everywhere (or exactly 0, Gemma's stored offset); norm biases
 *       exactly 0 — any learned gain fails;
 *   <li><b>other biases</b> exactly 0, or within PyTorch's default {@code U(±1/√fan_in)};
 *   <li><b>weight matrices</b> ({@value #MIN_VALUES}+ values): mean within 6 standard errors of 0;
 *       kurtosis between the uniform's 1.8 and the normal's 3 (truncated normals lie between), with
 *       a tolerance of {@code max(0.05, 6·√(24/n))}; no heavy tail (largest |z| at most
 *       {@code √(2 ln n) + 1.5}); no spike above the Marchenko–Pastur bulk: the sample's top
 *       singular value at most {@code (1 + tol)·σ(√k + √c)}, {@code tol} a few Tracy–Widom widths;
 *   <li><b>token-indexed matrices</b> (embeddings, untied heads): row norms uncorrelated with token
 *       id (|Spearman ρ|·√(V−1) ≤ 5; BPE ids follow merge frequency, so trained embeddings fail) and
 *       not more dispersed than i.i.d. rows allow (coefficient of variation at most {@code 1.25 +
 *       6/√(2V)} times {@code ½√((κ−1)/c)}).
 * </ul>
 *
 * <p>The standard deviation is compared with the usual schemes (N(0, 0.02), LeCun/Kaiming,
 * Xavier, PyTorch's Linear and Embedding defaults) and the closest is reported as INFO, not
 * judged: real recipes scale their inits too freely (depth scaling, μP, small-init) for a scale
 * test to be safe. Stateless and thread-safe.
 */
public final class InitialisationCheck {
    /** Fewest values for the distribution tests of a weight. */
    public static final int MIN_VALUES = 64;

    private InitialisationCheck() {}

    /** Every finding for the tensors of {@code fp}. */
    public static List<Finding> findings(CheckpointSample fp) {
        List<Finding> out = new ArrayList<>();
        for (CheckpointSampleTensor t : fp.tensors()) {
            examine(fp, t, out);
        }
        if (fp.tensors().isEmpty()) {
            out.add(Finding.fail("model", "tensors", "the checkpoint has no parameter tensors"));
        }
        return out;
    }

    private static void examine(CheckpointSample fp, CheckpointSampleTensor t, List<Finding> out) {
        TensorAddress a = t.address();
        String subj = a + " " + t.name();
        CheckpointMoments s = t.stats();
        if (s.nonFinite() > 0) {
            out.add(Finding.fail(subj, "finite", s.nonFinite() + " NaN or infinite values"));
            return;
        }
        if (s.count() == 0) {
            return;
        }
        if (a.role().isNorm()) {
            if (a.part() == Part.WEIGHT) {
                if (s.constant() && (s.min() == 1.0 || s.min() == 0.0)) {
                    out.add(Finding.pass(
                            subj, "norm_gain", "every gain is exactly " + (s.min() == 1.0 ? "1" : "0 (offset form)")));
                } else {
                    out.add(Finding.fail(
                            subj,
                            "norm_gain",
                            fmt(
                                    "learned norm gains: values in [%.4g, %.4g], std %.3g (a fresh norm has every gain exactly 1, or 0 in offset form)",
                                    s.min(), s.max(), s.std())));
                }
            } else if (s.zeros() == s.count()) {
                out.add(Finding.pass(subj, "norm_bias", "every bias is exactly 0"));
            } else {
                out.add(Finding.fail(
                        subj,
                        "norm_bias",
                        fmt(
                                "learned norm biases: values in [%.4g, %.4g] (a fresh norm's bias is exactly 0)",
                                s.min(), s.max())));
            }
            return;
        }
        if (a.part() == Part.BIAS) {
            if (s.zeros() == s.count()) {
                out.add(Finding.pass(subj, "bias", "every bias is exactly 0"));
                return;
            }
            long fanIn = fanIn(fp, a);
            double bound = fanIn > 0 ? 1 / Math.sqrt(fanIn) : Double.NaN;
            double absMax = Math.max(Math.abs(s.min()), Math.abs(s.max()));
            if (fanIn > 0 && absMax <= bound * (1 + 1e-6)) {
                out.add(Finding.pass(
                        subj,
                        "bias",
                        fmt("within PyTorch's default U(±1/√fan_in) = ±%.4g (max |b| %.4g)", bound, absMax)));
            } else {
                out.add(Finding.fail(
                        subj,
                        "bias",
                        fmt("biases neither 0 nor within ±1/√fan_in (max |b| %.4g, bound %.4g)", absMax, bound)));
            }
            return;
        }
        if (s.count() < MIN_VALUES) {
            out.add(Finding.info(subj, "size", s.count() + " values: too few for distribution tests"));
            return;
        }
        if (s.zeros() == s.count()) {
            out.add(Finding.info(subj, "zero_init", "every value is 0 (zero initialisation)"));
            return;
        }
        if (s.constant()) {
            out.add(Finding.fail(subj, "constant", fmt("every value is %.6g: not a random initialisation", s.min())));
            return;
        }
        double n = s.count();
        double se = s.std() / Math.sqrt(n);
        double z = Math.abs(s.mean()) / se;
        out.add(
                z <= 6
                        ? Finding.pass(subj, "mean", fmt("mean %.3g is %.2f standard errors from 0", s.mean(), z))
                        : Finding.fail(
                                subj,
                                "mean",
                                fmt(
                                        "mean %.3g is %.1f standard errors from 0 (bound 6): not centred like an initialisation",
                                        s.mean(), z)));
        double tol = Math.max(0.05, 6 * Math.sqrt(24 / n));
        double k = s.kurtosis();
        if (k > 3 + tol) {
            out.add(Finding.fail(
                    subj,
                    "kurtosis",
                    fmt(
                            "kurtosis %.3f exceeds the normal's 3 by more than %.3f: heavy-tailed, as trained weights are",
                            k, tol)));
        } else if (k < 1.8 - tol) {
            out.add(Finding.fail(
                    subj, "kurtosis", fmt("kurtosis %.3f is below the uniform's 1.8 by more than %.3f", k, tol)));
        } else {
            out.add(Finding.pass(
                    subj,
                    "kurtosis",
                    fmt(
                            "kurtosis %.3f (%s; tolerance %.3f)",
                            k, Math.abs(k - 3) < Math.abs(k - 1.8) ? "normal ≈ 3" : "uniform ≈ 1.8", tol)));
        }
        double zMax = s.maxAbsZ();
        double tail = Math.sqrt(2 * Math.log(n)) + 1.5;
        out.add(
                zMax <= tail
                        ? Finding.pass(subj, "tails", fmt("largest |z| %.2f ≤ %.2f", zMax, tail))
                        : Finding.fail(
                                subj,
                                "tails",
                                fmt(
                                        "largest |z| %.2f exceeds %.2f: outliers that an initialisation does not produce",
                                        zMax, tail)));
        if (t.matrix() && t.sampledRows() >= 8 && t.sampledColumns() >= 8) {
            out.add(marchenkoPastur(subj, t));
        }
        out.add(scheme(fp, subj, t));
        float[] norms = t.rowNorms();
        if (norms != null && norms.length >= 16) {
            rowNorms(subj, t, norms, out);
        }
    }

    private static Finding marchenkoPastur(String subj, CheckpointSampleTensor t) {
        int r = t.sampledRows();
        int c = t.sampledColumns();
        float[] v = t.values();
        double ss = 0;
        for (float x : v) {
            ss += (double) x * x;
        }
        double sigma = Math.sqrt(ss / v.length);
        double edge = sigma * (Math.sqrt(r) + Math.sqrt(c));
        double top = topSingularValue(v, r, c);
        double tw = Math.cbrt(1 / Math.sqrt(r) + 1 / Math.sqrt(c)) / (Math.sqrt(r) + Math.sqrt(c));
        double tol = 0.05 + 4 * tw;
        double ratio = top / edge;
        return ratio <= 1 + tol
                ? Finding.pass(
                        subj,
                        "mp_edge",
                        fmt(
                                "top singular value of the %d×%d sample is %.3f× the Marchenko–Pastur edge (bound %.3f)",
                                r, c, ratio, 1 + tol))
                : Finding.fail(
                        subj,
                        "mp_edge",
                        fmt(
                                "top singular value of the %d×%d sample is %.3f× the Marchenko–Pastur edge (bound %.3f): low-rank learned structure",
                                r, c, ratio, 1 + tol));
    }

    /** Largest singular value by power iteration on AᵀA (deterministic start). */
    static double topSingularValue(float[] a, int rows, int cols) {
        double[] x = new double[cols];
        SplittableRandom rnd = new SplittableRandom(0x5EEDL);
        for (int j = 0; j < cols; j++) {
            x[j] = rnd.nextDouble() - 0.5;
        }
        double[] y = new double[rows];
        double sigma = 0;
        for (int it = 0; it < 300; it++) {
            double nx = norm(x);
            for (int j = 0; j < cols; j++) {
                x[j] /= nx;
            }
            for (int i = 0; i < rows; i++) {
                double s = 0;
                for (int j = 0, o = i * cols; j < cols; j++) {
                    s += a[o + j] * x[j];
                }
                y[i] = s;
            }
            double next = norm(y);
            Arrays.fill(x, 0);
            for (int i = 0; i < rows; i++) {
                for (int j = 0, o = i * cols; j < cols; j++) {
                    x[j] += a[o + j] * y[i];
                }
            }
            if (it > 20 && Math.abs(next - sigma) <= 1e-7 * next) {
                return next;
            }
            sigma = next;
            if (norm(x) == 0) {
                return 0;
            }
        }
        return sigma;
    }

    private static double norm(double[] v) {
        double s = 0;
        for (double d : v) {
            s += d * d;
        }
        return Math.sqrt(s);
    }

    private static Finding scheme(CheckpointSample fp, String subj, CheckpointSampleTensor t) {
        long[] shape = t.shape();
        long fanOut = shape.length >= 2 ? shape[0] : 1;
        long fanIn = shape.length >= 2 ? t.stats().count() / Math.max(1, fanOut) : shape.length == 1 ? shape[0] : 1;
        List<String> names = new ArrayList<>();
        List<Double> stds = new ArrayList<>();
        names.add("N(0, 0.02)");
        stds.add(0.02);
        names.add("N(0, 1) (nn.Embedding default)");
        stds.add(1.0);
        names.add("LeCun normal 1/√fan_in");
        stds.add(1 / Math.sqrt(fanIn));
        names.add("Kaiming normal √2/√fan_in");
        stds.add(Math.sqrt(2.0 / fanIn));
        names.add("nn.Linear default U(±1/√fan_in)");
        stds.add(1 / Math.sqrt(3.0 * fanIn));
        names.add("Xavier √(2/(fan_in+fan_out))");
        stds.add(Math.sqrt(2.0 / (fanIn + fanOut)));
        Integer layers = fp.hints().numLayers();
        if (layers != null && layers > 0) {
            names.add("depth-scaled N(0, 0.02/√(2L))");
            stds.add(0.02 / Math.sqrt(2.0 * layers));
        }
        int best = 0;
        for (int i = 1; i < stds.size(); i++) {
            if (Math.abs(Math.log(t.stats().std() / stds.get(i)))
                    < Math.abs(Math.log(t.stats().std() / stds.get(best)))) {
                best = i;
            }
        }
        return Finding.info(
                subj,
                "scheme",
                fmt(
                        "std %.4g; closest scheme %s = %.4g (ratio %.2f; fan_in %d)",
                        t.stats().std(),
                        names.get(best),
                        stds.get(best),
                        t.stats().std() / stds.get(best),
                        fanIn));
    }

    private static void rowNorms(String subj, CheckpointSampleTensor t, float[] norms, List<Finding> out) {
        int v = norms.length;
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < v; i++) {
            if (norms[i] != 0f) {
                keep.add(i);
            }
        }
        if (keep.size() < v) {
            out.add(Finding.info(
                    subj,
                    "zero_rows",
                    (v - keep.size()) + " all-zero rows (padding rows) left out of the row-norm tests"));
        }
        int m = keep.size();
        if (m < 16) {
            return;
        }
        double[] ids = new double[m];
        double[] vals = new double[m];
        for (int i = 0; i < m; i++) {
            ids[i] = keep.get(i);
            vals[i] = norms[keep.get(i)];
        }
        double rho = rankCorrelation(ids, vals);
        double zr = Math.abs(rho) * Math.sqrt(m - 1.0);
        out.add(
                zr <= 5
                        ? Finding.pass(
                                subj,
                                "row_norm_order",
                                fmt(
                                        "Spearman ρ(row norm, token id) = %.4f over %d rows (|ρ|·√(V−1) = %.2f ≤ 5)",
                                        rho, m, zr))
                        : Finding.fail(
                                subj,
                                "row_norm_order",
                                fmt(
                                        "row norms follow token-id order: Spearman ρ = %.4f over %d rows (|ρ|·√(V−1) = %.2f > 5), as in trained embeddings",
                                        rho, m, zr)));
        double mean = 0;
        for (double x : vals) {
            mean += x;
        }
        mean /= m;
        double var = 0;
        for (double x : vals) {
            var += (x - mean) * (x - mean);
        }
        double cv = Math.sqrt(var / m) / mean;
        double kappa = Double.isFinite(t.stats().kurtosis()) ? t.stats().kurtosis() : 3;
        double expected = 0.5 * Math.sqrt(Math.max(kappa - 1, 0.1) / t.columns());
        double limit = expected * (1.25 + 6 / Math.sqrt(2.0 * m));
        out.add(
                cv <= limit
                        ? Finding.pass(
                                subj,
                                "row_norm_spread",
                                fmt(
                                        "row-norm coefficient of variation %.4f ≤ %.4f (i.i.d. rows: %.4f)",
                                        cv, limit, expected))
                        : Finding.fail(
                                subj,
                                "row_norm_spread",
                                fmt(
                                        "row norms vary too much: coefficient of variation %.4f > %.4f (i.i.d. rows give %.4f): token-specific learned scale",
                                        cv, limit, expected)));
    }

    private static long fanIn(CheckpointSample fp, TensorAddress bias) {
        return fp.tensor(bias.withPart(Part.WEIGHT))
                .map(w -> w.matrix() ? w.stats().count() / Math.max(1, w.shape()[0]) : 0L)
                .orElse(0L);
    }

    /**
     * Spearman ρ of two samples for the row-norm test ({@link RankStats}, Pearson on average ranks),
     * with two choices of this check made explicit: a NaN (the norm of a row holding NaN) ranks above
     * every number instead of being refused, and a constant sample, where ρ is undefined (NaN), counts
     * as no order at all, ρ = 0, so all-equal row norms pass the order test.
     */
    static double rankCorrelation(double[] a, double[] b) {
        double rho = RankStats.pearson(
                RankStats.ranks(a, RankStats.NaNs.RANK_HIGHEST), RankStats.ranks(b, RankStats.NaNs.RANK_HIGHEST));
        return Double.isNaN(rho) ? 0 : rho;
    }

    private static String fmt(String f, Object... args) {
        return String.format(Locale.ROOT, f, args);
    }
}
