package dev.pedigree.forensics;

import dev.pedigree.forensics.result.Block;
import dev.pedigree.model.Component;
import dev.pedigree.model.ModelView;
import dev.pedigree.model.Role;
import dev.pedigree.model.TensorRef;
import dev.pedigree.model.naming.TensorNaming;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Counts model parameters the way every Pedigree report does: logical elements of the logical
 * tensors ({@link TensorNaming#logicalTensors}) whose part {@link dev.pedigree.model.Part#isParameter()
 * is a parameter} (weights and biases; not quantisation scales, zero points or buffers), grouped by
 * {@link ReportComponents#of reported component}. A quantised tensor counts its logical elements,
 * not its bytes. An output head tied to the embedding (declared by the hints'
 * {@code tiedEmbeddings}) is counted once, under {@code embeddings}, even when a file stores it
 * twice. Stateless.
 */
public final class ParameterCounts {
    private ParameterCounts() {}

    /** Total logical parameters of the view. */
    public static long total(ModelView view) {
        long n = 0;
        for (long v : byComponent(view).values()) {
            n += v;
        }
        return n;
    }

    /** Parameters per reported component, in first-seen tensor order. */
    public static Map<Component, Long> byComponent(ModelView view) {
        return byComponent(
                TensorNaming.logicalTensors(view.tensors(), view.hints()),
                Boolean.TRUE.equals(view.hints().tiedEmbeddings()));
    }

    /**
     * Parameters per reported component of a list of logical tensors.
     *
     * @param tied true when the configuration declares tied embeddings (a stored head is then
     *     skipped)
     */
    public static Map<Component, Long> byComponent(List<TensorRef> logical, boolean tied) {
        Map<Component, Long> out = new LinkedHashMap<>();
        for (TensorRef t : logical) {
            if (!t.address().part().isParameter()) {
                continue;
            }
            if (tied && t.address().role() == Role.LM_HEAD) {
                continue;
            }
            out.merge(ReportComponents.of(t.address()), t.elementCount(), Long::sum);
        }
        return out;
    }

    /** Parameters per block ({@code component, layer}) of the reported components that have layers. */
    public static Map<Block, Long> byBlock(List<TensorRef> logical) {
        Map<Block, Long> out = new LinkedHashMap<>();
        for (TensorRef t : logical) {
            if (t.address().part().isParameter() && t.address().layer() != null) {
                out.merge(
                        new Block(
                                ReportComponents.of(t.address()).name(),
                                t.address().layer()),
                        t.elementCount(),
                        Long::sum);
            }
        }
        return out;
    }
}
