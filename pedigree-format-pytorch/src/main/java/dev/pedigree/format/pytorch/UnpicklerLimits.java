package dev.pedigree.format.pytorch;

/**
 * Resource limits of one {@link RestrictedUnpickler} run. Each bound turns hostile input into a
 * {@link dev.pedigree.io.CorruptModelException} instead of unbounded memory or time. String and
 * byte lengths are additionally always checked against the bytes that remain.
 *
 * @param maxMemo entries in the memo
 * @param maxStack values on the stack (all marks together)
 * @param maxMarks nested MARKs open at once
 * @param maxOps opcodes executed
 * @param maxNesting depth of nested containers in the result
 * @param maxStringBytes length of any one string or bytes value
 * @param maxValueBytes estimated heap of every value, container slot and memo entry the pickles of
 *     one file create (see {@link PickleBudget}): the bound on live objects that the other limits
 *     do not give
 */
public record UnpicklerLimits(
        int maxMemo, int maxStack, int maxMarks, long maxOps, int maxNesting, int maxStringBytes, long maxValueBytes) {

    /**
     * Default {@link #maxValueBytes}: a state dict as CPython's pickler writes it charges about 1.5 KB
     * per tensor (measured on generated 5k- and 20k-tensor dicts), so 256 MiB admits about 170k tensors,
     * while a pickle that exhausts it keeps the process near 300 MB resident (amplification cases
     * of issue 18, launcher heap of 512 MB).
     */
    public static final long DEFAULT_VALUE_BYTES = 256L << 20;

    /**
     * Generous for real state dicts with 100k+ tensors, small enough for the launcher's 512 MB
     * heap: the values of the largest pickle accepted fit beside the views built from them.
     */
    public static final UnpicklerLimits DEFAULT =
            new UnpicklerLimits(4_000_000, 1_000_000, 4_096, 32_000_000L, 256, 64 << 20, DEFAULT_VALUE_BYTES);

    public UnpicklerLimits {
        if (maxMemo < 0
                || maxStack < 1
                || maxMarks < 1
                || maxOps < 1
                || maxNesting < 2
                || maxStringBytes < 0
                || maxValueBytes < 0) {
            throw new IllegalArgumentException("implausible unpickler limits");
        }
    }

    /** Limits with the default {@link #maxValueBytes}. */
    public UnpicklerLimits(int maxMemo, int maxStack, int maxMarks, long maxOps, int maxNesting, int maxStringBytes) {
        this(maxMemo, maxStack, maxMarks, maxOps, maxNesting, maxStringBytes, DEFAULT_VALUE_BYTES);
    }

    /** A budget for the pickles of one file. */
    PickleBudget newBudget() {
        return new PickleBudget(maxValueBytes);
    }
}
