package dev.pedigree.census.candidates;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Candidate pairs from an exact digest (or file hash) shared by several models: a star from every
 * holder to the earliest one, never the clique. A digest held by g models gives g − 1 pairs, not
 * g(g − 1)/2: the frozen vision tower of thousands of VLMs costs thousands of pairs, not millions,
 * and every holder still reaches the same family through the earliest. Stateless.
 */
public final class ExactStar {
    private ExactStar() {}

    /** A pair: {@code later} reuses what {@code earliest} holds. */
    public record Spoke(String later, String earliest) {}

    /** The spokes of one digest's holders (duplicates of one model are ignored). */
    public static List<Spoke> spokes(Collection<Holder> holders) {
        List<Holder> sorted = holders.stream().distinct().sorted().toList();
        List<Spoke> out = new ArrayList<>();
        for (int i = 1; i < sorted.size(); i++) {
            if (!sorted.get(i).modelId().equals(sorted.get(0).modelId())) {
                out.add(new Spoke(sorted.get(i).modelId(), sorted.get(0).modelId()));
            }
        }
        return out;
    }
}
