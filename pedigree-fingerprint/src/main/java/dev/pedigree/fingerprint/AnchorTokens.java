package dev.pedigree.fingerprint;

import dev.pedigree.stats.SeededSample;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The tokens whose embedding and head rows a {@link Fingerprint} keeps: a bottom-k sketch of the
 * vocabulary, the regular tokens with the smallest {@link #keyHash} of their normalised bytes. The
 * choice depends on the tokens' bytes only, never on their ids, so two related vocabularies keep
 * mostly the same anchors and a suspect's rows are found by token whatever its numbering. The
 * registry's pre-filter sketches hash tokens with the same {@link #keyHash}. Stateless and
 * thread-safe.
 */
public final class AnchorTokens {
    private AnchorTokens() {}

    /**
     * A 64-bit hash of a token key (its normalised bytes as ISO-8859-1, {@link
     * dev.pedigree.model.Token#key()}): FNV-1a, then the SplitMix64 finaliser ({@link SeededSample#mix64}). Frozen: the anchors
     * of every fingerprint file and the registry's token signatures depend on it.
     */
    public static long keyHash(String key) {
        byte[] b = key.getBytes(StandardCharsets.ISO_8859_1);
        long h = 0xcbf29ce484222325L;
        for (byte x : b) {
            h ^= x & 0xFF;
            h *= 0x100000001b3L;
        }
        return SeededSample.mix64(h);
    }

    /**
     * The anchors among {@code candidates} (indices into {@code keys}): the {@code count} with the
     * smallest {@link #keyHash} (ties by the key), in that order.
     */
    public static int[] bottomK(List<String> keys, List<Integer> candidates, int count) {
        List<Integer> order = new ArrayList<>(candidates);
        order.sort(Comparator.comparingLong((Integer i) -> keyHash(keys.get(i))).thenComparing(i -> keys.get(i)));
        int n = Math.min(count, order.size());
        int[] out = new int[n];
        for (int i = 0; i < n; i++) {
            out[i] = order.get(i);
        }
        return out;
    }
}
