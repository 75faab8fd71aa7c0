package dev.pedigree.report;

import dev.pedigree.forensics.TestFamily;
import dev.pedigree.forensics.TestIds;
import java.util.List;

/**
 * What each family of tests of the forensics engine assumes ({@link TestFamily}; the engine's
 * {@link TestIds} tells the family of a test id). The texts state the null hypothesis in words, for
 * the report's method section. Stateless.
 */
public final class MethodCatalogue {
    private MethodCatalogue() {}

    /**
     * One family of tests.
     *
     * @param key stable family key
     * @param name display name
     * @param nullHypothesis what the p-value assumes, in words
     * @param weak true when the forensics engine reports it but never combines it into a verdict
     */
    public record Family(String key, String name, String nullHypothesis, boolean weak) {}

    static final Family MATCH = new Family(
            "hidden-unit-match",
            "Hidden-unit matching (Zhu et al. style)",
            "The two weight matrices were initialised independently, so their hidden units are exchangeable: after the best one-to-one matching of units "
                    + "(a linear assignment on row similarity), the matched pairs agree no better than under a random permutation. Exact under H0.",
            false);
    static final Family AGREEMENT = new Family(
            "match-agreement",
            "Agreement of unit matchings",
            "If the weights are independent, the unit matchings found separately from two matrices of the same block (gate and up, up and down) "
                    + "agree no more than two unrelated random permutations.",
            false);
    static final Family HELD_OUT = new Family(
            "held-out-match",
            "Held-out matching (every permutation at once)",
            "The two models' weights were initialised independently, so once heads or hidden units are matched on some matrices of a block and the "
                    + "residual coordinates aligned on other blocks, the block's remaining matrices agree no better than under a random order of units. "
                    + "Exact for independently initialised weights; for trained models checked on independent same-data pairs.",
            false);
    static final Family PEARSON = new Family(
            "fixed-index-correlation",
            "Fixed-index correlation",
            "Independently initialised tensors have zero expected correlation between entries at the same row and column "
                    + "(for the _aligned variant: after mapping the reference's residual basis onto the suspect's, fitted on shared token embeddings).",
            false);
    static final Family CKA = new Family(
            "aligned-cka",
            "Aligned Gram CKA (AWM style)",
            "Under independent weights, the centred kernel alignment of the two matrices (after residual alignment) is no larger than under random "
                    + "permutations of rows (permutation test). The alignment is fitted on token embeddings, which unrelated models trained on "
                    + "the same data share: reported as an effect size, never combined.",
            true);
    static final Family INVARIANT = new Family(
            "attention-invariant",
            "Attention invariant (HuRef style)",
            "No association (Mantel test) between the two models' gain-folded query-key invariants over shared anchor tokens. Models trained on the same "
                    + "tokens converge to similar token geometry, so this is weak evidence: reported, never combined.",
            true);
    static final Family CENTRED = new Family(
            "centred-vector",
            "Centred norm-gain / bias correlation",
            "Zero correlation between the two vectors after removing each vector's mean. Weak evidence: reported, never combined.",
            true);
    static final Family FISHER = new Family(
            "fisher",
            "Fisher combination over blocks",
            "Every per-block exact test is uniform and independent under H0; Fisher's statistic is chi-squared with 2k degrees of freedom.",
            false);
    static final Family CAUCHY = new Family(
            "cauchy",
            "Cauchy combination",
            "All combined p-values are uniform under H0; the Cauchy combination stays valid under arbitrary dependence between them.",
            false);
    static final Family IDENTICAL = new Family(
            "identical-tensors",
            "Identical tensors (content hash)",
            "Independently initialised weights are never bit-identical: a non-constant tensor of at least 64 values whose float32 content has the same "
                    + "SHA-256 as a reference tensor (whatever its name) is reused; the chance of a hash collision is 2^-256. Decides its component.",
            false);
    static final Family OTHER =
            new Family("other", "Other test", "The two models' weights were initialised independently.", false);

    /** Every family, in the order the method section lists them. */
    public static final List<Family> FAMILIES =
            List.of(MATCH, AGREEMENT, HELD_OUT, PEARSON, CKA, INVARIANT, CENTRED, FISHER, CAUCHY, IDENTICAL, OTHER);

    /**
     * The description of a test family. No {@code default}: a family the engine adds does not
     * compile until it has a description here.
     */
    public static Family of(TestFamily family) {
        return switch (family) {
            case HIDDEN_UNIT_MATCH -> MATCH;
            case MATCH_AGREEMENT -> AGREEMENT;
            case HELD_OUT_MATCH -> HELD_OUT;
            case FIXED_INDEX_CORRELATION -> PEARSON;
            case ALIGNED_CKA -> CKA;
            case ATTENTION_INVARIANT -> INVARIANT;
            case CENTRED_VECTOR -> CENTRED;
            case FISHER -> FISHER;
            case CAUCHY -> CAUCHY;
            case IDENTICAL_TENSORS -> IDENTICAL;
            // The skipped-stage markers carry no p-value and have always been listed as "Other test";
            // a description of their own would change every report that lists them.
            case SKIPPED_STAGE, UNKNOWN -> OTHER;
        };
    }

    /** The description of a test id's family ({@link TestIds#family}); {@link #OTHER} when not recognised. */
    public static Family family(String testId) {
        return of(TestIds.family(testId));
    }

    /** Traps the method avoids, one sentence each. */
    public static final List<String> TRAPS = List.of(
            "Raw cosine similarity of weights is not shown as evidence: every LayerNorm/RMSNorm gain starts at 1 and most weight matrices share a "
                    + "scale, so two unrelated models reach a raw cosine near 1. Only centred statistics enter the tests; the raw cosine appears in notes, marked as never evidence.",
            "Hidden units and attention heads can be permuted without changing what a model computes; the tests match units (or use permutation "
                    + "invariants) instead of trusting fixed indices alone.",
            "Shared architecture, shared training data and distillation from a model's outputs do not make shared lineage; the null hypothesis is about "
                    + "the weights' initialisation only.",
            "A matching tokenizer is not proof of weight lineage: tokenizers are copied freely, so tokenizer lineage is reported beside the verdict, never inside it.",
            "Many tests run on many components and block pairs: p-values are Holm-adjusted across components and Bonferroni-corrected across block pairs before any verdict.");

    /** Limits of the method, one sentence each. */
    public static final List<String> LIMITS = List.of(
            "A p-value is the probability of evidence this strong if the weights were initialised independently; it is not the probability that the model is derived.",
            "Long further training, heavy pruning or a rotation of the residual stream can erase the evidence: such cases end INCONCLUSIVE, not INDEPENDENT.",
            "INDEPENDENT is reported only where the tests had the power to see shared lineage; sampled rows (see Sampling) lower that power.",
            "The comparison is pairwise: an undeclared relative can only be found when it is given as the reference, and the weights show which model came first only through a quantised side, a layer subset or an extended vocabulary; otherwise the two are called relatives.");
}
