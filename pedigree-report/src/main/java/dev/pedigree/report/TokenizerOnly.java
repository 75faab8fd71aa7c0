package dev.pedigree.report;

import dev.pedigree.forensics.result.ComparisonResult;
import dev.pedigree.forensics.result.TokenizerLineage;
import dev.pedigree.forensics.result.Verdict;

/**
 * A comparison of two tokenizers without weights (two tokenizer files, or folders with no tensors): no weight test
 * can run, so the tokenizer relation is the answer, in the headline and in the exit code (the JSON verdict stays the
 * weights' INCONCLUSIVE: it is about weights). Reads the result only; decides nothing new.
 */
public final class TokenizerOnly {
    private TokenizerOnly() {}

    /** Whether neither side has weights: then the tokenizer relation answers the comparison. */
    public static boolean applies(ComparisonResult r) {
        return r.suspect().parameters() == 0
                && r.reference().parameters() == 0
                && r.components().isEmpty();
    }

    /**
     * The answer the tokenizers give, in the weights' verdict words: IDENTICAL or DERIVED tokenizers are SHARED_LINEAGE,
     * unrelated ones INDEPENDENT, and a tokenizer relation that was not assessed INCONCLUSIVE.
     */
    public static Verdict verdict(TokenizerLineage t) {
        return switch (t.relation()) {
            case IDENTICAL, DERIVED -> Verdict.SHARED_LINEAGE;
            case INDEPENDENT -> Verdict.INDEPENDENT;
            case ABSENT -> Verdict.INCONCLUSIVE;
        };
    }

    /** The answer's word: "TOKENIZER " and the relation as the JSON spells it, e.g. "TOKENIZER DERIVED". */
    public static String word(ComparisonResult r) {
        return "TOKENIZER " + r.tokenizer().relation().name();
    }

    /** The answer's sentence: no weights, and what the tokenizers say. */
    public static String sentence(ComparisonResult r, String referenceName) {
        return "No weights were given; the answer comes from the tokenizers alone. "
                + Findings.tokenizerSentence(r.tokenizer(), referenceName);
    }
}
