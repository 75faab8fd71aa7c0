package dev.pedigree.forensics;

import dev.pedigree.model.Component;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Issue 14 §1: blocks inferred from the structure of a suspect whose names give none (every tensor
 * renamed, a custom {@code model_type}), for copies whose values changed (noised, permuted,
 * rotated), where no hash and no fixed-index partner pairs a tensor.
 *
 * <p>A block is a repeating group of tensors. Each reference stack (a component with blocks) gives a
 * template: the tensors of its first block in file order, as (address, shape). The suspect's tensors
 * are scanned in file order; a run of consecutive tensors whose shapes are, as a multiset, the
 * template's shapes forms one suspect block of that component (numbered in the suspect's file order).
 * Inside a block each tensor takes the role of the template's tensor of its shape: a shape held by
 * one tensor (k and v of a grouped-query block, down) is unambiguous; tensors sharing a shape (q and
 * o, gate and up, the two norm gains) take the template's roles of that shape in file order. Tensors
 * outside blocks (embeddings, final norm, head) take the reference's tensors outside blocks of their
 * shape, in file order, when both models have as many of that shape.
 *
 * <p>Nothing here reads a value: the addresses are a function of shapes and file order alone, so the
 * block tests run on them keep their stated error rates. Stateless.
 */
final class StructuralBlocks {
    private StructuralBlocks() {}

    /** The suspect's tensors with inferred addresses, how many were given one, and how many blocks. */
    record Inferred(List<TensorRef> tensors, int addressed, int blocks) {}

    /**
     * The suspect's tensors with addresses inferred from shapes and file order; null when no block of
     * any reference stack is found in the suspect.
     */
    static Inferred of(ModelView suspect, ModelView reference) {
        List<TensorRef> ref = reference.tensors();
        // Templates: the first block (lowest layer) of each reference component with blocks.
        Map<Component, Integer> first = new LinkedHashMap<>();
        for (TensorRef t : ref) {
            TensorAddress a = t.address();
            if (a.layer() != null && a.expert() == null) {
                first.merge(a.component(), a.layer(), Math::min);
            }
        }
        List<List<TensorRef>> templates = new ArrayList<>();
        for (Map.Entry<Component, Integer> e : first.entrySet()) {
            List<TensorRef> block = new ArrayList<>();
            for (TensorRef t : ref) {
                TensorAddress a = t.address();
                if (a.component().equals(e.getKey()) && e.getValue().equals(a.layer())) {
                    block.add(t);
                }
            }
            // A block of experts or of one tensor is no repeating group this can recognise.
            if (block.size() >= 2 && block.stream().allMatch(t -> t.address().expert() == null)) {
                templates.add(block);
            }
        }
        if (templates.isEmpty()) {
            return null;
        }
        templates.sort(Comparator.comparingInt((List<TensorRef> b) -> b.size()).reversed());
        List<TensorRef> tensors = suspect.tensors();
        TensorAddress[] to = new TensorAddress[tensors.size()];
        Map<Component, Integer> nextLayer = new HashMap<>();
        int blocks = 0;
        int i = 0;
        while (i < tensors.size()) {
            List<TensorRef> match = null;
            for (List<TensorRef> tpl : templates) {
                if (i + tpl.size() <= tensors.size() && sameShapes(tensors.subList(i, i + tpl.size()), tpl)) {
                    match = tpl;
                    break;
                }
            }
            if (match == null) {
                i++;
                continue;
            }
            Component c = match.getFirst().address().component();
            int layer = nextLayer.merge(c, 1, Integer::sum) - 1;
            List<TensorAddress> roles = byShapeInOrder(tensors.subList(i, i + match.size()), match);
            for (int k = 0; k < match.size(); k++) {
                TensorAddress a = roles.get(k);
                to[i + k] = new TensorAddress(a.component(), layer, a.role(), a.expert(), a.part());
            }
            blocks++;
            i += match.size();
        }
        if (blocks == 0) {
            return null;
        }
        addressLoose(tensors, to, ref);
        return readdressed(tensors, to, blocks);
    }

    /**
     * Tensors outside blocks (no address in {@code to}): the reference's tensors outside blocks of the
     * same shape, in file order, when both models have as many of that shape.
     */
    static void addressLoose(List<TensorRef> tensors, TensorAddress[] to, List<TensorRef> ref) {
        List<TensorRef> loose = new ArrayList<>();
        List<Integer> at = new ArrayList<>();
        for (int k = 0; k < tensors.size(); k++) {
            if (to[k] == null) {
                loose.add(tensors.get(k));
                at.add(k);
            }
        }
        List<TensorRef> flat =
                ref.stream().filter(t -> t.address().layer() == null).toList();
        Map<Shape, List<Integer>> looseByShape = new LinkedHashMap<>();
        for (int k = 0; k < loose.size(); k++) {
            looseByShape
                    .computeIfAbsent(loose.get(k).shape(), x -> new ArrayList<>())
                    .add(k);
        }
        for (Map.Entry<Shape, List<Integer>> e : looseByShape.entrySet()) {
            List<TensorRef> same =
                    flat.stream().filter(t -> t.shape().equals(e.getKey())).toList();
            if (same.size() != e.getValue().size()) {
                continue;
            }
            for (int k = 0; k < same.size(); k++) {
                to[at.get(e.getValue().get(k))] = same.get(k).address();
            }
        }
    }

    /** The suspect's tensors, each with its address in {@code to} where it has one. */
    static Inferred readdressed(List<TensorRef> tensors, TensorAddress[] to, int blocks) {
        List<TensorRef> out = new ArrayList<>(tensors.size());
        int addressed = 0;
        for (int k = 0; k < tensors.size(); k++) {
            if (to[k] == null) {
                out.add(tensors.get(k));
            } else {
                out.add(new Readdressing.Readdressed(tensors.get(k), to[k]));
                addressed++;
            }
        }
        return new Inferred(out, addressed, blocks);
    }

    /** Whether {@code run}'s shapes are, as a multiset, {@code template}'s. */
    private static boolean sameShapes(List<TensorRef> run, List<TensorRef> template) {
        Map<Shape, Integer> count = new HashMap<>();
        for (TensorRef t : template) {
            count.merge(t.shape(), 1, Integer::sum);
        }
        for (TensorRef t : run) {
            Integer n = count.get(t.shape());
            if (n == null || n == 0) {
                return false;
            }
            count.put(t.shape(), n - 1);
        }
        return true;
    }

    /** The template address each tensor of {@code run} takes: the k-th tensor of a shape takes the template's k-th of it. */
    private static List<TensorAddress> byShapeInOrder(List<TensorRef> run, List<TensorRef> template) {
        Map<Shape, List<TensorRef>> byShape = new HashMap<>();
        for (TensorRef t : template) {
            byShape.computeIfAbsent(t.shape(), x -> new ArrayList<>()).add(t);
        }
        Map<Shape, Integer> used = new HashMap<>();
        List<TensorAddress> out = new ArrayList<>(run.size());
        for (TensorRef t : run) {
            int k = used.merge(t.shape(), 1, Integer::sum) - 1;
            out.add(byShape.get(t.shape()).get(k).address());
        }
        return out;
    }
}
