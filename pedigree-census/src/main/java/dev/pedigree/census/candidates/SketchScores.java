package dev.pedigree.census.candidates;

import dev.pedigree.census.fingerprint.CensusFingerprint.SketchChannel;
import dev.pedigree.census.fingerprint.ModelSketch;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Exact all-pairs sketch correlation within a block, one tile pair at a time: every pair of models
 * of the block is scored on every channel ({@link SketchChannel}); a pair is a candidate when any
 * channel reaches its threshold (the permutation-robust channels catch what the weight channel
 * misses). Ranking only, never evidence. Stateless.
 */
public final class SketchScores {
    private SketchScores() {}

    /** A model of a block with its sketch channels. */
    public record Member(Holder holder, Map<SketchChannel, ModelSketch> sketches) {}

    /**
     * A scored pair, oriented later → earlier.
     *
     * @param score the largest channel correlation (NaN when no channel could be computed)
     * @param passes whether some channel reached its threshold
     */
    public record Score(String later, String earlier, double score, boolean passes) {}

    /** Scores one pair. */
    public static Score score(Member x, Member y) {
        Member later = x.holder().compareTo(y.holder()) > 0 ? x : y;
        Member earlier = later == x ? y : x;
        double best = Double.NaN;
        boolean passes = false;
        for (SketchChannel c : SketchChannel.values()) {
            ModelSketch a = later.sketches().get(c);
            ModelSketch b = earlier.sketches().get(c);
            if (a == null || b == null) {
                continue;
            }
            double r = a.correlation(b);
            if (Double.isNaN(r)) {
                continue;
            }
            passes |= r >= c.threshold();
            best = Double.isNaN(best) ? r : Math.max(best, r);
        }
        return new Score(later.holder().modelId(), earlier.holder().modelId(), best, passes);
    }

    /**
     * The passing pairs between two tiles of one block ({@code sameTile}: the tile with itself, each
     * unordered pair once).
     */
    public static List<Score> tile(List<Member> a, List<Member> b, boolean sameTile) {
        List<Score> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            for (int j = sameTile ? i + 1 : 0; j < b.size(); j++) {
                if (a.get(i).holder().modelId().equals(b.get(j).holder().modelId())) {
                    continue;
                }
                Score s = score(a.get(i), b.get(j));
                if (s.passes()) {
                    out.add(s);
                }
            }
        }
        return out;
    }
}
