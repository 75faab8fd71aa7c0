package dev.pedigree.format.pytorch;

import dev.pedigree.io.CorruptModelException;

/**
 * The heap that the values of one checkpoint's pickles may take, shared by every pickle of the file
 * (a legacy stream holds five). Each value, container slot and memo entry is charged an estimate of
 * its size on the heap (an upper bound for a 64-bit JVM with compressed references) when it is
 * created; nothing is refunded, so what is charged bounds what can be alive.
 *
 * <p>Opcode, stack and memo limits alone do not bound memory: one byte of {@code EMPTY_LIST} plus
 * one of {@code APPEND} adds a list of about a hundred bytes to a list that stays on the stack, so
 * 18 MB of opcodes held 900 MB. Not thread-safe; one budget serves one file read on one thread.
 */
final class PickleBudget {
    /** Object header plus a reference or a primitive: a boxed scalar. */
    static final long SCALAR = 24;
    /** An {@code ArrayList}-backed container with its first backing array. */
    static final long CONTAINER = 96;
    /** A {@code LinkedHashMap}-backed dict. */
    static final long DICT = 128;
    /** One reference added to a list or set (with the growth slack of its backing array). */
    static final long SLOT = 12;
    /** One {@code LinkedHashMap} entry plus its table slot. */
    static final long DICT_ENTRY = 56;
    /** One memo entry: a {@code HashMap} node, a boxed key and its share of the table. */
    static final long MEMO_ENTRY = 80;

    private final long limit;
    private long charged;

    PickleBudget(long limit) {
        if (limit < 0) {
            throw new IllegalArgumentException("negative pickle budget " + limit);
        }
        this.limit = limit;
    }

    /** Bytes charged so far. */
    long charged() {
        return charged;
    }

    long limit() {
        return limit;
    }

    /**
     * Charges {@code bytes} for a value created by the opcode at {@code offset}.
     *
     * @throws CorruptModelException once the total passes the limit (the pickle is refused as an
     *     allocation bomb, naming the offset)
     */
    void charge(long bytes, String source, long offset) throws CorruptModelException {
        charged += bytes;
        if (charged > limit) {
            throw new CorruptModelException(
                    source,
                    offset,
                    "pickle builds more than " + (limit >> 20) + " MiB of values (limit of the restricted"
                            + " unpickler; a checkpoint's pickle describes tensors, it does not hold data)");
        }
    }

    /** Estimated heap of a string decoded from {@code utf8Bytes} bytes (UTF-16 needs at most twice). */
    static long string(long utf8Bytes) {
        return 56 + 2 * utf8Bytes;
    }

    /** Estimated heap of a byte array value of {@code n} bytes and its wrapper. */
    static long bytes(long n) {
        return 40 + n;
    }

    /** Estimated heap of an immutable tuple of {@code n} items. */
    static long tuple(long n) {
        return 56 + 8 * n;
    }
}
