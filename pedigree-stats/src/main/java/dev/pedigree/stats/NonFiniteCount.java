package dev.pedigree.stats;

/**
 * How many values of an input were not finite (NaN, +Infinity, −Infinity).
 *
 * <p><b>Policy.</b> A non-finite weight is a property of the input, not a bug: it carries no evidence of
 * lineage either way, so the tests of this package never let one reach an optimiser, a correlation or a
 * p-value. A row (a unit, or a residual coordinate) that holds one is treated as carrying no signal: it
 * normalises to the zero vector ({@link Matrix#normaliseRows}, {@link Matrix#centreAndNormaliseRows}),
 * whose cosine with anything is 0, so it can lower a test's power but never create evidence; the
 * matchings say in their notes how many such rows there were. Callers count the values with
 * {@link #of} (or {@link Matrix#nonFinite}) and report them with the result. Values that are finite
 * but whose squares overflow {@code float} (above about 1.8e19) are not non-finite: norms fall back to
 * double for them. Immutable and thread-safe.
 *
 * @param nan count of NaN values
 * @param positiveInfinity count of +Infinity values
 * @param negativeInfinity count of −Infinity values
 */
public record NonFiniteCount(long nan, long positiveInfinity, long negativeInfinity) {
    /** No non-finite value. */
    public static final NonFiniteCount NONE = new NonFiniteCount(0, 0, 0);

    /** Checks the counts. */
    public NonFiniteCount {
        if (nan < 0 || positiveInfinity < 0 || negativeInfinity < 0) {
            throw new IllegalArgumentException("negative count");
        }
    }

    /** The non-finite values of {@code a[off, off + n)}. */
    public static NonFiniteCount of(float[] a, int off, int n) {
        java.util.Objects.checkFromIndexSize(off, n, a.length);
        long nan = 0;
        long pos = 0;
        long neg = 0;
        for (int i = off; i < off + n; i++) {
            float v = a[i];
            if (!Float.isFinite(v)) {
                if (Float.isNaN(v)) {
                    nan++;
                } else if (v > 0) {
                    pos++;
                } else {
                    neg++;
                }
            }
        }
        return nan == 0 && pos == 0 && neg == 0 ? NONE : new NonFiniteCount(nan, pos, neg);
    }

    /** The non-finite values of all of {@code a}. */
    public static NonFiniteCount of(float[] a) {
        return of(a, 0, a.length);
    }

    /** Both counts together. */
    public NonFiniteCount plus(NonFiniteCount o) {
        return new NonFiniteCount(
                Math.addExact(nan, o.nan),
                Math.addExact(positiveInfinity, o.positiveInfinity),
                Math.addExact(negativeInfinity, o.negativeInfinity));
    }

    /** All non-finite values. */
    public long total() {
        return nan + positiveInfinity + negativeInfinity;
    }

    /** Whether there was any. */
    public boolean any() {
        return total() > 0;
    }

    /** For notes and reports: {@code "2 NaN, 1 +Inf"}, or {@code "none"}. */
    public String describe() {
        if (!any()) {
            return "none";
        }
        StringBuilder b = new StringBuilder();
        append(b, nan, "NaN");
        append(b, positiveInfinity, "+Inf");
        append(b, negativeInfinity, "-Inf");
        return b.toString();
    }

    private static void append(StringBuilder b, long n, String what) {
        if (n > 0) {
            b.append(b.isEmpty() ? "" : ", ").append(n).append(' ').append(what);
        }
    }
}
