package dev.pedigree.forensics;

import dev.pedigree.model.BasicModelView;
import dev.pedigree.model.ForwardingTensorRef;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.util.ArrayList;
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
    record View(ModelView view, int readdressed, int blocks, int byPosition) {}

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
            double maxLog10p) {
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
        int byPosition = vectorsByPosition(tensors, reference.tensors(), partnerOf, groupOf, claims, taken, flat);
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
        BasicModelView.Builder b = BasicModelView.builder(suspect.source(), suspect.format())
                .architecture(suspect.architecture())
                .hints(suspect.hints())
                .metadata(suspect.metadata())
                .tensors(out)
                .claims(suspect.claims());
        suspect.vocabulary().ifPresent(b::vocabulary);
        suspect.files().forEach(b::file);
        suspect.warnings().forEach(b::warning);
        return new View(b.build(), readdressed, firstSeen.size(), byPosition);
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
    private static int vectorsByPosition(
            List<TensorRef> tensors,
            List<TensorRef> reference,
            Map<String, TensorAddress> partnerOf,
            Map<String, List<Integer>> groupOf,
            Map<TensorAddress, Integer> claims,
            Set<TensorAddress> taken,
            Map<String, TensorAddress> flat) {
        Map<TensorAddress, Integer> at = new HashMap<>();
        for (int k = 0; k < reference.size(); k++) {
            at.putIfAbsent(reference.get(k).address(), k);
        }
        Set<TensorAddress> claimed = new HashSet<>(partnerOf.values());
        int placed = 0;
        List<Integer> anchors = new ArrayList<>();
        for (int i = 0; i < tensors.size(); i++) {
            if (at.containsKey(partnerOf.get(tensors.get(i).name()))) {
                anchors.add(i);
            }
        }
        for (int k = 0; k <= anchors.size(); k++) {
            int from = k == 0 ? -1 : anchors.get(k - 1);
            int to = k == anchors.size() ? tensors.size() : anchors.get(k);
            int refFrom = from < 0 ? -1 : at.get(partnerOf.get(tensors.get(from).name()));
            int refTo = to == tensors.size()
                    ? reference.size()
                    : at.get(partnerOf.get(tensors.get(to).name()));
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
                        && !partnerOf.containsKey(run.get(x).name());
            }
            if (!fits) {
                continue;
            }
            for (int x = 0; x < run.size(); x++) {
                TensorAddress a = refRun.get(x).address();
                String name = run.get(x).name();
                if (a.layer() == null) {
                    if (taken.add(a)) {
                        flat.put(name, a);
                        partnerOf.put(name, a);
                        placed++;
                    }
                    continue;
                }
                List<Integer> g = blockBeside(tensors, from, to, partnerOf, groupOf, a);
                if (g != null) {
                    partnerOf.put(name, a);
                    groupOf.put(name, g);
                    claims.merge(a, 1, Integer::sum);
                    placed++;
                }
            }
        }
        return placed;
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
            if (groupOf.containsKey(name)
                    && p.component().equals(a.component())
                    && p.layer().equals(a.layer())
                    && java.util.Objects.equals(p.expert(), a.expert())) {
                return groupOf.get(name);
            }
        }
        return null;
    }

    /** A tensor at another address. */
    private static final class Readdressed extends ForwardingTensorRef {
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
