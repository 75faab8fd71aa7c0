package dev.pedigree.report;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.Verdict;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The plain-language wording shared by the HTML and Markdown reports: the question, the answer and
 * one sentence per component. Reads the result only; decides nothing.
 */
public final class Findings {
    private Findings() {}

    /** The question the report answers. */
    public static String question(ComparisonResult r, String referenceName) {
        return "Do the weights of " + modelName(r.suspect()) + " descend from " + reference(r, referenceName)
                + " (or from a common ancestor)?";
    }

    /** The one-paragraph answer. */
    public static String answer(ComparisonResult r, String referenceName) {
        String ref = reference(r, referenceName);
        return switch (r.verdict()) {
            case SHARED_LINEAGE ->
                "Yes. " + percent(r.sharedParameterFraction()) + " of the suspect's parameters share lineage with "
                        + ref + " (" + pValue(r.log10p()) + ").";
            case INDEPENDENT ->
                "No. Tests with the power to detect shared lineage with " + ref + " found none (" + pValue(r.log10p())
                        + ").";
            case INCONCLUSIVE ->
                r.log10p() == null
                        ? "Undecided. No weight test could run, so the weights say nothing either way. "
                                + tokenizerSentence(r.tokenizer(), ref)
                        : "Undecided. The tests that ran cannot decide either way (" + pValue(r.log10p()) + ").";
        };
    }

    /**
     * One sentence per component, e.g. "The vision encoder (632 M parameters, 9% of the model)
     * shares lineage with X: p &lt; 10^-300."
     */
    public static List<String> componentSentences(ComparisonResult r, String referenceName) {
        String ref = reference(r, referenceName);
        boolean anyShared = r.components().stream().anyMatch(c -> c.verdict() == Verdict.SHARED_LINEAGE);
        List<String> out = new ArrayList<>();
        for (ComponentResult c : r.components()) {
            String subject = capitalise(noun(c)) + " (" + parameters(c.parameters()) + " parameters, "
                    + share(c.parameters(), r.suspect().parameters()) + " of the model)";
            out.add(
                    switch (c.verdict()) {
                        case SHARED_LINEAGE ->
                            subject + " shares lineage with " + ref + ": " + pValue(c.log10p()) + ".";
                        case INDEPENDENT ->
                            anyShared
                                    ? subject + " shows no sign of it (" + pValue(c.log10p()) + ")."
                                    : subject + " shows no sign of shared lineage with " + ref + " ("
                                            + pValue(c.log10p()) + ").";
                        case INCONCLUSIVE ->
                            subject + " is undecided" + (c.log10p() == null ? "" : " (" + pValue(c.log10p()) + ")")
                                    + (c.reason().isEmpty() ? "." : ": " + lowerFirst(stripStop(c.reason())) + ".");
                    });
        }
        return out;
    }

    /** The sentence on the tokenizers. */
    public static String tokenizerSentence(TokenizerLineage t, String referenceName) {
        String s = switch (t.relation()) {
            case IDENTICAL -> "The two tokenizers have the same vocabulary.";
            case DERIVED -> {
                String who = switch (t.direction()) {
                    case SUSPECT_FROM_REFERENCE -> "The suspect's tokenizer is derived from that of " + referenceName;
                    case REFERENCE_FROM_SUSPECT ->
                        "The tokenizer of " + referenceName + " is derived from the suspect's";
                    case UNKNOWN -> "One tokenizer is derived from the other";
                };
                yield who + ": " + percent(t.inheritedFraction())
                        + " of the smaller vocabulary is inherited in creation order, " + count(t.addedTokens())
                        + " tokens added, " + count(t.removedTokens()) + " removed"
                        + (t.specials().added() + t.specials().removed() == 0
                                ? "."
                                : " (special tokens: " + count(t.specials().added()) + " added, "
                                        + count(t.specials().removed()) + " removed).");
            }
            case INDEPENDENT ->
                String.format(Locale.ROOT, "The tokenizers are unrelated (Jaccard overlap %.3f).", t.jaccard());
            case ABSENT ->
                "Tokenizer lineage was not assessed"
                        + (t.note().isEmpty() ? "." : ": " + lowerFirst(stripStop(t.note())) + ".");
        };
        return s + " Tokenizer lineage is reported beside weight lineage, never as proof of it.";
    }

    /** Plain-language noun of a component, e.g. "the vision encoder". */
    public static String noun(ComponentResult c) {
        return switch (c.kind()) {
            case TEXT_DECODER -> "the language model";
            case TEXT_ENCODER -> "the text encoder";
            case VISION_ENCODER -> "the vision encoder";
            case AUDIO_ENCODER -> "the audio encoder";
            case PROJECTOR -> "the multimodal projector";
            case EMBEDDINGS -> "the token embeddings";
            case LM_HEAD -> "the output head";
            case EXPERTS -> "the expert layers";
            case OTHER -> "component \u201c" + c.name() + "\u201d";
        };
    }

    /** Display name of a model: the last segment of its source path. */
    public static String modelName(ModelSummary m) {
        String s = m.source().replace('\\', '/');
        while (s.endsWith("/") && s.length() > 1) {
            s = s.substring(0, s.length() - 1);
        }
        int i = s.lastIndexOf('/');
        return i < 0 || i == s.length() - 1 ? s : s.substring(i + 1);
    }

    static String reference(ComparisonResult r, String referenceName) {
        return referenceName == null || referenceName.isBlank() ? modelName(r.reference()) : referenceName;
    }

    /**
     * A p-value in words from its log10: "p = 0.043", "p = 3.2 × 10^-9", or "p &lt; 10^-412" below
     * 10^-300 (where the mantissa no longer matters); "no test ran" for null.
     */
    public static String pValue(Double log10p) {
        if (log10p == null) {
            return "no test ran";
        }
        double l = log10p;
        if (l > -4) {
            return String.format(Locale.ROOT, "p = %.2g", Math.pow(10, l));
        }
        if (l > -300) {
            double e = Math.floor(l);
            double m = Math.pow(10, l - e);
            if (m >= 9.95) {
                m = 1;
                e += 1;
            }
            return String.format(Locale.ROOT, "p = %.1f \u00d7 10^%d", m, (long) e);
        }
        return "p < 10^-" + (long) Math.floor(-l);
    }

    /** "632 M", "7.1 B", "12.3 K", "950". */
    public static String parameters(long n) {
        if (n >= 1_000_000_000L) {
            return trim(String.format(Locale.ROOT, n >= 100_000_000_000L ? "%.0f" : "%.1f", n / 1e9)) + " B";
        }
        if (n >= 1_000_000L) {
            return trim(String.format(Locale.ROOT, n >= 100_000_000L ? "%.0f" : "%.1f", n / 1e6)) + " M";
        }
        if (n >= 1_000L) {
            return trim(String.format(Locale.ROOT, "%.1f", n / 1e3)) + " K";
        }
        return Long.toString(n);
    }

    /** Share of {@code part} in {@code total} as "9%", "0.4%" or "<0.1%". */
    public static String share(long part, long total) {
        if (total <= 0) {
            return "n/a";
        }
        return percent(part / (double) total);
    }

    /** A fraction as a percentage: "9%", "0.4%", "<0.1%", "99.7%", "100%". */
    public static String percent(double f) {
        double p = 100 * f;
        if (p > 0 && p < 0.1) {
            return "<0.1%";
        }
        if (p >= 99.5 && p < 100) {
            return trim(String.format(Locale.ROOT, "%.1f", Math.min(p, 99.9))) + "%";
        }
        return p >= 1 || p == 0
                ? String.format(Locale.ROOT, "%.0f%%", p)
                : trim(String.format(Locale.ROOT, "%.1f", p)) + "%";
    }

    /** 1234567 → "1,234,567". */
    public static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }

    /** Short verdict label: "shared lineage", "independent", "inconclusive". */
    public static String label(Verdict v) {
        return v.name().replace('_', ' ').toLowerCase(Locale.ROOT);
    }

    private static String trim(String s) {
        return s.contains(".") ? s.replaceAll("0+$", "").replaceAll("\\.$", "") : s;
    }

    private static String capitalise(String s) {
        return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
    }

    private static String lowerFirst(String s) {
        if (s.length() > 1 && Character.isUpperCase(s.charAt(0)) && Character.isLowerCase(s.charAt(1))) {
            return Character.toLowerCase(s.charAt(0)) + s.substring(1);
        }
        return s;
    }

    private static String stripStop(String s) {
        String t = s.strip();
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }
}
