package dev.pedigree.report;

import dev.pedigree.forensics.TestFamily;
import dev.pedigree.forensics.TestIds;
import dev.pedigree.forensics.result.Closeness;
import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.ComponentResult;
import dev.pedigree.forensics.result.CustomisationSummary;
import dev.pedigree.forensics.result.Evidence;
import dev.pedigree.forensics.result.Verdict;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the engine measured, read as a relation between the two models: how much of each related
 * component is identical, how much it changed, which tests count towards the verdict, and what
 * the suspect "looks like" in the Hugging Face {@code base_model_relation} vocabulary. Reads the
 * result only; decides nothing the engine did not. Stateless.
 */
public final class Relation {
    private Relation() {}

    /** The displayed p-value is capped here: below it, chance is not a credible explanation. */
    public static final double CAP_LOG10P = -100;

    /** At or below this log10 p, evidence of shared lineage is called overwhelming. */
    public static final double OVERWHELMING_LOG10P = -20;

    /** The marker the engine appends to the note of a test it reports but never combines. */
    static final String NOT_COMBINED = "[weak evidence; not combined]";

    private static final Pattern IDENTICAL = Pattern.compile("(\\d+) of (\\d+) tensors, (\\d+) parameters identical");
    private static final Pattern EFFECT = Pattern.compile("effect (-?[0-9.]+(?:[eE]-?[0-9]+)?)\\)\\s*$");

    /** Families the engine reports beside the verdict but never combines into it. */
    private static final List<TestFamily> WEAK_FAMILIES =
            List.of(TestFamily.ALIGNED_CKA, TestFamily.ATTENTION_INVARIANT, TestFamily.CENTRED_VECTOR);

    /**
     * The verbal scale of a verdict: "overwhelming evidence", "strong evidence", "none found with
     * adequate power" or "cannot tell".
     */
    public static String scale(Verdict v, Double log10p) {
        return switch (v) {
            case SHARED_LINEAGE ->
                log10p != null && log10p <= OVERWHELMING_LOG10P ? "overwhelming evidence" : "strong evidence";
            case INDEPENDENT -> "none found with adequate power";
            case INCONCLUSIVE -> "cannot tell";
        };
    }

    /** Whether a test enters the verdict: it ran, and the engine combines its family. */
    public static boolean counted(Evidence e) {
        return e.log10p() != null
                && !e.note().contains(NOT_COMBINED)
                && !WEAK_FAMILIES.contains(TestIds.family(e.test()))
                && TestIds.family(e.test()) != TestFamily.SKIPPED_STAGE;
    }

    /** Why a test that ran is shown as context only, in plain words. */
    public static String whyNotCounted(Evidence e) {
        if (e.test().contains("pearson_aligned") && e.test().startsWith("embeddings")) {
            return "the alignment is fitted on these same token embeddings, so unrelated models can look alike here";
        }
        return switch (TestIds.family(e.test())) {
            case ALIGNED_CKA ->
                "its alignment is fitted on token embeddings, which unrelated models trained on the same data share";
            case ATTENTION_INVARIANT -> "models trained on the same tokens converge to similar token geometry";
            case CENTRED_VECTOR ->
                "norm gains and biases are short vectors that training shapes alike in unrelated models";
            default -> "the engine reports it but does not combine it into the verdict";
        };
    }

    /** A test's note without the engine's weak-evidence marker (the report says it in words). */
    public static String noteWithoutMarker(Evidence e) {
        return e.note().replace(" " + NOT_COMBINED, "").replace(NOT_COMBINED, "");
    }

    /** The strongest test of a component among those that enter the verdict. */
    public static Optional<Evidence> strongestCounted(ComponentResult c) {
        return c.evidence().stream().filter(Relation::counted).min(Comparator.comparingDouble(Evidence::log10p));
    }

    /** The strongest test of a component that ran but does not enter the verdict. */
    public static Optional<Evidence> strongestContext(ComponentResult c) {
        return c.evidence().stream()
                .filter(e -> e.log10p() != null && !counted(e))
                .min(Comparator.comparingDouble(Evidence::log10p));
    }

    /** The effect size the engine noted for a test ("effect 0.8583"), if any. */
    public static Optional<Double> effect(Evidence e) {
        Matcher m = EFFECT.matcher(e.note());
        return m.find() ? Optional.of(Double.parseDouble(m.group(1))) : Optional.empty();
    }

    /**
     * The effect in words, leading with what was measured: "matched weights correlate r = 0.86;
     * unrelated models ≈ 0", or for identical tensors "62 of 100 tensors byte-for-byte identical".
     */
    public static Optional<String> effectSentence(Evidence e) {
        Optional<Identical> id = identical(e);
        if (id.isPresent()) {
            return Optional.of(id.get().tensorsText() + " tensors byte-for-byte identical");
        }
        TestFamily f = TestIds.family(e.test());
        if (f != TestFamily.FIXED_INDEX_CORRELATION && f != TestFamily.HIDDEN_UNIT_MATCH) {
            return Optional.empty();
        }
        return effect(e)
                .map(r -> String.format(
                        java.util.Locale.ROOT, "matched weights correlate r = %.2f; unrelated models \u2248 0", r));
    }

    /** Identical tensors of a component, as the engine counted them. */
    public record Identical(int identical, int tensors, long parameters) {
        /** "62 of 100". */
        public String tensorsText() {
            return identical + " of " + tensors;
        }

        /** Whether every tensor of the component is identical. */
        public boolean all() {
            return identical == tensors;
        }
    }

    /** The identical-tensor count of a component, if the engine found any. */
    public static Optional<Identical> identical(ComponentResult c) {
        return c.evidence().stream()
                .map(Relation::identical)
                .flatMap(Optional::stream)
                .findFirst();
    }

    private static Optional<Identical> identical(Evidence e) {
        if (TestIds.family(e.test()) != TestFamily.IDENTICAL_TENSORS) {
            return Optional.empty();
        }
        Matcher m = IDENTICAL.matcher(e.note());
        return m.find()
                ? Optional.of(new Identical(
                        Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2)), Long.parseLong(m.group(3))))
                : Optional.empty();
    }

    /** Median relative change of a component's measured tensors that are not bit-identical; NaN if none. */
    public static double medianChange(ComparisonResult r, String component) {
        CustomisationSummary cs = r.customisation();
        if (cs == null) {
            return Double.NaN;
        }
        double[] v = cs.layers().stream()
                .filter(l -> l.suspect().component().equals(component) && !l.bitIdentical())
                .mapToDouble(CustomisationSummary.LayerChange::relativeChange)
                .sorted()
                .toArray();
        return median(v);
    }

    /** Median relative change over every measured tensor that is not bit-identical; NaN if none. */
    public static double medianChange(ComparisonResult r) {
        CustomisationSummary cs = r.customisation();
        if (cs == null) {
            return Double.NaN;
        }
        return median(cs.layers().stream()
                .filter(l -> !l.bitIdentical())
                .mapToDouble(CustomisationSummary.LayerChange::relativeChange)
                .sorted()
                .toArray());
    }

    private static double median(double[] sorted) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Closeness in words from a median relative change: "nearly unchanged" … "heavily changed". */
    public static String closeness(double medianChange) {
        if (Double.isNaN(medianChange)) {
            return "";
        }
        if (medianChange < 0.02) {
            return "nearly unchanged";
        }
        if (medianChange < 0.15) {
            return "lightly changed";
        }
        if (medianChange < 0.4) {
            return "substantially changed";
        }
        return "heavily changed";
    }

    /**
     * One clause on how much of a related component is identical and how much changed: "a
     * byte-for-byte copy (19 of 19 tensors identical)", "62 of 100 tensors identical, the rest
     * nearly unchanged (median relative change 1.5%)", "heavily changed (median relative change 51%)";
     * empty when nothing was measured.
     */
    public static String howMuch(ComparisonResult r, ComponentResult c) {
        Optional<Identical> id = identical(c);
        double m = medianChange(r, c.name());
        if (id.isPresent() && id.get().all()) {
            return "a byte-for-byte copy (" + id.get().tensorsText() + " tensors identical)";
        }
        String change = Double.isNaN(m) ? "" : closeness(m) + " (median relative change " + Findings.percent(m) + ")";
        if (id.isPresent()) {
            return id.get().tensorsText() + " tensors identical" + (change.isEmpty() ? "" : ", the rest " + change);
        }
        if (c.kind() == dev.pedigree.model.ComponentKind.EMBEDDINGS
                && r.customisation() != null
                && r.customisation().embeddings() != null) {
            CustomisationSummary.EmbeddingChange e = r.customisation().embeddings();
            return String.format(
                    java.util.Locale.ROOT,
                    "token rows correlate r = %.2f with the reference's (median)%s",
                    e.medianRowCorrelation(),
                    e.newTokens() == 0 ? "" : ", " + Findings.count(e.newTokens()) + " new tokens");
        }
        return change;
    }

    /**
     * What the suspect looks like, in the Hugging Face {@code base_model_relation} vocabulary
     * (quantized, finetune, merge, adapter) or "pruned/distilled" and "copy", derived from what the
     * engine measured; empty when no component is related.
     */
    public static Optional<String> looksLike(ComparisonResult r) {
        List<ComponentResult> shared = r.components().stream()
                .filter(c -> c.verdict() == Verdict.SHARED_LINEAGE)
                .toList();
        if (shared.isEmpty()) {
            return Optional.empty();
        }
        if (shared.size() < r.components().size()
                && r.components().stream().anyMatch(c -> c.verdict() == Verdict.INDEPENDENT)) {
            return Optional.of("merge");
        }
        if (r.reference().parameters() > 0
                && r.suspect().parameters() < 0.9 * r.reference().parameters()) {
            return Optional.of("pruned/distilled");
        }
        boolean allIdentical =
                shared.stream().allMatch(c -> identical(c).map(Identical::all).orElse(false));
        if (allIdentical) {
            return Optional.of("copy");
        }
        List<Closeness> undone = shared.stream()
                .map(ComponentResult::closeness)
                .filter(c -> c != null && c.permutationUndone() && !c.blocks().isEmpty())
                .toList();
        if (!undone.isEmpty()) {
            // Issue 14 §3: units or the residual basis were permuted or rotated (an obfuscated copy); its change
            // was measured after undoing that, and whatever else it is, that is what a reader must know.
            return Optional.of(undone.stream().anyMatch(Closeness::rotationUndone) ? "rotated copy" : "permuted copy");
        }
        double m = medianChange(r);
        boolean someIdentical = shared.stream().anyMatch(c -> identical(c).isPresent());
        if (someIdentical && !Double.isNaN(m) && m < 0.05) {
            return Optional.of("quantized");
        }
        CustomisationSummary cs = r.customisation();
        if (cs != null && !cs.componentRanks().isEmpty()) {
            // The estimated rank decides when there is one (issue 14 §4): most components' changes low-rank.
            long low = cs.componentRanks().stream()
                    .filter(c -> c.medianRank() != null)
                    .count();
            if (2 * low > cs.componentRanks().size()) {
                return Optional.of("adapter");
            }
        } else if (cs != null && !cs.layers().isEmpty()) {
            double[] energy = cs.layers().stream()
                    .filter(l -> !l.bitIdentical())
                    .mapToDouble(CustomisationSummary.LayerChange::topRankEnergy)
                    .sorted()
                    .toArray();
            if (energy.length > 0 && median(energy) >= 0.9) {
                return Optional.of("adapter");
            }
        }
        return Optional.of("finetune");
    }

    /** Whether a "looks like" label is a value of Hugging Face's {@code base_model_relation}. */
    public static boolean huggingFaceRelation(String label) {
        return Arrays.asList("quantized", "finetune", "merge", "adapter").contains(label);
    }

    /** What a "looks like" label rests on, in a few words. */
    public static String looksLikeBecause(String label) {
        return switch (label) {
            case "merge" -> "some components are related and others independent";
            case "pruned/distilled" -> "related, with fewer parameters than the reference";
            case "copy" -> "every related component is byte-for-byte identical";
            case "permuted copy" ->
                "its units or residual coordinates are permuted, which keeps its function; undone before"
                        + " measuring the change";
            case "rotated copy" ->
                "its residual basis is rotated (and its units may be permuted), which keeps its function; undone"
                        + " before measuring the change";
            case "quantized" -> "norms and biases are identical and the matrices changed only slightly";
            case "adapter" -> "the weight changes are concentrated in a few directions (a merged low-rank update)";
            default -> "related weights, changed throughout";
        };
    }

    /**
     * A suggested model-card snippet (YAML front matter), marked as verified from the weights; empty
     * when the suspect shares no lineage.
     */
    public static Optional<String> modelCardSnippet(ComparisonResult r, String referenceName) {
        String name = referenceName.replaceAll("[\\p{Cntrl}\\u2028\\u2029]", " ");
        String quoted = "\"" + name.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
        return looksLike(r)
                .map(label -> "base_model: " + quoted + "\n"
                        + (huggingFaceRelation(label) ? "base_model_relation: " + label + "\n" : "")
                        + "# verified from the weights by Pedigree: shares an origin with " + name + " ("
                        + Findings.pValue(r.log10p()) + "); " + looksLikeBecause(label)
                        + ". " + Findings.directionSentence(r, name, "this model") + "\n");
    }
}
