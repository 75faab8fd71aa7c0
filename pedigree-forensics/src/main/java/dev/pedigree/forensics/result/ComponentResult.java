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
 */
public record ComponentResult(
        String name,
        ComponentKind kind,
        long parameters,
        Verdict verdict,
        Double log10p,
        List<Evidence> evidence,
        String reason) {
    public ComponentResult {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(verdict, "verdict");
        evidence = List.copyOf(evidence);
        reason = reason == null ? "" : reason;
    }
}
