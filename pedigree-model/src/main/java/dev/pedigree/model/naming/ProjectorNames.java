package dev.pedigree.model.naming;

import dev.pedigree.model.Component;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorAddress;
import java.util.List;
import java.util.Set;

/**
 * Connectors between a vision or audio tower and the language model: LLaVA
 * {@code multi_modal_projector.linear_1/2} and {@code model.mm_projector.0/2}, Gemma 3
 * {@code multi_modal_projector.mm_input_projection_weight}, Qwen2-VL {@code visual.merger.*},
 * InternVL {@code mlp1.*}, Idefics3 {@code connector.*}, CLIP {@code visual_projection} and the
 * GGUF mmproj {@code mm.*} names.
 *
 * <p>All go to {@link Component#PROJECTOR}. The layer is the module index inside the projector:
 * the first integer path segment ({@code mm_projector.2} → 2) or else the number a module name
 * ends with ({@code linear_1} → 1, {@code linear_fc2} → 2), null when there is none. Norms inside the projector get
 * {@link Role#EMBEDDING_NORM} (they normalise the tower's output embeddings); everything else
 * {@link Role#PROJECTOR}.
 */
final class ProjectorNames implements NameFamily {

    private static final Set<String> PREFIXES = Set.of(
            "multi_modal_projector",
            "mm_projector",
            "mm",
            "mlp1",
            "connector",
            "visual_projection",
            "aligner",
            "audio_projection",
            "mm_proj");

    /** Projector modules that live inside a vision tower's namespace. */
    private static final Set<String> TOWER_MERGERS = Set.of("merger", "deepstack_merger_list");

    @Override
    public TensorAddress classify(TensorName name, FamilyHints hints) {
        List<String> p = name.unwrapped();
        List<String> rest;
        if (!p.isEmpty()
                && PREFIXES.contains(p.getFirst())
                && (p.size() > 1 || !p.getFirst().equals("mm"))) {
            rest = p.subList(1, p.size());
        } else if (p.size() > 2
                && VisionTowerNames.PREFIXES.contains(p.getFirst())
                && TOWER_MERGERS.contains(p.get(1))) {
            rest = p.subList(1, p.size());
        } else {
            return null;
        }
        return TensorAddress.of(
                Component.PROJECTOR,
                moduleIndex(rest),
                isNorm(rest) ? Role.EMBEDDING_NORM : Role.PROJECTOR,
                name.part());
    }

    private static Integer moduleIndex(List<String> rest) {
        int at = TensorName.firstIndexPosition(rest);
        if (at >= 0) {
            return TensorName.index(rest.get(at));
        }
        for (String s : rest) {
            int j = s.length();
            while (j > 0 && s.charAt(j - 1) >= '0' && s.charAt(j - 1) <= '9') {
                j--;
            }
            if (j > 0 && j < s.length()) {
                return TensorName.index(s.substring(j));
            }
        }
        return null;
    }

    private static boolean isNorm(List<String> rest) {
        for (String s : rest) {
            if (s.contains("norm") || s.equals("ln_q") || s.equals("ln")) {
                return true;
            }
        }
        return false;
    }
}
