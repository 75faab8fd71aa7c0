package dev.pedigree.format.pytorch;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * The unpickler's memo. Picklers number their entries 0, 1, 2, ... (MEMOIZE always, BINPUT and
 * LONG_BINPUT in practice), so keys below {@link #DENSE_LIMIT} that do not leave large gaps live in
 * an array, a reference each, and only scattered keys pay for a hash-map node. A memo of 4M entries
 * (one byte of MEMOIZE each) thus takes 16 MB instead of about 250 MB. Not thread-safe.
 */
final class PickleMemo {
    /** Largest key held in the array (above it, or far past the filled part, keys go to the map). */
    static final long DENSE_LIMIT = 1L << 24;

    /** Heap charged for an entry in the array: its reference plus the growth slack. */
    static final long DENSE_ENTRY = 16;

    private PickleValue[] dense = new PickleValue[64];
    private final Map<Long, PickleValue> sparse = new HashMap<>();
    private int size;

    /** Distinct keys defined (MEMOIZE's next key). */
    int size() {
        return size;
    }

    /** The value at {@code key}, or null if none. */
    PickleValue get(long key) {
        if (key >= 0 && key < dense.length) {
            return dense[(int) key];
        }
        return sparse.get(key);
    }

    boolean contains(long key) {
        return get(key) != null;
    }

    /**
     * Heap a new entry at {@code key} will take, for the budget: an array slot, or a map node with
     * its boxed key.
     */
    long cost(long key) {
        return dense(key) ? DENSE_ENTRY : PickleBudget.MEMO_ENTRY;
    }

    /** Stores {@code v} at {@code key} (replacing any value there). */
    void put(long key, PickleValue v) {
        if (!contains(key)) {
            size++;
        }
        if (dense(key)) {
            if (key >= dense.length) {
                dense = Arrays.copyOf(dense, (int) Math.min(DENSE_LIMIT, Math.max(key + 1, 2L * dense.length)));
            }
            dense[(int) key] = v;
        } else {
            sparse.put(key, v);
        }
    }

    /** Within the array's reach: below the limit and at most doubling what is there. */
    private boolean dense(long key) {
        return key >= 0 && key < DENSE_LIMIT && key < Math.max(2L * dense.length, 1024);
    }
}
