package dev.pedigree.report;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.Direction;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.ModelSummary;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.Verdict;
import dev.pedigree.io.Printable;
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
        return question(r, referenceName, null);
    }

    /** {@link #question(ComparisonResult, String)} naming the suspect {@code suspectName}. */
    public static String question(ComparisonResult r, String referenceName, String suspectName) {
        String sus = suspectName == null || suspectName.isBlank() ? modelName(r.suspect()) : suspectName;
        if (TokenizerOnly.applies(r)) {
            // Two tokenizers and no weights: the report answers a question about the vocabularies.
            return "Does the tokenizer of " + sus + " come from that of " + reference(r, referenceName)
                    + " (the same vocabulary, or one built from the other)?";
        }
        return "Do the weights of " + sus + " and " + reference(r, referenceName)
                + " share an origin (one derived from the other, or both from a common ancestor)?";
    }

    /**
     * A model as a terminal summary names it: {@code name}, then {@code source} relative to the working
     * directory ({@link #relativeSource}) in brackets unless it reads the same; both escaped for the
     * terminal. Never an absolute path of the input (issue 15).
     */
    public static String nameWithSource(String name, String source) {
        String rel = relativeSource(source);
        return Printable.escape(name) + (rel.equals(name) ? "" : " [" + Printable.escape(rel) + "]");
    }

    /**
     * A source as the "what was compared" table shows it: a local absolute path relative to the
     * working directory (at most two levels up; a path further away is shortened to
     * {@code …/folder/name}, since its relative form would end in the absolute path), repository ids
     * and URLs as they are. Never an absolute path.
     */
    public static String relativeSource(String source) {
        try {
            java.nio.file.Path p = java.nio.file.Path.of(source).normalize();
            if (!p.isAbsolute()) {
                return source;
            }
            java.nio.file.Path rel = java.nio.file.Path.of("").toAbsolutePath().relativize(p);
            int up = 0;
            while (up < rel.getNameCount() && rel.getName(up).toString().equals("..")) {
                up++;
            }
            if (up <= 2 && rel.getNameCount() > 0 && !rel.toString().isEmpty()) {
                return rel.toString();
            }
            if (rel.toString().isEmpty()) {
                return ".";
            }
            int n = p.getNameCount();
            return "\u2026/" + (n >= 2 ? p.getName(n - 2) + "/" : "") + p.getFileName();
        } catch (RuntimeException e) {
            return source;
        }
    }

    /**
     * A shell-quoted command line as a report shows it: every quoted absolute path relative to the
     * working directory.
     */
    public static String relativeCommand(String commandLine) {
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("'(/[^']*)'").matcher(commandLine);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement("'" + relativeSource(m.group(1)) + "'"));
        }
        m.appendTail(out);
        return out.toString();
    }

    /**
     * The one-paragraph answer: the relation and its closeness, the verbal scale with a capped p, and
     * the effect that carries it ("Yes: X shares an origin with Y; every component related but
     * heavily changed. Overwhelming evidence (p below 10^-100: ...); matched weights correlate r = 0.99;
     * unrelated models ≈ 0.").
     */
    public static String answer(ComparisonResult r, String referenceName) {
        return answer(r, referenceName, null);
    }

    /** {@link #answer(ComparisonResult, String)} naming the suspect {@code suspectName} (its display name when null). */
    public static String answer(ComparisonResult r, String referenceName, String suspectName) {
        String ref = reference(r, referenceName);
        if (TokenizerOnly.applies(r)) {
            return TokenizerOnly.sentence(r, ref);
        }
        String sus = suspectName == null || suspectName.isBlank() ? modelName(r.suspect()) : suspectName;
        String scale = capitalise(Relation.scale(r.verdict(), r.log10p()));
        return switch (r.verdict()) {
            case SHARED_LINEAGE -> {
                String effect = strongestEffect(r).map(e -> "; " + e).orElse("");
                yield "Yes: " + sus + " shares an origin with " + ref + "; " + relatedClause(r)
                        + ". " + scale + " (" + pSentence(r.log10p()) + ")" + effect
                        + ". " + directionSentence(r, ref, sus);
            }
            case INDEPENDENT ->
                "No: tests with the power to detect a shared origin with " + ref + " found none. " + scale + " ("
                        + pValue(r.log10p()) + ").";
            case INCONCLUSIVE ->
                r.log10p() == null
                        ? "Cannot tell: no weight test could run, so the weights say nothing either way"
                                + undecidedBecause(r) + ". " + tokenizerSentence(r.tokenizer(), ref)
                        : "Cannot tell: the tests that ran cannot decide either way (" + pValue(r.log10p()) + ")"
                                + undecidedBecause(r) + ".";
        };
    }

    /**
     * Which model came first, when the weights show it (issue 14 §4): "The weights show that REF came first: the
     * suspect's weights are dequantised values on a grid …." or "The weights do not show which came first: they are
     * relatives." (also for results without a direction, e.g. read from older JSON).
     */
    public static String directionSentence(ComparisonResult r, String ref, String sus) {
        Direction d = r.customisation() == null ? null : r.customisation().direction();
        if (d == null || !d.shown()) {
            return "The weights do not show which came first: they are relatives.";
        }
        return "The weights show that " + (d.earlier().equals(Direction.REFERENCE) ? ref : sus) + " came first: "
                + d.reason() + ".";
    }

    /**
     * Why the largest undecided component was not decided, in the engine's facts ("; for the text
     * encoder, text blocks are 512 wide in the suspect ... : pass the model directories with their
     * tokenizers"); empty when no undecided component gives a reason.
     */
    static String undecidedBecause(ComparisonResult r) {
        return r.components().stream()
                .filter(c -> c.verdict() == Verdict.INCONCLUSIVE && !c.reason().isBlank())
                .max(java.util.Comparator.comparingLong(ComponentResult::parameters))
                .map(c -> "; for " + noun(c) + ", " + lowerFirst(stripStop(plainReason(c.reason()))))
                .orElse("");
    }

    /** "every component related but heavily changed", "2 of 3 components related (the vision encoder, ...)". */
    static String relatedClause(ComparisonResult r) {
        List<ComponentResult> shared = r.components().stream()
                .filter(c -> c.verdict() == Verdict.SHARED_LINEAGE)
                .toList();
        if (shared.isEmpty()) {
            return "no single component could be attributed";
        }
        boolean copy = shared.stream()
                .allMatch(
                        c -> Relation.identical(c).map(Relation.Identical::all).orElse(false));
        String closeness = copy ? "a byte-for-byte copy" : Relation.closeness(Relation.medianChange(r));
        if (shared.size() == r.components().size()) {
            if (copy) {
                return "every component is a byte-for-byte copy";
            }
            return "every component related"
                    + (closeness.isEmpty()
                            ? ""
                            : (closeness.startsWith("heavily") || closeness.startsWith("substantially")
                                            ? " but "
                                            : " and ")
                                    + closeness);
        }
        List<String> names = shared.stream().map(Findings::noun).toList();
        return shared.size() + " of " + r.components().size() + " components related (" + String.join(", ", names)
                + ")";
    }

    /**
     * The effect in words: the measured closeness of the largest related component whose weights were matched
     * ("matched weights correlate r = 0.88; unrelated models ≈ 0"), else the effect of the strongest counted test
     * that has one. A test's effect (e.g. the rank correlation of a unit matching, 1.00 once every unit finds its
     * partner) says how sure, not how close, so the closeness leads where it was measured.
     */
    static java.util.Optional<String> strongestEffect(ComparisonResult r) {
        java.util.Optional<String> measured = r.components().stream()
                .filter(c -> c.verdict() == Verdict.SHARED_LINEAGE
                        && c.closeness() != null
                        && Double.isFinite(c.closeness().correlation())
                        && !c.closeness().blocks().isEmpty())
                .max(java.util.Comparator.comparingLong(ComponentResult::parameters))
                .map(c -> String.format(
                        java.util.Locale.ROOT,
                        "matched weights correlate r = %.2f; unrelated models \u2248 0",
                        c.closeness().correlation()));
        if (measured.isPresent()) {
            return measured;
        }
        return r.components().stream()
                .filter(c -> c.verdict() == Verdict.SHARED_LINEAGE)
                .flatMap(c -> c.evidence().stream())
                .filter(Relation::counted)
                .filter(e -> Relation.effectSentence(e).isPresent()
                        && !e.test().equals(dev.pedigree.forensics.IdenticalTensors.TEST_ID))
                .min(java.util.Comparator.comparingDouble(Evidence::log10p))
                .flatMap(Relation::effectSentence);
    }

    /**
     * One sentence per component, leading with the relation: what, from whom, how much identical, how
     * much changed, e.g. "The vision encoder (632 M parameters, 9% of the model) is related to X: a
     * byte-for-byte copy (98 of 98 tensors identical); overwhelming evidence (p below 10^-100)."
     */
    public static List<String> componentSentences(ComparisonResult r, String referenceName) {
        String ref = reference(r, referenceName);
        boolean anyShared = r.components().stream().anyMatch(c -> c.verdict() == Verdict.SHARED_LINEAGE);
        List<String> out = new ArrayList<>();
        for (ComponentResult c : r.components()) {
            String subject = capitalise(noun(c)) + " (" + parameters(c.parameters()) + " parameters, "
                    + share(c.parameters(), r.suspect().parameters()) + " of the model)";
            String scale = Relation.scale(c.verdict(), c.log10p());
            out.add(
                    switch (c.verdict()) {
                        case SHARED_LINEAGE -> {
                            String how = Relation.howMuch(r, c);
                            yield subject + (plural(c) ? " are" : " is") + " related to " + ref
                                    + (how.isEmpty() ? "" : ": " + how) + "; " + scale + " (" + pValue(c.log10p())
                                    + ").";
                        }
                        case INDEPENDENT ->
                            anyShared
                                    ? subject + (plural(c) ? " show" : " shows") + " no sign of it: " + scale + " ("
                                            + pValue(c.log10p()) + ")."
                                    : subject + (plural(c) ? " show" : " shows") + " no sign of a shared origin with "
                                            + ref + ": " + scale + " (" + pValue(c.log10p()) + ").";
                        case INCONCLUSIVE ->
                            subject + ": cannot tell" + (c.log10p() == null ? "" : " (" + pValue(c.log10p()) + ")")
                                    + (c.reason().isEmpty()
                                            ? "."
                                            : "; " + lowerFirst(stripStop(plainReason(c.reason()))) + "."
                                                    + whatToDo(r, c));
                    });
        }
        return out;
    }

    /**
     * What the user can do about an undecided component whose blocks could not be compared: give the
     * tokenizers that let the engine align the two models' coordinates, or a reference of the same
     * shape. Empty when there is nothing to suggest.
     */
    static String whatToDo(ComparisonResult r, ComponentResult c) {
        if (!c.reason().contains("shapes or roles differ")) {
            return "";
        }
        if (r.tokenizer().relation() == TokenizerLineage.Relation.ABSENT) {
            return " No tokenizer was given to align the two models ("
                    + lowerFirst(stripStop(r.tokenizer().note()))
                    + "): pass the model directories with their tokenizers, or compare with a reference of the same width.";
        }
        return " Compare with a reference of the same width, or pass the model directories with their tokenizers.";
    }

    private static final java.util.regex.Pattern SHARED_REASON =
            java.util.regex.Pattern.compile("Holm-adjusted log10 p (-?[0-9.]+) ≤ (-?[0-9.]+)");
    private static final java.util.regex.Pattern INDEPENDENT_REASON = java.util.regex.Pattern.compile(
            "Holm-adjusted log10 p (-?[0-9.]+) > (-?[0-9.]+) with tests of adequate power");
    private static final java.util.regex.Pattern BETWEEN_REASON = java.util.regex.Pattern.compile(
            "Holm-adjusted log10 p (-?[0-9.]+) lies between the thresholds (-?[0-9.]+) and (-?[0-9.]+)");

    /**
     * Sentences joined by a space, each ending with a full stop (one is added where a part ends without one); empty
     * parts are left out. For table cells that put a reason and a closeness sentence side by side.
     */
    public static String sentences(String... parts) {
        StringBuilder sb = new StringBuilder();
        for (String p : parts) {
            String t = p == null ? "" : p.strip();
            if (t.isEmpty()) {
                continue;
            }
            if (!sb.isEmpty()) {
                sb.append(' ');
            }
            sb.append(t);
            char last = t.charAt(t.length() - 1);
            if (last != '.' && last != '!' && last != '?') {
                sb.append('.');
            }
        }
        return sb.toString();
    }

    /**
     * An engine reason with its thresholds in words: "Holm-adjusted log10 p -1165.1 ≤ -6.0" reads
     * "p below 10^-100 after correcting for the components tested (Holm), under the 1-in-a-million
     * threshold (10^-6)".
     */
    public static String plainReason(String reason) {
        java.util.regex.Matcher m = SHARED_REASON.matcher(reason);
        String out = reason;
        if (m.find()) {
            out = m.replaceFirst(java.util.regex.Matcher.quoteReplacement(pValue(Double.parseDouble(m.group(1)))
                    + " after correcting for the components tested (Holm), below the "
                    + threshold(Double.parseDouble(m.group(2))) + " needed to call it related"));
        }
        m = INDEPENDENT_REASON.matcher(out);
        if (m.find()) {
            out = m.replaceFirst(java.util.regex.Matcher.quoteReplacement(pValue(Double.parseDouble(m.group(1)))
                    + " after correcting for the components tested (Holm), above the "
                    + threshold(Double.parseDouble(m.group(2)))
                    + " above which tests with enough data call it independent"));
        }
        m = BETWEEN_REASON.matcher(out);
        if (m.find()) {
            out = m.replaceFirst(java.util.regex.Matcher.quoteReplacement(pValue(Double.parseDouble(m.group(1)))
                    + " after correcting for the components tested (Holm), between the "
                    + threshold(Double.parseDouble(m.group(2))) + " needed to call it related and the "
                    + threshold(Double.parseDouble(m.group(3))) + " above which it is called independent"));
        }
        return out;
    }

    /** A log10 threshold in words: "1 in a million (10^-6)", "1 in 100 (10^-2)". */
    static String threshold(double log10) {
        long e = Math.round(-log10);
        String words = switch ((int) e) {
            case 1 -> "1 in 10";
            case 2 -> "1 in 100";
            case 3 -> "1 in 1,000";
            case 6 -> "1 in a million";
            case 9 -> "1 in a billion";
            default -> "1 in " + count(Math.round(Math.pow(10, Math.min(e, 18))));
        };
        return "threshold of " + words + " (10^-" + e + ")";
    }

    /** A capped p in a sentence: "p below 10^-100: chance is not a credible explanation", or the p-value. */
    public static String pSentence(Double log10p) {
        if (log10p != null && log10p <= Relation.CAP_LOG10P) {
            return "p below 10^-100: chance is not a credible explanation";
        }
        return pValue(log10p);
    }

    /** The exact value for the details: "log10 p = -1165.1"; "no test ran" for null. */
    public static String exactLog10p(Double log10p) {
        return log10p == null ? "no test ran" : String.format(Locale.ROOT, "log10 p = %.1f", log10p);
    }

    /** The short "How to read this report" box, one line each. */
    public static final List<String> HOW_TO_READ = List.of(
            "The answer comes first: whether the two models share an origin, how close they are, and how sure the tests are, "
                    + "on a verbal scale: overwhelming, strong, none found with adequate power, or cannot tell.",
            "Every test asks one question: could the weights look this alike if the two models had been initialised independently? "
                    + "The p-value is the chance of evidence this strong if they had; unrelated models give p near 1 and correlations near 0.",
            "Displayed p-values stop at 10^-100: below that, chance is not a credible explanation, and the exact value "
                    + "(which depends on how many rows were read) is in the details.",
            "Only the tests that enter the verdict are quoted as evidence; weak tests are shown as context, not counted.",
            "A shared origin does not say which model came first: the weights show relatedness, not direction.",
            "Tokenizer lineage is reported beside weight lineage, never as proof of it.");

    /** Terms the reports use, in plain words. */
    public static final java.util.Map<String, String> GLOSSARY = glossary();

    private static java.util.Map<String, String> glossary() {
        java.util.Map<String, String> g = new java.util.LinkedHashMap<>();
        g.put(
                "block",
                "One repeated layer of a network (attention plus feed-forward); blocks are numbered from the input.");
        g.put(
                "unit",
                "One hidden neuron (a row of a weight matrix); training can reorder units without changing the model, so tests match them first.");
        g.put(
                "component",
                "A part of the model tested on its own: text stack, token embeddings, output head, vision encoder, projector, experts.");
        g.put(
                "Holm",
                "A correction for testing several components at once: each p-value is adjusted so that the chance of any false alarm stays below the threshold.");
        g.put(
                "Bonferroni",
                "A simpler correction: a p-value is multiplied by the number of comparisons it was chosen among.");
        g.put(
                "Jaccard",
                "Overlap of two vocabularies: tokens in both divided by tokens in either (1 = same tokens, 0 = none shared).");
        g.put(
                "CKA",
                "Centred kernel alignment: how similar two matrices' patterns are after aligning their bases; weak here, shown as context.");
        g.put(
                "relative change",
                "How much a weight matrix changed: the size of the difference divided by the size of the reference matrix (0% = identical).");
        g.put(
                "residual basis",
                "The coordinate system of a model's hidden state; an alignment fitted on shared token embeddings maps one model's basis onto the other's.");
        g.put(
                "p-value",
                "The chance of evidence at least this strong if the two models had been initialised independently; it is not the chance that one model is derived.");
        return java.util.Collections.unmodifiableMap(g);
    }

    /** The verdict thresholds in words. */
    public static String thresholdsInWords(dev.pedigree.forensics.result.Thresholds t) {
        return "A component is called related when its p-value, after the Holm correction, is below the "
                + threshold(t.sharedLog10p()) + "; independent when it is above the " + threshold(t.independentLog10p())
                + " and the tests had enough data to see a relation; otherwise cannot tell. A block pair enters the layer map below the "
                + threshold(t.layerLog10p()) + " after correction for the number of pairs.";
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

    /** Whether the plain-language noun of a component is plural ("the token embeddings are"). */
    static boolean plural(ComponentResult c) {
        return switch (c.kind()) {
            case EMBEDDINGS, EXPERTS -> true;
            default -> false;
        };
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

    /**
     * Display name of a model: a Hugging Face id as it is ({@code hf:owner/name} → {@code owner/name}),
     * otherwise the last segment of its source path, or the folder of a file with a generic name
     * ({@code …/bert/model.safetensors} → {@code bert}).
     */
    public static String modelName(ModelSummary m) {
        return displayName(m.source());
    }

    /** {@link #modelName(ModelSummary)} of a source string. */
    public static String displayName(String source) {
        String s = source.replace('\\', '/');
        if (s.startsWith("hf:")) {
            return s.substring(3);
        }
        int hf = s.indexOf("huggingface.co/");
        if (hf >= 0) {
            String[] parts = s.substring(hf + "huggingface.co/".length()).split("/");
            if (parts.length >= 2) {
                return parts[0] + "/" + parts[1];
            }
        }
        while (s.endsWith("/") && s.length() > 1) {
            s = s.substring(0, s.length() - 1);
        }
        int i = s.lastIndexOf('/');
        String last = i < 0 || i == s.length() - 1 ? s : s.substring(i + 1);
        String stem = last.contains(".") ? last.substring(0, last.indexOf('.')) : last;
        if (i > 0
                && List.of("model", "pytorch_model", "tokenizer", "weights", "consolidated")
                        .contains(stem)) {
            String parent = s.substring(0, i);
            int j = parent.lastIndexOf('/');
            String p = j < 0 ? parent : parent.substring(j + 1);
            if (!p.isEmpty() && !p.equals(".")) {
                return p;
            }
        }
        for (String ext : List.of(".safetensors", ".onnx", ".gguf", ".bin", ".pth", ".pt")) {
            if (last.length() > ext.length() && last.endsWith(ext)) {
                return last.substring(0, last.length() - ext.length());
            }
        }
        return last;
    }

    static String reference(ComparisonResult r, String referenceName) {
        return referenceName == null || referenceName.isBlank() ? modelName(r.reference()) : referenceName;
    }

    /**
     * A p-value in words from its log10: "p = 0.043", "p = 3.2 × 10^-9", or "p &lt; 10^-100" at or
     * below 10^-100 (capped: beyond it chance is no credible explanation, and the exact value, which
     * depends on sampling, is in the details); "no test ran" for null.
     */
    public static String pValue(Double log10p) {
        if (log10p == null) {
            return "no test ran";
        }
        double l = log10p;
        if (l > -4) {
            return String.format(Locale.ROOT, "p = %.2g", Math.pow(10, l));
        }
        if (l > Relation.CAP_LOG10P) {
            double e = Math.floor(l);
            double m = Math.pow(10, l - e);
            if (m >= 9.95) {
                m = 1;
                e += 1;
            }
            return String.format(Locale.ROOT, "p = %.1f \u00d7 10^%d", m, (long) e);
        }
        return "p < 10^-100";
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
        return v.name();
    }

    /** The word of the answer: the verdict's {@link #label}, or for a tokenizer-only comparison the tokenizer relation. */
    public static String answerWord(ComparisonResult r) {
        return TokenizerOnly.applies(r) ? TokenizerOnly.word(r) : label(r.verdict());
    }

    /** The verbal scale beside the answer's word ({@link Relation#scale}); "no weights given" for two tokenizers. */
    public static String answerScale(ComparisonResult r) {
        return TokenizerOnly.applies(r) ? "no weights given" : Relation.scale(r.verdict(), r.log10p());
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
