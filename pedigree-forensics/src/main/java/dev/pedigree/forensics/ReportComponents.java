package dev.pedigree.forensics;

import dev.pedigree.model.Component;
import dev.pedigree.model.ComponentKind;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;

/**
 * Which reported component a tensor belongs to. The token embedding and the output head of a text
 * stack get their own components ({@code embeddings}, {@code lm_head}) because they are reused or
 * replaced independently of the blocks (vocabulary extension, new heads); routed and shared experts
 * of a text stack form {@code experts} (dense-to-MoE upcycling). Everything else keeps the
 * component its address names. Stateless.
 */
public final class ReportComponents {
    private ReportComponents() {}

    /** The reported component of a tensor. */
    public static Component of(TensorAddress a) {
        Component c = a.component();
        boolean text = c.kind() == ComponentKind.TEXT_DECODER || c.kind() == ComponentKind.TEXT_ENCODER;
        if (a.role() == Role.EMBEDDING
                && (text || c.kind() == ComponentKind.EMBEDDINGS || c.kind() == ComponentKind.OTHER)) {
            return Component.EMBEDDINGS;
        }
        if (a.role() == Role.LM_HEAD
                && (text || c.kind() == ComponentKind.LM_HEAD || c.kind() == ComponentKind.OTHER)) {
            return Component.LM_HEAD;
        }
        if (a.expert() != null && (text || c.kind() == ComponentKind.EXPERTS)) {
            return Component.EXPERTS;
        }
        return c;
    }
}
