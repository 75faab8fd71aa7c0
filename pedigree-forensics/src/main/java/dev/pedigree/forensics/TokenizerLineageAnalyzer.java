package dev.pedigree.forensics;

import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.TokenizerLineage.Direction;
import dev.pedigree.forensics.result.TokenizerLineage.OrderEvidence;
import dev.pedigree.forensics.result.TokenizerLineage.Relation;
import dev.pedigree.forensics.result.TokenizerLineage.SpecialTokens;
import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether one tokenizer's vocabulary was derived from the other's.
 *
 * <h2>What is compared</h2>
 *
 * Tokens are compared by the bytes they stand for ({@link Token#key()}), never by how a file flags
 * them: Gemma's {@code <unused0>} is a regular piece in one release and an added token in the next,
 * BERT's {@code [unused0]} is special in {@code tokenizer.json} and regular in GGUF, and either way
 * it is the same token. When both sides record their special tokens every entry takes part; a format
 * that cannot name specials ({@link Vocabulary#specialsRecorded()} false: a {@code .tiktoken} file, a
 * fingerprint) restricts the comparison to regular tokens. Additions and removals are reported
 * separately for regular (learned) and special (control, added, unknown, unused) tokens, and a token
 * whose flag alone differs is counted as a flag change, not as lineage.
 *
 * <h2>The ordered-inheritance rule and its null</h2>
 *
 * A vocabulary that inherits another keeps the inherited tokens in their creation order: Llama 3 and
 * Qwen append to cl100k, InternLM2 takes cl100k's top 60,004 tokens and adds 32,397 of its own, a
 * pruned vocabulary keeps the survivors' order. Let C be the tokens of more than one character that are
 * regular on both sides (single bytes and characters, with or without a word-initial space, are left
 * out: they are the alphabet, which builders list in a fixed order, the 256 bytes of every byte-level
 * vocabulary, the code-point-sorted characters of BERT's WordPiece files, whatever they learned) and
 * L the longest subsequence of them that both create in the same order (longest increasing
 * subsequence of positions). Independently built vocabularies agree on order only by chance, and the
 * chance is not nil, since frequent strings are merged early in every BPE: on 484 pairs of unrelated
 * real vocabularies (33 vocabularies in 14 families: GPT-2, cl100k, o200k, Llama 2, Gemma, DeepSeek,
 * DeepSeek V3, GPT-NeoX, Falcon, StarCoder, Baichuan, English and Chinese BERT, Claude; see {@code
 * docs/tokenizer-lineage.md}) L/√C ranged from 2.1 (random order gives 2) to 5.0, median 3.6, and
 * the ordered share L/C never exceeded 0.053. L/√C is scale-free under that null (a noisy monotone
 * relation between two orders gives an increasing subsequence of order √C whatever C), so one
 * threshold serves every size. DERIVED needs L ≥ {@value #ORDER_FACTOR}·√C, more than twice the
 * largest value measured between unrelated vocabularies, and L ≥ {@value #MIN_INHERITED}; every
 * related real pair measured scores 105 or more. The rule asks for an ordered core of
 * substantial size, whatever share the derived side added around it (a core of 4,000 tokens among
 * 100,000 shared ones still scores 12.6).
 *
 * <p>IDENTICAL means the same tokens, in the same creation order; flags may differ. Special tokens do
 * not enter the order test (their ids are assigned by hand), so a side that adds only control tokens
 * to the other's vocabulary is DERIVED from it, with the added tokens listed.
 *
 * <h2>Direction</h2>
 *
 * The side whose extra regular tokens all follow its last shared one appended them (the other side
 * is the parent); a side with no extra tokens of its own was pruned from the other. When the regular
 * tokens agree, the side with extra special tokens extends the other: control tokens are added by
 * hand, not pruned. Otherwise (both sides extend a common ordered core, as InternLM2 and cl100k
 * could each be the prefix of the other) the direction is unknown.
 *
 * <p>The relation is reported beside the weight verdict and never used as evidence of weight
 * lineage. Stateless and thread-safe.
 */
public final class TokenizerLineageAnalyzer {
    /** DERIVED needs L ≥ ORDER_FACTOR·√C; unrelated real vocabularies reached at most 5.8. */
    public static final double ORDER_FACTOR = 12;
    /** Fewest tokens inherited in order for a DERIVED call. */
    public static final int MIN_INHERITED = 200;
    /** Regular tokens listed as examples of additions. */
    private static final int EXAMPLES = 10;

    private TokenizerLineageAnalyzer() {}

    /** Compares two optional vocabularies; ABSENT when either is missing. */
    public static TokenizerLineage compare(Optional<Vocabulary> suspect, Optional<Vocabulary> reference) {
        if (suspect.isEmpty() || reference.isEmpty()) {
            return TokenizerLineage.absent(
                    suspect.isEmpty() && reference.isEmpty()
                            ? "neither side has a tokenizer"
                            : (suspect.isEmpty() ? "the suspect" : "the reference") + " has no tokenizer");
        }
        return compare(suspect.get(), reference.get());
    }

    /** Compares the suspect's vocabulary with the reference's. */
    public static TokenizerLineage compare(Vocabulary suspect, Vocabulary reference) {
        boolean withSpecials = suspect.specialsRecorded() && reference.specialsRecorded();
        Side s = Side.of(suspect, withSpecials);
        Side r = Side.of(reference, withSpecials);
        if (s.regularCount == 0 || r.regularCount == 0) {
            return TokenizerLineage.absent(
                    (s.regularCount == 0 ? "the suspect" : "the reference") + " vocabulary has no regular tokens");
        }
        long shared = s.keys.stream().filter(r::has).count();
        double jaccard = shared / (double) (s.keys.size() + r.keys.size() - shared);
        Extras sOnly = s.extrasAgainst(r);
        Extras rOnly = r.extrasAgainst(s);
        long flagChanges = s.keys.stream()
                .filter(k -> r.has(k) && s.isRegular(k) != r.isRegular(k))
                .count();

        int[] seq = s.keys.stream()
                .filter(k -> merged(k) && s.isRegular(k) && r.isRegular(k))
                .mapToInt(r::position)
                .toArray();
        int inOrder = longestIncreasing(seq);
        OrderEvidence order =
                new OrderEvidence(seq.length, inOrder, seq.length == 0 ? 0 : inOrder / Math.sqrt(seq.length));
        Side smaller = s.regularCount <= r.regularCount ? s : r;
        long smallMulti = smaller.keys.stream()
                .filter(k -> merged(k) && smaller.isRegular(k))
                .count();
        double inherited = smallMulti == 0 ? 0 : inOrder / (double) smallMulti;
        String notCompared = withSpecials
                ? ""
                : "; special tokens not compared (" + (suspect.specialsRecorded() ? "the reference's" : "the suspect's")
                        + " format records none)";
        String flags = flagChanges == 0
                ? ""
                : String.format(
                        Locale.ROOT,
                        "; %d token(s) differ only in their special/regular flag, which is not lineage",
                        flagChanges);

        if (sOnly.isEmpty() && rOnly.isEmpty() && inOrder == seq.length) {
            return new TokenizerLineage(
                    Relation.IDENTICAL,
                    Direction.UNKNOWN,
                    1.0,
                    1.0,
                    0,
                    0,
                    List.of(),
                    "same " + s.keys.size() + " tokens in the same creation order" + flags + notCompared,
                    order,
                    new SpecialTokens(withSpecials, 0, 0, List.of(), List.of(), flagChanges));
        }
        boolean derived = inOrder >= MIN_INHERITED && order.score() >= ORDER_FACTOR;
        Direction dir = derived ? direction(s, r, sOnly, rOnly) : Direction.UNKNOWN;
        boolean refIsChild = dir == Direction.REFERENCE_FROM_SUSPECT;
        Extras added = refIsChild ? rOnly : sOnly;
        Extras removed = refIsChild ? sOnly : rOnly;
        SpecialTokens specials = new SpecialTokens(
                withSpecials,
                added.special.size(),
                removed.special.size(),
                head(added.special, SpecialTokens.LISTED),
                head(removed.special, SpecialTokens.LISTED),
                flagChanges);
        String orderText = String.format(
                Locale.ROOT,
                "%d of %d shared multi-character tokens in the same creation order (order score L/\u221aC = %.1f; unrelated"
                        + " vocabularies score 2\u20136, DERIVED needs %.0f and %d tokens)",
                inOrder,
                seq.length,
                order.score(),
                ORDER_FACTOR,
                MIN_INHERITED);
        String note = derived
                ? orderText
                        + String.format(
                                Locale.ROOT,
                                "; %s %d regular and %d special token(s), %s %d regular and %d special",
                                dir == Direction.UNKNOWN ? "the suspect has" : "added",
                                added.regular.size(),
                                added.special.size(),
                                dir == Direction.UNKNOWN ? "the reference has" : "removed",
                                removed.regular.size(),
                                removed.special.size())
                : orderText;
        return new TokenizerLineage(
                derived ? Relation.DERIVED : Relation.INDEPENDENT,
                dir,
                jaccard,
                inherited,
                added.regular.size(),
                removed.regular.size(),
                examples(added.regular),
                note + flags + notCompared,
                order,
                specials);
    }

    private static Direction direction(Side s, Side r, Extras sOnly, Extras rOnly) {
        if (sOnly.regular.isEmpty() && rOnly.regular.isEmpty()) {
            // Same learned tokens: the side with extra control tokens added them.
            if (!sOnly.special.isEmpty() && rOnly.special.isEmpty()) {
                return Direction.SUSPECT_FROM_REFERENCE;
            }
            if (sOnly.special.isEmpty() && !rOnly.special.isEmpty()) {
                return Direction.REFERENCE_FROM_SUSPECT;
            }
            return Direction.UNKNOWN;
        }
        boolean sTail = s.regularExtrasAtTail(r);
        boolean rTail = r.regularExtrasAtTail(s);
        boolean sAdds = !sOnly.regular.isEmpty();
        boolean rAdds = !rOnly.regular.isEmpty();
        if (sAdds && sTail && (!rAdds || !rTail)) {
            return Direction.SUSPECT_FROM_REFERENCE; // suspect appended tokens to the reference's
        }
        if (rAdds && rTail && (!sAdds || !sTail)) {
            return Direction.REFERENCE_FROM_SUSPECT;
        }
        if (!sAdds) {
            return Direction.SUSPECT_FROM_REFERENCE; // suspect is the reference with tokens removed
        }
        if (!rAdds) {
            return Direction.REFERENCE_FROM_SUSPECT;
        }
        return Direction.UNKNOWN;
    }

    /** A side's extra entries in id order, as display texts, split by their kind on that side. */
    private record Extras(List<String> regular, List<String> special) {
        boolean isEmpty() {
            return regular.isEmpty() && special.isEmpty();
        }
    }

    /**
     * One vocabulary's compared entries by key, in id order. A key that occurs as a regular and as a
     * special entry (a file that lists a control token in both places) counts as regular.
     */
    private static final class Side {
        final List<String> keys = new ArrayList<>();
        final Map<String, Integer> positions = new HashMap<>();
        final Map<String, Boolean> regular = new HashMap<>();
        /** The file's text of each special entry (regular ones are shown from their bytes). */
        final Map<String, String> specialTexts = new HashMap<>();

        long regularCount;

        static Side of(Vocabulary v, boolean withSpecials) {
            Side side = new Side();
            for (Token t : v.tokens()) {
                boolean reg = t.kind().regular();
                String k = t.key();
                if ((!reg && !withSpecials) || k.isEmpty()) {
                    continue;
                }
                Boolean prior = side.regular.get(k);
                if (prior == null) {
                    side.positions.put(k, side.keys.size());
                    side.keys.add(k);
                    side.regular.put(k, reg);
                    if (reg) {
                        side.regularCount++;
                    } else {
                        side.specialTexts.put(k, t.text());
                    }
                } else if (reg && !prior) {
                    side.regular.put(k, true);
                    side.regularCount++;
                }
            }
            return side;
        }

        boolean has(String k) {
            return positions.containsKey(k);
        }

        boolean isRegular(String k) {
            return regular.getOrDefault(k, false);
        }

        int position(String k) {
            return positions.get(k);
        }

        Extras extrasAgainst(Side other) {
            List<String> reg = new ArrayList<>();
            List<String> special = new ArrayList<>();
            for (String k : keys) {
                if (!other.has(k)) {
                    if (isRegular(k)) {
                        reg.add(display(k));
                    } else {
                        special.add(specialTexts.get(k));
                    }
                }
            }
            return new Extras(reg, special);
        }

        /** True when at least 90% of this side's extra regular tokens come after its last shared regular token. */
        boolean regularExtrasAtTail(Side other) {
            int lastShared = -1;
            for (int i = 0; i < keys.size(); i++) {
                if (isRegular(keys.get(i)) && other.has(keys.get(i))) {
                    lastShared = i;
                }
            }
            int extras = 0;
            int tail = 0;
            for (int i = 0; i < keys.size(); i++) {
                String k = keys.get(i);
                if (isRegular(k) && !other.has(k)) {
                    extras++;
                    if (i > lastShared) {
                        tail++;
                    }
                }
            }
            return extras > 0 && tail >= 0.9 * extras;
        }
    }

    /**
     * True for a token of more than one character: the order test's population. A single byte or character, with or
     * without its word-initial space, belongs to the alphabet, which builders list in a fixed order (byte order,
     * code point order in BERT's WordPiece files) whatever they learned, so its order says nothing about lineage.
     */
    static boolean merged(String key) {
        int start = key.startsWith(" ") ? 1 : 0;
        int n = key.length() - start;
        if (n <= 1) {
            return false;
        }
        int lead = key.charAt(start) & 0xFF;
        int utf8Length = lead >= 0xF0 && lead < 0xF8 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
        if (n != utf8Length) {
            return true;
        }
        for (int i = start + 1; i < key.length(); i++) {
            if ((key.charAt(i) & 0xC0) != 0x80) {
                return true; // not one UTF-8 character
            }
        }
        return false;
    }

    /** Length of the longest strictly increasing subsequence (patience sorting, O(n log n)). */
    static int longestIncreasing(int[] seq) {
        int[] tails = new int[seq.length];
        int len = 0;
        for (int x : seq) {
            int i = Arrays.binarySearch(tails, 0, len, x);
            if (i < 0) {
                i = -i - 1;
            }
            tails[i] = x;
            if (i == len) {
                len++;
            }
        }
        return len;
    }

    private static List<String> head(List<String> xs, int n) {
        return xs.size() <= n ? xs : xs.subList(0, n);
    }

    private static List<String> examples(List<String> texts) {
        return head(texts, EXAMPLES);
    }

    /** A key's bytes as text for the report (invalid UTF-8 becomes U+FFFD). */
    private static String display(String key) {
        return new String(key.getBytes(StandardCharsets.ISO_8859_1), StandardCharsets.UTF_8);
    }
}
