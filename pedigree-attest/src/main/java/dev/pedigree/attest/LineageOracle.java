package dev.pedigree.attest;

import dev.pedigree.forensics.result.Verdict;
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

    /**
     * An answer with its evidence.
     *
     * @param verdict the lineage engine's own verdict type: the verifier distinguishes exactly its
     *     three answers
     * @param log10p combined evidence (null when no test ran)
     * @param detail one line: the engine's reason and its strongest evidence
     */
    record Judgement(Verdict verdict, Double log10p, String detail) {
        public Judgement {
            Objects.requireNonNull(verdict, "verdict");
            Objects.requireNonNull(detail, "detail");
        }
    }

    /** Compares {@code suspect} against {@code reference}. */
    Judgement compare(ModelView suspect, ModelView reference) throws IOException, ModelFormatException;
}
