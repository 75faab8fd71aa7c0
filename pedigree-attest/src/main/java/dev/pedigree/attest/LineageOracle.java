package dev.pedigree.attest;

import dev.pedigree.io.ModelFormatException;
import dev.pedigree.model.ModelView;
import java.io.IOException;
import java.util.Objects;

/**
 * Decides whether two (checkpoint-sample) views share lineage. The verifier depends on this interface
 * rather than on the lineage engine directly, so its checks can be tested with a fake;
 * {@link ForensicsLineageOracle} is the real one. Implementations must be thread-safe.
 */
public interface LineageOracle {

    /** The three answers the verifier distinguishes. */
    enum Lineage {
        SHARED_LINEAGE,
        INDEPENDENT,
        INCONCLUSIVE
    }

    /**
     * An answer with its evidence.
     *
     * @param log10p combined evidence (null when no test ran)
     * @param detail one line: the engine's reason and its strongest evidence
     */
    record Judgement(Lineage lineage, Double log10p, String detail) {
        public Judgement {
            Objects.requireNonNull(lineage, "lineage");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Compares {@code suspect} against {@code reference}. */
    Judgement compare(ModelView suspect, ModelView reference) throws IOException, ModelFormatException;
}
