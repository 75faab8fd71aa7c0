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
 */
public record UnpicklerLimits(
        int maxMemo, int maxStack, int maxMarks, long maxOps, int maxNesting, int maxStringBytes) {

    /** Generous for real state dicts with 100k+ tensors, small enough for a 2 GB heap. */
    public static final UnpicklerLimits DEFAULT =
            new UnpicklerLimits(4_000_000, 1_000_000, 4_096, 32_000_000L, 256, 64 << 20);

    public UnpicklerLimits {
        if (maxMemo < 0 || maxStack < 1 || maxMarks < 1 || maxOps < 1 || maxNesting < 2 || maxStringBytes < 0) {
            throw new IllegalArgumentException("implausible unpickler limits");
        }
    }
}
