package dev.pedigree.census.candidates;

import dev.pedigree.registry.TokenSketch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Groups distinct vocabularies into tokenizer families by MinHash banding ({@link TokenSketch}:
 * 16 bands of 4) and union-find. It runs over <em>distinct</em> vocabularies only (tens of thousands
 * on the whole hub), never over models: tens of thousands of fine-tunes share one vocabulary
 * exactly, and a tokenizer family is used as a blocking key, never as a source of candidate pairs.
 * Stateless.
 */
public final class TokenizerFamilies {
    private TokenizerFamilies() {}

    /** A distinct vocabulary: its id and MinHash signature. */
    public record Vocab(String tokenizerId, long[] minHash) {}

    /** tokenizer id → family id (the smallest tokenizer id of the family, so the result does not depend on input order). */
    public static Map<String, String> families(List<Vocab> vocabs) {
        Map<String, String> parent = new TreeMap<>();
        for (Vocab v : vocabs) {
            parent.put(v.tokenizerId(), v.tokenizerId());
        }
        Map<String, String> bandOwner = new HashMap<>();
        for (Vocab v : vocabs) {
            long[] bands = TokenSketch.bands(v.minHash());
            for (int i = 0; i < bands.length; i++) {
                String key = i + ":" + bands[i];
                String other = bandOwner.putIfAbsent(key, v.tokenizerId());
                if (other != null) {
                    union(parent, other, v.tokenizerId());
                }
            }
        }
        Map<String, String> out = new TreeMap<>();
        for (String id : parent.keySet()) {
            out.put(id, find(parent, id));
        }
        return out;
    }

    private static String find(Map<String, String> parent, String x) {
        String r = x;
        while (!parent.get(r).equals(r)) {
            r = parent.get(r);
        }
        String c = x;
        while (!parent.get(c).equals(r)) {
            String next = parent.get(c);
            parent.put(c, r);
            c = next;
        }
        return r;
    }

    private static void union(Map<String, String> parent, String a, String b) {
        String ra = find(parent, a);
        String rb = find(parent, b);
        if (!ra.equals(rb)) {
            // The smaller id wins, so the family id is the smallest member's.
            if (ra.compareTo(rb) < 0) {
                parent.put(rb, ra);
            } else {
                parent.put(ra, rb);
            }
        }
    }
}
