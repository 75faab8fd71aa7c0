package dev.pedigree.format.tokenizers.encode;

import java.util.Arrays;

/**
 * The BPE merge loop over symbol ids: repeatedly merges the adjacent pair of lowest rank (leftmost
 * among equals) until no pair merges. A heap of candidate pairs with lazy invalidation keeps it
 * {@code O(n log n)} in the number of symbols, so a long unbroken piece of hostile text cannot
 * make it quadratic. Stateless.
 */
final class BpeMerger {
    /** What a pair of adjacent symbols merges into. */
    interface PairRanks {
        /** {@code rank << 32 | mergedId} for a pair that merges, else -1. Ids below 0 never merge. */
        long lookup(int left, int right);
    }

    private BpeMerger() {}

    /** Merges {@code symbols} (modified in place) and appends the result to {@code out}. */
    static void merge(int[] symbols, PairRanks ranks, PreTokenizer.IntBuffer out) {
        int n = symbols.length;
        if (n == 0) {
            return;
        }
        if (n == 1) {
            out.add(symbols[0]);
            return;
        }
        int[] next = new int[n];
        int[] prev = new int[n];
        boolean[] dead = new boolean[n];
        for (int i = 0; i < n; i++) {
            next[i] = i + 1;
            prev[i] = i - 1;
        }
        LongHeap heap = new LongHeap(n);
        for (int i = 0; i + 1 < n; i++) {
            push(heap, ranks, symbols, i, i + 1);
        }
        while (!heap.isEmpty()) {
            long top = heap.poll();
            int pos = (int) (top & 0xFFFFFFFFL);
            long rank = top >>> 32;
            if (dead[pos] || next[pos] >= n) {
                continue;
            }
            int right = next[pos];
            long found = lookup(ranks, symbols[pos], symbols[right]);
            if (found < 0 || (found >>> 32) != rank) {
                continue; // stale: a neighbour changed since this pair was queued
            }
            symbols[pos] = (int) (found & 0xFFFFFFFFL);
            dead[right] = true;
            next[pos] = next[right];
            if (next[pos] < n) {
                prev[next[pos]] = pos;
            }
            if (prev[pos] >= 0) {
                push(heap, ranks, symbols, prev[pos], pos);
            }
            if (next[pos] < n) {
                push(heap, ranks, symbols, pos, next[pos]);
            }
        }
        for (int i = 0; i < n; i = next[i]) {
            out.add(symbols[i]);
        }
    }

    private static long lookup(PairRanks ranks, int left, int right) {
        return left < 0 || right < 0 ? -1 : ranks.lookup(left, right);
    }

    private static void push(LongHeap heap, PairRanks ranks, int[] symbols, int left, int right) {
        long found = lookup(ranks, symbols[left], symbols[right]);
        if (found >= 0) {
            heap.add((found >>> 32) << 32 | left);
        }
    }

    /** A binary min-heap of longs. */
    static final class LongHeap {
        private long[] a;
        private int n;

        LongHeap(int capacity) {
            a = new long[Math.max(4, capacity)];
        }

        boolean isEmpty() {
            return n == 0;
        }

        void add(long v) {
            if (n == a.length) {
                a = Arrays.copyOf(a, Math.multiplyExact(a.length, 2));
            }
            int i = n++;
            while (i > 0) {
                int p = (i - 1) >>> 1;
                if (a[p] <= v) {
                    break;
                }
                a[i] = a[p];
                i = p;
            }
            a[i] = v;
        }

        long poll() {
            long top = a[0];
            long last = a[--n];
            int i = 0;
            while (true) {
                int c = 2 * i + 1;
                if (c >= n) {
                    break;
                }
                if (c + 1 < n && a[c + 1] < a[c]) {
                    c++;
                }
                if (a[c] >= last) {
                    break;
                }
                a[i] = a[c];
                i = c;
            }
            if (n > 0) {
                a[i] = last;
            }
            return top;
        }
    }
}
