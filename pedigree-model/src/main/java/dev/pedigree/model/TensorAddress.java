package dev.pedigree.model;

import java.util.Objects;

/**
 * Where a tensor sits in the canonical view: {@code (component, layer, role)} plus the expert
 * index for MoE tensors and the part (weight, bias, ...). {@code layer} is null for tensors outside
 * the block stack (embeddings, final norm, head).
 *
 * @param expert null for dense tensors, {@link #SHARED_EXPERT} for shared experts, otherwise the
 *     routed expert's index
 */
public record TensorAddress(Component component, Integer layer, Role role, Integer expert, Part part) {
    public static final int SHARED_EXPERT = -1;

    public TensorAddress {
        Objects.requireNonNull(component, "component");
        Objects.requireNonNull(role, "role");
        Objects.requireNonNull(part, "part");
        if (layer != null && layer < 0) {
            throw new IllegalArgumentException("negative layer " + layer);
        }
    }

    public static TensorAddress of(Component component, Integer layer, Role role, Part part) {
        return new TensorAddress(component, layer, role, null, part);
    }

    public TensorAddress withRole(Role r) {
        return new TensorAddress(component, layer, r, expert, part);
    }

    public TensorAddress withPart(Part p) {
        return new TensorAddress(component, layer, role, expert, p);
    }

    @Override
    public String toString() {
        return "("
                + component.name()
                + ", "
                + (layer == null ? "-" : layer)
                + ", "
                + role
                + (expert == null ? "" : expert == SHARED_EXPERT ? ", shared-expert" : ", expert " + expert)
                + (part == Part.WEIGHT ? "" : ", " + part.name().toLowerCase(java.util.Locale.ROOT))
                + ")";
    }
}
