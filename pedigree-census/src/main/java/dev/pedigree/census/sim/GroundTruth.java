package dev.pedigree.census.sim;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * What a simulated hub really is: for every model, its kind, its true parent and the family it
 * belongs to in each component it has ({@code text}, {@code vision}, ...), a family being named by
 * its root. Independent controls are their own one-model families. Immutable.
 */
public record GroundTruth(List<Entry> models) {
    public GroundTruth {
        models = List.copyOf(models);
    }

    /**
     * One model's truth.
     *
     * @param id the model id
     * @param kind what it is
     * @param parent the model it was derived from directly, or null for a root
     * @param families component name → id of the family root, for every component the model has
     */
    public record Entry(String id, SimKind kind, String parent, Map<String, String> families) {
        public Entry {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(kind, "kind");
            families = Map.copyOf(families);
        }
    }

    /** component → model → family root, for the models that have the component. */
    public Map<String, Map<String, String>> byComponent() {
        Map<String, Map<String, String>> out = new TreeMap<>();
        for (Entry e : models) {
            e.families()
                    .forEach((c, f) ->
                            out.computeIfAbsent(c, k -> new TreeMap<>()).put(e.id(), f));
        }
        return out;
    }

    /** The ids of the models of {@code kind}. */
    public List<String> ids(SimKind kind) {
        List<String> out = new ArrayList<>();
        for (Entry e : models) {
            if (e.kind() == kind) {
                out.add(e.id());
            }
        }
        return out;
    }
}
