package dev.pedigree.forensics;

import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.TokenizerLineage.Direction;
import dev.pedigree.forensics.result.TokenizerLineage.Relation;
import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Decides whether one tokenizer's vocabulary was derived from the other's.
 *
 * <p>Only regular tokens (normal and byte) are compared, by their normalised bytes
 * ({@link Token#key()}), in creation order. Single-byte tokens are left out of the order test:
 * every byte-level vocabulary lists the same 256 bytes in the same order. A vocabulary is DERIVED
 * from another when at least {@value #INHERITED_THRESHOLD} of the smaller one's multi-byte tokens
 * appear in the larger one <em>with their creation order preserved</em> (longest increasing
 * subsequence of positions) and there are at least {@value #MIN_INHERITED} of them. Neither
 * correlated merge order (frequent strings are merged early in every BPE) nor containment of a
 * small vocabulary inside a big one reaches that: both leave large parts of the smaller
 * vocabulary missing or out of order.
 *
 * <p>The relation is reported beside the weight verdict and never used as evidence of weight
 * lineage. Stateless and thread-safe.
 */
public final class TokenizerLineageAnalyzer {
    /** Fraction of the smaller vocabulary that must be inherited in order. */
    public static final double INHERITED_THRESHOLD = 0.9;
    /** Fewest inherited multi-byte tokens for a DERIVED call. */
    public static final int MIN_INHERITED = 200;

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
        List<String> s = regularKeys(suspect);
        List<String> r = regularKeys(reference);
        if (s.isEmpty() || r.isEmpty()) {
            return TokenizerLineage.absent(
                    (s.isEmpty() ? "the suspect" : "the reference") + " vocabulary has no regular tokens");
        }
        Map<String, Integer> sPos = positions(s);
        Map<String, Integer> rPos = positions(r);
        long inter = s.stream().filter(rPos::containsKey).count();
        double jaccard = inter / (double) (s.size() + r.size() - inter);
        List<String> sOnly = s.stream().filter(k -> !rPos.containsKey(k)).toList();
        List<String> rOnly = r.stream().filter(k -> !sPos.containsKey(k)).toList();
        if (s.equals(r)) {
            return new TokenizerLineage(
                    Relation.IDENTICAL,
                    Direction.UNKNOWN,
                    1.0,
                    1.0,
                    0,
                    0,
                    List.of(),
                    "same regular tokens in the same order (" + s.size() + ")");
        }
        boolean suspectSmaller = s.size() <= r.size();
        List<String> small = suspectSmaller ? s : r;
        Map<String, Integer> largePos = suspectSmaller ? rPos : sPos;
        int[] seq = small.stream()
                .filter(k -> k.length() >= 2 && largePos.containsKey(k))
                .mapToInt(largePos::get)
                .toArray();
        long smallMulti = small.stream().filter(k -> k.length() >= 2).count();
        int lis = longestIncreasing(seq);
        double inherited = smallMulti == 0 ? 0 : lis / (double) smallMulti;
        if (inherited < INHERITED_THRESHOLD || lis < MIN_INHERITED) {
            String why = lis < MIN_INHERITED && inherited >= INHERITED_THRESHOLD
                    ? "only " + lis + " multi-byte tokens inherited in order; too few to call derivation"
                    : String.format(
                            java.util.Locale.ROOT,
                            "%.1f%% of the smaller vocabulary's multi-byte tokens appear in the larger one in creation order (needs %.0f%%)",
                            100 * inherited,
                            100 * INHERITED_THRESHOLD);
            return new TokenizerLineage(
                    Relation.INDEPENDENT,
                    Direction.UNKNOWN,
                    jaccard,
                    inherited,
                    sOnly.size(),
                    rOnly.size(),
                    examples(sOnly),
                    why);
        }
        boolean sTail = extrasAtTail(s, rPos);
        boolean rTail = extrasAtTail(r, sPos);
        Direction dir;
        if (!sOnly.isEmpty() && sTail && (rOnly.isEmpty() || !rTail)) {
            dir = Direction.SUSPECT_FROM_REFERENCE; // suspect appended tokens to the reference's
        } else if (!rOnly.isEmpty() && rTail && (sOnly.isEmpty() || !sTail)) {
            dir = Direction.REFERENCE_FROM_SUSPECT;
        } else if (sOnly.isEmpty() && !rOnly.isEmpty()) {
            dir = Direction.SUSPECT_FROM_REFERENCE; // suspect is the reference with tokens removed
        } else if (rOnly.isEmpty() && !sOnly.isEmpty()) {
            dir = Direction.REFERENCE_FROM_SUSPECT;
        } else {
            dir = Direction.UNKNOWN;
        }
        boolean refIsChild = dir == Direction.REFERENCE_FROM_SUSPECT;
        List<String> added = refIsChild ? rOnly : sOnly;
        List<String> removed = refIsChild ? sOnly : rOnly;
        String note = String.format(
                java.util.Locale.ROOT,
                "%d of %d multi-byte tokens of the smaller vocabulary inherited in creation order; %d added, %d removed",
                lis,
                smallMulti,
                added.size(),
                removed.size());
        return new TokenizerLineage(
                Relation.DERIVED, dir, jaccard, inherited, added.size(), removed.size(), examples(added), note);
    }

    private static List<String> regularKeys(Vocabulary v) {
        LinkedHashSet<String> keys = new LinkedHashSet<>();
        for (Token t : v.regularTokensInCreationOrder()) {
            keys.add(t.key());
        }
        return new ArrayList<>(keys);
    }

    private static Map<String, Integer> positions(List<String> keys) {
        Map<String, Integer> m = new HashMap<>(keys.size() * 2);
        for (int i = 0; i < keys.size(); i++) {
            m.put(keys.get(i), i);
        }
        return m;
    }

    /** True when at least 90% of this side's extra tokens come after its last inherited token. */
    private static boolean extrasAtTail(List<String> side, Map<String, Integer> otherPos) {
        int lastShared = -1;
        for (int i = 0; i < side.size(); i++) {
            if (otherPos.containsKey(side.get(i))) {
                lastShared = i;
            }
        }
        int extras = 0;
        int tail = 0;
        for (int i = 0; i < side.size(); i++) {
            if (!otherPos.containsKey(side.get(i))) {
                extras++;
                if (i > lastShared) {
                    tail++;
                }
            }
        }
        return extras > 0 && tail >= 0.9 * extras;
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

    private static List<String> examples(List<String> keys) {
        List<String> out = new ArrayList<>();
        for (int i = 0; i < keys.size() && out.size() < 10; i++) {
            out.add(new String(
                    keys.get(i).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1),
                    java.nio.charset.StandardCharsets.UTF_8));
        }
        return out;
    }
}
