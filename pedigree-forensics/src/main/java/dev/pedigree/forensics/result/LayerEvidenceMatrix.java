package dev.pedigree.forensics.result;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The full suspect-block × reference-block evidence matrix of one stacked component.
 *
 * @param component component name
 * @param suspectLayers layer indices of the suspect's blocks (rows)
 * @param referenceLayers layer indices of the reference's blocks (columns)
 * @param log10p {@code log10p.get(i).get(j)}: uncorrected combined log10 p of suspect block i vs
 *     reference block j; null where no test applied
 */
public record LayerEvidenceMatrix(
        String component, List<Integer> suspectLayers, List<Integer> referenceLayers, List<List<Double>> log10p) {
    public LayerEvidenceMatrix {
        Objects.requireNonNull(component, "component");
        suspectLayers = List.copyOf(suspectLayers);
        referenceLayers = List.copyOf(referenceLayers);
        List<List<Double>> rows = new ArrayList<>();
        for (List<Double> r : log10p) {
            if (r.size() != referenceLayers.size()) {
                throw new IllegalArgumentException(
                        "row of " + r.size() + " for " + referenceLayers.size() + " reference layers");
            }
            rows.add(java.util.Collections.unmodifiableList(new ArrayList<>(r)));
        }
        if (rows.size() != suspectLayers.size()) {
            throw new IllegalArgumentException(rows.size() + " rows for " + suspectLayers.size() + " suspect layers");
        }
        log10p = List.copyOf(rows);
    }
}
