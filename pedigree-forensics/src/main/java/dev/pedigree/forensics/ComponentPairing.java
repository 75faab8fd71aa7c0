package dev.pedigree.forensics;

import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which reference stacks a suspect stack may be compared with, by structure rather than by label:
 * component labels are a hint, never a gate (a text encoder's layers transplanted as a dual
 * encoder's vision tower keep their shapes and roles, not their label).
 *
 * <p>A stack's block signature is the set of (role, shape) of its block weights. A reference stack
 * is a structural partner when at least {@value #MIN_SHARED_SLOTS} of those agree, or when one of
 * its tensors is bit-identical to one of the suspect stack's ({@link IdenticalTensors}). The
 * candidates are the same-name stack first (when the reference has it), then the others by
 * decreasing agreement (identical tensors first). The choice uses shapes, roles and hashes only,
 * never the statistics, so the tests run on the chosen pair keep their nulls; {@link
 * LineageComparator} pays a Bonferroni factor when it tries several. Stateless.
 */
final class ComponentPairing {
    private ComponentPairing() {}

    /** Fewest agreeing (role, shape) slots for two stacks to be compared. */
    static final int MIN_SHARED_SLOTS = 2;

    private record Slot(Role role, Shape shape) {}

    /** The reference stacks to compare suspect stack {@code name} with, best first. */
    static List<String> candidates(ModelIndex s, ModelIndex r, String name, List<IdenticalTensors.Pair> identical) {
        Set<Slot> mine = signature(s, name);
        Map<String, Integer> shared = new HashMap<>();
        for (String other : stacks(r)) {
            Set<Slot> theirs = signature(r, other);
            theirs.retainAll(mine);
            shared.put(other, theirs.size());
        }
        Map<String, Integer> hashHits = new HashMap<>();
        for (IdenticalTensors.Pair p : identical) {
            if (p.suspect().address().layer() != null
                    && ReportComponents.of(p.suspect().address()).name().equals(name)
                    && p.reference().address().layer() != null) {
                hashHits.merge(ReportComponents.of(p.reference().address()).name(), 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>();
        if (shared.containsKey(name)) {
            out.add(name);
        }
        List<String> others = new ArrayList<>();
        for (Map.Entry<String, Integer> e : shared.entrySet()) {
            if (!e.getKey().equals(name)
                    && (e.getValue() >= MIN_SHARED_SLOTS || hashHits.getOrDefault(e.getKey(), 0) > 0)) {
                others.add(e.getKey());
            }
        }
        others.sort(Comparator.comparing((String o) -> -hashHits.getOrDefault(o, 0))
                .thenComparing(o -> -shared.get(o))
                .thenComparing(o -> o));
        out.addAll(others);
        return out;
    }

    /** The reference's components that have blocks. */
    private static List<String> stacks(ModelIndex m) {
        List<String> out = new ArrayList<>();
        for (String c : m.components.keySet()) {
            if (!m.layers(c).isEmpty()) {
                out.add(c);
            }
        }
        return out;
    }

    private static Set<Slot> signature(ModelIndex m, String component) {
        Set<Slot> out = new HashSet<>();
        for (ModelIndex.Key k : m.keys(component)) {
            if (k.layer() == null || k.part() != Part.WEIGHT || k.role() == Role.OTHER) {
                continue;
            }
            TensorRef t = m.byKey.get(k);
            out.add(new Slot(k.role(), t.shape()));
        }
        return out;
    }
}
