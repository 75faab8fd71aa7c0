package dev.pedigree.census.candidates;

import java.util.Comparator;
import java.util.Objects;

/**
 * A model as the candidate rules see it: its id and hub creation time. Models are ordered by
 * creation time, then id, so "earlier" is a total order and every rule is deterministic.
 */
public record Holder(String modelId, String createdAt) implements Comparable<Holder> {
    /** Earliest first. */
    public static final Comparator<Holder> ORDER =
            Comparator.comparing(Holder::createdAt).thenComparing(Holder::modelId);

    public Holder {
        Objects.requireNonNull(modelId, "modelId");
        Objects.requireNonNull(createdAt, "createdAt");
    }

    @Override
    public int compareTo(Holder o) {
        return ORDER.compare(this, o);
    }
}
