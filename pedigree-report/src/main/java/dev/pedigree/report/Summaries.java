package dev.pedigree.report;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.SamplingInfo;
import dev.pedigree.forensics.result.TokenizerLineage;
import java.util.Locale;
import java.util.Optional;

/**
 * The summary lines of a comparison as whole sentences a reader can quote (subject, verb, object, number with
 * its unit), one wording for the terminal, HTML and Markdown: the parameters in related components, what the
 * suspect looks like, the tokenizers' figures and what the tests read. Stateless.
 */
public final class Summaries {
    private Summaries() {}

    /** "100% of the suspect's 22.6 M parameters lie in components or blocks related to X." */
    public static String relatedParameters(ComparisonResult r, String referenceName) {
        double f = r.sharedParameterFraction();
        String all = "the suspect's " + Findings.parameters(r.suspect().parameters()) + " parameters";
        return (f == 0 ? "None of " + all : Findings.percent(f) + " of " + all)
                + " lie in components or blocks related to " + referenceName + ".";
    }

    /**
     * "X looks like a pruned or distilled relative of Y (Hugging Face base_model_relation: pruned/distilled): it is
     * related to Y and has fewer parameters." Empty when the suspect shares no lineage.
     */
    public static Optional<String> looksLike(ComparisonResult r, String suspectName, String referenceName) {
        return Relation.looksLike(r).map(label -> looksLike(label, suspectName, referenceName));
    }

    /** {@link #looksLike(ComparisonResult, String, String)} for the label {@link Relation#looksLike} gave. */
    public static String looksLike(String label, String sus, String ref) {
        String what = switch (label) {
            case "merge" -> "a merge that includes " + ref;
            case "pruned/distilled" -> "a pruned or distilled relative of " + ref;
            case "copy" -> "a copy of " + ref;
            case "quantized" -> "a quantized copy of " + ref;
            case "adapter" -> ref + " with a merged adapter";
            case "finetune" -> "a fine-tune of " + ref;
            default -> "a " + label + " of " + ref;
        };
        String because = switch (label) {
            case "merge" -> "some of its components are related to " + ref + " and others are independent";
            case "pruned/distilled" -> "it is related to " + ref + " and has fewer parameters";
            case "copy" -> "every related component is byte-for-byte identical";
            case "quantized" -> "its norms and biases are identical and its matrices changed only slightly";
            case "adapter" ->
                "its weight changes are concentrated in a few directions, as a merged low-rank update" + " leaves them";
            case "finetune" -> "its weights are related and changed throughout";
            case "permuted copy" ->
                "its units or residual coordinates are permuted, which keeps its function, and"
                        + " its change was measured after undoing the permutation";
            case "rotated copy" ->
                "its residual basis is rotated (and its units may be permuted), which keeps its function, and"
                        + " its change was measured after undoing the rotation";
            default -> Relation.looksLikeBecause(label);
        };
        String hf = Relation.huggingFaceRelation(label) ? " (Hugging Face base_model_relation: " + label + ")" : "";
        return sus + " looks like " + what + hf + ": " + because + ".";
    }

    /**
     * The tokenizers' overlap as a sentence, where {@link Findings#tokenizerSentence} does not give it: "Their
     * vocabularies overlap with a Jaccard index of 0.928." Empty for identical tokenizers (one vocabulary), unrelated
     * ones (their sentence gives it) and when tokenizer lineage was not assessed.
     */
    public static String tokenizerFigures(TokenizerLineage t) {
        return switch (t.relation()) {
            case DERIVED ->
                String.format(Locale.ROOT, "Their vocabularies overlap with a Jaccard index of %.3f.", t.jaccard());
            default -> "";
        };
    }

    /**
     * The tokenizer sentence of {@link Findings#tokenizerSentence} with {@link #tokenizerFigures} before its closing
     * caveat.
     */
    public static String tokenizer(TokenizerLineage t, String referenceName) {
        String s = Findings.tokenizerSentence(t, referenceName);
        String figures = tokenizerFigures(t);
        int caveat = s.indexOf(" Tokenizer lineage is reported beside");
        return figures.isEmpty() || caveat < 0 ? s : s.substring(0, caveat) + " " + figures + s.substring(caveat);
    }

    /**
     * What the tests read, as sentences: "The tests read 256 seeded rows of each tensor (seed 42), 14.26% of the
     * weight bytes (31,819,776 of 223,114,240), and computed their p-values on that sample. 256 tokens that both
     * vocabularies share served as probes."
     */
    public static String sampling(SamplingInfo s) {
        StringBuilder sb = new StringBuilder();
        String share = s.weightBytes() == 0
                ? ""
                : String.format(
                        Locale.ROOT,
                        ", %.2f%% of the weight bytes (%s of %s)",
                        100.0 * s.bytesRead() / s.weightBytes(),
                        Findings.count(s.bytesRead()),
                        Findings.count(s.weightBytes()));
        if (s.sampleRows() != null) {
            sb.append("The tests read ")
                    .append(Findings.count(s.sampleRows()))
                    .append(" seeded rows of each tensor (seed ")
                    .append(s.seed())
                    .append(')')
                    .append(share)
                    .append(", and computed their p-values on that sample; norms, biases and vision patch and position"
                            + " embeddings were read whole, attention output and MLP down projections not at all.");
        } else {
            sb.append("The tests read every row of every tensor")
                    .append(share.isEmpty() ? "" : " (" + share.substring(2) + ")")
                    .append("; at most ")
                    .append(Findings.count(s.maxMatchedUnits()))
                    .append(" units of a tensor enter one assignment problem (seed ")
                    .append(s.seed())
                    .append(").");
        }
        // What the engine adds after its standard description (e.g. that the reference is a fingerprint).
        String end = "; seed " + s.seed();
        int at = s.description().indexOf(end);
        String extra = at < 0
                ? ""
                : s.description()
                        .substring(at + end.length())
                        .replaceFirst("^[;,. ]+", "")
                        .strip();
        if (!extra.isEmpty()) {
            sb.append(' ').append(Character.toUpperCase(extra.charAt(0))).append(extra.substring(1));
            sb.append(extra.endsWith(".") ? "" : ".");
        }
        if (s.probeTokens() > 0) {
            sb.append(' ')
                    .append(Findings.count(s.probeTokens()))
                    .append(
                            s.probeTokens() == 1
                                    ? " token that both vocabularies share served"
                                    : " tokens that both" + " vocabularies share served")
                    .append(" as probes.");
        }
        return sb.toString();
    }
}
