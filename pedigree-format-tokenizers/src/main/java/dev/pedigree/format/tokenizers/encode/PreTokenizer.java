package dev.pedigree.format.tokenizers.encode;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Applies a sequence of {@link SplitRule}s to text, giving the pieces as {@code [start, end)}
 * ranges of the input. Each rule sees one piece at a time (anchoring, opaque region bounds), so
 * {@code $} and lookahead stop at the piece's end as they do when llama.cpp and Hugging Face run a
 * regex over each piece separately.
 *
 * <p>A regex comes from the tokenizer file and may backtrack catastrophically ({@code (a+)+b}).
 * Matching therefore reads the text through a step budget (characters read by the regex engine)
 * per rule: {@link #BUDGET_BASE} plus {@link #BUDGET_PER_CHAR} for each character of the text,
 * so a text of any length ends in a few seconds at most. A regex that exhausts it (or overflows
 * the stack) makes {@link #split} throw {@link PreTokenizerLimitException}: the text cannot be
 * split the way the tokenizer defines, and a guess would change the token counts silently. The
 * step count is deterministic, so the same input gives the same outcome on every machine. The
 * regexes of real tokenizers read each character a few times (a few dozen at most on long runs of
 * one character class). Immutable and thread-safe.
 */
final class PreTokenizer {
    /**
     * Character reads allowed per rule for each character of the text, plus {@link #BUDGET_BASE}.
     * A hostile regex exhausts it on a 4 MB line in about 8 s ({@code (a+)+$}, 257M steps, measured
     * end to end with {@code ./pedigree tokens --corpus}: 9.6 s; issue 18 measured 74 s with a
     * per-piece budget of 2,000 reads per character). The well-known regexes stay within it on runs
     * of 60,000 characters of one class ({@code PreTokenizerBudgetTest}).
     */
    static final long BUDGET_PER_CHAR = 64;

    static final long BUDGET_BASE = 1_000_000;

    private final List<SplitRule> rules;
    private final List<Pattern> patterns;

    PreTokenizer(List<SplitRule> rules) {
        this.rules = List.copyOf(rules);
        this.patterns = this.rules.stream().map(SplitRule::compile).toList();
    }

    List<SplitRule> rules() {
        return rules;
    }

    /**
     * The pieces of {@code text} as consecutive {@code start, end} pairs.
     *
     * @throws PreTokenizerLimitException if a rule's regex exhausts its step budget on this text
     */
    int[] split(String text) {
        int[] ranges = {0, text.length()};
        int n = text.isEmpty() ? 0 : 1;
        long budget = BUDGET_BASE + BUDGET_PER_CHAR * (long) text.length();
        for (int r = 0; r < patterns.size(); r++) {
            IntBuffer out = new IntBuffer(Math.max(8, n * 4));
            BudgetedText budgeted = new BudgetedText(text);
            budgeted.reset(budget);
            Matcher m = patterns.get(r).matcher(budgeted);
            SplitRule rule = rules.get(r);
            try {
                for (int i = 0; i < n; i++) {
                    splitOne(m, rule, ranges[2 * i], ranges[2 * i + 1], out);
                }
            } catch (BudgetExhausted x) {
                throw new PreTokenizerLimitException(rule.regex(), budget, text.length(), false);
            } catch (StackOverflowError x) {
                // a group loop that recursed too deep in java.util.regex; nothing is half-updated
                throw new PreTokenizerLimitException(rule.regex(), budget, text.length(), true);
            }
            ranges = out.toArray();
            n = ranges.length / 2;
        }
        return ranges;
    }

    private static void splitOne(Matcher m, SplitRule rule, int start, int end, IntBuffer out) {
        // Segments as (start, end, isMatch) triples in order.
        IntBuffer seg = new IntBuffer(16);
        m.region(start, end);
        int pos = start;
        while (true) {
            if (!m.find()) {
                break;
            }
            int s = m.start();
            int e = m.end();
            if (e == s) {
                continue; // an empty match splits nothing; find() steps past it
            }
            if (s > pos) {
                seg.add(pos, s, 0);
            }
            seg.add(s, e, 1);
            pos = e;
        }
        if (pos < end) {
            seg.add(pos, end, 0);
        }
        int[] sg = seg.toArray();
        int count = sg.length / 3;
        if (rule.invert()) {
            for (int i = 0; i < count; i++) {
                sg[3 * i + 2] ^= 1;
            }
        }
        switch (rule.behavior()) {
            case ISOLATED -> {
                for (int i = 0; i < count; i++) {
                    out.add(sg[3 * i], sg[3 * i + 1]);
                }
            }
            case REMOVED -> {
                for (int i = 0; i < count; i++) {
                    if (sg[3 * i + 2] == 0) {
                        out.add(sg[3 * i], sg[3 * i + 1]);
                    }
                }
            }
            case MERGED_WITH_PREVIOUS -> {
                int curStart = -1;
                for (int i = 0; i < count; i++) {
                    if (sg[3 * i + 2] == 1 && curStart >= 0) {
                        continue; // extends the current piece
                    }
                    if (curStart >= 0) {
                        out.add(curStart, sg[3 * i]);
                    }
                    curStart = sg[3 * i];
                }
                if (curStart >= 0) {
                    out.add(curStart, end);
                }
            }
            case MERGED_WITH_NEXT -> {
                int curStart = -1;
                for (int i = 0; i < count; i++) {
                    if (curStart < 0) {
                        curStart = sg[3 * i];
                    }
                    if (sg[3 * i + 2] == 0) {
                        out.add(curStart, sg[3 * i + 1]);
                        curStart = -1;
                    }
                }
                if (curStart >= 0) {
                    out.add(curStart, end);
                }
            }
            case CONTIGUOUS -> {
                int i = 0;
                while (i < count) {
                    int j = i;
                    if (sg[3 * i + 2] == 1) {
                        while (j + 1 < count && sg[3 * (j + 1) + 2] == 1) {
                            j++;
                        }
                    }
                    out.add(sg[3 * i], sg[3 * j + 1]);
                    i = j + 1;
                }
            }
        }
    }

    /** Thrown by {@link BudgetedText} when a regex has read more characters than allowed. */
    private static final class BudgetExhausted extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BudgetExhausted() {
            super(null, null, false, false);
        }
    }

    /** The text, counting every character the regex engine reads. Not thread-safe; one per split. */
    private static final class BudgetedText implements CharSequence {
        private final String text;
        private long left;

        BudgetedText(String text) {
            this.text = text;
        }

        void reset(long budget) {
            left = budget;
        }

        @Override
        public char charAt(int index) {
            if (--left < 0) {
                throw new BudgetExhausted();
            }
            return text.charAt(index);
        }

        @Override
        public int length() {
            return text.length();
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            return text.subSequence(start, end);
        }

        @Override
        public String toString() {
            return text;
        }
    }

    /** A growable int array. */
    static final class IntBuffer {
        private int[] a;
        private int n;

        IntBuffer(int capacity) {
            a = new int[Math.max(4, capacity)];
        }

        void add(int v) {
            if (n == a.length) {
                a = java.util.Arrays.copyOf(a, Math.multiplyExact(a.length, 2));
            }
            a[n++] = v;
        }

        void add(int x, int y) {
            add(x);
            add(y);
        }

        void add(int x, int y, int z) {
            add(x);
            add(y);
            add(z);
        }

        void addAll(int[] v) {
            for (int x : v) {
                add(x);
            }
        }

        int size() {
            return n;
        }

        int[] toArray() {
            return java.util.Arrays.copyOf(a, n);
        }
    }
}
