package dev.pedigree.census.graph;

import dev.pedigree.census.candidates.Holder;
import dev.pedigree.census.fingerprint.LineageComponent;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Families per component from the shared-lineage edges: connected components (union-find), each
 * named by its earliest member, and a parent for every member, chosen in this order:
 *
 * <ol>
 *   <li>the model's declared base, if an edge in this component confirms it and it is earlier;
 *   <li>otherwise the most similar earlier neighbour (highest sketch score, then most exactly
 *       shared tensors, then the earliest);
 *   <li>none: the model is a root (the earliest member of a family always is).
 * </ol>
 *
 * Parents are always earlier, so the trees have no cycles. Similarity cannot tell a sibling from a
 * parent when both are equally close (a fine-tune of an int8 copy of the base looks like a fine-tune
 * of the base): families are exact, parents are best effort. Stateless.
 */
public final class FamilyGraph {
    private FamilyGraph() {}

    /**
     * A shared-lineage edge in one component.
     *
     * @param method {@code test} (the engine's verdict) or {@code exact} (identical sampled tensors)
     * @param similarity sketch score of the pair (NaN when unknown)
     * @param sharedTensors tensors with identical sampled digests
     */
    public record Edge(
            String a, String b, LineageComponent component, String method, double similarity, int sharedTensors) {
        public Edge {
            Objects.requireNonNull(a, "a");
            Objects.requireNonNull(b, "b");
            Objects.requireNonNull(component, "component");
            Objects.requireNonNull(method, "method");
        }
    }

    /** A model as the graph sees it: when it was created, what it declares, which components it has. */
    public record Node(Holder holder, String declaredBase, Set<LineageComponent> components) {}

    /**
     * One row of the families table.
     *
     * @param familyId the family's earliest member
     * @param parentId null for a root
     * @param depth edges up to a root
     * @param how {@code root}, {@code declared}, {@code test} or {@code exact}
     */
    public record Membership(
            String modelId, LineageComponent component, String familyId, String parentId, int depth, String how) {}

    /** The memberships of every node in every component it has (a model without edges is its own family). */
    public static List<Membership> families(List<Node> nodes, List<Edge> edges) {
        Map<String, Node> byId = new HashMap<>();
        for (Node n : nodes) {
            byId.put(n.holder().modelId(), n);
        }
        List<Membership> out = new ArrayList<>();
        for (LineageComponent c : LineageComponent.values()) {
            Map<String, List<Edge>> adj = new HashMap<>();
            Map<String, String> uf = new HashMap<>();
            for (Edge e : edges) {
                if (e.component() != c || !byId.containsKey(e.a()) || !byId.containsKey(e.b())) {
                    continue;
                }
                adj.computeIfAbsent(e.a(), k -> new ArrayList<>()).add(e);
                adj.computeIfAbsent(e.b(), k -> new ArrayList<>()).add(e);
                union(uf, e.a(), e.b());
            }
            // Family id: the earliest member of each connected component.
            Map<String, Holder> earliest = new HashMap<>();
            for (Node n : nodes) {
                if (!n.components().contains(c) && !adj.containsKey(n.holder().modelId())) {
                    continue;
                }
                String root = find(uf, n.holder().modelId());
                earliest.merge(root, n.holder(), (x, y) -> x.compareTo(y) <= 0 ? x : y);
            }
            Map<String, String> parent = new TreeMap<>();
            Map<String, String> how = new HashMap<>();
            for (Node n : nodes) {
                String id = n.holder().modelId();
                if (!n.components().contains(c) && !adj.containsKey(id)) {
                    continue;
                }
                Edge best = null;
                String bestOther = null;
                for (Edge e : adj.getOrDefault(id, List.of())) {
                    String other = e.a().equals(id) ? e.b() : e.a();
                    if (byId.get(other).holder().compareTo(n.holder()) >= 0) {
                        continue;
                    }
                    if (other.equals(n.declaredBase())) {
                        best = e;
                        bestOther = other;
                        how.put(id, "declared");
                        break;
                    }
                    if (best == null || stronger(e, other, best, bestOther, byId) < 0) {
                        best = e;
                        bestOther = other;
                    }
                }
                parent.put(id, bestOther);
                how.putIfAbsent(id, best == null ? "root" : best.method());
            }
            for (Map.Entry<String, String> p : parent.entrySet()) {
                String id = p.getKey();
                int depth = 0;
                for (String x = p.getValue(); x != null; x = parent.get(x)) {
                    depth++;
                }
                out.add(new Membership(id, c, earliest.get(find(uf, id)).modelId(), p.getValue(), depth, how.get(id)));
            }
        }
        out.sort(Comparator.comparing(Membership::component)
                .thenComparing(Membership::familyId)
                .thenComparing(Membership::modelId));
        return out;
    }

    /** Negative when edge e (to other) is a better parent than best (to bestOther). */
    private static int stronger(Edge e, String other, Edge best, String bestOther, Map<String, Node> byId) {
        double se = Double.isNaN(e.similarity()) ? -2 : e.similarity();
        double sb = Double.isNaN(best.similarity()) ? -2 : best.similarity();
        if (se != sb) {
            return se > sb ? -1 : 1;
        }
        if (e.sharedTensors() != best.sharedTensors()) {
            return e.sharedTensors() > best.sharedTensors() ? -1 : 1;
        }
        return byId.get(other).holder().compareTo(byId.get(bestOther).holder());
    }

    private static String find(Map<String, String> uf, String x) {
        uf.putIfAbsent(x, x);
        String r = x;
        while (!uf.get(r).equals(r)) {
            r = uf.get(r);
        }
        while (!uf.get(x).equals(r)) {
            String next = uf.get(x);
            uf.put(x, r);
            x = next;
        }
        return r;
    }

    private static void union(Map<String, String> uf, String a, String b) {
        String ra = find(uf, a);
        String rb = find(uf, b);
        if (!ra.equals(rb)) {
            uf.put(ra.compareTo(rb) < 0 ? rb : ra, ra.compareTo(rb) < 0 ? ra : rb);
        }
    }
}
