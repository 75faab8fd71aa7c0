package dev.pedigree.forensics.result;

import dev.pedigree.model.ComponentKind;
import java.util.List;
import java.util.Objects;

/**
 * The verdict for one component of the suspect (text stack, embeddings, lm_head, vision tower,
 * projector, experts, ...).
 *
 * @param name canonical component name ({@code text}, {@code embeddings}, {@code vision}, ...)
 * @param parameters parameters of this component in the suspect
 * @param log10p Holm-adjusted combined evidence of the component; null when no test applied
 * @param evidence every test that ran (and those that could not, with a null {@code log10p})
 * @param reason one sentence on why the verdict is what it is (power, threshold, missing partner)
 * @param closeness how close the weights are (bounded, comparable across results); null when not
 *     measured (no partner, flat components, fingerprints)
 */
public record ComponentResult(
        String name,
        ComponentKind kind,
        long parameters,
        Verdict verdict,
        Double log10p,
        List<Evidence> evidence,
        String reason,
        Closeness closeness) {
    /** A result without a closeness measure. */
    public ComponentResult(
            String name,
            ComponentKind kind,
            long parameters,
            Verdict verdict,
            Double log10p,
            List<Evidence> evidence,
            String reason) {
        this(name, kind, parameters, verdict, log10p, evidence, reason, null);
    }

    /** The same result with {@code c} as its closeness. */
    public ComponentResult withCloseness(Closeness c) {
        return new ComponentResult(name, kind, parameters, verdict, log10p, evidence, reason, c);
    }

    public ComponentResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(verdict, "verdict");
        evidence = List.copyOf(evidence);
        reason = reason == null ? "" : reason;
    }
}
