package dev.pedigree.report;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.Direction;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.model.LineageClaim;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * Declared lineage set against what the weights say. A claim is about the reference when its value
 * names the reference (same repository id, or same last path segment without a weight-file
 * extension, compared case-insensitively); other claims are reported as not tested by this
 * comparison. Immutable.
 *
 * @param status what the weights say about the claim
 * @param claim the declared claim; null for {@link Status#UNDECLARED_RELATIVE}
 * @param message one plain sentence for the report
 */
public record ClaimCheck(Status status, LineageClaim claim, String message) {

    /** Outcome of one declared claim, or the undeclared-relative finding. */
    public enum Status {
        /** The claim names the reference and the weights share lineage with it. */
        CONFIRMED,
        /** The claim names the reference and the weights show it is independent. */
        CONTRADICTED,
        /** The claim names the reference but the tests could not decide. */
        NOT_VERIFIED,
        /** The claim names another model: this comparison says nothing about it. */
        NOT_TESTED,
        /** The weights share lineage with the reference, which no claim names. */
        UNDECLARED_RELATIVE;

        /** Whether the report must draw attention to it. */
        public boolean flagged() {
            return this == CONTRADICTED || this == UNDECLARED_RELATIVE;
        }
    }

    public ClaimCheck {
        Objects.requireNonNull(status, "status");
        Objects.requireNonNull(message, "message");
    }

    /**
     * Checks every declared claim of the suspect against the comparison.
     *
     * @param claims null when the declarations were not read: the result is then empty
     * @param referenceName display name of the reference (may be null)
     */
    public static List<ClaimCheck> check(ComparisonResult r, List<LineageClaim> claims, String referenceName) {
        List<ClaimCheck> out = new ArrayList<>();
        if (claims == null) {
            return out;
        }
        String ref = referenceName == null ? Findings.modelName(r.reference()) : referenceName;
        boolean anyAboutReference = false;
        for (LineageClaim c : claims) {
            boolean about = names(c.value(), referenceName)
                    || names(c.value(), r.reference().source());
            anyAboutReference |= about;
            String declared = "Declared " + c.relation() + " \u201c" + c.value() + "\u201d (" + c.origin() + ")";
            if (!about) {
                out.add(new ClaimCheck(
                        Status.NOT_TESTED,
                        c,
                        declared + ": not tested here; this comparison was against " + ref + "."));
                continue;
            }
            out.add(
                    switch (r.verdict()) {
                        case SHARED_LINEAGE ->
                            new ClaimCheck(
                                    Status.CONFIRMED,
                                    c,
                                    declared + ": confirmed by the weights (" + Findings.pValue(r.log10p()) + ").");
                        case INDEPENDENT ->
                            new ClaimCheck(
                                    Status.CONTRADICTED,
                                    c,
                                    declared + ": contradicted; the weights show no sign of shared lineage with it ("
                                            + Findings.pValue(r.log10p()) + ").");
                        case INCONCLUSIVE ->
                            new ClaimCheck(
                                    Status.NOT_VERIFIED,
                                    c,
                                    declared + ": not verified; the weight tests could not decide.");
                    });
        }
        if (r.verdict() == Verdict.SHARED_LINEAGE && !anyAboutReference) {
            // "Ancestor" only when the weights show that the reference came first (issue 14 §4).
            Direction d = r.customisation() == null ? null : r.customisation().direction();
            boolean ancestor = d != null && Direction.REFERENCE.equals(d.earlier());
            out.add(new ClaimCheck(
                    Status.UNDECLARED_RELATIVE,
                    null,
                    (ancestor ? "Undeclared ancestor: " : "Undeclared relative: ")
                            + "the weights show a shared origin with " + ref + " ("
                            + Findings.pValue(r.log10p()) + "), which the suspect "
                            + (claims.isEmpty()
                                    ? "does not declare (it declares no base model)"
                                    : "does not name among its declared base models; it may be related through one of them")
                            + ". " + Findings.directionSentence(r, ref, "the suspect")));
        }
        return out;
    }

    /** Whether a declared value names the model called {@code name} (a repository id or a path). */
    static boolean names(String value, String name) {
        if (value == null || name == null) {
            return false;
        }
        String a = normalise(value);
        String b = normalise(name);
        if (a.isEmpty() || b.isEmpty()) {
            return false;
        }
        return a.equals(b) || last(a).equals(last(b));
    }

    private static String normalise(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT).replace('\\', '/');
        if (t.startsWith("https://huggingface.co/")) {
            t = t.substring("https://huggingface.co/".length());
        }
        while (t.endsWith("/")) {
            t = t.substring(0, t.length() - 1);
        }
        return t.replaceAll("\\.(gguf|safetensors|onnx|bin|pt|pth|json)$", "");
    }

    private static String last(String s) {
        int i = s.lastIndexOf('/');
        return i < 0 ? s : s.substring(i + 1);
    }
}
