package dev.pedigree.forensics;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.forensics.result.CustomisationSummary.LayerChange;
import dev.pedigree.forensics.result.Direction;
import dev.pedigree.forensics.result.LayerMatch;
import dev.pedigree.model.Token;
import dev.pedigree.model.Vocabulary;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which side of a shared-lineage pair came first, from three signs in the weights (issue 14 §4); with none, or with
 * signs that disagree, the two are relatives.
 *
 * <ul>
 *   <li><b>A quantised side</b>: one side's matrices are dequantised values on a grid (in groups of 32 values along a
 *       row, every value is min + k·(max − min)/L for an integer L ≤ 255, as int8 and 4-bit formats with a scale and
 *       an offset per row or block give) and the other side's are not: the quantised side came later.
 *   <li><b>A layer subset</b>: every block of one side matches a distinct block of the other, the other side's
 *       remaining blocks match nothing, and the matched blocks changed little (median relative change at most
 *       {@link #SUBSET_MAX_CHANGE}): layers were dropped, that side came later. A heavily changed relative with fewer
 *       layers (a distilled cousin) shows no direction: a common deeper ancestor explains it as well.
 *   <li><b>An extended vocabulary</b>: one vocabulary is the other's, same tokens at the same ids, plus tokens
 *       appended: the extended side came later.
 * </ul>
 */
final class Descent {
    /** Values per group of the grid test (a row is split into groups of this many consecutive values). */
    static final int GROUP = 32;
    /** Largest number of grid steps a group may span (8-bit). */
    static final int MAX_LEVELS = 255;
    /** Distance from an integer, in grid steps, still on the grid. */
    static final double TOLERANCE = 1e-3;
    /** Share of matrices on the grid for a side to be quantised, and most share for the other to be not. */
    static final double QUANTISED_SHARE = 0.9;

    private Descent() {}

    /**
     * Whether the rows read of a matrix are on a quantisation grid: at least 90% of the tested groups (at most 16
     * rows, 4 groups of {@link #GROUP} values per row; constant groups and groups under 8 values are not tested).
     */
    static boolean onGrid(float[] rows, int cols) {
        int n = cols == 0 ? 0 : rows.length / cols;
        int width = Math.min(GROUP, cols);
        if (width < 8) {
            return false;
        }
        int tested = 0;
        int passed = 0;
        for (int r = 0; r < Math.min(n, 16); r++) {
            for (int g = 0; g < Math.min(4, cols / width); g++) {
                int from = r * cols + g * width;
                double min = Double.POSITIVE_INFINITY;
                double max = Double.NEGATIVE_INFINITY;
                for (int i = from; i < from + width; i++) {
                    min = Math.min(min, rows[i]);
                    max = Math.max(max, rows[i]);
                }
                if (!(max > min)) {
                    continue;
                }
                tested++;
                if (groupOnGrid(rows, from, width, min, max)) {
                    passed++;
                }
            }
        }
        return tested > 0 && passed >= QUANTISED_SHARE * tested;
    }

    private static boolean groupOnGrid(float[] v, int from, int width, double min, double max) {
        for (int levels = 1; levels <= MAX_LEVELS; levels++) {
            double step = (max - min) / levels;
            boolean all = true;
            for (int i = from; i < from + width && all; i++) {
                double x = (v[i] - min) / step;
                all = Math.abs(x - Math.rint(x)) <= TOLERANCE;
            }
            if (all) {
                return true;
            }
        }
        return false;
    }

    /** The sign from the grid test of the measured matrices (not bit-identical ones); null when it shows nothing. */
    static Sign quantised(int measured, int suspectOnGrid, int referenceOnGrid) {
        if (measured == 0) {
            return null;
        }
        double s = suspectOnGrid / (double) measured;
        double r = referenceOnGrid / (double) measured;
        if (s >= QUANTISED_SHARE && r <= 1 - QUANTISED_SHARE) {
            return new Sign(
                    Direction.REFERENCE,
                    "the suspect's weights are dequantised values on a grid (" + suspectOnGrid + " of " + measured
                            + " matrices) and the reference's are not: the suspect is a quantised copy");
        }
        if (r >= QUANTISED_SHARE && s <= 1 - QUANTISED_SHARE) {
            return new Sign(
                    Direction.SUSPECT,
                    "the reference's weights are dequantised values on a grid (" + referenceOnGrid + " of " + measured
                            + " matrices) and the suspect's are not: the reference is a quantised copy");
        }
        return null;
    }

    /** One sign: the side it shows came first, and why. */
    record Sign(String earlier, String reason) {}

    /**
     * Largest median relative change of a stack's matched blocks for its layer subset to show direction. A copy that
     * dropped layers keeps the others close; a heavily changed relative with fewer layers (a distilled cousin) is as
     * well explained by both sides descending from a common deeper ancestor, so it only shows relatedness.
     */
    static final double SUBSET_MAX_CHANGE = 0.25;

    /**
     * Signs from the layer map: per suspect stack, whether its blocks are a subset of the reference's (each matches a
     * distinct reference block, the reference's others match nothing), or the other way round; counted only when the
     * stack's measured {@code changes} (median relative change over its matched blocks' tensors) are at most {@link
     * #SUBSET_MAX_CHANGE}. A stack with no measured change gives no sign.
     */
    static List<Sign> layerSubsets(List<LayerMatch> map, ModelIndex s, ModelIndex r, List<LayerChange> changes) {
        List<Sign> out = new ArrayList<>();
        Map<String, List<LayerMatch>> byStack = new LinkedHashMap<>();
        for (LayerMatch m : map) {
            byStack.computeIfAbsent(
                            m.suspect().component() + "\u0000" + m.reference().component(), k -> new ArrayList<>())
                    .add(m);
        }
        for (List<LayerMatch> ms : byStack.values()) {
            String sc = ms.getFirst().suspect().component();
            String rc = ms.getFirst().reference().component();
            List<Integer> sLayers = s.layers(sc);
            List<Integer> rLayers = r.layers(rc);
            double change = medianChange(changes, sc);
            if (!(change <= SUBSET_MAX_CHANGE)) {
                continue; // unmeasured, or heavily changed: relatives (see SUBSET_MAX_CHANGE)
            }
            if (subset(ms, sLayers, rLayers, true)) {
                out.add(
                        new Sign(
                                Direction.REFERENCE,
                                "the suspect's " + sLayers.size() + " " + sc + " blocks match " + sLayers.size()
                                        + " distinct blocks of the reference's " + rLayers.size()
                                        + " and the reference's other blocks match nothing: the suspect has a subset of the reference's layers"));
            } else if (subset(ms, rLayers, sLayers, false)) {
                out.add(
                        new Sign(
                                Direction.SUSPECT,
                                "the reference's " + rLayers.size() + " " + rc + " blocks match " + rLayers.size()
                                        + " distinct blocks of the suspect's " + sLayers.size()
                                        + " and the suspect's other blocks match nothing: the reference has a subset of the suspect's layers"));
            }
        }
        return out;
    }

    /** Median relative change of the measured tensors of the suspect's stack {@code component}; NaN when none. */
    private static double medianChange(List<LayerChange> changes, String component) {
        return ClosenessMeasure.median(changes.stream()
                .filter(c -> c.suspect().component().equals(component))
                .map(LayerChange::relativeChange)
                .toList());
    }

    /**
     * Whether the {@code small} side's layers (suspect when {@code suspectSmall}) each have a first-listed partner,
     * all distinct, on a {@code big} side with more layers whose other layers appear in no match.
     */
    private static boolean subset(List<LayerMatch> ms, List<Integer> small, List<Integer> big, boolean suspectSmall) {
        if (small.isEmpty() || big.size() <= small.size()) {
            return false;
        }
        Map<Integer, Integer> first = new LinkedHashMap<>();
        Set<Integer> bigMatched = new HashSet<>();
        for (LayerMatch m : ms) {
            Block sm = suspectSmall ? m.suspect() : m.reference();
            Block bg = suspectSmall ? m.reference() : m.suspect();
            first.putIfAbsent(sm.layer(), bg.layer());
            bigMatched.add(bg.layer());
        }
        if (!first.keySet().containsAll(small)) {
            return false;
        }
        Set<Integer> partners = new HashSet<>(first.values());
        return partners.size() == small.size() && bigMatched.equals(partners);
    }

    /**
     * The sign from the vocabularies: one is the other's tokens at the same ids plus tokens appended (compared by
     * token key); null when neither extends the other or a vocabulary is missing.
     */
    static Sign vocabulary(Vocabulary vs, Vocabulary vr) {
        if (vs == null || vr == null || vs.size() == vr.size()) {
            return null;
        }
        boolean suspectLonger = vs.size() > vr.size();
        Vocabulary small = suspectLonger ? vr : vs;
        Vocabulary big = suspectLonger ? vs : vr;
        Map<Integer, String> bigById = new java.util.HashMap<>();
        for (Token t : big.tokens()) {
            bigById.put(t.id(), t.key());
        }
        for (Token t : small.tokens()) {
            if (!t.key().equals(bigById.get(t.id()))) {
                return null;
            }
        }
        int added = big.size() - small.size();
        return suspectLonger
                ? new Sign(
                        Direction.REFERENCE,
                        "the suspect's vocabulary is the reference's " + small.size() + " tokens at the same ids plus "
                                + added + " appended: the suspect extended it")
                : new Sign(
                        Direction.SUSPECT,
                        "the reference's vocabulary is the suspect's " + small.size() + " tokens at the same ids plus "
                                + added + " appended: the reference extended it");
    }

    /** The direction from the signs: shown when there is at least one and they agree. */
    static Direction combine(List<Sign> signs) {
        List<Sign> present = signs.stream().filter(java.util.Objects::nonNull).toList();
        if (present.isEmpty()) {
            return new Direction(
                    null,
                    List.of(
                            "no quantised side, extended vocabulary or little-changed layer subset tells which came first"));
        }
        Set<String> sides = new HashSet<>();
        present.forEach(x -> sides.add(x.earlier()));
        List<String> reasons = present.stream().map(Sign::reason).toList();
        if (sides.size() > 1) {
            List<String> why = new ArrayList<>();
            why.add("the signs disagree");
            why.addAll(reasons);
            return new Direction(null, why);
        }
        return new Direction(present.getFirst().earlier(), reasons);
    }
}
