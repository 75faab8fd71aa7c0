package dev.pedigree.forensics;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.kernels.numeric.Kernels;
import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ForwardingTensorRef;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import dev.pedigree.stats.LogP;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Issue 14 §1/§3: a suspect whose names give no blocks (every tensor renamed, a custom {@code
 * model_type}) is paired with the reference tensor by tensor, by exact hashes ({@link
 * IdenticalTensors}) and by shape and values ({@link PartnerSearch}). Once those pairs have shown
 * the lineage, this gives each paired suspect tensor the place of its partner (component, role,
 * expert, part) in a block of its own, so that the comparison can be run again with blocks: the
 * layer map, the figures, the closeness and the customisation summary are then built from these
 * pairs just as for named blocks.
 *
 * <p>The suspect's blocks are its own: tensors whose partners lie in one reference block form one
 * suspect block (a second copy of that block, as in depth up-scaling, forms another), and the blocks
 * of a component are numbered in the order their first tensor appears in the suspect's file. The
 * layer map that follows is found by the ordinary block tests, not assumed. Only pairs that are
 * evidence on their own take part: identical content, or a partner whose Bonferroni-corrected
 * log10 p reaches the threshold given. Tensors without such a partner (norm gains at 1, foreign
 * tensors) keep their addresses. Stateless.
 */
final class Readdressing {
    private Readdressing() {}

    /** A suspect tensor, the reference tensor it was paired with, and the pair's corrected log10 p. */
    record Partner(TensorRef suspect, TensorRef reference, double log10p) {}

    /**
     * The suspect view with its paired tensors re-addressed, how many were, into how many blocks, and how
     * many of them are vectors placed by position ({@link #vectorsByPosition}).
     */
    record View(ModelView view, int readdressed, int blocks, int byPosition, int byValues) {}

    /**
     * The one-sided corrected log10 p a vector's best same-shape candidate must reach to be placed by
     * its values ({@link #vectorsByValues}): placement feeds effect-only tests, closeness and the
     * customisation, never a verdict, so this guards against placing noise, not against an accusation.
     */
    static final double VECTOR_LOG10P = -3;

    /**
     * The re-addressed suspect; null when no pair reaches a block of the reference.
     *
     * @param partners pairs found by values (any order; the identical ones are added from {@code
     *     identical})
     * @param maxLog10p the corrected log10 p a pair found by values must reach
     * @param reference the reference model, whose file order places the vectors left without a partner
     *     ({@link #vectorsByPosition})
     */
    static View of(
            ModelView suspect,
            ModelView reference,
            List<IdenticalTensors.Pair> identical,
            List<Partner> partners,
            double maxLog10p)
            throws IOException, ModelFormatException {
        // Each suspect tensor's partner: identical content first, then the best pair found by values.
        Map<String, TensorAddress> partnerOf = new LinkedHashMap<>();
        for (IdenticalTensors.Pair p : identical) {
            partnerOf.putIfAbsent(p.suspect().name(), p.reference().address());
        }
        for (Partner p : partners) {
            if (p.log10p() <= maxLog10p) {
                partnerOf.putIfAbsent(p.suspect().name(), p.reference().address());
            }
        }
        List<TensorRef> tensors = suspect.tensors();
        // Blocks: (reference component, layer, copy); the copy separates a block's second claimant.
        Map<TensorAddress, Integer> claims = new HashMap<>();
        Map<String, List<Integer>> groupOf = new HashMap<>();
        Map<List<Object>, Integer> firstSeen = new LinkedHashMap<>();
        Set<TensorAddress> taken = new HashSet<>();
        Map<String, TensorAddress> flat = new HashMap<>();
        for (int i = 0; i < tensors.size(); i++) {
            TensorAddress a = partnerOf.get(tensors.get(i).name());
            if (a == null) {
                continue;
            }
            if (a.layer() == null) {
                if (taken.add(a)) {
                    flat.put(tensors.get(i).name(), a);
                }
                continue;
            }
            int copy = claims.merge(a, 1, Integer::sum) - 1;
            List<Object> group = List.of(a.component().name(), a.layer(), copy);
            firstSeen.putIfAbsent(group, i);
            groupOf.put(tensors.get(i).name(), List.of(a.layer(), copy));
        }
        if (firstSeen.isEmpty()) {
            return null;
        }
        Placement placement = new Placement(partnerOf, groupOf, claims, taken, flat);
        int byPosition = vectorsByPosition(tensors, reference.tensors(), placement);
        int byValues = vectorsByValues(tensors, reference.tensors(), placement);
        // Number each component's blocks in file order.
        Map<List<Object>, Integer> number = new HashMap<>();
        Map<String, Integer> next = new HashMap<>();
        for (List<Object> g : firstSeen.keySet()) {
            number.put(g, next.merge((String) g.getFirst(), 1, Integer::sum) - 1);
        }
        List<TensorRef> out = new ArrayList<>(tensors.size());
        int readdressed = 0;
        for (TensorRef t : tensors) {
            TensorAddress a = partnerOf.get(t.name());
            List<Integer> g = groupOf.get(t.name());
            TensorAddress to = g != null
                    ? new TensorAddress(
                            a.component(),
                            number.get(List.of(a.component().name(), g.get(0), g.get(1))),
                            a.role(),
                            a.expert(),
                            a.part())
                    : flat.get(t.name());
            if (to == null) {
                out.add(t);
            } else {
                out.add(new Readdressed(t, to));
                readdressed++;
            }
        }
        return new View(withTensors(suspect, out), readdressed, firstSeen.size(), byPosition, byValues);
    }

    /** {@code suspect} with {@code tensors} in place of its own (re-addressed ones), all else kept. */
    static ModelView withTensors(ModelView suspect, List<TensorRef> tensors) {
        BasicModelView.Builder b = BasicModelView.builder(suspect.source(), suspect.format())
                .architecture(suspect.architecture())
                .hints(suspect.hints())
                .metadata(suspect.metadata())
                .tensors(tensors)
                .claims(suspect.claims());
        suspect.vocabulary().ifPresent(b::vocabulary);
        suspect.files().forEach(b::file);
        suspect.warnings().forEach(b::warning);
        return b.build();
    }

    /**
     * Vectors (rank-1 tensors: norm gains, biases) that no hash or value test paired are placed by
     * position and shape. The paired tensors are anchors; the suspect's unpaired vectors between two
     * consecutive anchors (in file order) take the reference's unclaimed vectors between the anchors'
     * partners, one for one in order, when both runs have the same length and each pair the same
     * shape and the partners are in the same order in both files; a block vector joins the block of
     * the anchor beside it whose reference block it belongs to. A file stored in another order places
     * nothing. Only after the pairs have shown the lineage (see the class comment); the vectors feed
     * effect-only tests, the closeness and the customisation, never a verdict of their own.
     */
    private static int vectorsByPosition(List<TensorRef> tensors, List<TensorRef> reference, Placement at) {
        Map<TensorAddress, Integer> index = new HashMap<>();
        for (int k = 0; k < reference.size(); k++) {
            index.putIfAbsent(reference.get(k).address(), k);
        }
        Set<TensorAddress> claimed = new HashSet<>(at.partnerOf().values());
        int placed = 0;
        List<Integer> anchors = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            if (index.containsKey(at.partnerOf().get(tensors.get(i).name()))) {
                anchors.add(i);
            }
        }
        for (int k = 0; k <= anchors.size(); k++) {
            int from = k == 0 ? -1 : anchors.get(k - 1);
            int to = k == anchors.size() ? tensors.size() : anchors.get(k);
            int refFrom = from < 0
                    ? -1
                    : index.get(at.partnerOf().get(tensors.get(from).name()));
            int refTo = to == tensors.size()
                    ? reference.size()
                    : index.get(at.partnerOf().get(tensors.get(to).name()));
            List<TensorRef> run = tensors.subList(from + 1, to);
            if (run.isEmpty() || refFrom >= refTo) {
                continue;
            }
            List<TensorRef> refRun = new ArrayList<>();
            for (TensorRef t : reference.subList(refFrom + 1, refTo)) {
                if (!claimed.contains(t.address())) {
                    refRun.add(t);
                }
            }
            if (refRun.size() != run.size()) {
                continue;
            }
            boolean fits = true;
            for (int x = 0; x < run.size() && fits; x++) {
                fits = run.get(x).shape().rank() == 1
                        && run.get(x).shape().equals(refRun.get(x).shape())
                        && !at.partnerOf().containsKey(run.get(x).name());
            }
            if (!fits) {
                continue;
            }
            for (int x = 0; x < run.size(); x++) {
                TensorAddress a = refRun.get(x).address();
                String name = run.get(x).name();
                if (a.layer() == null
                        ? at.flat(name, a)
                        : at.inBlock(name, a, blockBeside(tensors, from, to, at.partnerOf(), at.groupOf(), a))) {
                    placed++;
                }
            }
        }
        return placed;
    }

    /**
     * Vectors that neither a hash, a value test of their own nor their position placed (a file stored
     * in another order than the reference's): each is paired with the unclaimed reference vector of its
     * shape whose values correlate best with its own after centring (Pearson r, never raw cosine: norm
     * gains all sit near 1), when that r is significant once corrected for every (suspect vector,
     * candidate) pair tried ({@link #VECTOR_LOG10P}, normal approximation {@code z = r·√(n−1)}), so
     * that a foreign vector is placed with probability at most 10^-3 in the whole model. Pairs are taken greedily
     * from the strongest, each reference vector at most once. A block vector joins the one suspect block
     * that holds its reference block; when no block or several do (a duplicated layer), it stays where
     * it is. Effect-only, like {@link #vectorsByPosition}.
     */
    private static int vectorsByValues(List<TensorRef> tensors, List<TensorRef> reference, Placement at)
            throws IOException, ModelFormatException {
        Set<TensorAddress> claimed = new HashSet<>(at.partnerOf().values());
        List<TensorRef> free = new ArrayList<>();
        for (TensorRef t : reference) {
            if (t.shape().rank() == 1 && t.shape().elementCount() >= MIN_VECTOR && !claimed.contains(t.address())) {
                free.add(t);
            }
        }
        List<TensorRef> loose = new ArrayList<>();
        for (TensorRef t : tensors) {
            if (t.shape().rank() == 1
                    && t.shape().elementCount() >= MIN_VECTOR
                    && !at.partnerOf().containsKey(t.name())) {
                loose.add(t);
            }
        }
        if (free.isEmpty() || loose.isEmpty()) {
            return 0;
        }
        Map<TensorRef, float[]> values = new HashMap<>();
        record Candidate(TensorRef suspect, TensorRef reference, double r, double log10p) {}
        List<Candidate> all = new ArrayList<>();
        long tried = 0;
        for (TensorRef s : loose) {
            tried += free.stream().filter(t -> t.shape().equals(s.shape())).count();
        }
        double correction = Math.log10(Math.max(1, tried));
        for (TensorRef s : loose) {
            List<TensorRef> same =
                    free.stream().filter(t -> t.shape().equals(s.shape())).toList();
            if (same.isEmpty()) {
                continue;
            }
            float[] a = valuesOf(s, values);
            double n = a.length;
            for (TensorRef t : same) {
                double r = Kernels.pearson(a, valuesOf(t, values));
                if (!Double.isFinite(r) || r <= 0) {
                    continue;
                }
                double log10p = LogP.normalUpper(r * Math.sqrt(n - 1)) + correction;
                all.add(new Candidate(s, t, r, log10p));
            }
        }
        all.sort(Comparator.comparingDouble(Candidate::r).reversed());
        Set<TensorRef> done = new HashSet<>();
        Set<TensorAddress> used = new HashSet<>();
        int placed = 0;
        for (Candidate c : all) {
            if (c.log10p() > VECTOR_LOG10P
                    || done.contains(c.suspect())
                    || used.contains(c.reference().address())) {
                continue;
            }
            TensorAddress a = c.reference().address();
            String name = c.suspect().name();
            if (a.layer() == null ? at.flat(name, a) : at.inBlock(name, a, at.onlyHolder(a))) {
                done.add(c.suspect());
                used.add(a);
                placed++;
            }
        }
        return placed;
    }

    /**
     * Where each suspect tensor goes: its partner's address, its suspect block (reference layer,
     * copy) for block tensors, the claims on each reference address, and the flat addresses taken.
     */
    private record Placement(
            Map<String, TensorAddress> partnerOf,
            Map<String, List<Integer>> groupOf,
            Map<TensorAddress, Integer> claims,
            Set<TensorAddress> taken,
            Map<String, TensorAddress> flat) {
        /** Places {@code name} at flat address {@code a}; false when another tensor holds it. */
        boolean flat(String name, TensorAddress a) {
            if (!taken.add(a)) {
                return false;
            }
            flat.put(name, a);
            partnerOf.put(name, a);
            return true;
        }

        /** Places {@code name} at block address {@code a} in suspect block {@code g}; false when {@code g} is null. */
        boolean inBlock(String name, TensorAddress a, List<Integer> g) {
            if (g == null) {
                return false;
            }
            partnerOf.put(name, a);
            groupOf.put(name, g);
            claims.merge(a, 1, Integer::sum);
            return true;
        }

        /** The one suspect block holding tensors of {@code a}'s reference block; null when none or several do. */
        List<Integer> onlyHolder(TensorAddress a) {
            Set<List<Integer>> holders = new HashSet<>();
            for (Map.Entry<String, List<Integer>> e : groupOf.entrySet()) {
                if (sameBlock(partnerOf.get(e.getKey()), a)) {
                    holders.add(e.getValue());
                }
            }
            return holders.size() == 1 ? holders.iterator().next() : null;
        }
    }

    /** Whether two reference addresses lie in one block (component, layer, expert). */
    private static boolean sameBlock(TensorAddress p, TensorAddress a) {
        return p.component().equals(a.component())
                && java.util.Objects.equals(p.layer(), a.layer())
                && java.util.Objects.equals(p.expert(), a.expert());
    }

    /** Vectors shorter than this are not placed by their values (too few entries for a correlation). */
    private static final int MIN_VECTOR = 16;

    private static float[] valuesOf(TensorRef t, Map<TensorRef, float[]> read)
            throws IOException, ModelFormatException {
        float[] v = read.get(t);
        if (v == null) {
            v = t.readAll();
            read.put(t, v);
        }
        return v;
    }

    /** The group (layer, copy) of the anchor before or after a run whose partner lies in {@code a}'s reference block; null when neither does. */
    private static List<Integer> blockBeside(
            List<TensorRef> tensors,
            int from,
            int to,
            Map<String, TensorAddress> partnerOf,
            Map<String, List<Integer>> groupOf,
            TensorAddress a) {
        for (int i : new int[] {from, to}) {
            if (i < 0 || i >= tensors.size()) {
                continue;
            }
            String name = tensors.get(i).name();
            TensorAddress p = partnerOf.get(name);
            if (groupOf.containsKey(name) && sameBlock(p, a)) {
                return groupOf.get(name);
            }
        }
        return null;
    }

    /** A tensor at another address. */
    static final class Readdressed extends ForwardingTensorRef {
        private final TensorAddress address;

        Readdressed(TensorRef delegate, TensorAddress address) {
            super(delegate);
            this.address = address;
        }

        @Override
        public TensorAddress address() {
            return address;
        }
    }
}
