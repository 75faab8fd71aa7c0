package dev.pedigree.model.naming;

import dev.pedigree.model.ArchitectureHints;
import dev.pedigree.model.ComponentKind;
import dev.pedigree.model.Part;
import dev.pedigree.model.Role;
import dev.pedigree.model.RowSliceTensor;
import dev.pedigree.model.Shape;
import dev.pedigree.model.TensorAddress;
import dev.pedigree.model.TensorRef;
import java.util.ArrayList;
import java.util.List;

/**
 * Builds the logical view of a model's tensors for {@link TensorNaming#logicalTensors}: splits
 * fused QKV and gate_up tensors and stacked expert tensors into views, and corrects the role of
 * {@code post_attention_layernorm} in models with sandwich norms. Stateless.
 */
final class LogicalSplitter {
    /** More experts than any released model; larger claims are left stacked rather than expanded. */
    static final int MAX_EXPERTS = 4096;

    private final ArchitectureHints hints;
    private final FamilyHints family;

    LogicalSplitter(ArchitectureHints hints) {
        this.hints = hints == null ? ArchitectureHints.NONE : hints;
        this.family = FamilyHints.of(this.hints);
    }

    List<TensorRef> split(List<TensorRef> physical) {
        boolean sandwich = physical.stream().anyMatch(t -> {
            List<String> path = TensorName.parse(t.name()).path();
            return !path.isEmpty() && FamilyHints.isFeedForwardNorm(path.getLast());
        });
        List<TensorRef> out = new ArrayList<>(physical.size());
        for (TensorRef t : physical) {
            TensorAddress a = t.address();
            if (sandwich && a.role() == Role.MLP_NORM && isPostAttentionLayernorm(t.name())) {
                out.add(new RowSliceTensor(t, t.name(), 0, t.shape(), a.withRole(Role.POST_ATTN_NORM)));
            } else if (!a.part().isParameter()) {
                out.add(t);
            } else if (isStackedExperts(t)) {
                for (TensorRef e : splitExperts(t)) {
                    if (e.address().role() == Role.MLP_GATE_UP && !family.expertGateUpUnsplittable()) {
                        out.addAll(splitGateUp(e));
                    } else {
                        out.add(e);
                    }
                }
            } else if (a.role() == Role.ATTN_QKV) {
                out.addAll(splitQkv(t));
            } else if (a.role() == Role.MLP_GATE_UP) {
                out.addAll(splitGateUp(t));
            } else {
                out.add(t);
            }
        }
        return out;
    }

    private static boolean isPostAttentionLayernorm(String name) {
        List<String> path = TensorName.parse(name).path();
        return !path.isEmpty() && path.getLast().equals("post_attention_layernorm");
    }

    // ---- experts -------------------------------------------------------------------------------

    private static boolean isStackedExperts(TensorRef t) {
        TensorAddress a = t.address();
        if (a.component().kind() != ComponentKind.EXPERTS || a.expert() != null) {
            return false;
        }
        boolean projection = switch (a.role()) {
            case MLP_GATE, MLP_UP, MLP_DOWN, MLP_GATE_UP -> true;
            default -> false;
        };
        int stackedRank = a.part() == Part.BIAS ? 2 : 3;
        return projection
                && t.shape().rank() == stackedRank
                && t.shape().dim(0) > 0
                && t.shape().dim(0) <= MAX_EXPERTS;
    }

    /** One view per expert of a stacked {@code [n_expert, out, in]} weight or {@code [n_expert, n]} bias. */
    private static List<TensorRef> splitExperts(TensorRef t) {
        Shape s = t.shape();
        int experts = (int) s.dim(0);
        long perExpert = t.address().part() == Part.BIAS ? 1 : s.dim(1);
        Shape partShape = t.address().part() == Part.BIAS ? Shape.of(s.dim(1)) : Shape.of(s.dim(1), s.dim(2));
        TensorAddress a = t.address();
        List<TensorRef> parts = new ArrayList<>(experts);
        for (int e = 0; e < experts; e++) {
            TensorAddress ea = new TensorAddress(a.component(), a.layer(), a.role(), e, a.part());
            parts.add(new RowSliceTensor(t, t.name() + "[e" + e + "]", e * perExpert, partShape, ea));
        }
        return parts;
    }

    // ---- gate_up -------------------------------------------------------------------------------

    /** [gate; up]: the first half of the rows (or bias elements) is the gate, the second the up projection. */
    private static List<TensorRef> splitGateUp(TensorRef t) {
        long units = units(t);
        if (units < 0 || units % 2 != 0) {
            return List.of(t);
        }
        long half = units / 2;
        return List.of(slice(t, "gate", 0, half, Role.MLP_GATE), slice(t, "up", half, half, Role.MLP_UP));
    }

    // ---- qkv -----------------------------------------------------------------------------------

    private List<TensorRef> splitQkv(TensorRef t) {
        long units = units(t);
        if (units <= 0) {
            return List.of(t);
        }
        boolean text = switch (t.address().component().kind()) {
            case TEXT_DECODER, TEXT_ENCODER -> true;
            default -> false;
        };
        Integer heads = hints.numHeads();
        Integer kvHeads = hints.numKvHeads() != null ? hints.numKvHeads() : heads;
        Integer headDim = hints.effectiveHeadDim();
        boolean known =
                text && heads != null && kvHeads != null && headDim != null && heads > 0 && kvHeads > 0 && headDim > 0;
        if (text && NeoxNames.interleavesQkv(TensorName.parse(t.name()), family)) {
            return known ? splitGroupedQkv(t, units, heads, kvHeads, headDim) : List.of(t);
        }
        if (known) {
            long q = (long) heads * headDim;
            long kv = (long) kvHeads * headDim;
            if (q + 2 * kv == units) {
                return List.of(
                        slice(t, "q", 0, q, Role.ATTN_Q),
                        slice(t, "k", q, kv, Role.ATTN_K),
                        slice(t, "v", q + kv, kv, Role.ATTN_V));
            }
            // The hints describe another stack than this tensor's: do not guess.
            return List.of(t);
        }
        if (units % 3 == 0) {
            long third = units / 3;
            return List.of(
                    slice(t, "q", 0, third, Role.ATTN_Q),
                    slice(t, "k", third, third, Role.ATTN_K),
                    slice(t, "v", 2 * third, third, Role.ATTN_V));
        }
        return List.of(t);
    }

    /**
     * Per KV group {@code g}: {@code heads / kvHeads} query heads, then one key head, then one value
     * head. GPT-NeoX and BLOOM are the case {@code kvHeads == heads}.
     */
    private static List<TensorRef> splitGroupedQkv(TensorRef t, long units, int heads, int kvHeads, int headDim) {
        if (heads % kvHeads != 0) {
            return List.of(t);
        }
        long qPerGroup = (long) (heads / kvHeads) * headDim;
        long stride = qPerGroup + 2L * headDim;
        if (stride * kvHeads != units) {
            return List.of(t);
        }
        TensorAddress a = t.address();
        return List.of(
                new InterleavedRowsTensor(t, t.name() + "[q]", kvHeads, stride, 0, qPerGroup, a.withRole(Role.ATTN_Q)),
                new InterleavedRowsTensor(
                        t, t.name() + "[k]", kvHeads, stride, qPerGroup, headDim, a.withRole(Role.ATTN_K)),
                new InterleavedRowsTensor(
                        t, t.name() + "[v]", kvHeads, stride, qPerGroup + headDim, headDim, a.withRole(Role.ATTN_V)));
    }

    // ---- common --------------------------------------------------------------------------------

    /** Rows of a 2-D weight or elements of a bias vector; -1 for other ranks, which are not split. */
    private static long units(TensorRef t) {
        Shape s = t.shape();
        return switch (s.rank()) {
            case 1 -> s.dim(0);
            case 2 -> s.dim(0);
            default -> -1;
        };
    }

    /** Units {@code [first, first + count)} of a 2-D weight or a bias vector. */
    private static TensorRef slice(TensorRef t, String suffix, long first, long count, Role role) {
        String name = t.name() + "[" + suffix + "]";
        TensorAddress a = t.address().withRole(role);
        Shape s = t.shape();
        if (s.rank() == 1) {
            return new InterleavedRowsTensor(t, name, 1, s.dim(0), first, count, a);
        }
        return new RowSliceTensor(t, name, first, Shape.of(count, s.dim(1)), a);
    }
}
